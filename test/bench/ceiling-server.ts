import http2 from "node:http2";
import { cannedGetResponse, grpcFrame, valueOf } from "./wire.js";

/**
 * The ceiling: a bare `node:http2` server that answers every stream with one canned, valid gRPC
 * GetResponse (a 100-byte value, found, version 1) and `grpc-status: 0` trailers. It does what
 * any Node gRPC server must do at least (read the request, write headers, one DATA frame and
 * trailers) and nothing else, so a real node's figure divided by this one is the share of
 * Node's HTTP/2 stack the node achieves on the same machine in the same run.
 *
 * Run as its own process; prints `{"port":N}` once listening; exits on SIGTERM.
 */
const body = grpcFrame(cannedGetResponse(valueOf(100)));
const responseHeaders = { ":status": 200, "content-type": "application/grpc" };
const trailers = { "grpc-status": "0" };

const server = http2.createServer();
server.on("stream", (stream) => {
  stream.on("data", () => {});
  stream.on("error", () => {});
  stream.once("end", () => {
    if (stream.destroyed) return;
    stream.respond(responseHeaders, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers(trailers));
    stream.end(body);
  });
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
