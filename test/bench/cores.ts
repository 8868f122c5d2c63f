import cluster from "node:cluster";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { keyCoordinatedBy } from "../harness/connect-json.js";
import { freePorts, waitReady } from "../harness/cluster.js";
import { startBenchCluster } from "./bench-cluster.js";
import { acquireBenchLock } from "./bench-lock.js";
import { cpuMs } from "./cpu.js";
import { runH2load } from "./h2load.js";
import { machineInfo } from "./machine.js";
import { h2loadShape } from "./measure.js";
import { cliPath } from "./paths.js";
import { pinning } from "./pin.js";
import { fmt, progress } from "./progress.js";
import { callChecked, protocols, rpcPath } from "./protocols.js";
import { readServerCounts, serverDelta, type ServerCounts } from "./server-metrics.js";
import { valueOf, type Call, type RequestSpec } from "./wire.js";

/**
 * Does a second core pay for one node? (issue 6: "use both cores where it pays ... measure it").
 * Nothing is pinned here: the point is to let the servers use both cores, so h2load shares them.
 *
 *   one node           one process, h2load `-c 4 -m 16`: what one process gets from the machine
 *   shared port        (Get, lmdb only) one node run as 2 processes sharing its port (Node's cluster
 *                      module) and its lmdb environment: the upper bound of worker processes,
 *                      correct here only because nothing is written while it runs
 *   own keys           two nodes (replication factor 1), each loaded (`-c 2 -m 16`) with a key it
 *                      coordinates: workers with per-key affinity whose clients always hit the
 *                      right worker
 *   crossed keys       the same two nodes, each loaded with a key the other coordinates: every
 *                      call pays the hop from the worker that received it to the key's worker
 *   both keys          each node loaded with both keys (`-c 1` each): clients that don't know
 *                      where a key lives; closed-loop clients finish more of the calls that need
 *                      no hop, so the share forwarded is reported, not assumed
 *
 *   node test/dist/bench/cores.js [--call Get|Put] [--storage lmdb|memory] [--seconds 5] [--reps 2]
 */
const { values } = parseArgs({
  options: {
    call: { type: "string", default: "Get" },
    storage: { type: "string", default: "lmdb" },
    seconds: { type: "string", default: "5" },
    reps: { type: "string", default: "2" },
  },
});
const call: Call = values.call === "Put" ? "Put" : "Get";
const storage = values.storage === "memory" ? "memory" : "lmdb";
const durationS = Number(values.seconds);
const value = valueOf(100);

/** One h2load run's target: a node, the key it is loaded with, and how many connections. */
interface Load {
  url: string;
  key: string;
  clients: number;
}

/** One row: total req/s of concurrent h2load runs and the CPU of every server process per call. */
interface Row {
  setup: string;
  reqPerSec: number;
  cpuUsPerCall: number | undefined;
  errors: number;
  forwarded: number;
  /** Calls the clients made (a forwarded call is counted by both nodes it passes). */
  clientCalls: number;
}

await acquireBenchLock();
pinning.enabled = false;
const machine = machineInfo();
progress(`cores: ${machine.cpu}, ${machine.cores} cores, ${machine.node}; ${storage}, ${call}, ${durationS} s per run, nothing pinned`);
const rows: Row[] = [];
for (let rep = 0; rep < Number(values.reps); rep++) {
  rows.push(await oneNode());
  // Two processes are one node only over one lmdb environment; memory engines would be two stores.
  if (call === "Get" && storage === "lmdb") rows.push(await sharedPort());
  rows.push(...(await twoNodes()));
}
const base = rows.filter((r) => r.setup === "one node").reduce((s, r, _, all) => s + r.reqPerSec / all.length, 0);
process.stdout.write(`${render(rows, base)}\n`);

async function oneNode(): Promise<Row> {
  const one = await startBenchCluster({ size: 1, storage, replicationFactor: 1 });
  try {
    await callChecked(protocols.grpc, one.nodes[0]!.url, { call: "Put", key: "hot", value });
    return await measure("one node", one.pids, [{ url: one.nodes[0]!.url, key: "hot", clients: h2loadShape.clients }]);
  } finally {
    await one.stop();
  }
}

/** Two `ringkv serve` processes forked by Node's cluster module: one port, one data directory. */
async function sharedPort(): Promise<Row> {
  const [port] = await freePorts(1);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ringkv-cores-"));
  cluster.setupPrimary({ exec: cliPath, args: ["serve", "--node-id", "n1", "--port", String(port), "--storage", storage, "--data-dir", dataDir, "--log-level", "warn"], silent: true });
  const workers = [cluster.fork(), cluster.fork()];
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("listening", resolve))));
    await waitReady(url, 60_000, () => "");
    await callChecked(protocols.grpc, url, { call: "Put", key: "hot", value });
    return await measure("one node, 2 processes sharing its port", workers.map((w) => w.process.pid!), [{ url, key: "hot", clients: h2loadShape.clients }], "probes");
  } finally {
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(undefined) : (w.once("exit", resolve), w.kill("SIGTERM"))))));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function twoNodes(): Promise<Row[]> {
  const two = await startBenchCluster({ size: 2, storage, replicationFactor: 1 });
  try {
    const [n1, n2] = two.nodes.map((n) => n.url) as [string, string];
    const own1 = await keyCoordinatedBy(n1, "n1", "cores");
    const own2 = await keyCoordinatedBy(n1, "n2", "cores");
    for (const key of [own1, own2]) await callChecked(protocols.grpc, n1, { call: "Put", key, value });
    const half = h2loadShape.clients / 2;
    return [
      await measure("two nodes, own keys", two.pids, [{ url: n1, key: own1, clients: half }, { url: n2, key: own2, clients: half }]),
      await measure("two nodes, crossed keys", two.pids, [{ url: n1, key: own2, clients: half }, { url: n2, key: own1, clients: half }]),
      await measure("two nodes, both keys on each", two.pids, [n1, n2].flatMap((url) => [own1, own2].map((key) => ({ url, key, clients: half / 2 })))),
    ];
  } finally {
    await two.stop();
  }
}

/**
 * Runs the loads at once (after a warm-up run of each), and checks the servers' own counters:
 * every call answered OK, and none or all of them forwarded where the setup says so. Processes
 * sharing a port can't be asked for their counters one by one (a connection lands on either), so
 * there (`check: "probes"`) h2load's failures count, and Gets on fresh connections, which the
 * cluster module hands to each process in turn, must return the stored value after the run.
 */
async function measure(setup: string, pids: readonly number[], loads: readonly Load[], check: "counters" | "probes" = "counters"): Promise<Row> {
  const spec = (key: string): RequestSpec => (call === "Get" ? { call, key } : { call, key, value });
  const run = (seconds: number) =>
    Promise.all(loads.map((l) => runH2load({ url: `${l.url}${rpcPath(spec(l.key))}`, body: protocols.grpc.body(spec(l.key)), headers: protocols.grpc.headers, h1: false, clients: l.clients, streams: h2loadShape.streams, durationS: seconds, warmupS: 1 })));
  const urls = [...new Set(loads.map((l) => l.url))];
  const counts = () => (check === "counters" ? Promise.all(urls.map((u) => readServerCounts(u))) : Promise.resolve([]));
  await run(2);
  const before: ServerCounts[] = await counts();
  const cpuBefore = cpuMs(pids);
  const results = await run(durationS);
  const cpuAfter = cpuMs(pids);
  const after = await counts();
  if (check === "probes") for (let i = 0; i < 4; i++) await callChecked(protocols.grpc, loads[0]!.url, { call: "Get", key: loads[0]!.key }, value);
  const deltas = after.map((a, i) => serverDelta(before[i]!, a, h2loadShape.clients * h2loadShape.streams));
  const reqPerSec = results.reduce((s, r) => s + r.reqPerSec, 0);
  const served = check === "counters" ? deltas.reduce((s, d) => s + d.ok, 0) : results.reduce((s, r) => s + r.succeeded, 0);
  const forwarded = deltas.reduce((s, d) => s + d.forwarded, 0);
  // A forwarded call is counted twice by the servers: where it entered and where it was served.
  const clientCalls = served - forwarded;
  if (setup.endsWith("crossed keys") && forwarded < clientCalls * 0.99) throw new Error(`${setup}: only ${forwarded} of ${clientCalls} calls were forwarded`);
  if (setup.includes("own") && forwarded > 0) throw new Error(`${setup}: ${forwarded} calls were forwarded`);
  const row: Row = {
    setup,
    reqPerSec,
    // CPU covers the warm-up second too (as in the main bench), so charge it to its calls.
    cpuUsPerCall: cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1000) / (reqPerSec * (durationS + 1)) : undefined,
    errors: deltas.reduce((s, d) => s + d.errors, 0) + results.reduce((s, r) => s + r.failed, 0),
    forwarded,
    clientCalls,
  };
  progress(`${setup}: ${fmt(reqPerSec)} req/s, ${fmt(row.cpuUsPerCall, 1)} µs/call, ${row.errors} errors`);
  return row;
}

function render(all: readonly Row[], oneNodeRate: number): string {
  const lines = [
    `Generated by \`node test/dist/bench/cores.js ${process.argv.slice(2).join(" ")}\` on ${new Date().toISOString()}: ${machine.cpu}, ${machine.cores} cores, ${machine.node}, ${machine.revision ?? ""}; ${storage}, gRPC ${call} of one 100-byte value per h2load run, nothing pinned (h2load shares the cores).`,
    "",
    "| setup | req/s | vs one node | server CPU µs/call (all processes) | errors | calls forwarded |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of all) lines.push(`| ${r.setup} | ${fmt(r.reqPerSec)} | ${fmt(r.reqPerSec / oneNodeRate, 2)}x | ${fmt(r.cpuUsPerCall, 1)} | ${r.errors} | ${fmt((100 * r.forwarded) / Math.max(1, r.clientCalls))}% |`);
  return lines.join("\n");
}
