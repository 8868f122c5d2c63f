import type { FastifyInstance } from "fastify";

/**
 * Answers calls to unknown paths in the caller's protocol: gRPC and gRPC-Web clients get
 * grpc-status 12 (UNIMPLEMENTED) in a trailers-only response, as grpc-go servers send, instead of
 * a bare HTTP 404 they would have to interpret; Connect and plain HTTP get 404 with a Connect
 * error body.
 */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    const contentType = String(req.headers["content-type"] ?? "");
    const path = req.url.split("?")[0] ?? req.url;
    const message = `unknown method or path ${path}: list the services with server reflection (grpcurl -plaintext HOST:PORT list)`;
    if (contentType.startsWith("application/grpc")) {
      return reply
        .code(200)
        .header("content-type", contentType.startsWith("application/grpc-web") ? "application/grpc-web+proto" : "application/grpc")
        .header("grpc-status", "12")
        .header("grpc-message", encodeURIComponent(message))
        .send();
    }
    return reply.code(404).header("content-type", "application/json").send({ code: "unimplemented", message });
  });
}
