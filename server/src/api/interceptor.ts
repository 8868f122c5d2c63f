import { randomBytes } from "node:crypto";
import { Code, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { forwardHeaders, requestIdKey } from "../cluster/call-context.js";
import { toConnectError } from "../errors.js";
import type { NodeMetrics } from "../observability/metrics.js";
import type { RequestStats } from "../observability/request-stats.js";

/** The wire protocol of a call, from its content type. */
export function protocolOf(contentType: string | null): "grpc" | "grpc-web" | "connect" {
  if (contentType?.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType?.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/**
 * The one place where every call passes: assigns or adopts the request id (x-request-id, kept
 * across forwarding hops), converts internal errors to ConnectErrors (peer errors re-created,
 * never re-thrown), and records metrics, stats and failure logs.
 */
export function createEdgeInterceptor(options: { logger: Logger; metrics: NodeMetrics; stats: RequestStats }): Interceptor {
  // Request ids: a random prefix per process and a counter, unique across nodes and restarts
  // and far cheaper than a UUID per call.
  const idPrefix = randomBytes(6).toString("hex");
  let sequence = 0;
  return (next) => async (req) => {
    const started = performance.now();
    const requestId = req.header.get(forwardHeaders.requestId) ?? `${idPrefix}-${(sequence++).toString(36)}`;
    req.contextValues.set(requestIdKey, requestId);
    const protocol = protocolOf(req.header.get("content-type"));
    const service = req.service.typeName;
    const method = req.method.name;
    let code = "ok";
    try {
      const res = await next(req);
      res.header.set(forwardHeaders.requestId, requestId);
      return res;
    } catch (err) {
      const ce = toConnectError(err);
      ce.metadata.set(forwardHeaders.requestId, requestId);
      code = Code[ce.code] ?? "unknown";
      const level = ce.code === Code.Internal || ce.code === Code.Unknown ? "error" : "debug";
      options.logger[level]({ requestId, service, method, protocol, code, err: ce.rawMessage }, "request failed");
      throw ce;
    } finally {
      const ms = performance.now() - started;
      if (req.method.methodKind === "unary") {
        options.metrics.observeRequest({ service, method, protocol, code: code === "ok" ? "ok" : code }, ms / 1000);
        options.stats.record(`${service}/${method}`, ms, code !== "ok");
      }
    }
  };
}

