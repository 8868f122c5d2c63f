import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePorts } from "../../harness/cluster.js";
import { stopChild } from "../bench-cluster.js";
import { driverDefaults, runLoadDriver } from "../load-driver-run.js";
import { measureDriver, warmUpDriver } from "../measure.js";
import { manyClients, oneClient } from "../client-loads.js";
import type { BenchOptions } from "../options.js";
import { onServerCore } from "../pin.js";
import { fmt, progress } from "../progress.js";
import type { Measurement, ScenarioResult } from "../results.js";

/**
 * The peer issue 6 compares linearizable reads and writes with: an etcd three-member cluster
 * (Debian's `etcd-server`), run like our cluster scenario: all three members pinned to the
 * server core, the same Node load driver on the driver core, the same key set through the first
 * member. etcd's Range is linearizable by default (a read index through the leader) and every
 * Put is a Raft commit fsynced on a majority, as our N=3 Get is a CASPaxos round and our Put an
 * lmdb commit on a majority. When etcd is not installed the scenario says so and measures nothing.
 */
export async function etcd(options: BenchOptions): Promise<ScenarioResult> {
  const version = spawnSync("etcd", ["--version"], { encoding: "utf8" });
  const title = "etcd three-member cluster (the linearizable peer)";
  if (version.status !== 0) {
    return { id: "etcd", title, notes: ["etcd is not installed (`apt-get install -y etcd-server`): not measured."], measurements: [], tables: [] };
  }
  const keyCount = options.quick ? 500 : 2_000;
  const c = await startEtcd();
  const measurements: Measurement[] = [];
  try {
    const url = c.urls[0]!;
    const fill = await runLoadDriver({ ...driverDefaults, url, target: "etcd", call: "Put", keyCount, keyPrefix: "c", durationS: 0, warmupS: 0, fill: true });
    if (fill.failed > 0) throw new Error(`filling ${keyCount} keys: ${fill.failed} failed (${JSON.stringify(fill.detail)})`);
    progress(`  filled ${keyCount} keys at ${fmt(fill.reqPerSec)} Puts/s`);
    for (const call of ["Get", "Put"] as const) {
      await warmUpDriver(options, { url, target: "etcd", call, keyCount, keyPrefix: "c" });
      for (const load of [manyClients, oneClient]) {
        const cells = { nodes: "3", "replication factor": "3", call: call === "Get" ? "Get (Range)" : "Put", consistency: call === "Get" ? "linearizable" : "—", clients: load.label };
        measurements.push(await measureDriver(options, { url, target: "etcd", call, keyCount, keyPrefix: "c", pids: c.pids, checkServer: false, ...load.driver }, cells));
      }
    }
  } finally {
    await c.stop();
  }
  return {
    id: "etcd",
    title,
    notes: [
      `${version.stdout.split("\n")[0]}; three members on loopback, each with its own data directory (fsync on), pinned to the server core; the Node load driver (4 sessions x 16 streams, then one client) on the driver core, ${fmt(keyCount)} pre-loaded keys, uniform random, all through the first member (followers forward to the leader); each measured run follows a few seconds of unmeasured load of the same call, as in the cluster scenario.`,
      "Compare with the replication factor 3 rows of the three-node cluster above: same driver, keys, values and pinning.",
    ],
    measurements,
    tables: [],
  };
}

interface EtcdCluster {
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

async function startEtcd(): Promise<EtcdCluster> {
  const ports = await freePorts(6);
  const root = mkdtempSync(path.join(os.tmpdir(), "ringkv-bench-etcd-"));
  const names = ["e1", "e2", "e3"];
  const peer = (i: number) => `http://127.0.0.1:${ports[3 + i]!}`;
  const client = (i: number) => `http://127.0.0.1:${ports[i]!}`;
  const initialCluster = names.map((n, i) => `${n}=${peer(i)}`).join(",");
  const children: ChildProcess[] = names.map((name, i) => {
    const [cmd, args] = onServerCore("etcd", [
      "--name", name, "--data-dir", path.join(root, name),
      "--listen-client-urls", client(i), "--advertise-client-urls", client(i),
      "--listen-peer-urls", peer(i), "--initial-advertise-peer-urls", peer(i),
      "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", "ringkv-bench",
      "--logger", "zap", "--log-level", "error",
    ]);
    return spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  });
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(root, { recursive: true, force: true });
  };
  const urls = names.map((_, i) => client(i));
  try {
    await waitHealthy(urls[0]!);
  } catch (err) {
    await stop();
    throw err;
  }
  progress(`etcd: 3 members up (${urls.join(", ")})`);
  return { urls, pids: children.map((c) => c.pid!), stop };
}

/** Until a linearizable read answers (a leader is elected and the cluster has quorum). */
async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === "true") return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`etcd at ${url} did not become healthy within 30 s`);
}
