import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The workspace root: the nearest folder up from here with pnpm-workspace.yaml (works from test/dist too). */
function workspaceRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "pnpm-workspace.yaml")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The built CLI every test node runs (`pnpm run build:server` first; the test command does). */
export const cliPath = path.join(workspaceRoot(), "server/dist/cli/main.js");

/** One real `ringkv serve` process. */
export interface TestNode {
  id: string;
  port: number;
  /** "127.0.0.1:port" */
  address: string;
  /** "http://127.0.0.1:port" */
  url: string;
  dataDir: string;
  /** Sends a signal; resolves when the process is gone (or at once for SIGSTOP/SIGCONT). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again with the same settings and waits until it is ready. */
  start(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
  /** Recent output of the process, for failure messages. */
  logs(): string;
  /** Exit code and signal of the last run, once it has exited. */
  readonly lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly running: boolean;
}

export interface TestCluster {
  nodes: TestNode[];
  /** Stops every node and deletes their data. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  size: number;
  storage?: "lmdb" | "memory";
  replicationFactor?: number;
  /** More `serve` flags for every node. */
  extraArgs?: string[];
}

/** Free loopback ports, found by binding port 0. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** GET a URL with https and a custom CA, or plain fetch for http; resolves with the status. */
function getStatus(url: string, ca?: string): Promise<number> {
  if (!url.startsWith("https:")) return fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

/** Waits until GET /readyz answers 200, or fails with the node's output. */
export async function waitReady(url: string, timeoutMs = 20_000, logs: () => string = () => "", ca?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await getStatus(`${url}/readyz`, ca)) === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node at ${url} not ready after ${timeoutMs} ms\n${logs()}`);
}

/**
 * Starts a cluster of real node processes on free loopback ports, each with its own temporary
 * data directory, and waits until all are ready.
 */
export async function startCluster(options: StartClusterOptions): Promise<TestCluster> {
  const ports = await freePorts(options.size);
  const root = mkdtempSync(path.join(os.tmpdir(), "ringkv-test-"));
  const members = ports.map((port, i) => `n${i + 1}=127.0.0.1:${port}`).join(",");
  const nodes = ports.map((port, i) =>
    createTestNode({
      id: `n${i + 1}`,
      port,
      dataDir: path.join(root, `n${i + 1}`),
      args: [
        "--members", members,
        "--storage", options.storage ?? "memory",
        "--replication-factor", String(options.replicationFactor ?? 3),
        ...(options.extraArgs ?? []),
      ],
    }),
  );
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill("SIGKILL")));
    throw err;
  }
  return {
    nodes,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** One node process with fixed id, port and data directory. */
export function createTestNode(options: { id: string; port: number; dataDir: string; args: string[]; tlsCa?: string }): TestNode {
  const { id, port, dataDir } = options;
  const url = `${options.tlsCa ? "https" : "http"}://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output: string[] = [];
  let lastExit: TestNode["lastExit"];

  const node: TestNode = {
    id,
    port,
    address: `127.0.0.1:${port}`,
    url,
    dataDir,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    logs: () => output.join(""),
    get lastExit() {
      return lastExit;
    },
    async start() {
      if (node.running) return;
      output = [];
      lastExit = undefined;
      child = spawn(process.execPath, [
        cliPath, "serve", "--node-id", id, "--port", String(port), "--data-dir", dataDir, "--log-level", "warn", ...options.args,
      ], { stdio: ["ignore", "pipe", "pipe"] });
      const proc = child;
      const keep = (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.length > 200) output.shift();
      };
      proc.stdout!.on("data", keep);
      proc.stderr!.on("data", keep);
      exited = new Promise((resolve) =>
        proc.once("exit", (code, signal) => {
          lastExit = { code, signal };
          resolve();
        }),
      );
      await waitReady(url, 20_000, node.logs, options.tlsCa);
    },
    async kill(signal = "SIGKILL") {
      if (!child || !node.running) return;
      child.kill(signal);
      if (signal === "SIGSTOP" || signal === "SIGCONT") return;
      await exited;
    },
    async stop() {
      if (!child || !node.running) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return node;
}
