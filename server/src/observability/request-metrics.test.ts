import client from "prom-client";
import { describe, expect, it } from "vitest";
import { createRequestMetrics, requestDurationBuckets } from "./request-metrics.js";

describe("createRequestMetrics()", () => {
  it("exposes exactly what prom-client's Counter and Histogram expose for the same calls", async () => {
    const ours = new client.Registry();
    const metrics = createRequestMetrics(ours);
    const theirs = new client.Registry();
    const counter = new client.Counter({
      name: "ringkv_requests_total",
      help: "RPCs served, by service, method, protocol (grpc, grpc-web, connect) and result code.",
      labelNames: ["service", "method", "protocol", "code"] as const,
      registers: [theirs],
    });
    const histogram = new client.Histogram({
      name: "ringkv_request_duration_seconds",
      help: "RPC latency as seen by this node, from handler start to response.",
      labelNames: ["service", "method", "protocol"] as const,
      buckets: [...requestDurationBuckets],
      registers: [theirs],
    });
    const calls = [
      { service: "kvstore.KeyValueService", method: "Get", protocol: "grpc", code: "ok", seconds: 0.0003 },
      { service: "kvstore.KeyValueService", method: "Get", protocol: "grpc", code: "ok", seconds: 0.004 },
      { service: "kvstore.KeyValueService", method: "Get", protocol: "connect", code: "not_found", seconds: 0.0005 },
      { service: "kvstore.KeyValueService", method: "Put", protocol: "grpc", code: "FailedPrecondition", seconds: 12 },
      { service: "ringkv.cluster.v1.ClusterService", method: "Locate", protocol: "grpc-web", code: "ok", seconds: 0.3 },
      { service: "kvstore.KeyValueService", method: "Get", protocol: "grpc", code: "ok", seconds: 2.5 },
    ];
    for (const { seconds, ...labels } of calls) {
      metrics.observe(labels, seconds);
      counter.inc(labels);
      histogram.observe({ service: labels.service, method: labels.method, protocol: labels.protocol }, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('ringkv_requests_total{service="kvstore.KeyValueService",method="Get",protocol="grpc",code="ok"} 3');
  });

  it("exposes no series before the first call", async () => {
    const registry = new client.Registry();
    createRequestMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain("# TYPE ringkv_requests_total counter");
    expect(text).toContain("# TYPE ringkv_request_duration_seconds histogram");
    expect(text).not.toMatch(/^ringkv_/m);
  });
});
