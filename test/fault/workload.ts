import { createHistoryRecorder, type HistoryEntry, type RegisterOp, type RegisterResult } from "../linearizability/index.js";
import { KvCallError, type KvTestClient } from "../harness/kv-clients.js";
import { createPrng } from "../simulation/prng.js";

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  /** One client per entry; each issues one operation at a time. */
  clients: KvTestClient[];
  keys: string[];
  /** Stop issuing new operations after this long. */
  durationMs: number;
  /** Per-operation deadline. */
  timeoutMs: number;
  /** Deterministic choice of operations. */
  seed: number;
}

/** What a workload did. */
export interface WorkloadResult {
  history: HistoryEntry[];
  /** Operations that ended in an error other than a CAS mismatch, with their messages. */
  failures: string[];
  counts: Record<string, number>;
}

/**
 * Concurrent clients doing get, put, delete and compare-and-set on a few hot keys for a bounded
 * time, every operation recorded for the linearizability checker. Every written value is unique
 * (client and sequence number), which keeps the checker's search small.
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const recorder = createHistoryRecorder();
  const failures: string[] = [];
  const counts: Record<string, number> = { ok: 0, casFailed: 0, failed: 0 };
  const until = Date.now() + options.durationMs;
  await Promise.all(
    options.clients.map(async (client, c) => {
      const random = createPrng(options.seed * 1000 + c).next;
      const lastVersion = new Map<string, bigint>();
      let seq = 0;
      while (Date.now() < until) {
        const key = options.keys[Math.floor(random() * options.keys.length)]!;
        const roll = random();
        const value = `c${c}-${seq++}`;
        let op: RegisterOp;
        if (roll < 0.4) op = { type: "get" };
        else if (roll < 0.7) op = { type: "put", value };
        else if (roll < 0.8) op = { type: "delete" };
        else if (roll < 0.95) op = { type: "put", value, expectedVersion: lastVersion.get(key) ?? 0n };
        else op = { type: "delete", expectedVersion: lastVersion.get(key) ?? 0n };
        const done = recorder.record(`client-${c}`, key, op);
        let result: RegisterResult;
        try {
          result = await apply(client, key, op, options.timeoutMs);
          if (result.type === "get") lastVersion.set(key, result.version);
          if (result.type === "put") lastVersion.set(key, result.version);
          if (result.type === "cas-failed") lastVersion.set(key, result.currentVersion);
          counts[result.type === "cas-failed" ? "casFailed" : "ok"]!++;
        } catch (err) {
          result = { type: "unknown" };
          counts.failed!++;
          failures.push(`${client.protocol} ${op.type} ${key}: ${(err as Error).message}`);
        }
        done(result);
      }
    }),
  );
  return { history: recorder.entries(), failures, counts };
}

async function apply(client: KvTestClient, key: string, op: RegisterOp, timeoutMs: number): Promise<RegisterResult> {
  try {
    switch (op.type) {
      case "get": {
        const res = await client.get({ key }, { timeoutMs });
        return res.found ? { type: "get", found: true, value: res.value, version: res.version } : { type: "get", found: false, version: res.version };
      }
      case "put": {
        const res = await client.put({ key, value: op.value, ...(op.expectedVersion !== undefined ? { expectedVersion: op.expectedVersion } : {}) }, { timeoutMs });
        return { type: "put", version: res.version };
      }
      case "delete": {
        const res = await client.delete({ key, ...(op.expectedVersion !== undefined ? { expectedVersion: op.expectedVersion } : {}) }, { timeoutMs });
        return { type: "delete", found: res.found };
      }
    }
  } catch (err) {
    if (err instanceof KvCallError && err.code === "failed_precondition" && err.metadata["ringkv-current-version"] !== undefined) {
      return { type: "cas-failed", currentVersion: BigInt(err.metadata["ringkv-current-version"]) };
    }
    throw err;
  }
}
