import { EventEmitter, getEventListeners } from "node:events";
import type http2 from "node:http2";
import { Code, ConnectError, createContextValues, createHandlerContext } from "@connectrpc/connect";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLeanCall, mergeLeanContext, type LeanCallInit } from "./lean-call.js";

/** Just enough of a server stream: close events and an rstCode. */
function fakeStream(): http2.ServerHttp2Stream & { closeWith(code: number): void } {
  const s = new EventEmitter() as EventEmitter & { closed: boolean; destroyed: boolean; rstCode: number | undefined; closeWith(code: number): void };
  s.closed = false;
  s.destroyed = false;
  s.rstCode = undefined;
  s.closeWith = (code) => {
    s.closed = true;
    s.rstCode = code;
    s.emit("close");
  };
  return s as never;
}

function init(overrides: Partial<LeanCallInit> = {}): LeanCallInit {
  return {
    method: KeyValueService.method.get,
    message: { key: "k" },
    protocolName: "grpc",
    stream: fakeStream(),
    requestHeader: new Headers({ "x-request-id": "r1" }),
    timeoutMs: undefined,
    authority: "127.0.0.1:5",
    path: "/kvstore.KeyValueService/Get",
    encrypted: false,
    ...overrides,
  };
}

afterEach(() => vi.useRealTimers());

describe("createLeanCall()", () => {
  it("builds a context with the fields and values createHandlerContext builds", () => {
    const { context } = createLeanCall(init({ timeoutMs: 5000 }));
    const reference = createHandlerContext({
      service: KeyValueService,
      method: KeyValueService.method.get,
      protocolName: "grpc",
      requestMethod: "POST",
      url: "http://127.0.0.1:5/kvstore.KeyValueService/Get",
      timeoutMs: 5000,
      requestHeader: new Headers({ "x-request-id": "r1" }),
    });
    const { abort: _abort, ...referenceFields } = reference;
    // url and signal are getters on the context's class (computed when first read), the rest own fields.
    for (const key of Object.keys(referenceFields)) expect(key in context, key).toBe(true);
    expect(Object.keys(context).sort()).toEqual(Object.keys(referenceFields).filter((k) => k !== "url" && k !== "signal").sort());
    for (const key of ["service", "method", "protocolName", "requestMethod", "url"] as const) expect(context[key]).toEqual(reference[key]);
    expect([...context.requestHeader]).toEqual([...reference.requestHeader]);
    expect(Math.abs(context.timeoutMs()! - reference.timeoutMs()!)).toBeLessThanOrEqual(5);
    expect(context.signal).toBeInstanceOf(AbortSignal);
    reference.abort();
  });

  it("gives the interceptor a request with the same header, values and signal", () => {
    const { context, request } = createLeanCall(init());
    expect(request.header).toBe(context.requestHeader);
    expect(request.contextValues).toBe(context.values);
    expect(request.signal).toBe(context.signal);
    expect(request.message).toEqual({ key: "k" });
    expect(request.url).toBe("http://127.0.0.1:5/kvstore.KeyValueService/Get");
    expect(context.timeoutMs()).toBeUndefined();
  });

  it("uses https in the url over TLS", () => {
    expect(createLeanCall(init({ encrypted: true })).context.url).toBe("https://127.0.0.1:5/kvstore.KeyValueService/Get");
  });

  it("aborts the signal at the deadline with Connect's DeadlineExceeded", () => {
    vi.useFakeTimers();
    const { context } = createLeanCall(init({ timeoutMs: 50 }));
    const signal = context.signal;
    vi.advanceTimersByTime(49);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toEqual(new ConnectError("the operation timed out", Code.DeadlineExceeded));
  });

  it("is aborted at once when read after the deadline passed, or with a zero timeout", () => {
    vi.useFakeTimers();
    const late = createLeanCall(init({ timeoutMs: 10 }));
    vi.advanceTimersByTime(20);
    expect(late.context.signal.aborted).toBe(true);
    expect(createLeanCall(init({ timeoutMs: 0 })).context.signal.aborted).toBe(true);
  });

  it("aborts the signal when the client resets the stream, with connect-node's code", () => {
    const stream = fakeStream();
    const { context } = createLeanCall(init({ stream }));
    const signal = context.signal;
    stream.closeWith(8); // CANCEL
    expect((signal.reason as ConnectError).code).toBe(Code.Canceled);
  });

  it("aborts the signal on server shutdown", () => {
    const shutdown = new AbortController();
    const { context } = createLeanCall(init({ shutdownSignal: shutdown.signal }));
    const signal = context.signal;
    shutdown.abort(new Error("bye"));
    expect(signal.reason).toEqual(new Error("bye"));
  });

  it("tells cancellation watchers what the signal would carry, without a signal", () => {
    vi.useFakeTimers();
    const heard: unknown[] = [];
    const timed = createLeanCall(init({ timeoutMs: 50 }));
    timed.context.watchCancel((reason) => heard.push(reason));
    vi.advanceTimersByTime(50);
    const stream = fakeStream();
    const reset = createLeanCall(init({ stream }));
    reset.context.watchCancel((reason) => heard.push(reason));
    stream.closeWith(8);
    const shutdown = new AbortController();
    const stopped = createLeanCall(init({ shutdownSignal: shutdown.signal }));
    stopped.context.watchCancel((reason) => heard.push(reason));
    shutdown.abort(new Error("bye"));
    expect(heard).toHaveLength(3);
    expect(heard[0]).toEqual(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    expect((heard[1] as ConnectError).code).toBe(Code.Canceled);
    expect(heard[2]).toEqual(new Error("bye"));
    // A signal asked for later agrees with what the watchers heard.
    expect(timed.context.signal.reason).toBe(heard[0]);
  });

  it("stops telling a watcher that unsubscribed, tells late watchers at once, and each only once", () => {
    const stream = fakeStream();
    const call = createLeanCall(init({ stream }));
    const heard: string[] = [];
    const stop = call.context.watchCancel(() => heard.push("stopped"));
    call.context.watchCancel(() => heard.push("kept"));
    stop();
    stream.closeWith(8);
    call.finish();
    call.context.watchCancel(() => heard.push("late"));
    expect(heard).toEqual(["kept", "late"]);
    const ended = createLeanCall(init());
    ended.finish();
    let reason: unknown;
    ended.context.watchCancel((r) => (reason = r));
    expect((reason as ConnectError).code).toBe(Code.Canceled);
  });

  it("leaves no listener behind when the call was over before anyone watched", () => {
    vi.useFakeTimers();
    const closed = fakeStream();
    closed.closeWith(8);
    const shutdown = new AbortController();
    const reasons: unknown[] = [];
    createLeanCall(init({ stream: closed, shutdownSignal: shutdown.signal })).context.watchCancel((r) => reasons.push(r));
    const late = fakeStream();
    const expired = createLeanCall(init({ stream: late, timeoutMs: 10, shutdownSignal: shutdown.signal }));
    vi.advanceTimersByTime(20);
    expired.context.watchCancel((r) => reasons.push(r));
    expect(reasons.map((r) => (r as ConnectError).code)).toEqual([Code.Canceled, Code.DeadlineExceeded]);
    expect(closed.listenerCount("close")).toBe(0);
    expect(late.listenerCount("close")).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });

  it("aborts the signal when the call ends, and creates none if nobody asked", () => {
    const used = createLeanCall(init({ timeoutMs: 1000 }));
    const signal = used.context.signal;
    used.finish();
    expect(signal.aborted).toBe(true);
    const unused = createLeanCall(init({ timeoutMs: 1000 }));
    unused.finish();
    expect(unused.context.signal.aborted).toBe(true);
  });

  it("merges a replaced request into a context with every field (Connect's mergeRequest)", () => {
    const { context, request } = createLeanCall(init());
    const replaced = { ...request, url: request.url, signal: new AbortController().signal, header: new Headers({ a: "1" }), contextValues: createContextValues() };
    const merged = mergeLeanContext(context, replaced);
    expect(merged.signal).toBe(replaced.signal);
    expect(merged.url).toBe(context.url);
    expect(merged.requestHeader).toBe(replaced.header);
    expect(merged.values).toBe(replaced.contextValues);
    expect(merged.responseHeader).toBe(context.responseHeader);
    expect(merged.timeoutMs).toBe(context.timeoutMs);
    expect(Object.keys(merged).sort()).toEqual(Object.keys(context).concat("url", "signal").sort());
  });

  it("keeps its objects young: url and signal are class getters, not per-call accessor pairs", () => {
    const { context, request } = createLeanCall(init());
    // An object literal's getter is an own accessor property; V8 allocates its accessor pair in
    // the old generation, which keeps the whole call alive through young-generation GCs.
    for (const object of [context, request]) {
      expect(Object.getOwnPropertyDescriptor(object, "signal")).toBeUndefined();
      expect(Object.getOwnPropertyDescriptor(object, "url")).toBeUndefined();
    }
  });
});
