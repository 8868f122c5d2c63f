/**
 * What a linearizability test records: one entry per client call on one key, with the interval
 * during which the call was outstanding and what the client saw. The checker (check.ts) only
 * trusts these client-side observations, never the servers' own logs, so a bug anywhere between
 * the client library and the disk shows up as a history that has no valid ordering.
 *
 * Give every write a unique value (say `${client}-${sequence}`): then a read names the write it
 * saw, which makes the check both sharper and much faster, above all with unknown outcomes.
 */

/** One client operation on one key. */
export type RegisterOp =
  | { type: "get" }
  | { type: "put"; value: string; expectedVersion?: bigint }
  | { type: "delete"; expectedVersion?: bigint };

/**
 * What the client saw. "unknown" = timed out / unavailable: it may or may not have taken effect
 * (at any point after invocation).
 */
export type RegisterResult =
  | { type: "get"; found: boolean; value?: string; version: bigint }
  | { type: "put"; version: bigint }
  | { type: "delete"; found: boolean }
  | { type: "cas-failed"; currentVersion: bigint }
  | { type: "unknown" };

export interface HistoryEntry {
  client: string;
  key: string;
  op: RegisterOp;
  result: RegisterResult;
  /** Monotonic time (ms, may be fractional) when the call started. */
  invokedAt: number;
  /** When it returned; for "unknown" results the checker treats it as +Infinity. */
  returnedAt: number;
}

/** Options of {@link createHistoryRecorder}. */
export interface HistoryRecorderOptions {
  /**
   * Monotonic clock in ms (default `performance.now()`). A simulated network passes its virtual
   * clock here so that invocation/return times follow simulated time, not wall time.
   */
  now?: () => number;
}

/** Collects {@link HistoryEntry} values while a test runs; see {@link createHistoryRecorder}. */
export interface HistoryRecorder {
  /**
   * Notes that `client` invokes `op` on `key` now, and returns the function to call with what
   * the client saw once the call returns. Call the returned function at most once.
   */
  record(client: string, key: string, op: RegisterOp): (result: RegisterResult) => void;
  /**
   * Every recorded operation in invocation order. Calls that have not returned yet appear as
   * "unknown" with `returnedAt = +Infinity`: a client that crashed or was abandoned mid-call may
   * still have had its effect applied, so it must not be dropped from the history.
   */
  entries(): HistoryEntry[];
}

/** Creates a recorder; `record()` stamps the invocation, the returned callback the return. */
export function createHistoryRecorder(options: HistoryRecorderOptions = {}): HistoryRecorder {
  const now = options.now ?? (() => performance.now());
  const recorded: HistoryEntry[] = [];
  const pending = new Set<HistoryEntry>();

  return {
    record(client, key, op) {
      const entry: HistoryEntry = {
        client, key, op, result: { type: "unknown" }, invokedAt: now(), returnedAt: Number.POSITIVE_INFINITY,
      };
      recorded.push(entry);
      pending.add(entry);
      return (result) => {
        if (!pending.delete(entry)) {
          throw new Error(`history: result recorded twice for ${formatEntry(entry)}`);
        }
        entry.returnedAt = now();
        entry.result = result;
      };
    },
    entries() {
      return recorded.map((e) => ({ ...e })).sort((a, b) => a.invokedAt - b.invokedAt);
    },
  };
}

/** `put("a", if v3)`, `delete()`, `get()`. */
export function formatOp(op: RegisterOp): string {
  const cas = "expectedVersion" in op && op.expectedVersion !== undefined ? `if v${op.expectedVersion}` : "";
  switch (op.type) {
    case "get":
      return "get()";
    case "put":
      return `put(${JSON.stringify(op.value)}${cas ? `, ${cas}` : ""})`;
    case "delete":
      return `delete(${cas})`;
  }
}

/** `found "a" v3`, `not found v0`, `ok v4`, `cas-failed (current v2)`, `unknown`. */
export function formatResult(result: RegisterResult): string {
  switch (result.type) {
    case "get":
      return result.found ? `found ${JSON.stringify(result.value)} v${result.version}` : `not found v${result.version}`;
    case "put":
      return `ok v${result.version}`;
    case "delete":
      return result.found ? "deleted" : "not found";
    case "cas-failed":
      return `cas-failed (current v${result.currentVersion})`;
    case "unknown":
      return "unknown";
  }
}

/** One line: `[12.000, 15.500] c1 "k" put("a") -> ok v1`; times relative to `origin`. */
export function formatEntry(entry: HistoryEntry, origin = 0): string {
  const end = entry.result.type === "unknown" || !Number.isFinite(entry.returnedAt)
    ? "inf"
    : (entry.returnedAt - origin).toFixed(3);
  return `[${(entry.invokedAt - origin).toFixed(3)}, ${end}] ${entry.client} ${JSON.stringify(entry.key)} `
    + `${formatOp(entry.op)} -> ${formatResult(entry.result)}`;
}

/**
 * The history as text, one operation a line in invocation order, times in ms relative to the
 * first invocation: meant for assertion messages, so a failing test shows what happened.
 */
export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return "(empty history)";
  const sorted = [...entries].sort((a, b) => a.invokedAt - b.invokedAt);
  const origin = sorted[0]!.invokedAt;
  return sorted.map((e) => formatEntry(e, origin)).join("\n");
}
