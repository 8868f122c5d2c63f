import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { connectJson } from "../harness/connect-json.js";
import { startBenchCluster, type BenchCluster } from "./bench-cluster.js";
import { acquireBenchLock } from "./bench-lock.js";
import { cpuMs } from "./cpu.js";
import { benchKey } from "./load-driver-config.js";
import { driverDefaults, runLoadDriver } from "./load-driver-run.js";
import { machineInfo } from "./machine.js";
import { fmt, progress } from "./progress.js";
import { readServerCounts, serverDelta } from "./server-metrics.js";

/**
 * Where a call through the cluster spends its cost, by the role each node plays in it (issue 6:
 * a three-node cluster costs more per call than its parts, and linearizable Puts 4–5x etcd's).
 * The cluster scenario's setup: three lmdb nodes, pinned to the server core; the Node load driver
 * through n1 on the driver core. Three key sets of the same size, each call to a key picked at
 * random from one set:
 *
 *   n1 coordinates   n1 serves the call itself (with replication factor 3 it runs the round;
 *                    n2 and n3 are acceptors only)
 *   n2 coordinates   n1 forwards every call to n2, which serves it (n3 is an acceptor only; keys
 *                    of n3 are the same by symmetry). A linearizable Get with replication factor
 *                    3 is the exception: n1 holds a replica and reads a quorum itself.
 *   uniform          the cluster scenario's keys: every node in every role
 *
 * and, from the first two, what uniform keys would cost if the roles did not interfere: the share
 * of uniform keys n1 coordinates times the first, the rest times the second. Sets alternate, after
 * a warm-up of each long enough for V8 to finish optimizing (uniform RF 3 Puts still cost ~10%
 * more in their first 7 s after a fill than after 40 s).
 *
 *   node test/dist/bench/roles.js [--call Put|Get] [--rf 3|1] [--keys 2000] [--seconds 6] [--reps 2] [--warmup 10]
 *                                 [--sets uniform,n1,n2]   (which key sets to run; default all three)
 */
const { values } = parseArgs({
  options: {
    call: { type: "string", default: "Put" },
    rf: { type: "string", default: "3" },
    keys: { type: "string", default: "2000" },
    seconds: { type: "string", default: "6" },
    reps: { type: "string", default: "2" },
    warmup: { type: "string", default: "10" },
    sets: { type: "string", default: "n1,n2,uniform" },
  },
});
const call = values.call === "Get" ? "Get" : "Put";
const replicationFactor = values.rf === "1" ? 1 : 3;
const keyCount = Number(values.keys);
/** Whether n1 must forward every call on n2's keys (not a linearizable Get it holds a replica for). */
const n2KeysForwarded = call === "Put" || replicationFactor === 1;
const durationS = Number(values.seconds);
const warmupS = 1;

type SetName = "n1 coordinates" | "n2 coordinates" | "uniform";

/** One measured run of one key set. */
interface Row {
  set: SetName;
  reqPerSec: number;
  /** CPU per call of n1, n2, n3 (µs, user + system, all threads). */
  perNode: number[];
  /** Times each node's main thread went to sleep and was woken again, per call. */
  wakeUps: number[];
  /** Node-to-node RPCs served in the whole cluster, per call. */
  peerCallsPerCall: number;
  /** Share of calls n1 forwarded. */
  forwardedShare: number;
}

await acquireBenchLock();
const machine = machineInfo();
progress(`roles: ${machine.cpu}, ${machine.cores} cores, ${machine.node}; 3 lmdb nodes, replication factor ${replicationFactor}, ${call}s, ${fmt(keyCount)} keys per set, ${durationS} s per run`);
const cluster = await startBenchCluster({ size: 3, storage: "lmdb", replicationFactor });
const rows: Row[] = [];
let n1Share = 0;
try {
  const entry = cluster.nodes[0]!.url;
  const uniform = Array.from({ length: keyCount }, (_, i) => benchKey("c", i));
  const coordinators = await coordinatorsOf(entry, uniform);
  n1Share = coordinators.filter((id) => id === "n1").length / keyCount;
  const chosen = new Set(values.sets.split(","));
  const order = (["n1 coordinates", "n2 coordinates", "uniform"] as const).filter((set) => chosen.has(set.split(" ")[0]!));
  if (order.length === 0) throw new Error(`--sets ${values.sets}: name one or more of n1, n2, uniform`);
  const sets: Partial<Record<SetName, readonly string[]>> = { uniform };
  for (const set of order) if (set !== "uniform") sets[set] = await keysCoordinatedBy(entry, set.slice(0, 2));
  for (const set of order) {
    const fill = await runLoadDriver({ ...driverDefaults, url: entry, call: "Put", keys: sets[set]!, keyCount, keyPrefix: "", durationS: 0, warmupS: 0, fill: true });
    if (fill.failed > 0) throw new Error(`filling the ${set} keys: ${fill.failed} Puts failed (${JSON.stringify(fill.detail)})`);
  }
  progress(`filled ${fmt(order.length * keyCount)} keys; n1 coordinates ${fmt(100 * n1Share)}% of the uniform ones; warming up ${values.warmup} s per set`);
  for (const set of order) await runLoadDriver({ ...driverDefaults, url: entry, call, keys: sets[set]!, keyCount, keyPrefix: "", durationS: Number(values.warmup), warmupS: 0 });
  for (let rep = 0; rep < Number(values.reps); rep++) for (const set of order) rows.push(await measure(cluster, set, sets[set]!));
} finally {
  await cluster.stop();
}
process.stdout.write(`${render(rows)}\n`);

/**
 * One run: CPU of every node and the servers' own counters around it. Every call must be
 * answered OK, and n1 must forward none of the calls when it coordinates the keys and all of
 * them when n2 does (where it forwards at all): otherwise the set plays another role than its
 * name says.
 */
async function measure(c: BenchCluster, set: SetName, keys: readonly string[]): Promise<Row> {
  const urls = c.nodes.map((n) => n.url);
  const before = await Promise.all(urls.map((u) => readServerCounts(u)));
  const cpuBefore = c.pids.map((pid) => cpuMs([pid]));
  const sleepsBefore = c.pids.map(sleeps);
  const load = await runLoadDriver({ ...driverDefaults, url: urls[0]!, call, keys, keyCount, keyPrefix: "", durationS, warmupS });
  const cpuAfter = c.pids.map((pid) => cpuMs([pid]));
  const sleepsAfter = c.pids.map(sleeps);
  const after = await Promise.all(urls.map((u) => readServerCounts(u)));
  const inFlight = driverDefaults.sessions * driverDefaults.streams;
  const deltas = after.map((a, i) => serverDelta(before[i]!, a, inFlight));
  const errors = load.failed + deltas.reduce((s, d) => s + d.errors, 0);
  if (errors > 0) throw new Error(`${set}: ${errors} errors (${deltas.flatMap((d) => d.errorCodes).join(", ")}; driver ${JSON.stringify(load.detail)})`);
  // The driver's count covers the measured window; CPU covers its warm-up second too.
  const calls = load.reqPerSec * (durationS + warmupS);
  const entryCalls = deltas[0]!.ok + deltas[0]!.canceled;
  const forwardedShare = deltas[0]!.forwarded / Math.max(1, entryCalls);
  if (set === "n1 coordinates" && deltas[0]!.forwarded > 0) throw new Error(`${set}: n1 forwarded ${deltas[0]!.forwarded} calls`);
  if (set === "n2 coordinates" && n2KeysForwarded && forwardedShare < 0.99) throw new Error(`${set}: n1 forwarded only ${fmt(100 * forwardedShare)}% of its calls`);
  const perNode = cpuBefore.map((b, i) => (b === undefined || cpuAfter[i] === undefined ? Number.NaN : ((cpuAfter[i]! - b) * 1000) / calls));
  const wakeUps = sleepsAfter.map((a, i) => (a - sleepsBefore[i]!) / calls);
  const row: Row = { set, reqPerSec: load.reqPerSec, perNode, wakeUps, peerCallsPerCall: deltas.reduce((s, d) => s + d.peerCalls, 0) / calls, forwardedShare };
  progress(`${set}: ${fmt(load.reqPerSec)} ${call}s/s, ${perNode.map((v, i) => `n${i + 1} ${fmt(v)}`).join(", ")} µs/call, ${fmt(row.peerCallsPerCall, 2)} peer RPCs/call`);
  return row;
}

/**
 * Voluntary context switches of a process's main thread: each is the event loop waiting for
 * I/O and being woken, a fixed cost that the calls handled in one wake-up share.
 */
function sleeps(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

/** Asks n1's ClusterService.Locate for each key's coordinator, a few calls at a time. */
async function coordinatorsOf(url: string, keys: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < keys.length; i += 50) {
    const chunk = keys.slice(i, i + 50);
    const answers = await Promise.all(chunk.map((key) => connectJson(url, "ringkv.cluster.v1.ClusterService/Locate", { key })));
    for (const [j, a] of answers.entries()) {
      if (a.status !== 200 || typeof a.body.coordinator !== "string") throw new Error(`Locate ${chunk[j]}: HTTP ${a.status} ${JSON.stringify(a.body)}`);
      out.push(a.body.coordinator);
    }
  }
  return out;
}

/** `keyCount` keys (from a prefix of their own) whose coordinator is `nodeId`. */
async function keysCoordinatedBy(url: string, nodeId: string): Promise<string[]> {
  const found: string[] = [];
  for (let start = 0; found.length < keyCount; start += keyCount) {
    if (start > 20 * keyCount) throw new Error(`fewer than ${keyCount} keys coordinated by ${nodeId} among ${start}`);
    const candidates = Array.from({ length: keyCount }, (_, i) => benchKey(`r-${nodeId}-`, start + i));
    const coordinators = await coordinatorsOf(url, candidates);
    found.push(...candidates.filter((_, i) => coordinators[i] === nodeId));
  }
  return found.slice(0, keyCount);
}

function render(all: readonly Row[]): string {
  const total = (r: Row) => r.perNode.reduce((s, v) => s + v, 0);
  const mean = (set: SetName) => {
    const of = all.filter((r) => r.set === set);
    return of.reduce((s, r) => s + total(r), 0) / of.length;
  };
  const composed = n1Share * mean("n1 coordinates") + (1 - n1Share) * mean("n2 coordinates");
  const lines = [
    `Generated by \`node test/dist/bench/roles.js ${process.argv.slice(2).join(" ")}\` on ${new Date().toISOString()}: ${machine.cpu}, ${machine.cores} cores, ${machine.node}, ${machine.revision ?? ""}; 3 lmdb nodes, replication factor ${replicationFactor}, ${machine.pinned}; gRPC ${call}s${call === "Put" ? " of 100-byte values" : ""} through n1, ${fmt(keyCount)} keys per set, ${durationS} s per run.`,
    "",
    `| key set | ${call}s/s | n1 µs/call | n2 µs/call | n3 µs/call | cluster µs/call | wake-ups/call n1, n2, n3 | peer RPCs/call | forwarded by n1 |`,
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of all) lines.push(`| ${r.set} | ${fmt(r.reqPerSec)} | ${r.perNode.map((v) => fmt(v)).join(" | ")} | ${fmt(total(r))} | ${r.wakeUps.map((w) => fmt(w, 2)).join(", ")} | ${fmt(r.peerCallsPerCall, 2)} | ${fmt(100 * r.forwardedShare)}% |`);
  if (all.some((r) => r.set === "n1 coordinates") && all.some((r) => r.set === "n2 coordinates") && all.some((r) => r.set === "uniform")) lines.push(
    "",
    `By composition (n1 coordinates ${fmt(100 * n1Share)}% of the uniform keys): ${fmt(composed)} µs/call; uniform keys measured ${fmt(mean("uniform"))} µs/call, ${fmt(mean("uniform") / composed, 2)}x.`,
  );
  return lines.join("\n");
}
