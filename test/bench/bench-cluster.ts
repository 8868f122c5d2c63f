import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePorts, waitReady } from "../harness/cluster.js";
import { cliPath } from "./paths.js";
import { onServerCore } from "./pin.js";

/** One `ringkv serve` process of a benchmark cluster. */
export interface BenchNode {
  id: string;
  port: number;
  /** "http://127.0.0.1:port" */
  url: string;
  pid: number;
}

/** A running benchmark cluster. */
export interface BenchCluster {
  nodes: BenchNode[];
  /** Every node's process id: their CPU time is what a call through the cluster costs. */
  pids: number[];
  /** SIGTERM every node, wait for the exits, delete the data directories. */
  stop(): Promise<void>;
}

/** Options of {@link startBenchCluster}. */
export interface BenchClusterOptions {
  size: number;
  storage: "memory" | "lmdb";
  replicationFactor: number;
  /** Node.js flags placed before the CLI path, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** More `ringkv serve` flags (the bench's --node-args). */
  serveArgs?: string[];
}

/**
 * Starts real node processes pinned to the server core. It reuses the test harness's port and
 * readiness helpers but spawns the nodes itself: the harness's `startCluster` cannot pin a
 * process to a core, and its `cliPath` is computed for `test/harness/` sources, which points
 * one directory off once compiled into `test/dist/harness/`.
 */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  try {
    return await startOnce(options);
  } catch (err) {
    // Other suites on this machine also grab free ports; one retry on fresh ports covers a race.
    process.stderr.write(`[bench] cluster start failed, retrying once: ${(err as Error).message.split("\n")[0]}\n`);
    return startOnce(options);
  }
}

async function startOnce(options: BenchClusterOptions): Promise<BenchCluster> {
  const ports = await freePorts(options.size);
  const root = mkdtempSync(path.join(os.tmpdir(), "ringkv-bench-"));
  const members = ports.map((p, i) => `n${i + 1}=127.0.0.1:${p}`).join(",");
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const nodes = ports.map((port, i): BenchNode => {
    const id = `n${i + 1}`;
    const [cmd, args] = onServerCore(process.execPath, [
      ...(options.nodeFlags ?? []), cliPath, "serve", "--node-id", id, "--port", String(port), "--members", members,
      "--storage", options.storage, "--data-dir", path.join(root, id),
      "--replication-factor", String(options.replicationFactor), "--log-level", "warn", ...(options.serveArgs ?? []),
    ]);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (c: Buffer) => {
      logs.push(`${id}: ${c.toString()}`);
      if (logs.length > 100) logs.shift();
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    children.push(child);
    return { id, port, url: `http://127.0.0.1:${port}`, pid: child.pid! };
  });
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(root, { recursive: true, force: true });
  };
  const exited = children.map((child, i) => new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) => reject(new Error(`node n${i + 1} exited (${code ?? signal}) before it was ready\n${logs.join("")}`))),
  ));
  try {
    await Promise.race([Promise.all(nodes.map((n) => waitReady(n.url, 60_000, () => logs.join("")))), ...exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, pids: nodes.map((n) => n.pid), stop };
}

/** SIGTERM (so `--cpu-prof` gets written), SIGKILL after 10 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
