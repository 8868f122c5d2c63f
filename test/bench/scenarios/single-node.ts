import { startBenchCluster } from "../bench-cluster.js";
import { runLoadDriver, driverDefaults } from "../load-driver-run.js";
import { measureDriver, measureH2load, warmUp } from "../measure.js";
import type { BenchOptions } from "../options.js";
import { progress } from "../progress.js";
import { callChecked, protocols, type ProtocolId } from "../protocols.js";
import type { Measurement, ScenarioResult } from "../results.js";
import { valueOf } from "../wire.js";

/**
 * Scenario 2, one node: unary Get and Put per protocol and storage engine, driven by h2load
 * with one fixed body (so every Put hits the same key and serializes on its per-key lock: a
 * worst case), then by the Node driver over a few thousand random keys (Puts on distinct keys
 * share lmdb commits: the realistic write figure), at full speed and paced at half the h2load
 * maximum (p99 at a load the node sustains, instead of queueing behind 64 in-flight calls).
 */
export async function singleNode(options: BenchOptions): Promise<ScenarioResult> {
  const protocolIds: ProtocolId[] = options.quick ? ["grpc", "connect-json-h1"] : ["grpc", "connect-json-h1", "connect-json-h2c", "connect-proto-h1"];
  const driverKeys = options.quick ? 1_000 : 5_000;
  const measurements: Measurement[] = [];
  for (const storage of ["memory", "lmdb"] as const) {
    progress(`single-node: one ${storage} node`);
    const cluster = await startBenchCluster({ size: 1, storage, replicationFactor: 1, serveArgs: options.nodeArgs });
    try {
      const url = cluster.nodes[0]!.url;
      const pids = cluster.pids;
      const key = "bench-key";
      const value = valueOf(100);
      await callChecked(protocols.grpc, url, { call: "Put", key, value });
      await warmUp(options, url, { call: "Get", key });
      const maxRate: Record<string, number> = {};
      for (const id of protocolIds) {
        const protocol = protocols[id];
        for (const call of ["Get", "Put"] as const) {
          const cells = { storage, protocol: protocol.label, call, keys: "1 (h2load)" };
          const m = await measureH2load(options, { url, protocol, spec: { call, key, value }, expectValue: value, pids }, cells);
          if (id === "grpc") maxRate[call] = m.reqPerSec;
          measurements.push(m);
          if (id === "grpc" && !options.quick) {
            // Latency at a load the node sustains: h2load offering half of what it just reached.
            const paced = { ...cells, keys: "1 (h2load), paced at half its max" };
            measurements.push(await measureH2load(options, { url, protocol, spec: { call, key, value }, expectValue: value, pids, rate: m.reqPerSec / 2 }, paced));
          }
        }
      }
      const fill = await runLoadDriver({ ...driverDefaults, url, call: "Put", keyCount: driverKeys, keyPrefix: "k", durationS: 0, warmupS: 0, fill: true });
      if (fill.failed > 0) throw new Error(`filling ${driverKeys} keys: ${fill.failed} failed`);
      const keys = `${driverKeys / 1000}k random (driver)`;
      for (const call of ["Get", "Put"] as const) {
        const target = { url, call, keyCount: driverKeys, keyPrefix: "k", pids };
        measurements.push(await measureDriver(options, target, { storage, protocol: protocols.grpc.label, call, keys }));
        if (options.quick) continue;
        const paced = `${keys}, paced at half the h2load max`;
        measurements.push(await measureDriver(options, { ...target, rate: maxRate[call]! / 2 }, { storage, protocol: protocols.grpc.label, call, keys: paced }));
      }
    } finally {
      await cluster.stop();
    }
  }
  return {
    id: "single-node",
    title: "One node",
    notes: [
      "One `ringkv serve` process pinned to the server core; h2load `-c 4 -m 16` on h2c, `--h1 -c 16` on HTTP/1.1 (h2load does not pipeline POSTs, so 16 in flight).",
      "\"1 (h2load)\": every request carries the same key; Puts to one key are pipelined on the single-replica path (each applies to the newest state; the writes of one event-loop turn share one lmdb commit), and an lmdb Put is answered once that commit is on disk.",
      "\"k random (driver)\": the Node load driver (4 sessions x 16 streams) over that many pre-loaded keys, uniform random; its ratio is to the ceiling measured with the same driver.",
      "\"1 (h2load), paced at half its max\": h2load with `--rps` and 4 streams per client, offering half the rate it reached on the row above: p50/p99 at a load the node sustains (issue 6's latency goal), measured by the C driver (no GC pauses of its own). The ceiling paced the same way is under the ceiling table: the floor these rows can reach.",
      "\"paced at half the h2load max\": the driver offering, evenly spaced, half the rate h2load reached on the same node just before: p99 at a load the node sustains (issue 6's latency goal).",
      "Each node gets a few seconds of unmeasured gRPC and Connect load first (JIT warm-up), and every run a further warm-up second.",
    ],
    measurements,
    tables: [],
  };
}
