import type { HistoryEntry } from "./history.js";
import { searchKey } from "./search.js";

/** Options of {@link checkHistory}. */
export interface CheckOptions {
  /**
   * Budget in ms for the whole call, all keys together (default 10 000). The search is
   * exponential in the worst case; past the budget the verdict is "timeout" rather than a hang.
   */
  timeoutMs?: number;
}

/** Verdict of {@link checkHistory}. */
export type CheckResult =
  | { ok: true; keys: number; operations: number }
  | { ok: false; key: string; reason: string; history: HistoryEntry[] }
  | { ok: "timeout"; key: string };

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Whether `entries` is linearizable for a store of independent per-key registers with versions
 * and compare-and-set (semantics in model.ts).
 *
 * Keys are checked one at a time: linearizability is compositional (Herlihy & Wing), so a history
 * is linearizable exactly when each key's sub-history is, and splitting turns one search over all
 * operations into many small ones. Keys go in sorted order so the verdict is reproducible; the
 * first key that fails (or runs out of time) decides it, with that key's history in invocation
 * order for the report (see formatHistory).
 *
 * Gets whose result is "unknown" are dropped first: a read that may or may not have happened
 * cannot change the state and reports nothing, so it constrains nothing.
 *
 * Cost: histories shaped like those of fault-injection runs (a few thousand operations per key,
 * a handful of concurrent clients, some unknown outcomes) check in tens of milliseconds (see
 * large.test.ts). The search is exponential in the worst case, though, mostly through unknown
 * outcomes that could have filled the same version gap: give every write a unique value, so
 * reads tell writes apart. The memo grows with the work done (about 50 bytes per configuration,
 * up to ~1M configurations a second), so `timeoutMs` bounds memory as well as time.
 *
 * Throws a RangeError for a malformed entry (non-finite invocation time, or a completed
 * operation that returned before it was invoked): that is a bug in the recording, not a verdict.
 */
export function checkHistory(entries: HistoryEntry[], options: CheckOptions = {}): CheckResult {
  const deadline = performance.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const byKey = new Map<string, HistoryEntry[]>();
  for (const entry of entries) {
    validate(entry);
    let list = byKey.get(entry.key);
    if (list === undefined) byKey.set(entry.key, (list = []));
    list.push(entry);
  }

  const keys = [...byKey.keys()].sort();
  for (const key of keys) {
    const all = byKey.get(key)!;
    const relevant = all.filter((e) => !(e.op.type === "get" && e.result.type === "unknown"));
    const verdict = searchKey(relevant, deadline);
    if (verdict.ok === "timeout") return { ok: "timeout", key };
    if (!verdict.ok) {
      return {
        ok: false,
        key,
        reason: `key ${JSON.stringify(key)}: ${verdict.reason}`,
        history: [...all].sort((a, b) => a.invokedAt - b.invokedAt),
      };
    }
  }
  return { ok: true, keys: keys.length, operations: entries.length };
}

function validate(entry: HistoryEntry): void {
  if (!Number.isFinite(entry.invokedAt)) {
    throw new RangeError(`history entry of ${entry.client} on ${JSON.stringify(entry.key)} has invokedAt ${entry.invokedAt}`);
  }
  if (entry.result.type === "unknown") return;
  if (!Number.isFinite(entry.returnedAt) || entry.returnedAt < entry.invokedAt) {
    throw new RangeError(
      `history entry of ${entry.client} on ${JSON.stringify(entry.key)} returned at ${entry.returnedAt}, `
      + `invoked at ${entry.invokedAt}`,
    );
  }
}
