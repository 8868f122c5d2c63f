import { createContextValues, createHandlerContext } from "@connectrpc/connect";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { describe, expect, it } from "vitest";
import { callInfoFrom, forwardHeaders, withCallInfo, type CallInfo } from "./call-context.js";

const deadlines = { defaultTimeoutMs: 5_000, maxTimeoutMs: 60_000 };

/** A handler context that counts how often its signal is read. */
function context(headers: Record<string, string> = {}) {
  const ctx = createHandlerContext({
    service: KeyValueService,
    method: KeyValueService.method.get,
    protocolName: "grpc",
    requestMethod: "POST",
    url: "http://n1/kvstore.KeyValueService/Get",
    requestHeader: new Headers(headers),
    contextValues: createContextValues(),
  });
  let reads = 0;
  const counted = new Proxy(ctx, { get: (t, p, r) => (p === "signal" && reads++, Reflect.get(t, p, r)) });
  return { ctx: counted, reads: () => reads };
}

describe("callInfoFrom() and withCallInfo()", () => {
  it("reads the call's headers and leaves its signal unread until used", () => {
    const c = context({ [forwardHeaders.hops]: "2", [forwardHeaders.requestId]: "r1", [forwardHeaders.opId]: "op", [forwardHeaders.opDeadline]: "1700000012345" });
    const info = callInfoFrom(c.ctx, deadlines);
    expect(info).toMatchObject({ hops: 2, requestId: "r1", opId: "op", opDeadlineAt: 1_700_000_012_345 });
    expect(info.deadlineAt - Date.now()).toBeGreaterThan(4_000);
    expect(c.reads()).toBe(0);
    expect(info.signal).toBe(c.ctx.signal);
  });

  it("reads no op deadline when the header is missing or not a number", () => {
    expect(callInfoFrom(context().ctx, deadlines).opDeadlineAt).toBeUndefined();
    expect(callInfoFrom(context({ [forwardHeaders.opDeadline]: "soon" }).ctx, deadlines).opDeadlineAt).toBeUndefined();
  });

  it("copies a call with fields replaced or added, keeping its signal lazy and shared", () => {
    const c = context();
    const info = callInfoFrom(c.ctx, deadlines);
    const appliedIn = () => true;
    const copy = withCallInfo(info, { deadlineAt: 123, opId: "x", opDeadlineAt: 456, appliedIn });
    expect(copy).toMatchObject({ deadlineAt: 123, opId: "x", opDeadlineAt: 456, hops: 0, requestId: info.requestId });
    expect(copy.appliedIn).toBe(appliedIn);
    expect(info.deadlineAt).not.toBe(123); // the original is untouched
    expect(c.reads()).toBe(0);
    expect(copy.signal).toBe(c.ctx.signal);
    // A plain CallInfo (as tests build them) is copied as an object.
    const plain: CallInfo = { hops: 1, membersHash: undefined, requestId: "p", opId: undefined, opDeadlineAt: undefined, signal: new AbortController().signal, deadlineAt: 1 };
    expect(withCallInfo(plain, { deadlineAt: 2 })).toEqual({ ...plain, deadlineAt: 2 });
  });
});
