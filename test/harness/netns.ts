import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cliPath, waitReady } from "./cluster.js";

/**
 * Several "hosts" on one machine: one network namespace per node, each with its own address on
 * a private bridge in the root namespace, so a test can cut a node off the network (its link
 * goes down: packets vanish, no connection is refused) and heal it. Traffic stays inside the
 * namespaces this harness creates. Needs root (CAP_NET_ADMIN) and iproute2.
 */
export interface NetnsNode {
  id: string;
  /** "10.x.y.z:50051", reachable from the test process through the bridge. */
  address: string;
  url: string;
  /** Takes the node's link down: the node is partitioned from every other node and client. */
  partition(): void;
  heal(): void;
  logs(): string;
}

export interface NetnsCluster {
  nodes: NetnsNode[];
  /** Stops the nodes and removes namespaces, links and bridge. */
  stop(): Promise<void>;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe" });
}

/** Starts `size` nodes, each in its own namespace, as one cluster. */
export async function startNetnsCluster(options: { size: number; replicationFactor?: number }): Promise<NetnsCluster> {
  const tag = String(process.pid % 10000);
  const subnet = `10.213.${(process.pid % 200) + 20}`;
  const bridge = `rkvb${tag}`;
  const root = mkdtempSync(path.join(os.tmpdir(), "ringkv-netns-"));
  const ids = Array.from({ length: options.size }, (_, i) => `n${i + 1}`);
  const addresses = ids.map((_, i) => `${subnet}.${i + 1}:50051`);
  const members = ids.map((id, i) => `${id}=${addresses[i]}`).join(",");
  const children: ChildProcess[] = [];
  const outputs: string[][] = ids.map(() => []);

  const cleanup = () => {
    for (const [i] of ids.entries()) {
      try { ip("netns", "del", `rkv${tag}n${i + 1}`); } catch { /* already gone */ }
      try { ip("link", "del", `rkv${tag}h${i + 1}`); } catch { /* already gone */ }
    }
    try { ip("link", "del", bridge); } catch { /* already gone */ }
  };
  cleanup();
  ip("link", "add", bridge, "type", "bridge");
  ip("addr", "add", `${subnet}.254/24`, "dev", bridge);
  ip("link", "set", bridge, "up");
  for (const [i] of ids.entries()) {
    const ns = `rkv${tag}n${i + 1}`;
    const host = `rkv${tag}h${i + 1}`;
    const inner = `rkv${tag}c${i + 1}`;
    ip("netns", "add", ns);
    ip("link", "add", host, "type", "veth", "peer", "name", inner);
    ip("link", "set", inner, "netns", ns);
    ip("link", "set", host, "master", bridge);
    ip("link", "set", host, "up");
    ip("netns", "exec", ns, "ip", "addr", "add", `${subnet}.${i + 1}/24`, "dev", inner);
    ip("netns", "exec", ns, "ip", "link", "set", inner, "up");
    ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
  }

  const nodes: NetnsNode[] = ids.map((id, i) => {
    const child = spawn("ip", [
      "netns", "exec", `rkv${tag}n${i + 1}`, process.execPath, cliPath, "serve",
      "--node-id", id, "--host", `${subnet}.${i + 1}`, "--port", "50051", "--members", members,
      "--storage", "lmdb", "--data-dir", path.join(root, id), "--replication-factor", String(options.replicationFactor ?? 3),
      "--log-level", "warn",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    const keep = (d: Buffer) => {
      outputs[i]!.push(d.toString());
      if (outputs[i]!.length > 200) outputs[i]!.shift();
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    return {
      id,
      address: addresses[i]!,
      url: `http://${addresses[i]}`,
      partition: () => ip("link", "set", `rkv${tag}h${i + 1}`, "down"),
      heal: () => ip("link", "set", `rkv${tag}h${i + 1}`, "up"),
      logs: () => outputs[i]!.join(""),
    };
  });

  const stop = async () => {
    await Promise.all(
      children.map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once("exit", () => resolve());
        c.kill("SIGKILL");
      })),
    );
    cleanup();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => waitReady(n.url, 20_000, n.logs)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, stop };
}
