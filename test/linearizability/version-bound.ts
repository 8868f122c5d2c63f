import type { HistoryEntry } from "./history.js";

/**
 * An upper bound on the register's version counter, from the completed operations not placed
 * yet. The counter never goes down, so while an operation that reveals the counter it ran
 * against is still to be placed (a put that returned v ran against v - 1, a read that found v
 * ran against v), the counter cannot already be past that. A configuration whose counter is past
 * the bound is dead, whatever the other operations do.
 *
 * The search needs this to stay polynomial with "unknown" operations: without it, every dead
 * end tries every chain of unknown writes, each chain being a new configuration for the memo.
 * With it, unknown writes fit only in the version gaps the completed operations show.
 *
 * A min segment tree over the completed operations: remove/restore in O(log n), bound in O(1).
 */
export class VersionBound {
  private readonly size: number;
  private readonly tree: Float64Array;
  private readonly revealed: Float64Array;

  /** `ops[i]` for i < count are the completed operations, indexed as in the search. */
  constructor(ops: readonly HistoryEntry[], count: number) {
    let size = 1;
    while (size < count) size *= 2;
    this.size = size;
    this.tree = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
    this.revealed = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      this.revealed[i] = asBound(revealedCounter(ops[i]!));
      this.tree[size + i] = this.revealed[i]!;
    }
    for (let node = size - 1; node >= 1; node--) {
      this.tree[node] = Math.min(this.tree[2 * node]!, this.tree[2 * node + 1]!);
    }
  }

  /** The highest counter allowed while the operations not removed are still to be placed. */
  get max(): number {
    return this.tree[1]!;
  }

  /** The operation that sets {@link max}, or -1 when nothing bounds the counter. */
  get boundingOp(): number {
    if (this.tree[1] === Number.POSITIVE_INFINITY) return -1;
    let node = 1;
    while (node < this.size) node = this.tree[2 * node]! <= this.tree[2 * node + 1]! ? 2 * node : 2 * node + 1;
    return node - this.size;
  }

  /** Operation `i` was placed: it no longer bounds anything. */
  remove(i: number): void {
    this.update(i, Number.POSITIVE_INFINITY);
  }

  /** Operation `i` was taken back. */
  restore(i: number): void {
    this.update(i, this.revealed[i]!);
  }

  private update(i: number, value: number): void {
    let node = this.size + i;
    this.tree[node] = value;
    for (node >>= 1; node >= 1; node >>= 1) {
      this.tree[node] = Math.min(this.tree[2 * node]!, this.tree[2 * node + 1]!);
    }
  }
}

/**
 * The bound as a number, for speed; a version past 2^53 (never seen in practice) bounds nothing
 * rather than a rounded value.
 */
function asBound(counter: bigint | undefined): number {
  return counter !== undefined && counter <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(counter) : Number.POSITIVE_INFINITY;
}

/**
 * The version counter a completed operation shows it ran against, or undefined when it shows
 * none (misses, deletes, a cas-failed against an absent key).
 */
export function revealedCounter(entry: HistoryEntry): bigint | undefined {
  const r = entry.result;
  switch (r.type) {
    case "get":
      return r.found ? r.version : undefined;
    case "put":
      return r.version - 1n;
    case "cas-failed":
      return r.currentVersion > 0n ? r.currentVersion : undefined;
    case "delete":
      return entry.op.type === "delete" && entry.op.expectedVersion !== undefined && entry.op.expectedVersion > 0n && r.found
        ? entry.op.expectedVersion
        : undefined;
    case "unknown":
      return undefined;
  }
}
