import type http2 from "node:http2";

/** Takes an HTTP/2 stream and returns true, or returns false without touching it. */
export type StreamTaker = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;

type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

/**
 * Lets `take` see every new stream of `server` before Node's compatibility layer does.
 *
 * How Node dispatches (lib/internal/http2/core.js, `setupCompat`): when the first 'request'
 * listener is added to an Http2Server or Http2SecureServer (the request handler passed to
 * `createServer` is one), Node adds one 'stream' listener, `onServerStream` bound to the server
 * (lib/internal/http2/compat.js). It builds the Http2ServerRequest and Http2ServerResponse for
 * the stream and emits 'request'. So we take that listener off the server, and install one
 * dispatcher: a stream `take` claims is served on the raw stream (no request/response objects
 * are ever built for it); every other stream goes to the original listener with the original
 * arguments, which is exactly the path it would have taken without us (HTTP/1.1 requests on a
 * TLS server with allowHTTP1 never pass through 'stream' at all). `h2-stream-hook.test.ts` pins
 * this down against the running Node: fall-through requests still reach the request handler,
 * taken streams never do.
 */
export function interceptStreams(server: http2.Http2Server | http2.Http2SecureServer, take: StreamTaker): void {
  const listeners = server.listeners("stream") as StreamListener[];
  if (listeners.length !== 1) {
    throw new Error(`interceptStreams: expected Node's one compatibility 'stream' listener, found ${listeners.length}; create the server with a request handler first`);
  }
  const original = listeners[0]!;
  server.removeListener("stream", original);
  server.on("stream", function dispatchStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) {
    if (take(stream, headers)) return;
    original.call(server, stream, headers, flags, rawHeaders);
  });
}
