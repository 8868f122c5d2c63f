import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import type { Command } from "commander";
import { exitCodes } from "./exit-codes.js";

interface DevFlags {
  nodes: string;
  basePort: string;
  host: string;
  storage: string;
  dataDir: string;
  replicationFactor: string;
  logLevel: string;
  rawLogs?: boolean;
}

/**
 * `ringkv dev`: a local cluster (n1..nN on consecutive ports, data under ./data/<node>) as child
 * processes of this one, each a real `ringkv serve`. Prints where to point clients; Ctrl-C stops
 * every node cleanly. Data persists between runs.
 */
export function addDevCommand(program: Command): void {
  program
    .command("dev")
    .description("run a local cluster (default: 3 nodes on 127.0.0.1:50051-50053) with the inspector")
    .option("--nodes <n>", "number of nodes", "3")
    .option("--base-port <port>", "port of n1; n2 gets the next one, and so on", "50051")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--storage <engine>", "lmdb or memory", "lmdb")
    .option("--data-dir <dir>", "parent directory of each node's data", "data")
    .option("--replication-factor <n>", "replicas per key", "3")
    .option("--log-level <level>", "log level of the nodes", "info")
    .option("--raw-logs", "print the nodes' JSON log lines unchanged")
    .action(async (flags: DevFlags) => {
      const count = Number(flags.nodes);
      const basePort = Number(flags.basePort);
      if (!Number.isInteger(count) || count < 1 || count > 20) {
        process.stderr.write("ringkv dev: --nodes must be a whole number from 1 to 20\n");
        process.exit(exitCodes.usage);
      }
      const members = Array.from({ length: count }, (_, i) => ({ id: `n${i + 1}`, address: `${flags.host}:${basePort + i}` }));
      const memberList = members.map((m) => `${m.id}=${m.address}`).join(",");
      const children: ChildProcess[] = [];
      for (const [i, m] of members.entries()) {
        const child = spawn(process.execPath, [
          process.argv[1]!, "serve",
          "--node-id", m.id, "--host", flags.host, "--port", String(basePort + i), "--members", memberList,
          "--storage", flags.storage, "--data-dir", path.join(flags.dataDir, m.id),
          "--replication-factor", flags.replicationFactor, "--log-level", flags.logLevel,
        ], { stdio: ["ignore", "pipe", "pipe"] });
        children.push(child);
        relay(child, m.id, flags.rawLogs === true);
        child.on("exit", (code, signal) => {
          if (!stopping) process.stderr.write(`[${m.id}] exited (${signal ?? `code ${code}`})\n`);
        });
      }
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        process.stderr.write("\nstopping the cluster...\n");
        for (const child of children) child.kill("SIGTERM");
        Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.on("exit", resolve))))).then(() => {
          process.stderr.write("all nodes stopped.\n");
          process.exit(exitCodes.ok);
        }, () => process.exit(exitCodes.failure));
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      await waitReady(members.map((m) => m.address));
      if (!stopping) printBanner(members);
    });
}

/** Shows each node's log lines prefixed with its id, as "level message" unless raw is asked. */
function relay(child: ChildProcess, id: string, raw: boolean): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (raw) return void process.stdout.write(`[${id}] ${line}\n`);
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        const level = ({ 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" } as Record<number, string>)[entry.level ?? 30] ?? "info";
        process.stdout.write(`[${id}] ${level.padEnd(5)} ${entry.msg ?? line}\n`);
      } catch {
        process.stdout.write(`[${id}] ${line}\n`);
      }
    });
  }
}

async function waitReady(addresses: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const address of addresses) {
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`http://${address}/readyz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function printBanner(members: Array<{ id: string; address: string }>): void {
  const first = members[0]!.address;
  const lines = [
    "",
    `ringkv: ${members.length}-node cluster is up`,
    ...members.map((m) => `  ${m.id}  http://${m.address}/   (gRPC, Connect, gRPC-Web on one port)`),
    "",
    `inspector:  http://${first}/`,
    "try:",
    `  grpcurl -plaintext -d '{"key":"mykey","value":"myvalue"}' ${first} kvstore.KeyValueService/Put`,
    `  grpcurl -plaintext -d '{"key":"mykey"}' ${first} kvstore.KeyValueService/Get`,
    `  curl -d '{"key":"mykey"}' http://${first}/kvstore.KeyValueService/Get`,
    `  node server/dist/cli/main.js get mykey --addr ${members[members.length - 1]!.address}`,
    `  node server/dist/cli/main.js locate mykey`,
    "Ctrl-C stops every node; data stays under ./data for the next run.",
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}
