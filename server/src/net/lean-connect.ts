import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionNegotiate, type Compression } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes, parseContentType } from "@connectrpc/connect/protocol-connect";
import { createLeanCall, type CallStream, type LeanCall } from "./lean-call.js";
import { invokeLean, type LeanEntry, type LeanPathOptions } from "./lean-invoke.js";
import { createLeanSerialization } from "./lean-serialization.js";
import { perCallHeaderMarker } from "./per-call-headers.js";
import { nodeReasonError } from "./h2-errors.js";
import { RequestHeaders } from "./request-headers.js";
import { muxTrailers } from "./trailer-mux.js";


/** Serves unary calls of the Connect protocol (POST, JSON or binary) on HTTP/2 streams and HTTP/1.1 requests. */
export interface LeanConnect {
  /** Takes an HTTP/2 stream it answers exactly as Connect would and returns true; false otherwise, untouched. */
  serveStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, entry: LeanEntry): boolean;
  /** The same for an HTTP/1.1 request. */
  serveRequest(req: http.IncomingMessage, res: http.ServerResponse, entry: LeanEntry): boolean;
}

/** How one exchange reads its body and writes its answer, whatever the HTTP version. */
interface Exchange {
  headers: http.IncomingHttpHeaders;
  path: string;
  authority: string;
  encrypted: boolean;
  body: NodeJS.ReadableStream;
  stream: CallStream;
  closeReason?: () => unknown;
  respond(status: number, header: Headers, body: Uint8Array): void;
}

/** What a request must look like for this path to take it (the rest goes to Connect). */
interface Accepted {
  binary: boolean;
  timeoutMs: number | undefined;
  /** content-length, when sent. */
  lengthHint: number | undefined;
}

const contentTypeJson = "application/json";
const contentTypeProto = "application/proto";

/**
 * Why hand-written: the Connect protocol's unary calls (what `curl -d` and the inspector send)
 * go through the same generic streaming pipeline as gRPC in Connect on Node, plus Fastify's
 * routing: most of the CPU of a call. This serves them with the same pieces Connect's own
 * handler (protocol-connect/handler-factory.ts, `createUnaryHandler`) is made of, imported from
 * Connect where it exports them: content-type parsing, the method's JSON and binary
 * serialization (so parse errors read the same; the hot messages through our codecs first, see
 * lean-serialization.ts), `compressionNegotiate`, `errorToJsonBytes`,
 * `codeToHttpStatus`, and Connect's `trailerMux` rewritten on our own header class
 * (trailer-mux.ts); the call itself runs through the interceptors like any other
 * (lean-invoke.ts). It takes POSTs with a plain Connect unary content type, no request
 * compression, a well-formed `connect-timeout-ms`, no Origin (CORS) and no `expect`, on the
 * exact method path; GET requests, compressed requests and everything else go to Connect.
 */
export function createLeanConnect(options: LeanPathOptions): LeanConnect {
  const interceptors = options.interceptors;
  const readMaxBytes = options.readMaxBytes;
  const compressMinBytes = options.compressMinBytes ?? 1024;
  const extraHeaders = options.responseHeaders ?? {};
  /**
   * The same as name, value, name, value...: `writeHead` takes such an array as it is, where an
   * object costs a walk of its keys with `for...in` (JSON over HTTP/1.1: ~18% less CPU per Get,
   * ~14% per Put; BENCHMARKS.md).
   */
  const extraHeaderPairs = Object.entries(extraHeaders).flat();
  const markPerCall = perCallHeaderMarker(options.perCallHeaders);
  const serialization = createLeanSerialization(readMaxBytes);

  function accept(method: string | undefined, headers: http.IncomingHttpHeaders): Accepted | undefined {
    if (method !== "POST") return undefined;
    const type = parseContentType(single(headers["content-type"]) ?? null);
    if (type === undefined || type.stream) return undefined;
    const encoding = headers["content-encoding"];
    if (encoding !== undefined && encoding !== "identity") return undefined;
    if (headers.origin !== undefined || headers.expect !== undefined) return undefined;
    const timeout = single(headers["connect-timeout-ms"]);
    if (timeout !== undefined && !/^\d{1,10}$/.test(timeout)) return undefined;
    const length = single(headers["content-length"]);
    const lengthHint = length === undefined ? undefined : Number(length);
    if (lengthHint !== undefined && (!Number.isSafeInteger(lengthHint) || lengthHint < 0)) return undefined;
    return { binary: type.binary, timeoutMs: timeout === undefined ? undefined : parseInt(timeout, 10), lengthHint };
  }

  function serveStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, entry: LeanEntry): boolean {
    const accepted = accept(headers[":method"], headers);
    const authority = headers[":authority"];
    if (accepted === undefined || typeof authority !== "string") return false;
    stream.on("error", noop);
    run(entry, accepted, {
      headers,
      path: headers[":path"]!,
      authority,
      encrypted: (stream.session as { encrypted?: boolean } | undefined)?.encrypted === true,
      body: stream,
      stream,
      respond(status, header, body) {
        if (stream.destroyed || stream.closed || stream.headersSent) return;
        const out: http2.OutgoingHttpHeaders = { ":status": status, ...extraHeaders };
        header.forEach((value, key) => (out[key] = value));
        markPerCall(out);
        try {
          stream.respond(out);
          stream.end(body);
        } catch {
          // The client went away between our check and the write.
        }
      },
    });
    return true;
  }

  function serveRequest(req: http.IncomingMessage, res: http.ServerResponse, entry: LeanEntry): boolean {
    const accepted = accept(req.method, req.headers);
    const authority = req.headers.host;
    if (accepted === undefined || authority === undefined) return false;
    req.on("error", noop);
    run(entry, accepted, {
      headers: req.headers,
      path: req.url!,
      authority,
      encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
      body: req,
      // As connect-node: the response's close, since Node closes the request once its body is read.
      stream: res,
      closeReason: () => (req.errored ? nodeReasonError(req.errored) : undefined),
      respond(status, header, body) {
        if (res.destroyed || res.headersSent) return;
        // The call's own headers win over the extra ones, as in the HTTP/2 answer's object.
        const out: string[] = [];
        for (let i = 0; i < extraHeaderPairs.length; i += 2) {
          if (!header.has(extraHeaderPairs[i]!)) out.push(extraHeaderPairs[i]!, extraHeaderPairs[i + 1]!);
        }
        header.forEach((value, key) => out.push(key, value));
        res.writeHead(status, out);
        res.end(body);
      },
    });
    return true;
  }

  /** Reads the body, runs the call, answers; errors answer as Connect's unary handler does. */
  function run(entry: LeanEntry, accepted: Accepted, exchange: Exchange): void {
    const { headers } = exchange;
    const compression = negotiateResponse(single(headers["accept-encoding"]));
    const call = createLeanCall({
      method: entry.method,
      message: undefined,
      protocolName: "connect",
      stream: exchange.stream,
      ...(exchange.closeReason ? { closeReason: exchange.closeReason } : {}),
      requestHeader: new RequestHeaders(headers),
      timeoutMs: accepted.timeoutMs,
      authority: exchange.authority,
      path: exchange.path,
      encrypted: exchange.encrypted,
      ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
    });
    call.context.responseHeader.set("content-type", accepted.binary ? contentTypeProto : contentTypeJson);
    readBody(exchange.body, accepted.lengthHint)
      .then((bytes) => {
        call.setMessage(serialization.parse(entry.method, accepted.binary, bytes));
        return invokeLean(entry, call, interceptors);
      })
      .then(
        (output) => {
          call.finish();
          return answer(exchange, call, 200, serialization.serialize(entry.method, accepted.binary, output as never), compression);
        },
        (e: unknown) => {
          call.finish(e);
          const error = e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
          const header = call.context.responseHeader;
          header.set("content-type", contentTypeJson);
          error.metadata.forEach((value, key) => header.set(key, value));
          return answer(exchange, call, codeToHttpStatus(error.code), errorToJsonBytes(error, undefined), compression);
        },
      )
      .catch(() => exchange.respond(500, new Headers(), new Uint8Array()));
  }

  async function answer(exchange: Exchange, call: LeanCall, status: number, body: Uint8Array, compression: Compression | null): Promise<void> {
    const { responseHeader, responseTrailer } = call.context;
    if (compression !== null && body.byteLength >= compressMinBytes) {
      body = await compression.compress(body);
      responseHeader.set("content-encoding", compression.name);
    }
    const header = muxTrailers(responseHeader, responseTrailer);
    header.set("content-length", body.byteLength.toString(10));
    exchange.respond(status, header, body);
  }

  /** Connect's `readAllBytes` with its limits and messages, on the raw stream. */
  function readBody(body: NodeJS.ReadableStream, lengthHint: number | undefined): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (lengthHint !== undefined && lengthHint > readMaxBytes) {
        body.resume();
        reject(new ConnectError(`message size ${lengthHint} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
        return;
      }
      const chunks: Buffer[] = [];
      let count = 0;
      const onData = (chunk: Buffer) => {
        count += chunk.byteLength;
        let error: ConnectError | undefined;
        if (lengthHint !== undefined && count > lengthHint) {
          error = new ConnectError(`protocol error: promised ${lengthHint} bytes, received ${count}`, Code.InvalidArgument);
        } else if (lengthHint === undefined && count > readMaxBytes) {
          error = new ConnectError(`message size is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted);
        }
        if (error !== undefined) {
          body.removeListener("data", onData);
          body.removeListener("end", onEnd);
          body.resume();
          reject(error);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        if (lengthHint !== undefined && count < lengthHint) {
          reject(new ConnectError(`protocol error: promised ${lengthHint} bytes, received ${count}`, Code.InvalidArgument));
          return;
        }
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, count));
      };
      body.on("data", onData);
      body.once("end", onEnd);
    });
  }

  function negotiateResponse(acceptEncoding: string | undefined): Compression | null {
    if (acceptEncoding === undefined) return null;
    return compressionNegotiate(options.acceptCompression, null, acceptEncoding, "accept-encoding").response;
  }

  return { serveStream, serveRequest };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

const noop = () => {};
