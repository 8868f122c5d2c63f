import { startBenchCluster } from "../bench-cluster.js";
import { driverDefaults, runLoadDriver } from "../load-driver-run.js";
import { driverWarmUpS, measureDriver, warmUpDriver } from "../measure.js";
import type { BenchOptions } from "../options.js";
import { fmt, progress } from "../progress.js";
import { callChecked, protocols } from "../protocols.js";
import type { Measurement, ScenarioResult } from "../results.js";
import { readServerCounts } from "../server-metrics.js";
import { consistency } from "../wire.js";
import { manyClients, oneClient } from "../client-loads.js";

/**
 * Scenario 4, a 3-node cluster: uniform random keys, all through n1, driven by the Node load
 * driver (h2load cannot vary the body), once per replication factor asked for. At 1, two thirds
 * of the calls are forwarded to the key's only replica; above 1, every call is a CASPaxos round
 * and the scenario also measures a CONSISTENCY_LOCAL Get (one replica's copy, no round) next to
 * the default linearizable Get, and the linearizable calls once more with one client (a lone
 * client's latency, to compare with etcd's measured the same way). Above 1 it also runs Puts that
 * all go to one key ("keys: one"): the hot-key case, where queued writes share CASPaxos rounds
 * (replication/shared-round.ts); with uniform keys two writes of one key rarely meet.
 */
export async function cluster(options: BenchOptions): Promise<ScenarioResult> {
  const keyCount = options.quick ? 500 : 2_000;
  const measurements: Measurement[] = [];
  const failures: string[] = [];
  for (const rf of options.replicationFactors) {
    try {
      measurements.push(...(await clusterRun(options, rf, keyCount)));
    } catch (err) {
      // Keep the other replication factors' figures; say what failed.
      progress(`cluster: replication factor ${rf} FAILED: ${(err as Error).message}`);
      failures.push(`replication factor ${rf} failed: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  if (measurements.length === 0) throw new Error(failures.join("; "));
  return {
    id: "cluster",
    title: `Three-node cluster (replication factor ${options.replicationFactors.join(" and ")})`,
    notes: [
      `Three lmdb nodes, all pinned to the server core (the CPU column is the whole cluster's per call); the Node load driver (4 sessions x 16 streams) on the driver core, ${fmt(keyCount)} pre-loaded keys, uniform random, all through n1; each measured run follows ${driverWarmUpS(options)} s of unmeasured load of the same call (JIT warm-up of three processes).`,
      "\"clients\" is sessions x streams of the driver; \"1\" is one call at a time on one connection (a lone client's latency, nothing for the nodes to batch; its ratio to the ceiling is not a goal).",
      "Ratios are to the ceiling measured with the same driver. LOCAL reads one replica's copy without a round (possibly stale); the default Get is linearizable (a round when the replication factor is above 1).",
      ...failures,
    ],
    measurements,
    tables: [],
  };
}

async function clusterRun(options: BenchOptions, rf: number, keyCount: number): Promise<Measurement[]> {
  progress(`cluster: 3 lmdb nodes, replication factor ${rf}, entry n1`);
  const c = await startBenchCluster({ size: 3, storage: "lmdb", replicationFactor: rf, serveArgs: options.nodeArgs });
  const out: Measurement[] = [];
  try {
    const url = c.nodes[0]!.url;
    await untilServing(url);
    const fill = await runLoadDriver({ ...driverDefaults, url, call: "Put", keyCount, keyPrefix: "c", durationS: 0, warmupS: 0, fill: true });
    if (fill.failed > 0) throw new Error(`filling ${keyCount} keys: ${fill.failed} failed (${JSON.stringify(fill.detail)})`);
    progress(`  filled ${keyCount} keys at ${fmt(fill.reqPerSec)} Puts/s`);
    const runs: Array<{ call: "Get" | "Put"; level: string; consistency: number }> = [
      { call: "Get", level: "default (linearizable)", consistency: consistency.default },
      ...(rf > 1 ? [{ call: "Get" as const, level: "LOCAL", consistency: consistency.local }] : []),
      { call: "Put", level: "—", consistency: 0 },
    ];
    for (const run of runs) {
      await warmUpDriver(options, { url, call: run.call, keyCount, keyPrefix: "c", consistency: run.consistency });
      // With replication, the linearizable calls also run with one client (after the warm-up
      // at full concurrency, which a lone client's few calls would take far longer to give).
      const loads = rf > 1 && run.level !== "LOCAL" ? [manyClients, oneClient] : [manyClients];
      for (const load of loads) {
        const cells = { nodes: "3", "replication factor": String(rf), call: run.call, consistency: run.level, keys: "uniform", clients: load.label };
        const m = await measureDriver(options, { url, call: run.call, keyCount, keyPrefix: "c", consistency: run.consistency, pids: c.pids, ...load.driver }, cells);
        if (m.server) m.note = forwardedNote(m.server);
        const notFound = m.load?.detail.notFound ?? 0;
        if (run.call === "Get" && run.consistency === consistency.local && notFound > 0) {
          // Not an error: a LOCAL read may miss a write its replica was not in the majority for.
          m.errors -= notFound;
          m.note += `; ${notFound} of ${m.load!.detail.sampled} sampled LOCAL reads found no value (stale replica)`;
        }
        out.push(m);
      }
    }
    if (rf > 1) out.push(await hotKeyPuts(options, c.nodes.map((n) => n.url), c.pids, rf));
  } finally {
    await c.stop();
  }
  return out;
}

/**
 * Puts at full concurrency, all to one key through n1 (which forwards them when another node
 * coordinates the key). The server's counters tell how many rounds carried other writes.
 */
async function hotKeyPuts(options: BenchOptions, urls: readonly string[], pids: readonly number[], rf: number): Promise<Measurement> {
  const hot = { url: urls[0]!, call: "Put" as const, keyCount: 1, keyPrefix: "hot" };
  await warmUpDriver(options, hot);
  const cells = { nodes: "3", "replication factor": String(rf), call: "Put", consistency: "—", keys: "one", clients: manyClients.label };
  const before = await sharedRoundCounts(urls);
  const m = await measureDriver(options, { ...hot, pids }, cells);
  const after = await sharedRoundCounts(urls);
  const forwarded = m.server ? `${forwardedNote(m.server)}; ` : "";
  m.note = `${forwarded}${fmt(after.rounds - before.rounds)} shared rounds carried ${fmt(after.carried - before.carried)} writes besides their own`;
  return m;
}

/** What share of the calls n1 served it forwarded, for a row's note. */
function forwardedNote(server: { forwarded: number; ok: number }): string {
  return `${fmt((100 * server.forwarded) / Math.max(1, server.ok))}% forwarded by n1`;
}

/** Shared-round counters summed over the nodes (the key's coordinator runs them, whichever it is). */
async function sharedRoundCounts(urls: readonly string[]): Promise<{ rounds: number; carried: number }> {
  const counts = await Promise.all(urls.map((u) => readServerCounts(u)));
  return { rounds: counts.reduce((s, c) => s + c.sharedRounds, 0), carried: counts.reduce((s, c) => s + c.carried, 0) };
}

/**
 * Waits until a Put through the entry node succeeds: /readyz only says the node is up, and a
 * replicated write also needs its peers to have seen each other.
 */
async function untilServing(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await callChecked(protocols.grpc, url, { call: "Put", key: "probe", value: "probe" });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`no successful Put through ${url} within 20 s: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
