import { readFileSync } from "node:fs";
import path from "node:path";

/** A member of the static cluster: a stable id and the address peers and clients dial. */
export interface MemberConfig {
  id: string;
  /** host:port */
  address: string;
}

/** Everything a node needs, validated. Defaults live in {@link defaultConfig}. */
export interface NodeConfig {
  /** This node's stable id, e.g. "n1" (letters, digits, '-', '_'). */
  nodeId: string;
  /** Host to bind (default 127.0.0.1). */
  host: string;
  /** Port to bind; 0 picks a free one (then the member list must not name this node's port). */
  port: number;
  /** Every member including this node. A single-node cluster when empty. */
  members: MemberConfig[];
  /** Replicas per key (default 3, capped at the member count). */
  replicationFactor: number;
  storage: "lmdb" | "memory";
  /** Directory for lmdb (default ./data/<nodeId>). */
  dataDir: string;
  /** Largest value accepted, in bytes (default 1 MiB). */
  maxValueBytes: number;
  /** Deadline applied to requests that carry none, in ms (default 10 000). */
  defaultTimeoutMs: number;
  /** Longer deadlines are cut to this, in ms (default 60 000); tombstone GC relies on it. */
  maxTimeoutMs: number;
  /** Tombstones older than this are garbage-collected, in ms (default 1 day; > 2 x maxTimeoutMs). */
  tombstoneGcAgeMs: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** PEM files for TLS on the same port (ALPN h2 + http/1.1); plaintext when unset. */
  tlsCert?: string;
  tlsKey?: string;
  /** Close HTTP/1.1 keep-alive and HTTP/2 sessions idle this long, in ms (default 60 000). */
  idleTimeoutMs: number;
  /** Serve the inspector from this directory (default: the built web/dist, when present). */
  webDir?: string;
  /** Extra origins allowed to call the API from a browser (the inspector's dev server). */
  corsOrigins: string[];
  /**
   * Serve unary gRPC calls on the lean path (net/lean-grpc-server.ts) and call peers with the
   * lean client (net/lean-grpc-client.ts) instead of Connect's generic pipeline (default true).
   * Behaviour is the same either way; off is for comparison and as an escape hatch.
   */
  leanGrpc: boolean;
}

/** Thrown for invalid configuration; the CLI prints the message and exits with code 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const defaultConfig = {
  host: "127.0.0.1",
  port: 50051,
  replicationFactor: 3,
  storage: "lmdb",
  maxValueBytes: 1024 * 1024,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 60_000,
  tombstoneGcAgeMs: 86_400_000,
  logLevel: "info",
  idleTimeoutMs: 60_000,
  corsOrigins: [] as string[],
  leanGrpc: true,
} as const;

/** Raw settings as they come from flags, env or a file: strings or already-typed values. */
export type RawConfig = Partial<Record<keyof NodeConfig | "config", unknown>>;

const envNames: Record<string, keyof NodeConfig> = {
  RINGKV_NODE_ID: "nodeId",
  RINGKV_HOST: "host",
  RINGKV_PORT: "port",
  RINGKV_MEMBERS: "members",
  RINGKV_REPLICATION_FACTOR: "replicationFactor",
  RINGKV_STORAGE: "storage",
  RINGKV_DATA_DIR: "dataDir",
  RINGKV_MAX_VALUE_BYTES: "maxValueBytes",
  RINGKV_DEFAULT_TIMEOUT_MS: "defaultTimeoutMs",
  RINGKV_MAX_TIMEOUT_MS: "maxTimeoutMs",
  RINGKV_TOMBSTONE_GC_AGE_MS: "tombstoneGcAgeMs",
  RINGKV_LOG_LEVEL: "logLevel",
  RINGKV_TLS_CERT: "tlsCert",
  RINGKV_TLS_KEY: "tlsKey",
  RINGKV_IDLE_TIMEOUT_MS: "idleTimeoutMs",
  RINGKV_WEB_DIR: "webDir",
  RINGKV_CORS_ORIGINS: "corsOrigins",
  RINGKV_LEAN_GRPC: "leanGrpc",
};

/** Settings from RINGKV_* environment variables. */
export function configFromEnv(env: NodeJS.ProcessEnv): RawConfig {
  const out: RawConfig = {};
  for (const [name, field] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== "") out[field] = value;
  }
  return out;
}

/** Settings from a JSON config file (same field names as NodeConfig). */
export function configFromFile(file: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("expected a JSON object");
    return parsed as RawConfig;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid: ${(err as Error).message}`);
  }
}

/**
 * Merges sources (later ones win: file < env < flags) and validates the result, with one clear
 * message per problem.
 */
export function resolveConfig(...sources: RawConfig[]): NodeConfig {
  const raw: RawConfig = Object.assign({}, ...sources);
  const problems: string[] = [];
  const nodeId = str(raw.nodeId, "");
  if (nodeId === "") problems.push("node id is required (--node-id or RINGKV_NODE_ID), e.g. --node-id n1");
  else if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) problems.push(`node id "${nodeId}" may only contain letters, digits, '-' and '_' (at most 64)`);

  const port = int(raw.port, defaultConfig.port, "port", problems, 0, 65535);
  const host = str(raw.host, defaultConfig.host);
  let members: MemberConfig[] = [];
  try {
    members = parseMembers(raw.members);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (members.length === 0 && nodeId !== "") members = [{ id: nodeId, address: `${host}:${port}` }];
  if (nodeId !== "" && members.length > 0 && !members.some((m) => m.id === nodeId)) {
    problems.push(`--members does not include this node's id "${nodeId}" (members: ${members.map((m) => m.id).join(", ")})`);
  }
  const replicationFactor = int(raw.replicationFactor, defaultConfig.replicationFactor, "replication factor", problems, 1, 7);
  const storage = str(raw.storage, defaultConfig.storage);
  if (storage !== "lmdb" && storage !== "memory") problems.push(`storage must be "lmdb" or "memory", not "${storage}"`);
  const logLevel = str(raw.logLevel, defaultConfig.logLevel);
  const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
  if (!levels.includes(logLevel)) problems.push(`log level must be one of ${levels.join(", ")}, not "${logLevel}"`);
  const tlsCert = optStr(raw.tlsCert);
  const tlsKey = optStr(raw.tlsKey);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) problems.push("TLS needs both --tls-cert and --tls-key");
  const corsOrigins = list(raw.corsOrigins);
  const config: NodeConfig = {
    nodeId,
    host,
    port,
    members,
    replicationFactor,
    storage: storage as NodeConfig["storage"],
    dataDir: path.resolve(str(raw.dataDir, path.join("data", nodeId || "node"))),
    maxValueBytes: int(raw.maxValueBytes, defaultConfig.maxValueBytes, "max value bytes", problems, 1, 64 * 1024 * 1024),
    defaultTimeoutMs: int(raw.defaultTimeoutMs, defaultConfig.defaultTimeoutMs, "default timeout", problems, 1, 3_600_000),
    maxTimeoutMs: int(raw.maxTimeoutMs, defaultConfig.maxTimeoutMs, "max timeout", problems, 100, 3_600_000),
    tombstoneGcAgeMs: int(raw.tombstoneGcAgeMs, defaultConfig.tombstoneGcAgeMs, "tombstone GC age", problems, 1000, 365 * 86_400_000),
    logLevel: logLevel as NodeConfig["logLevel"],
    idleTimeoutMs: int(raw.idleTimeoutMs, defaultConfig.idleTimeoutMs, "idle timeout", problems, 1000, 3_600_000),
    corsOrigins,
    leanGrpc: bool(raw.leanGrpc, defaultConfig.leanGrpc, "lean gRPC", problems),
    ...(tlsCert !== undefined ? { tlsCert } : {}),
    ...(tlsKey !== undefined ? { tlsKey } : {}),
    ...(optStr(raw.webDir) !== undefined ? { webDir: path.resolve(optStr(raw.webDir)!) } : {}),
  };
  if (config.tombstoneGcAgeMs <= 2 * config.maxTimeoutMs) {
    problems.push(`tombstone GC age (${config.tombstoneGcAgeMs} ms) must be more than twice the max timeout (${config.maxTimeoutMs} ms), or a slow delete could see its own tombstone collected`);
  }
  if (config.defaultTimeoutMs > config.maxTimeoutMs) problems.push(`default timeout (${config.defaultTimeoutMs} ms) is above the max timeout (${config.maxTimeoutMs} ms)`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return config;
}

/**
 * Parses a member list: "n1=127.0.0.1:50051,n2=127.0.0.1:50052" or an array of
 * {id, address}. Ids and addresses must be unique.
 */
export function parseMembers(value: unknown): MemberConfig[] {
  if (value === undefined || value === null || value === "") return [];
  let members: MemberConfig[];
  if (Array.isArray(value)) {
    members = value.map((m: unknown) => {
      const { id, address } = (m ?? {}) as { id?: unknown; address?: unknown };
      if (typeof id !== "string" || typeof address !== "string") throw new Error(`member ${JSON.stringify(m)} needs string "id" and "address"`);
      return { id, address };
    });
  } else if (typeof value === "string") {
    members = value.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
      const eq = part.indexOf("=");
      if (eq <= 0) throw new Error(`member "${part}" must look like id=host:port, e.g. n1=127.0.0.1:50051`);
      return { id: part.slice(0, eq), address: part.slice(eq + 1) };
    });
  } else {
    throw new Error("members must be a list like n1=127.0.0.1:50051,n2=127.0.0.1:50052");
  }
  const ids = new Set<string>();
  const addresses = new Set<string>();
  for (const { id, address } of members) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`member id "${id}" may only contain letters, digits, '-' and '_'`);
    if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address)) throw new Error(`member ${id} address "${address}" must be host:port`);
    if (ids.has(id)) throw new Error(`member id "${id}" appears twice`);
    if (addresses.has(address)) throw new Error(`address ${address} appears twice`);
    ids.add(id);
    addresses.add(address);
  }
  return members;
}

function str(value: unknown, fallback: string): string {
  return value === undefined || value === null || value === "" ? fallback : String(value);
}

function optStr(value: unknown): string | undefined {
  return value === undefined || value === null || value === "" ? undefined : String(value);
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter(Boolean);
  return [];
}

function bool(value: unknown, fallback: boolean, name: string, problems: string[]): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(text)) return true;
  if (["0", "false", "no", "off"].includes(text)) return false;
  problems.push(`${name} must be true or false (1/0, on/off), not "${String(value)}"`);
  return fallback;
}

function int(value: unknown, fallback: number, name: string, problems: string[], min: number, max: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, not "${String(value)}"`);
    return fallback;
  }
  return n;
}
