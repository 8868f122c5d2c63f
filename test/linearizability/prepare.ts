import { formatEntry, type HistoryEntry, type RegisterOp } from "./history.js";

/**
 * One key's operations, arranged for the search (search.ts) and stripped of distinctions that
 * cannot matter, so that the search does not explore them. Unknown operations make the search
 * exponential when treated naively (each is a candidate at every step after its invocation), and
 * most of what is here exists to keep them in check.
 */
export interface PreparedKey {
  /** Completed operations (0..completed-1), then unknown ones, each group in invocation order. */
  ops: HistoryEntry[];
  completed: number;
  /** `ops[i].op` with unread values replaced by {@link PreparedKey.unread}: what the model runs. */
  models: RegisterOp[];
  /**
   * The placeholder for written values that no completed read returned. Such values can never be
   * told apart from each other (the model compares values only against what reads returned), so
   * merging them loses nothing. With unique values per write, which tests should use, it makes
   * all unread unknown puts interchangeable.
   */
  unread: string;
  /**
   * Unknown operations that are the same operation once canonical (type, value, expected
   * version) are interchangeable once both are invoked, so the search places them only in
   * invocation order: op i may be placed only when `rank[i]` members of `classOf[i]` are placed.
   */
  classOf: Int32Array;
  rank: Int32Array;
  classes: number;
  /**
   * For an unknown put whose value no other put writes and that a completed read saw with
   * version v: v. That put can only be the write that created v, so it may be placed only there.
   */
  pinned: (bigint | undefined)[];
}

/**
 * Prepares the operations of one key, or explains why they cannot be linearizable without
 * searching: a read of a value that no put wrote (cheap to spot, and worth a clear message).
 * `entries` must all belong to one key, without unknown gets.
 */
export function prepareKey(entries: readonly HistoryEntry[]): PreparedKey | { reason: string } {
  // Value -> version a completed read saw it with; value -> number of puts writing it.
  const read = new Map<string, bigint>();
  const writers = new Map<string, number>();
  for (const e of entries) {
    if (e.op.type === "put") writers.set(e.op.value, (writers.get(e.op.value) ?? 0) + 1);
  }
  for (const e of entries) {
    if (e.result.type !== "get" || !e.result.found) continue;
    if (e.result.value === undefined || !writers.has(e.result.value)) {
      return { reason: `a read returned a value that no put on this key wrote:\n  ${formatEntry(e, earliest(entries))}` };
    }
    read.set(e.result.value, e.result.version);
  }

  let unread = "\u0000unread";
  while (read.has(unread)) unread += "\u0000";

  const byInvocation = (a: HistoryEntry, b: HistoryEntry) => a.invokedAt - b.invokedAt;
  const done = entries.filter((e) => e.result.type !== "unknown").sort(byInvocation);
  const ops = [...done, ...entries.filter((e) => e.result.type === "unknown").sort(byInvocation)];
  const models = ops.map((e) => (e.op.type === "put" && !read.has(e.op.value) ? { ...e.op, value: unread } : e.op));

  const classOf = new Int32Array(ops.length);
  const rank = new Int32Array(ops.length);
  const classIds = new Map<string, number>();
  const sizes: number[] = [];
  for (let i = done.length; i < ops.length; i++) {
    const m = models[i]!;
    const signature = m.type === "get" ? "get" : `${m.type}|${m.expectedVersion ?? "-"}|${m.type === "put" ? m.value : ""}`;
    let c = classIds.get(signature);
    if (c === undefined) classIds.set(signature, (c = classIds.size));
    classOf[i] = c;
    rank[i] = sizes[c] ?? 0;
    sizes[c] = rank[i]! + 1;
  }

  const pinned = ops.map((e, i) =>
    i >= done.length && e.op.type === "put" && writers.get(e.op.value) === 1 ? read.get(e.op.value) : undefined);

  return { ops, completed: done.length, models, unread, classOf, rank, classes: classIds.size, pinned };
}

/** The earliest invocation time (a loop: spreading a huge array into Math.min overflows). */
export function earliest(entries: readonly HistoryEntry[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const e of entries) if (e.invokedAt < min) min = e.invokedAt;
  return min;
}
