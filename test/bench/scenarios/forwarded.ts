import { keyCoordinatedBy } from "../../harness/connect-json.js";
import { startBenchCluster } from "../bench-cluster.js";
import { measureH2load, warmUp } from "../measure.js";
import type { BenchOptions } from "../options.js";
import { fmt, progress } from "../progress.js";
import { callChecked, protocols } from "../protocols.js";
import type { Measurement, ScenarioResult } from "../results.js";
import { valueOf } from "../wire.js";

/**
 * Scenario 3, forwarding: a 2-node cluster with replication factor 1; every request enters at
 * n1, once with a key n1 coordinates (direct) and once with a key n2 coordinates (forwarded,
 * found with ClusterService.Locate). Both nodes share the server core, so the ratio of the two
 * is the CPU cost of a forwarded call relative to a direct one. Memory storage, so a Put's cost
 * is the network path, not an fsync.
 */
export async function forwarded(options: BenchOptions): Promise<ScenarioResult> {
  progress("forwarded: 2 memory nodes, replication factor 1, entry n1");
  const cluster = await startBenchCluster({ size: 2, storage: "memory", replicationFactor: 1, serveArgs: options.nodeArgs });
  const measurements: Measurement[] = [];
  const ratios: string[][] = [];
  try {
    const entry = cluster.nodes[0]!;
    const value = valueOf(100);
    const keys = { direct: await keyCoordinatedBy(entry.url, "n1", "fwd"), forwarded: await keyCoordinatedBy(entry.url, "n2", "fwd") };
    for (const key of Object.values(keys)) {
      await callChecked(protocols.grpc, entry.url, { call: "Put", key, value });
      await warmUp(options, entry.url, { call: "Get", key });
    }
    for (const call of ["Get", "Put"] as const) {
      const rate: Record<string, number> = {};
      const cpu: Record<string, number | undefined> = {};
      for (const path of ["direct", "forwarded"] as const) {
        const cells = { call, path: path === "direct" ? "direct (n1 coordinates)" : "forwarded n1 → n2" };
        const m = await measureH2load(options, { url: entry.url, protocol: protocols.grpc, spec: { call, key: keys[path], value }, expectValue: value, pids: cluster.pids }, cells);
        const fwd = m.server?.forwarded ?? 0;
        m.note = `${fmt(fwd)} calls forwarded by n1`;
        if (path === "forwarded" && m.server && fwd < m.server.ok * 0.99) throw new Error(`forwarded run: only ${fwd} of ${m.server.ok} calls were forwarded`);
        rate[path] = m.reqPerSec;
        cpu[path] = m.cpuUsPerCall;
        measurements.push(m);
      }
      const cpuRatio = cpu.direct !== undefined && cpu.forwarded !== undefined ? fmt(cpu.direct / cpu.forwarded, 2) : "—";
      ratios.push([call, fmt(rate.direct), fmt(rate.forwarded), fmt(rate.forwarded! / rate.direct!, 2), fmt(cpu.direct), fmt(cpu.forwarded), cpuRatio]);
    }
  } finally {
    await cluster.stop();
  }
  return {
    id: "forwarded",
    title: "Forwarded vs direct (2 nodes, replication factor 1)",
    notes: [
      "Both nodes pinned to the server core; gRPC h2c, h2load `-c 4 -m 16`, one fixed key per run.",
      "The forwarded run is checked to have been forwarded (n1's `ringkv_forwarded_requests_total`).",
    ],
    measurements,
    tables: [{ title: "Forwarded ÷ direct", columns: ["call", "direct req/s", "forwarded req/s", "throughput: forwarded ÷ direct", "direct CPU µs/call", "forwarded CPU µs/call (both nodes)", "CPU: direct ÷ forwarded"], rows: ratios }],
  };
}
