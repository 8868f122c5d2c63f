import { formatEntry, formatResult, type HistoryEntry, type RegisterOp } from "./history.js";
import { ConfigurationCache, OpSet } from "./memo.js";
import { revealedCounter, VersionBound } from "./version-bound.js";
import { apply, formatState, INITIAL_STATE, sameResult, stateKey, step, type RegisterState } from "./model.js";

/** Outcome of checking one key. */
export type KeyVerdict = { ok: true } | { ok: false; reason: string } | { ok: "timeout" };

/** How many search steps run between two looks at the clock. */
const CLOCK_EVERY = 1024;
/** How many operations of the best partial linearization a failure message quotes. */
const TAIL = 8;
const NONE = -1;

/** The deepest dead end of the search, for the failure message. */
interface DeadEnd {
  depth: number;
  /** Index of the pending operation that returned earliest, or NONE. */
  blocker: number;
  state: RegisterState;
  /** Indices of the last operations placed before the dead end. */
  tail: number[];
  /** With the blocker placed, the op still to place that bounds the counter (or NONE). */
  boundedBy: number;
}

/**
 * Whether the operations of one key have a linearization, by the Wing–Gong search with Lowe's
 * memoization, in the linked-list form of Porcupine:
 *
 * - Every completed operation contributes a call event and a return event, kept in one doubly
 *   linked list in time order. At equal times the call comes first, so an operation invoked at
 *   the very instant another returned counts as concurrent with it: the checker is never stricter
 *   than the clock's resolution allows.
 * - Walking the list from the head, every call event met before the first return event is an
 *   operation that may take effect next: no pending operation returned before it was invoked.
 *   The first return event belongs to the pending operation that returned earliest; reaching it
 *   means no candidate fits, so the search backtracks.
 * - Placing an operation unlinks its two events (O(1)) and pushes it on a stack; backtracking
 *   relinks them. A configuration (set of placed operations, state) seen before is skipped.
 *
 * Operations with an "unknown" result are kept apart, because treated naively they make the
 * search exponential: their return is +Infinity, so once invoked they are candidates at every
 * later step, and each one that could fill a version gap is a separate branch.
 *
 * - They never block anyone, and the history is linearizable once every *completed* operation is
 *   placed: unknown operations left over may simply never have happened.
 * - Completed candidates are tried before unknown ones, so an unknown operation is placed only
 *   where nothing else fits, typically right where the versions show an extra write.
 * - Placing one that would not change the state (a failed CAS, a delete of a missing key) is
 *   never tried: leaving it pending keeps every option that placing it has.
 * - Unknown operations that are the same operation (type, value, expected version) are
 *   interchangeable once both are invoked, so they are placed only in invocation order.
 * - A written value that no completed read returned can never be told apart from another such
 *   value, so all of them are replaced by one placeholder before the search. With unique values
 *   per write (what tests should use), this makes all unread unknown puts interchangeable.
 * - An unknown put whose value no other put writes, and that a completed read saw with version
 *   v, can only be the write that created v: it is placed only there.
 * - The version counter never goes down, so it can never pass a version that a completed
 *   operation still to be placed ran against (version-bound.ts). This confines unknown writes
 *   to the version gaps that completed operations show, and prunes early in general.
 *
 * `entries` must all belong to one key; unknown gets must already be dropped (check.ts does).
 */
export function searchKey(entries: readonly HistoryEntry[], deadline: number): KeyVerdict {
  // Value -> version a completed read saw it with; value -> number of puts writing it.
  const read = new Map<string, bigint>();
  const writers = new Map<string, number>();
  for (const e of entries) {
    if (e.result.type === "get" && e.result.found && e.result.value !== undefined) read.set(e.result.value, e.result.version);
    if (e.op.type === "put") writers.set(e.op.value, (writers.get(e.op.value) ?? 0) + 1);
  }
  // Cheap and common enough to deserve its own message: a read of a value nobody wrote.
  for (const e of entries) {
    if (e.result.type === "get" && e.result.found && !writers.has(e.result.value ?? "")) {
      const origin = Math.min(...entries.map((x) => x.invokedAt));
      return { ok: false, reason: `a read returned a value that no put on this key wrote:\n  ${formatEntry(e, origin)}` };
    }
  }
  let unread = "\u0000unread";
  while (read.has(unread)) unread += "\u0000";
  const canonical = (op: RegisterOp): RegisterOp => (op.type === "put" && !read.has(op.value) ? { ...op, value: unread } : op);

  // Completed operations first (0..k-1), then unknown ones (k..n-1), each group by invocation.
  const byInvocation = (a: HistoryEntry, b: HistoryEntry) => a.invokedAt - b.invokedAt;
  const completed = entries.filter((e) => e.result.type !== "unknown").sort(byInvocation);
  const ops = [...completed, ...entries.filter((e) => e.result.type === "unknown").sort(byInvocation)];
  const n = ops.length;
  const k = completed.length;
  if (k === 0) return { ok: true };
  const models = ops.map((e) => canonical(e.op));

  // Interchangeable unknown operations: class id and rank within the class.
  const classOf = new Int32Array(n);
  const rank = new Int32Array(n);
  const classes = new Map<string, number>();
  const members: number[] = [];
  for (let i = k; i < n; i++) {
    const m = models[i]!;
    const sig = `${m.type}|${m.type === "get" ? "" : (m.expectedVersion ?? "-")}|${m.type === "put" ? m.value : ""}`;
    let c = classes.get(sig);
    if (c === undefined) classes.set(sig, (c = classes.size));
    classOf[i] = c;
    rank[i] = members[c] ?? 0;
    members[c] = rank[i]! + 1;
  }
  const placedOfClass = new Int32Array(classes.size);

  // An unknown put whose value has no other writer and was read at version v must be the write
  // that created version v: it may take effect only there.
  const pinned = ops.map((e, i) =>
    i >= k && e.op.type === "put" && writers.get(e.op.value) === 1 ? read.get(e.op.value) : undefined);

  // Event list of completed operations. Event ids: call of op i = 2i, return = 2i + 1; HEAD = 2k.
  const HEAD = 2 * k;
  const next = new Int32Array(2 * k + 1).fill(NONE);
  const prev = new Int32Array(2 * k + 1).fill(NONE);
  const time = (ev: number) => (ev & 1 ? ops[ev >> 1]!.returnedAt : ops[ev >> 1]!.invokedAt);
  const events = Array.from({ length: 2 * k }, (_, ev) => ev)
    .sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  let last = HEAD;
  for (const ev of events) {
    next[last] = ev;
    prev[ev] = last;
    last = ev;
  }
  const unlink = (ev: number) => {
    const p = prev[ev]!;
    const q = next[ev]!;
    next[p] = q;
    if (q !== NONE) prev[q] = p;
  };
  const relink = (ev: number) => {
    const p = prev[ev]!;
    const q = next[ev]!;
    next[p] = ev;
    if (q !== NONE) prev[q] = ev;
  };
  /** The return event of the pending completed operation that returned first. */
  const firstReturn = () => {
    let ev = next[HEAD]!;
    while (ev !== NONE && (ev & 1) === 0) ev = next[ev]!;
    return ev;
  };

  const bound = new VersionBound(ops, k);
  const placed = new OpSet(n);
  const cache = new ConfigurationCache();
  const stateIds = new Map<string, number>();
  const stateId = (st: RegisterState) => {
    const key = stateKey(st);
    let id = stateIds.get(key);
    if (id === undefined) stateIds.set(key, (id = stateIds.size));
    return id;
  };
  const stack = new Int32Array(n);
  const before = new Array<RegisterState>(n);
  let depth = 0;
  let state = INITIAL_STATE;
  let knownLeft = k;
  let best: DeadEnd = { depth: -1, blocker: NONE, state, tail: [], boundedBy: NONE };

  /** Tries to place op `i` next; true if it was placed. */
  const tryPlace = (i: number): boolean => {
    const after = apply(state, models[i]!, ops[i]!.result);
    if (after === undefined) return false;
    if (i >= k && after.version === state.version) return false; // unknown and no effect
    if (pinned[i] !== undefined && after.version !== pinned[i]) return false;
    if (i < k) bound.remove(i);
    if (Number(after.version) > bound.max) {
      if (i < k) bound.restore(i);
      return false;
    }
    placed.add(i);
    if (!cache.addIfNew(placed, stateId(after))) {
      placed.remove(i);
      if (i < k) bound.restore(i);
      return false;
    }
    stack[depth] = i;
    before[depth] = state;
    depth++;
    state = after;
    if (i < k) {
      unlink(2 * i);
      unlink(2 * i + 1);
      knownLeft--;
    } else {
      placedOfClass[classOf[i]!]!++;
    }
    return true;
  };

  // Pass 1 walks the event list over completed candidates (cursor = event id); pass 2 walks the
  // unknown operations invoked before the first pending return (cursor = op index).
  let pass: 1 | 2 = 1;
  let cursor = next[HEAD]!;
  let windowEnd = 0;
  let steps = 0;
  while (true) {
    if (knownLeft === 0) return { ok: true };
    if (++steps % CLOCK_EVERY === 0 && performance.now() > deadline) return { ok: "timeout" };

    if (pass === 1) {
      if (cursor === NONE || (cursor & 1) === 1) {
        pass = 2;
        windowEnd = cursor === NONE ? Number.POSITIVE_INFINITY : time(cursor);
        cursor = k;
      } else if (tryPlace(cursor >> 1)) {
        cursor = next[HEAD]!;
      } else {
        cursor = next[cursor]!;
      }
      continue;
    }

    // Every unknown operation that is worth placing bumps the counter, so none fits at the bound.
    if (cursor < n && ops[cursor]!.invokedAt <= windowEnd && Number(state.version) < bound.max) {
      if (rank[cursor] === placedOfClass[classOf[cursor]!] && tryPlace(cursor)) {
        pass = 1;
        cursor = next[HEAD]!;
      } else {
        cursor++;
      }
      continue;
    }

    // Nothing fits before the earliest pending return: undo the last choice.
    if (depth > best.depth) {
      const ret = firstReturn();
      const blocker = ret === NONE ? NONE : ret >> 1;
      let boundedBy = NONE;
      if (blocker !== NONE) {
        bound.remove(blocker);
        boundedBy = bound.boundingOp;
        bound.restore(blocker);
      }
      best = { depth, blocker, state, tail: Array.from(stack.subarray(Math.max(0, depth - TAIL), depth)), boundedBy };
    }
    if (depth === 0) return { ok: false, reason: explain(ops, models, best, k, unread) };
    depth--;
    const i = stack[depth]!;
    state = before[depth]!;
    placed.remove(i);
    if (i < k) {
      relink(2 * i + 1);
      relink(2 * i);
      bound.restore(i);
      knownLeft++;
      pass = 1;
      cursor = next[2 * i]!;
    } else {
      placedOfClass[classOf[i]!]!--;
      pass = 2;
      const ret = firstReturn();
      windowEnd = ret === NONE ? Number.POSITIVE_INFINITY : time(ret);
      cursor = i + 1;
    }
  }
}

/** Why the search failed, from its deepest dead end. */
function explain(
  ops: readonly HistoryEntry[],
  models: readonly RegisterOp[],
  best: DeadEnd,
  known: number,
  unread: string,
): string {
  const origin = Math.min(...ops.map((e) => e.invokedAt));
  // The placeholder for unread values must not leak into the message.
  const plain = (text: string) => text.replaceAll(JSON.stringify(unread), "<a value no read returned>");
  const unknown = ops.length - known;
  const lines = [
    `no linearization exists: the longest consistent ordering places ${best.depth} operation${best.depth === 1 ? "" : "s"} `
    + `(of ${known} completed${unknown > 0 ? ` and ${unknown} unknown` : ""}).`,
  ];
  if (best.tail.length > 0) {
    lines.push(best.tail.length === best.depth ? "It is:" : `Its last ${best.tail.length} steps:`);
    for (const i of best.tail) lines.push(`  ${formatEntry(ops[i]!, origin)}`);
  }
  lines.push(`after which the register is ${plain(formatState(best.state))}.`);
  if (best.blocker !== NONE) {
    const blocker = ops[best.blocker]!;
    const expected = step(best.state, models[best.blocker]!).result;
    lines.push(
      "Then nothing fits next. The candidates were the operations invoked before the earliest pending return, that of",
      `  ${formatEntry(blocker, origin)}`,
    );
    const after = step(best.state, models[best.blocker]!).state;
    const bounding = best.boundedBy === NONE ? undefined : ops[best.boundedBy]!;
    if (!sameResult(blocker.result, expected)) {
      lines.push(`which in that state would have answered: ${plain(formatResult(expected))}.`);
    } else if (bounding !== undefined && after.version > (revealedCounter(bounding) ?? after.version)) {
      lines.push(
        `which fits there itself, but takes the version to v${after.version}, past the v${revealedCounter(bounding)} that`
        + " this completed operation, still to be placed, ran against (the version never goes back):",
        `  ${formatEntry(bounding, origin)}`,
      );
    } else {
      lines.push("which fits there itself, but every continuation after it fails.");
    }
  }
  return lines.join("\n");
}
