import { formatHistory, type HistoryEntry } from "../linearizability/index.js";

/**
 * Linearizability of a value-only register (put, delete, get; no versions, no CAS), for the
 * runs that garbage-collect tombstones. A collected key is indistinguishable from a
 * never-written one, so its version restarts and the versioned checker's model (versions keep
 * counting across deletes) no longer applies; what must still hold is that values behave like
 * one register: a collection never resurrects an older value and never loses a newer one.
 *
 * Plain Wing–Gong search with memoization on (placed set, value); unknown operations may be
 * left out. Only for the small per-key histories of a simulation run.
 */
export type ValueVerdict = { ok: true } | { ok: false; key: string; reason: string };

/** Checks every key of `entries` independently (linearizability is compositional). */
export function checkValueHistory(entries: readonly HistoryEntry[]): ValueVerdict {
  const byKey = new Map<string, HistoryEntry[]>();
  for (const e of entries) {
    if (e.op.type === "get" && e.result.type === "unknown") continue;
    if (e.op.type === "put" && e.op.expectedVersion !== undefined) throw new Error("value check: no CAS");
    if (e.op.type === "delete" && e.op.expectedVersion !== undefined) throw new Error("value check: no CAS");
    let list = byKey.get(e.key);
    if (list === undefined) byKey.set(e.key, (list = []));
    list.push(e);
  }
  for (const [key, list] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!searchKey(list)) {
      return { ok: false, key, reason: `key ${JSON.stringify(key)} has no linearization as a value register:\n${formatHistory(list)}` };
    }
  }
  return { ok: true };
}

type Value = string | null;

function step(state: Value, e: HistoryEntry): Value | undefined {
  const known = e.result.type !== "unknown";
  switch (e.op.type) {
    case "get":
      if (e.result.type !== "get") return undefined;
      if (e.result.found !== (state !== null)) return undefined;
      return e.result.found && e.result.value !== state ? undefined : state;
    case "put":
      if (known && e.result.type !== "put") return undefined;
      return e.op.value;
    case "delete":
      if (known && (e.result.type !== "delete" || e.result.found !== (state !== null))) return undefined;
      return null;
  }
}

function searchKey(ops: readonly HistoryEntry[]): boolean {
  const n = ops.length;
  if (n > 200) throw new Error(`value check: ${n} operations on one key is too many for this search`);
  const returnAt = ops.map((e) => (e.result.type === "unknown" ? Infinity : e.returnedAt));
  const completedMask = ops.reduce((m, e, i) => (e.result.type === "unknown" ? m : m | (1n << BigInt(i))), 0n);
  const seen = new Set<string>();

  function dfs(done: bigint, state: Value): boolean {
    if ((done & completedMask) === completedMask) return true;
    const memo = `${done.toString(36)}:${state === null ? "\u0000" : state}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    let horizon = Infinity;
    for (let i = 0; i < n; i++) if (!(done & (1n << BigInt(i))) && returnAt[i]! < horizon) horizon = returnAt[i]!;
    for (let i = 0; i < n; i++) {
      const bit = 1n << BigInt(i);
      if (done & bit || ops[i]!.invokedAt > horizon) continue;
      const next = step(state, ops[i]!);
      if (next !== undefined && dfs(done | bit, next)) return true;
    }
    return false;
  }
  return dfs(0n, null);
}
