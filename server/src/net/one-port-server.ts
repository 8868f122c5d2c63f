import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { Duplex } from "node:stream";
import { relabelCurlForm } from "./curl-form-json.js";
import { interceptStreams, type StreamTaker } from "./h2-stream-hook.js";

/** A request handler that serves both HTTP/1.1 and HTTP/2 compatibility requests. */
export type DualRequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** Options of {@link createOnePortServer}. */
export interface OnePortServerOptions {
  handler: DualRequestHandler;
  /** PEM certificate and key: TLS on the port, ALPN picks h2 or http/1.1. Plaintext when unset. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Close connections (HTTP/1.1 keep-alive, HTTP/2 sessions) idle this long. */
  idleTimeoutMs: number;
  /** Drop a connection that hasn't sent a complete request head (or the h2 preface) in this time. */
  headersTimeoutMs?: number;
  /** How long {@link OnePortServer.closeIdleConnections} lets in-flight requests finish. */
  closeGraceMs?: number;
  /**
   * Sees every HTTP/2 stream (h2c and TLS h2) before the request handler; a stream it takes
   * never reaches `handler` (see h2-stream-hook.ts). The lean gRPC path plugs in here.
   */
  takeStream?: StreamTaker;
  /** Sees every HTTP/1.1 request before `handler`; a request it takes never reaches `handler`. */
  takeRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

/**
 * A net.Server (plaintext) or tls.Server that speaks HTTP/1.1 and HTTP/2 on one port, in the
 * shape Fastify's `serverFactory` expects. `closeIdleConnections()` is what Fastify calls on
 * `app.close()`: it closes idle keep-alive sockets, sends GOAWAY to HTTP/2 sessions and
 * destroys whatever is left after a grace period, so close never hangs on a connected client.
 */
export type OnePortServer = net.Server & {
  closeIdleConnections(): void;
  closeAllConnections(): void;
};

const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * Why hand-written: Node has no server that accepts both HTTP/1.1 and cleartext HTTP/2 (h2c
 * with prior knowledge) on one port; `http2.createServer` rejects HTTP/1.1 and `http` can't do
 * h2. We read the first bytes of each connection: the HTTP/2 client preface starts with "PRI ",
 * which is no HTTP/1.1 method, then hand the socket to the right Node server. With TLS, ALPN
 * does the choice and `http2.createSecureServer({ allowHTTP1: true })` covers both.
 */
export function createOnePortServer(options: OnePortServerOptions): OnePortServer {
  const headersTimeoutMs = options.headersTimeoutMs ?? Math.min(10_000, options.idleTimeoutMs);
  const closeGraceMs = options.closeGraceMs ?? 3_000;
  const sockets = new Set<Duplex>();
  const sessions = new Set<http2.Http2Session>();
  let closing = false;

  const handler: DualRequestHandler = (req, res) => {
    // While closing, ask HTTP/1.1 clients not to reuse the connection.
    if (closing && "shouldKeepAlive" in res) res.shouldKeepAlive = false;
    relabelCurlForm(req.method, req.headers);
    if (options.takeRequest !== undefined && !("stream" in req) && options.takeRequest(req, res as http.ServerResponse)) return;
    options.handler(req, res);
  };

  const take = options.takeStream;
  const takeStream: StreamTaker | undefined = take && ((stream, headers) => {
    relabelCurlForm(headers[":method"], headers);
    return take(stream, headers);
  });

  const h2Options: http2.ServerOptions = { maxSessionMemory: 64, settings: { maxConcurrentStreams: 1000 } };
  const onSession = (session: http2.Http2Session) => {
    sessions.add(session);
    session.setTimeout(options.idleTimeoutMs, () => session.close());
    session.on("close", () => sessions.delete(session));
    if (closing) session.close();
  };

  let outer: net.Server;
  let h1: http.Server | undefined;
  if (options.tls) {
    const secure = http2.createSecureServer({ ...h2Options, ...options.tls, allowHTTP1: true }, handler);
    secure.on("session", onSession);
    if (takeStream) interceptStreams(secure, takeStream);
    secure.setTimeout(options.idleTimeoutMs);
    outer = secure as unknown as net.Server;
    outer.on("secureConnection", (socket: Duplex) => track(socket));
  } else {
    h1 = http.createServer({ keepAliveTimeout: options.idleTimeoutMs, headersTimeout: headersTimeoutMs, requestTimeout: 0 }, handler);
    const h2 = http2.createServer(h2Options, handler);
    h2.on("session", onSession);
    if (takeStream) interceptStreams(h2, takeStream);
    const plainH1 = h1;
    outer = net.createServer({ noDelay: true }, (socket) => {
      track(socket);
      sniff(socket, headersTimeoutMs, (isH2) => (isH2 ? h2 : plainH1).emit("connection", socket));
    });
  }

  function track(socket: Duplex): void {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  }

  const server = outer as OnePortServer;
  server.closeIdleConnections = () => {
    closing = true;
    h1?.closeIdleConnections();
    for (const session of sessions) session.close();
    if (sockets.size > 0) {
      setTimeout(() => server.closeAllConnections(), closeGraceMs).unref();
    }
  };
  server.closeAllConnections = () => {
    closing = true;
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  };
  return server;
}

/**
 * Reads just enough of a new plaintext connection to tell HTTP/2 from HTTP/1.1, puts the bytes
 * back, and calls `dispatch`. A connection that stays silent past the timeout is dropped.
 */
function sniff(socket: net.Socket, timeoutMs: number, dispatch: (isH2: boolean) => void): void {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(timeoutMs, () => socket.destroy());
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) buffered = Buffer.concat([buffered, chunk]);
    const n = Math.min(buffered.length, 4);
    const isH2Prefix = buffered.subarray(0, n).equals(h2Preface.subarray(0, n));
    if (isH2Prefix && n < 4) return; // "P", "PR", "PRI": could still be either
    socket.removeListener("readable", onReadable);
    socket.removeListener("end", onEnd);
    socket.setTimeout(0);
    socket.unshift(buffered);
    dispatch(isH2Prefix);
  };
  const onEnd = () => socket.destroy();
  socket.on("readable", onReadable);
  socket.on("end", onEnd);
  socket.on("error", () => socket.destroy());
}
