import http2 from "node:http2";
import { create, fromBinary, type DescMessage, type DescMethodUnary, type DescService, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions, type Client } from "@connectrpc/connect";
import { validateResponseWithCompression, validateTrailer } from "@connectrpc/connect/protocol-grpc";
import { compressedFlag, encodeEnvelope, EnvelopeReader, formatGrpcTimeout } from "./grpc-wire.js";
import { cancellationOf, watchCancellation } from "./cancel-watch.js";
import { decodeMessage, encodeMessage } from "./message-codecs.js";
import type { H2Session } from "./h2-client-session.js";
import { h2ResetError, nodeReasonError } from "./h2-errors.js";

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = http2.constants;

/**
 * A `Client<S>` whose unary methods are plain gRPC calls on `session`, and whose other methods
 * are `fallback`'s (a connect-node client).
 *
 * Why hand-written: a call through connect-node's client runs interceptor plumbing, async
 * iterables for one request and one response message, two AbortControllers and a promise chain
 * per call: about 0.6 ms of CPU for each forwarded call here, more than serving it. No library
 * offers a minimal unary gRPC client on `node:http2` that speaks Connect's types and errors.
 *
 * What a caller sees is what connect-node gives: the same normalized request (`create`), the
 * `grpc-timeout` header from `timeoutMs` (none when it is <= 0) and a DeadlineExceeded "the
 * operation timed out" at that time, cancellation through `signal` (or the options' own
 * `watchCancel`, see net/cancel-watch.ts) as
 * `ConnectError.from(reason, Canceled)`, stream resets and connection failures with
 * connect-node's codes (h2-errors.ts: a refused connection is Unavailable, a reset stream
 * Canceled/Aborted/...), and for anything but a clean answer the very ConnectError connect-node
 * builds, because that path calls Connect's own `validateResponseWithCompression` and
 * `validateTrailer` (code, message and metadata = trailers plus headers, which forwarder.ts
 * reads). The only difference on the wire: it does not offer response compression (peers are
 * near, and compressing costs both sides CPU) and sends no user-agent.
 */
export function createLeanGrpcClient<S extends DescService>(service: S, session: H2Session, fallback: Client<S>): Client<S> {
  const client: Record<string, unknown> = { ...fallback };
  for (const method of service.methods) {
    if (method.methodKind !== "unary") continue;
    const path = `/${service.typeName}/${method.name}`;
    const unary = method as DescMethodUnary;
    client[method.localName] = (input: unknown, options?: CallOptions) => callUnary(session, unary, path, input, options);
  }
  return client as Client<S>;
}

/** One unary call; see {@link createLeanGrpcClient}. */
export function callUnary<I extends DescMessage, O extends DescMessage>(
  session: H2Session,
  method: DescMethodUnary<I, O>,
  path: string,
  input: unknown,
  options?: CallOptions,
): Promise<MessageShape<O>> {
  let request: Uint8Array;
  try {
    request = encodeMessage(method.input, create(method.input, input as never));
  } catch (e) {
    return Promise.reject(new ConnectError(`serialize binary: ${e instanceof Error ? e.message : String(e)}`, Code.Internal));
  }
  return callUnaryBinary(session, method, path, request, options);
}

/**
 * {@link callUnary} with the request message already in protobuf binary (a caller that writes
 * its own wire format, see cluster/forward-batch-wire.ts); the answer is decoded as usual.
 */
export function callUnaryBinary<O extends DescMessage>(
  session: H2Session,
  method: DescMethodUnary<DescMessage, O>,
  path: string,
  request: Uint8Array,
  options?: CallOptions,
): Promise<MessageShape<O>> {
  return new Promise<MessageShape<O>>((resolve, reject) => {
    // Options that can watch their caller's cancellation (cluster/forwarder.ts) are watched
    // that way, so that their AbortSignal is never created; any other options by their signal.
    const cancel = cancellationOf(options);
    const payload = encodeEnvelope(request);
    const timeoutMs = options?.timeoutMs === undefined || options.timeoutMs <= 0 ? undefined : options.timeoutMs;
    const headers: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": path };
    if (options?.headers !== undefined) copyCallHeaders(options.headers, headers);
    headers["content-type"] = "application/grpc+proto";
    if (timeoutMs !== undefined) headers["grpc-timeout"] = formatGrpcTimeout(timeoutMs);
    headers.te = "trailers";

    let stream: http2.ClientHttp2Stream | undefined;
    let settled = false;
    let responseHeaders: http2.IncomingHttpHeaders | undefined;
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;

    let unwatch: (() => void) | undefined;
    const cleanup = () => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      unwatch?.();
    };
    function fail(err: ConnectError): void {
      if (settled) return;
      cleanup();
      // As connect-node: the stream is reset, CANCEL for a cancellation, INTERNAL_ERROR otherwise;
      // unless that would exceed the peer's tolerance for resets (see H2Session.mayReset): then
      // the stream runs to its end unheard. Either way the caller has its error now.
      if (stream !== undefined && !stream.closed && session.mayReset()) stream.close(err.code === Code.Canceled ? NGHTTP2_CANCEL : NGHTTP2_INTERNAL_ERROR);
      reject(err);
    }
    function complete(): void {
      if (settled) return;
      cleanup();
      const fast = fastResult(method, responseHeaders, chunks, trailers);
      if (fast !== undefined) {
        resolve(fast);
        return;
      }
      const result = slowResult(method, responseHeaders, chunks, trailers);
      if (result instanceof ConnectError) reject(result);
      else resolve(result);
    }

    // Assigned after `cleanup` exists: a cancellation that already happened calls it synchronously.
    if (cancel !== undefined) unwatch = watchCancellation(cancel, (reason) => fail(ConnectError.from(reason, Code.Canceled)));
    if (settled) return; // cancelled already: no stream is opened
    if (timeoutMs !== undefined) timer = setTimeout(() => fail(new ConnectError("the operation timed out", Code.DeadlineExceeded)), timeoutMs);

    session.request(
      headers,
      (s) => {
        if (settled) {
          if (session.mayReset()) s.close(NGHTTP2_CANCEL);
          else s.resume();
          return;
        }
        stream = s;
        s.on("response", (h) => (responseHeaders = h));
        s.on("data", (chunk: Buffer) => chunks.push(chunk));
        // Trailers end the response: the answer is complete now. Settling here, before the
        // stream's 'close', matters: a caller that aborts in between (a proposer dropping a
        // straggler) must not reset a stream the server has already finished; the server counts
        // frames on closed streams as invalid and, past its limit, drops the whole connection.
        s.on("trailers", (t) => {
          trailers = t;
          if (s.readableLength === 0) complete(); // else at 'end', once the buffered data is read
        });
        // A trailers-only answer (grpc-status in the headers) ends with the headers.
        s.on("end", () => {
          if (trailers !== undefined || responseHeaders?.["grpc-status"] !== undefined) complete();
        });
        s.on("error", (e: Error) => {
          if (s.writableEnded && (e as { code?: string }).code === "ERR_STREAM_WRITE_AFTER_END") return;
          fail(nodeReasonError(e));
        });
        // Judged at 'close', not 'end': when a peer dies mid-call Node ends the readable side
        // and then closes the stream with CANCEL, and connect-node reports the reset (Canceled,
        // which the forwarder retries elsewhere), not a response without trailers. A response
        // whose trailers arrived is complete whatever happens to the stream afterwards.
        s.on("close", () => {
          const err = trailers === undefined ? h2ResetError(s.rstCode) : undefined;
          if (err !== undefined) fail(err);
          else if (responseHeaders === undefined) fail(new ConnectError("protocol error: the stream closed without a response", Code.Internal));
          else complete();
        });
        s.end(payload);
      },
      fail,
    );
  });
}

/** The answer of a clean response (200, gRPC content type, one plain message, grpc-status 0), else undefined. */
function fastResult<O extends DescMessage>(
  method: DescMethodUnary<DescMessage, O>,
  headers: http2.IncomingHttpHeaders | undefined,
  chunks: Buffer[],
  trailers: http2.IncomingHttpHeaders | undefined,
): MessageShape<O> | undefined {
  if (headers === undefined || trailers === undefined || (headers[":status"] as unknown) !== 200) return undefined;
  const type = headers["content-type"];
  if (type !== "application/grpc+proto" && type !== "application/grpc") return undefined;
  if (headers["grpc-status"] !== undefined || (headers["grpc-encoding"] !== undefined && headers["grpc-encoding"] !== "identity")) return undefined;
  if (trailers["grpc-status"] !== "0" || trailers["grpc-status-details-bin"] !== undefined) return undefined;
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (body.byteLength < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.byteLength - 5) return undefined;
  try {
    // A copy, as Connect's envelope reader makes: bytes fields must not share the socket's buffer.
    return decodeMessage(method.output, new Uint8Array(body.subarray(5)));
  } catch {
    return undefined;
  }
}

/** Everything else, judged by Connect's own gRPC client checks in connect-node's order. */
function slowResult<O extends DescMessage>(
  method: DescMethodUnary<DescMessage, O>,
  headers: http2.IncomingHttpHeaders | undefined,
  chunks: Buffer[],
  trailers: http2.IncomingHttpHeaders | undefined,
): MessageShape<O> | ConnectError {
  try {
    const header = webHeaders(headers ?? {});
    const trailer = webHeaders(trailers ?? {});
    const { headerError } = validateResponseWithCompression([], Number(headers?.[":status"] ?? 0), header);
    const reader = new EnvelopeReader(0xffffffff);
    let message: MessageShape<O> | undefined;
    for (const env of reader.push(Buffer.concat(chunks))) {
      if ((env.flags & compressedFlag) === compressedFlag) throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
      let parsed: MessageShape<O>;
      try {
        parsed = fromBinary(method.output, new Uint8Array(env.data));
      } catch (e) {
        throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument);
      }
      if (message !== undefined) throw new ConnectError("protocol error: received extra output message for unary method", Code.Unimplemented);
      message = parsed;
    }
    reader.end();
    validateTrailer(trailer, header);
    if (message === undefined) {
      if (headerError) throw headerError;
      throw new ConnectError("protocol error: missing output message for unary method", trailer.has("grpc-status") ? Code.Unimplemented : Code.Unknown);
    }
    if (headerError) throw new ConnectError("protocol error: received output message for unary method with error status", Code.Unknown);
    return message;
  } catch (e) {
    return ConnectError.from(e);
  }
}

/**
 * The caller's headers into Node's header object, as `new Headers(init)` would normalize them
 * (lower-case names, trimmed values, repeated names joined with ", "); a plain record, which is
 * what the forwarder passes, skips building a Headers object.
 */
function copyCallHeaders(init: NonNullable<CallOptions["headers"]>, out: http2.OutgoingHttpHeaders): void {
  if (init instanceof Headers || Array.isArray(init)) {
    new Headers(init).forEach((value, key) => (out[key] = value));
    return;
  }
  for (const name in init) {
    const key = name.toLowerCase();
    const value = String(init[name]).trim();
    const prev = out[key];
    out[key] = prev === undefined ? value : `${String(prev)}, ${value}`;
  }
}

/** connect-node's nodeHeaderToWebHeader: pseudo-headers dropped, repeated values appended. */
function webHeaders(headers: http2.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const key in headers) {
    if (key.charCodeAt(0) === 58) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.append(key, v);
    else out.append(key, String(value));
  }
  return out;
}
