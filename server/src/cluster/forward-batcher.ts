import { create, type DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions, type Client } from "@connectrpc/connect";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import type { ForwardBatchResponse } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { encodeForwardBatch, type ForwardedCallFields } from "./forward-batch-wire.js";
import { cancellationOf } from "../net/cancel-watch.js";
import { decodeMessage, encodeMessage } from "../net/message-codecs.js";
import { ForwardCallOptions } from "./forwarder.js";
import { createTurnBatcher, type BatchOutcome } from "./turn-batcher.js";

/** A batch's size at most (calls, request bytes): far below a peer's message limit. */
const maxBatchCalls = 128;
const maxBatchBytes = 256 * 1024;

/** One forwarded call: encoded into a ForwardedCall only if it goes into a batch. */
interface Forward {
  method: DescMethodUnary;
  request: unknown;
  options: CallOptions | undefined;
  encoded?: ForwardedCallFields;
}

/** Sends a ForwardBatchRequest, already in protobuf binary, as PeerService.ForwardBatch. */
export type SendForwardBatch = (request: Uint8Array, options: CallOptions) => Promise<ForwardBatchResponse>;

/**
 * A KeyValueService client for one peer whose Get, Put and Delete calls made in the same
 * event-loop turn travel as one PeerService.ForwardBatch RPC (turn-batcher.ts). An entry node
 * forwards two thirds of its calls (three nodes). Every call keeps its semantics: the peer runs it
 * with its own headers and deadline and answers for it alone; its error comes back as code,
 * message and metadata, re-created here as a fresh ConnectError (the forwarder then maps it as
 * any peer error).
 */
export function createBatchingKvClient(single: Client<typeof KeyValueService>, sendForwardBatch: SendForwardBatch): Client<typeof KeyValueService> {
  const send = createTurnBatcher<Forward, unknown>({
    maxCalls: maxBatchCalls,
    maxBytes: maxBatchBytes,
    size: (f) => encode(f).request.byteLength + 256,
    sendBatch: async (forwards) => {
      const calls = forwards.map(encode);
      const timeoutMs = Math.max(...calls.map((c) => c.timeoutMs));
      const res = await sendForwardBatch(encodeForwardBatch(calls), timeoutMs > 0 ? { timeoutMs } : {});
      return forwards.map((f, i): BatchOutcome<unknown> => {
        const result = res.results[i];
        if (result === undefined) return { ok: false, error: new ConnectError(`forward batch answer is missing item ${i}`, Code.Internal) };
        if (result.code === 0) return { ok: true, value: decodeMessage(f.method.output, result.response) };
        return { ok: false, error: new ConnectError(result.message, result.code as Code, new Headers(result.metadata)) };
      });
    },
    sendOne: (f) => {
      const fn = single[f.method.localName as keyof typeof single] as (req: unknown, options?: CallOptions) => Promise<unknown>;
      return fn(f.request, f.options);
    },
  });

  const methods = KeyValueService.method;
  // A forwarded call's options watch its caller's cancellation without creating a signal.
  const call = (method: DescMethodUnary, request: unknown, options: CallOptions | undefined) =>
    send({ method, request, options }, cancellationOf(options)) as never;
  return {
    ...single,
    get: (request, options) => call(methods.get, request, options),
    put: (request, options) => call(methods.put, request, options),
    delete: (request, options) => call(methods.delete, request, options),
  };
}

/** The batch item for a forwarded call, built once. */
function encode(f: Forward): ForwardedCallFields {
  return (f.encoded ??= {
    method: f.method.name,
    request: encodeMessage(f.method.input, create(f.method.input, f.request as never)),
    headers: f.options instanceof ForwardCallOptions ? f.options.headers : headerRecord(f.options?.headers),
    timeoutMs: wholeTimeoutMs(f.options?.timeoutMs),
  });
}

/** A call's timeout as ForwardedCall carries it: whole milliseconds, 0 for none (or an unusable value). */
function wholeTimeoutMs(timeoutMs: number | undefined): number {
  return timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.min(Math.floor(timeoutMs), Number.MAX_SAFE_INTEGER) : 0;
}

/** CallOptions headers as a plain record (names lower-case, repeated values joined). */
function headerRecord(init: CallOptions["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (init instanceof Headers || Array.isArray(init)) {
    new Headers(init).forEach((value, key) => (out[key] = value));
    return out;
  }
  for (const name in init) out[name.toLowerCase()] = String(init[name]);
  return out;
}
