import { setMaxListeners } from "node:events";
import type http from "node:http";
import http2 from "node:http2";
import type { DescMethodUnary, DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createServiceImplSpec,
  type ConnectRouter,
  type MethodImpl,
  type ServiceImpl,
  type UnaryResponse,
} from "@connectrpc/connect";
import { compressionNegotiate, type Compression } from "@connectrpc/connect/protocol";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { compressedFlag, encodeEnvelope, EnvelopeReader, parseGrpcTimeout, type Envelope } from "./grpc-wire.js";
import { createLeanCall, type LeanCall } from "./lean-call.js";
import { createLeanConnect } from "./lean-connect.js";
import { invokeLean, type LeanEntry, type LeanPathOptions } from "./lean-invoke.js";
import { perCallHeaderMarker } from "./per-call-headers.js";
import { decodeMessage, encodeMessage } from "./message-codecs.js";
import { RequestHeaders } from "./request-headers.js";

/** Options of {@link createLeanGrpcServer}: the same values the Connect plugin is given. */
export type LeanGrpcServerOptions = LeanPathOptions;

/** A lean server for unary gRPC and Connect calls; see {@link createLeanGrpcServer}. */
export interface LeanGrpcServer {
  /**
   * Wraps a ConnectRouter: every service registered through the wrapper is registered with
   * Connect as usual and its unary methods are also served here, by the same implementation
   * object. Services registered with per-service options stay Connect-only.
   */
  wrapRouter(router: ConnectRouter): ConnectRouter;
  /** Serves the unary methods of `service` with `impl`. */
  register<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): void;
  /** The paths served, e.g. "/kvstore.KeyValueService/Get". */
  paths(): string[];
  /**
   * Takes the stream when it is a call this server answers exactly as Connect would and returns
   * true; returns false without touching the stream otherwise.
   */
  serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean;
  /** The same for an HTTP/1.1 request (Connect protocol only; gRPC needs HTTP/2). */
  serveRequest(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /**
   * Runs one unary call of a registered method without a stream, as if it had arrived with
   * these headers and timeout: same interceptors, same context. Resolves with the response
   * message or rejects with the ConnectError the call would have answered with. For calls that
   * arrive inside another RPC (forward batches).
   */
  runUnary(path: string, message: unknown, headers: Record<string, string>, timeoutMs: number | undefined): Promise<unknown>;
  /** From now on serve nothing (the framework answers while it shuts down). */
  stopTaking(): void;
  /** How many calls this server has taken so far, by protocol (a metric tells operators which path runs). */
  readonly served: { grpc: number; connect: number };
}

const contentTypeProto = "application/grpc+proto";
const noop = () => {};
/** The "stream" of a call that arrived inside another RPC: it never closes on its own. */
const detachedStream = { closed: false, destroyed: false, once: noop, removeListener: noop };

/**
 * Why hand-written: a unary gRPC call through Connect on Node runs its generic streaming
 * pipeline (down-levelled async generators for one message), two AbortControllers, a timer, a
 * URL and a DOMException, and through Fastify's routing: about 340 µs of CPU per call here, ten
 * times what Node's HTTP/2 stack itself needs. No library serves Connect service
 * implementations over plain `node:http2` streams, so this does it for the one case that
 * carries the load: unary gRPC with a binary body and no request compression. Unary calls of
 * the Connect protocol (JSON or binary, HTTP/1.1 or HTTP/2) to the same methods are handed to
 * lean-connect.ts, which answers them as Connect's unary handler does.
 *
 * It reads the one 5-byte-framed message (Connect's read limit and error texts), parses it,
 * builds the HandlerContext and the UnaryRequest Connect would build, runs the same
 * interceptors (request ids, metrics, stats, logs and error mapping are theirs) around the same
 * implementation, and answers with headers, one message and trailers (`setTrailerStatus` from
 * Connect, so grpc-status, grpc-message and error metadata are Connect's own). Anything else —
 * gRPC-Web, Connect, JSON, compressed requests, streaming methods, unknown paths, an Origin
 * header (CORS), `expect`, a malformed `grpc-timeout` — is left to Connect, see {@link serve}.
 */
export function createLeanGrpcServer(options: LeanGrpcServerOptions): LeanGrpcServer {
  const table = new Map<string, LeanEntry>();
  const interceptors = options.interceptors;
  const compressMinBytes = options.compressMinBytes ?? 1024;
  const extraHeaders = options.responseHeaders ?? {};
  const markPerCall = perCallHeaderMarker(options.perCallHeaders);
  let taking = true;
  const served = { grpc: 0, connect: 0 };
  const connect = createLeanConnect(options);
  // Every call that reads its signal listens on the shutdown signal until it ends.
  if (options.shutdownSignal) setMaxListeners(0, options.shutdownSignal);

  function register<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): void {
    const spec = createServiceImplSpec(service, impl);
    for (const m of Object.values(spec.methods)) {
      if (m.kind !== "unary") continue;
      table.set(`/${service.typeName}/${m.method.name}`, { method: m.method, impl: m.impl as MethodImpl<DescMethodUnary> });
    }
  }

  function serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean {
    if (!taking || headers[":method"] !== "POST") return false;
    const entry = table.get(headers[":path"] ?? "");
    if (entry === undefined) return false;
    const contentType = headers["content-type"];
    if (contentType !== "application/grpc" && contentType !== contentTypeProto) {
      const taken = connect.serveStream(stream, headers, entry);
      if (taken) served.connect++;
      return taken;
    }
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;
    if (headers.origin !== undefined || headers.expect !== undefined) return false;
    const authority = headers[":authority"];
    if (typeof authority !== "string") return false;
    const timeoutMs = parseGrpcTimeout(headers["grpc-timeout"] as string | undefined);
    if (timeoutMs === null) return false;
    served.grpc++;
    receive(stream, headers, entry, authority, timeoutMs);
    return true;
  }

  /** Reads the request message; answers framing and parse errors before any interceptor runs, as Connect does. */
  function receive(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, entry: LeanEntry, authority: string, timeoutMs: number | undefined): void {
    const reader = new EnvelopeReader(options.readMaxBytes);
    let message: unknown;
    let count = 0;
    let failed = false;
    const fail = (err: unknown) => {
      failed = true;
      stream.removeListener("data", onData);
      stream.resume();
      respondError(stream, headers, err);
    };
    const take = (env: Envelope) => {
      count++;
      if ((env.flags & compressedFlag) === compressedFlag) {
        throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
      }
      let parsed: unknown;
      try {
        // Copy: protobuf-es keeps views into the buffer for bytes fields; Connect copies too.
        parsed = decodeMessage(entry.method.input, env.data.slice());
      } catch (e) {
        throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument);
      }
      if (count > 1) throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
      message = parsed;
    };
    const onData = (chunk: Buffer) => {
      try {
        for (const env of reader.push(chunk)) take(env);
      } catch (e) {
        fail(e);
      }
    };
    stream.on("error", noop);
    stream.on("data", onData);
    stream.once("end", () => {
      // Node keeps a finished stream alive until a full GC: what its listeners hold would be
      // promoted with it (BENCHMARKS.md, "Garbage collection").
      stream.removeListener("data", onData);
      if (failed) return;
      try {
        reader.end();
        if (count === 0) throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
      } catch (e) {
        fail(e);
        return;
      }
      let call: LeanCall;
      try {
        call = createLeanCall({
          method: entry.method,
          message,
          protocolName: "grpc",
          stream,
          requestHeader: new RequestHeaders(headers),
          timeoutMs,
          authority,
          path: headers[":path"]!,
          encrypted: (stream.session as { encrypted?: boolean } | undefined)?.encrypted === true,
          ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
        });
      } catch (e) {
        respondError(stream, headers, e);
        return;
      }
      invoke(stream, headers, entry, call).catch(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    });
  }

  /** Runs the interceptors around the implementation and writes the answer. */
  async function invoke(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, entry: LeanEntry, call: LeanCall): Promise<void> {
    const { context } = call;
    const compression = responseCompression(headers);
    context.responseHeader.set("content-type", contentTypeProto);
    if (compression) context.responseHeader.set("grpc-encoding", compression.name);
    context.responseTrailer.set("grpc-status", "0");
    let body: Buffer | undefined;
    try {
      const output = await invokeLean(entry, call, interceptors);
      body = await serialize(entry.method, output, compression);
    } catch (e) {
      call.finish(e);
      const ce = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
      setTrailerStatus(context.responseTrailer, ce);
      respond(stream, context.responseHeader, undefined, context.responseTrailer);
      return;
    }
    call.finish();
    respond(stream, context.responseHeader, body, context.responseTrailer);
  }

  async function serialize(method: DescMethodUnary, message: UnaryResponse["message"], compression: Compression | null): Promise<Buffer> {
    let data: Uint8Array;
    try {
      data = encodeMessage(method.output, message);
    } catch (e) {
      throw new ConnectError(`serialize binary: ${e instanceof Error ? e.message : String(e)}`, Code.Internal);
    }
    if (compression !== null && data.byteLength >= compressMinBytes) {
      return encodeEnvelope(await compression.compress(data), compressedFlag);
    }
    return encodeEnvelope(data);
  }

  function responseCompression(headers: http2.IncomingHttpHeaders): Compression | null {
    const accepted = headers["grpc-accept-encoding"];
    if (accepted === undefined) return null;
    const value = Array.isArray(accepted) ? accepted.join(", ") : accepted;
    return compressionNegotiate(options.acceptCompression, null, value, "grpc-accept-encoding").response;
  }

  /** An error before the call could start (framing, parsing): no interceptor has run, as in Connect. */
  function respondError(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, err: unknown): void {
    const header = new Headers({ "content-type": contentTypeProto });
    const compression = responseCompression(headers);
    if (compression) header.set("grpc-encoding", compression.name);
    const trailer = new Headers({ "grpc-status": "0" });
    setTrailerStatus(trailer, err instanceof ConnectError ? err : new ConnectError("internal error", Code.Internal, undefined, undefined, err));
    respond(stream, header, undefined, trailer);
  }

  function respond(stream: http2.ServerHttp2Stream, header: Headers, body: Buffer | undefined, trailer: Headers): void {
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    const out: http2.OutgoingHttpHeaders = { ":status": 200, ...extraHeaders };
    header.forEach((value, key) => (out[key] = value));
    const trailers: http2.OutgoingHttpHeaders = {};
    trailer.forEach((value, key) => (trailers[key] = value));
    markPerCall(out);
    try {
      stream.respond(out, { waitForTrailers: true });
      stream.once("wantTrailers", () => {
        try {
          stream.sendTrailers(trailers);
        } catch {
          stream.close();
        }
      });
      stream.end(body);
    } catch {
      // The client went away between our check and the write; nothing left to tell it.
    }
  }

  return {
    wrapRouter(router) {
      const wrapped: ConnectRouter = {
        get handlers() {
          return router.handlers;
        },
        service(service, impl, opts) {
          router.service(service, impl, opts);
          if (opts === undefined) register(service, impl);
          return wrapped;
        },
        rpc(method, impl, opts) {
          router.rpc(method, impl, opts);
          if (opts === undefined && method.methodKind === "unary") {
            table.set(`/${method.parent.typeName}/${method.name}`, { method: method as DescMethodUnary, impl: impl as MethodImpl<DescMethodUnary> });
          }
          return wrapped;
        },
      };
      return wrapped;
    },
    register,
    paths: () => [...table.keys()],
    serve,
    serveRequest(req, res) {
      if (!taking || req.method !== "POST") return false;
      const entry = table.get(req.url ?? "");
      if (entry === undefined) return false;
      const taken = connect.serveRequest(req, res, entry);
      if (taken) served.connect++;
      return taken;
    },
    async runUnary(path, message, headers, timeoutMs) {
      const entry = table.get(path);
      if (entry === undefined) throw new ConnectError(`unknown method ${path}`, Code.Unimplemented);
      const call = createLeanCall({
        method: entry.method,
        message,
        protocolName: "grpc",
        stream: detachedStream,
        requestHeader: new RequestHeaders(headers),
        timeoutMs,
        authority: "peer",
        path,
        encrypted: false,
        ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
      });
      try {
        const output = await invokeLean(entry, call, interceptors);
        call.finish();
        return output;
      } catch (e) {
        call.finish(e);
        throw e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
      }
    },
    stopTaking() {
      taking = false;
    },
    get served() {
      return served;
    },
  };
}
