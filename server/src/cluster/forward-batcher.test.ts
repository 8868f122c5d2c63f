import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions, type Client } from "@connectrpc/connect";
import { GetRequestSchema, GetResponseSchema, KeyValueService, PutResponseSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { ForwardBatchRequestSchema, ForwardBatchResponseSchema, type ForwardBatchRequest } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import type { CallInfo } from "./call-context.js";
import { createBatchingKvClient, type SendForwardBatch } from "./forward-batcher.js";
import { ForwardCallOptions } from "./forwarder.js";

/** A peer that answers Get with the key as value, fails key "bad" with NotFound metadata. */
function fakePeer(options: { unimplemented?: boolean } = {}) {
  const sent: string[] = [];
  const seen: ForwardBatchRequest[] = [];
  const single = {
    get: async (req: { key: string }, opts?: CallOptions) => {
      sent.push(`get ${req.key} ${JSON.stringify(opts?.headers ?? {})}`);
      return create(GetResponseSchema, { found: true, value: req.key });
    },
    put: async (req: { key: string }) => {
      sent.push(`put ${req.key}`);
      return create(PutResponseSchema, { success: true, version: 1n });
    },
  } as unknown as Client<typeof KeyValueService>;
  // What the entry node sends is decoded by protobuf-es, as the peer decodes it.
  const peer: SendForwardBatch = async (body) => {
    const req = fromBinary(ForwardBatchRequestSchema, body);
    if (options.unimplemented) throw new ConnectError("no", Code.Unimplemented);
    sent.push(`batch ${req.calls.length}`);
    seen.push(req);
    return create(ForwardBatchResponseSchema, {
      results: req.calls.map((c) => {
        const key = fromBinary(GetRequestSchema, c.request).key;
        if (key === "bad") return { code: Code.FailedPrecondition, message: "version mismatch", metadata: { "ringkv-reason": "version_mismatch", "ringkv-current-version": "3" } };
        return { code: 0, response: toBinary(GetResponseSchema, create(GetResponseSchema, { found: true, value: `${c.method}:${key}` })) };
      }),
    });
  };
  return { single, peer, sent, seen };
}

const headers = (id: string) => ({ headers: { "x-request-id": id, "Ringkv-Hops": "1" }, timeoutMs: 500 });

describe("createBatchingKvClient()", () => {
  it("sends the calls of one turn as one batch, with each call's headers and timeout", async () => {
    const f = fakePeer();
    const kv = createBatchingKvClient(f.single, f.peer);
    const [a, b] = await Promise.all([kv.get({ key: "a" }, headers("r1")), kv.get({ key: "b" }, headers("r2"))]);
    expect([a.value, b.value]).toEqual(["Get:a", "Get:b"]);
    expect(f.sent).toEqual(["batch 2"]);
    expect(f.seen[0]!.calls.map((c) => [c.method, c.headers, c.timeoutMs])).toEqual([
      ["Get", { "x-request-id": "r1", "ringkv-hops": "1" }, 500n],
      ["Get", { "x-request-id": "r2", "ringkv-hops": "1" }, 500n],
    ]);
  });

  it("sends a lone call plain", async () => {
    const f = fakePeer();
    const res = await createBatchingKvClient(f.single, f.peer).get({ key: "solo" }, headers("r"));
    expect(res.value).toBe("solo");
    expect(f.sent).toEqual([`get solo {"x-request-id":"r","Ringkv-Hops":"1"}`]);
  });

  it("re-creates an item's error with its code and metadata, without failing the others", async () => {
    const f = fakePeer();
    const kv = createBatchingKvClient(f.single, f.peer);
    const [good, bad] = await Promise.allSettled([kv.get({ key: "ok" }), kv.get({ key: "bad" })]);
    expect(good.status).toBe("fulfilled");
    const err = (bad as PromiseRejectedResult).reason as ConnectError;
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toBe("version mismatch");
    expect(err.metadata.get("ringkv-current-version")).toBe("3");
  });

  it("rejects a call whose signal fires before the batch leaves, and sends the rest", async () => {
    const f = fakePeer();
    const kv = createBatchingKvClient(f.single, f.peer);
    const gone = new AbortController();
    const all = Promise.allSettled([kv.get({ key: "a" }), kv.get({ key: "b" }, { signal: gone.signal }), kv.get({ key: "c" })]);
    gone.abort(new Error("client left"));
    const [a, b, c] = await all;
    expect([a.status, b.status, c.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((b as PromiseRejectedResult).reason as ConnectError).code).toBe(Code.Canceled);
    expect(f.sent).toEqual(["batch 2"]);
  });

  it("watches a forwarded call's cancellation without creating its signal", async () => {
    const f = fakePeer();
    const kv = createBatchingKvClient(f.single, f.peer);
    const watchers: Array<(reason: unknown) => void> = [];
    let signalRead = false;
    const info: CallInfo = {
      hops: 0,
      membersHash: undefined,
      requestId: "r",
      opId: undefined,
      opDeadlineAt: undefined,
      deadlineAt: Date.now() + 5_000,
      get signal(): AbortSignal {
        signalRead = true;
        return new AbortController().signal;
      },
      watchCancel: (onCancel) => {
        watchers.push(onCancel);
        return () => watchers.splice(watchers.indexOf(onCancel), 1);
      },
    };
    const forwarded = (id: string) => new ForwardCallOptions(info, 500, { "x-request-id": id });
    const all = Promise.allSettled([kv.get({ key: "a" }, forwarded("r1")), kv.get({ key: "b" }, forwarded("r2")), kv.get({ key: "c" }, forwarded("r3"))]);
    expect(watchers).toHaveLength(3);
    watchers[1]!(new ConnectError("client left", Code.Canceled));
    const [a, b, c] = await all;
    expect([a.status, b.status, c.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((b as PromiseRejectedResult).reason as ConnectError).rawMessage).toBe("client left");
    expect(f.sent).toEqual(["batch 2"]);
    expect(f.seen[0]!.calls.map((call) => call.headers["x-request-id"])).toEqual(["r1", "r3"]);
    expect(watchers).toHaveLength(0);
    expect(signalRead).toBe(false);
  });

  it("falls back to plain calls for a peer without forward batches", async () => {
    const f = fakePeer({ unimplemented: true });
    const kv = createBatchingKvClient(f.single, f.peer);
    await Promise.all([kv.put({ key: "a", value: "1" }), kv.put({ key: "b", value: "2" })]);
    await Promise.all([kv.put({ key: "c", value: "3" }), kv.put({ key: "d", value: "4" })]);
    expect(f.sent).toEqual(["put a", "put b", "put c", "put d"]);
  });
});
