import client from "prom-client";
import type { Membership } from "../cluster/membership.js";
import type { RecordStore } from "../storage/record-store.js";
import { codecFailures } from "../net/message-codecs.js";
import { createRequestMetrics } from "./request-metrics.js";

/** The Prometheus metrics of one node, in their own registry (one per node, even in tests). */
export interface NodeMetrics {
  readonly registry: client.Registry;
  observeRequest(labels: { service: string; method: string; protocol: string; code: string }, seconds: number): void;
  observeForward(peer: string, outcome: "ok" | "error"): void;
}

/**
 * Metric names follow Prometheus conventions (`ringkv_` prefix, base units, `_total` counters);
 * every label set is bounded: services, methods, protocols, codes and peer ids, never keys.
 */
export function createNodeMetrics(options: { membership: Membership; store: RecordStore }): NodeMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = createRequestMetrics(registry);
  const forwards = new client.Counter({
    name: "ringkv_forwarded_requests_total",
    help: "Calls this node sent on to a peer, by peer and outcome.",
    labelNames: ["peer", "outcome"] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: "ringkv_storage_keys",
    help: "Records in this node's storage engine (live keys and tombstones).",
    labelNames: ["engine"] as const,
    registers: [registry],
    collect() {
      this.set({ engine: options.store.engineKind }, options.store.stats().keys);
    },
  });
  new client.Gauge({
    name: "ringkv_storage_bytes",
    help: "Approximate bytes used by this node's storage engine.",
    labelNames: ["engine"] as const,
    registers: [registry],
    collect() {
      this.set({ engine: options.store.engineKind }, options.store.stats().bytes);
    },
  });
  let codecFailuresReported = 0;
  new client.Counter({
    name: "ringkv_wire_codec_failures_total",
    help: "Messages a hand-written protobuf codec (binary or JSON) failed on (a bug in it; protobuf-es handled them instead, so only speed suffered).",
    registers: [registry],
    collect() {
      this.inc(codecFailures.count - codecFailuresReported);
      codecFailuresReported = codecFailures.count;
    },
  });
  new client.Gauge({
    name: "ringkv_ring_members",
    help: "Members of the ring as configured.",
    registers: [registry],
    collect() {
      this.set(options.membership.members().length);
    },
  });
  new client.Gauge({
    name: "ringkv_member_reachable",
    help: "1 when this node can reach the member, else 0.",
    labelNames: ["member"] as const,
    registers: [registry],
    collect() {
      for (const m of options.membership.members()) this.set({ member: m.id }, m.reachable ? 1 : 0);
    },
  });
  return {
    registry,
    observeRequest(labels, seconds) {
      requests.observe(labels, seconds);
    },
    observeForward(peer, outcome) {
      forwards.inc({ peer, outcome });
    },
  };
}
