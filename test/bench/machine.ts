import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./paths.js";
import { pinning } from "./pin.js";

/** The machine and software a run was measured on: a figure without these is meaningless. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  h2load: string;
  packages: Record<string, string>;
  /** The code measured: commit, uncommitted server changes, and when server/dist was built. */
  revision?: string;
  pinned: string;
  /** 1-minute load average at start and end: how busy the machine was with other work. */
  loadAverage: { start: number; end?: number };
}

const packages = ["@connectrpc/connect", "@connectrpc/connect-node", "@connectrpc/connect-fastify", "fastify", "lmdb", "@bufbuild/protobuf", "hashring"];

/** Collects {@link MachineInfo}; package versions are those installed for the server. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osName()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    h2load: tryRun("h2load", ["--version"]),
    packages: Object.fromEntries(packages.map((p) => [p, installedVersion(p)])),
    revision: revision(),
    pinned: pinning.enabled ? `servers on core ${pinning.serverCore}, drivers on core ${pinning.driverCore} (taskset)` : "not pinned (no taskset or one core)",
    loadAverage: { start: os.loadavg()[0]! },
  };
}

function osName(): string {
  try {
    return /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

function revision(): string {
  const commit = tryRun("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"]);
  const dirty = tryRun("git", ["-C", repoRoot, "status", "--porcelain", "--", "server/src"]).split("\n").filter(Boolean).length;
  return `${commit}${dirty ? ` + ${dirty} uncommitted file(s) in server/src` : ""}; server/dist built ${serverBuildTime()}`;
}

/**
 * When server/dist was last built (its newest .js file: `tsc -b` rewrites only what changed):
 * what the nodes actually run, whatever git says.
 */
export function serverBuildTime(): string {
  const dist = path.join(repoRoot, "server/dist");
  if (!existsSync(dist)) return "not built";
  let newest = 0;
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".js")) newest = Math.max(newest, statSync(path.join(entry.parentPath ?? (entry as { path?: string }).path ?? dist, entry.name)).mtimeMs);
  }
  return newest === 0 ? "not built" : new Date(newest).toISOString();
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "not installed";
  }
}

function installedVersion(name: string): string {
  for (const base of ["server", "test", "."]) {
    const file = path.join(repoRoot, base, "node_modules", name, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(realpathSync(file), "utf8")) as { version: string }).version;
  }
  return "not installed";
}
