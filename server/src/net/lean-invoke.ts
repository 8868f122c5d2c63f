import { create, type DescMethodUnary } from "@bufbuild/protobuf";
import type { Interceptor, MethodImpl, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { mergeLeanContext, type LeanCall } from "./lean-call.js";

/** Options of the lean path (gRPC and Connect): the same values the Connect plugin is given. */
export interface LeanPathOptions {
  /** Connect's interceptors, run in the same order. */
  interceptors: Interceptor[];
  /** Connect's `readMaxBytes`: the largest request message accepted (ResourceExhausted above). */
  readMaxBytes: number;
  /** Connect's `acceptCompression`: response compression negotiated from the accept-encoding headers. */
  acceptCompression: Compression[];
  /** Connect's `compressMinBytes` (default 1024): smaller responses are never compressed. */
  compressMinBytes?: number;
  /**
   * Headers the web framework adds to every answer it routes (e.g. @fastify/cors's `vary` and
   * `access-control-expose-headers` for a request without an Origin), so lean answers match.
   */
  responseHeaders?: Record<string, string>;
  /**
   * Response headers whose value is new on every call (the request id), sent never-indexed over
   * HTTP/2 (see net/per-call-headers.ts). The values are the same; only their HPACK coding is.
   */
  perCallHeaders?: readonly string[];
  /** Aborts in-flight calls' signals, as Connect's `shutdownSignal`. */
  shutdownSignal?: AbortSignal;
}

/** One unary method the lean path serves: its descriptor and the registered implementation. */
export interface LeanEntry {
  method: DescMethodUnary;
  impl: MethodImpl<DescMethodUnary>;
}

/**
 * Connect's `invokeUnaryImplementation` (protocol/invoke-implementation.ts) without the async
 * iterables around it: runs the interceptors, in Connect's order, around the implementation,
 * then copies the response's headers and trailers into the call's context as Connect does.
 * Shared by the lean gRPC and Connect protocol paths, so they run the call identically.
 */
export async function invokeLean(entry: LeanEntry, call: LeanCall, interceptors: readonly Interceptor[]): Promise<UnaryResponse["message"]> {
  const { context } = call;
  const { method } = entry;
  const inner = async (req: UnaryRequest): Promise<UnaryResponse> => {
    const ctx = req === call.request ? context : mergeLeanContext(context, req);
    const output = await entry.impl(req.message, ctx);
    return { stream: false, message: create(method.output, output), method, service: method.parent, header: context.responseHeader, trailer: context.responseTrailer };
  };
  let next = inner as (req: UnaryRequest) => Promise<UnaryResponse>;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next as never) as never;
  const res = await next(call.request);
  copyHeaders(res.header, context.responseHeader);
  copyHeaders(res.trailer, context.responseTrailer);
  return res.message;
}

/** Connect's `copyHeaders`: replaces `to`'s entries with `from`'s unless they are the same object. */
function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  from.forEach((value, key) => to.set(key, value));
}
