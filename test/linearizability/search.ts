import { EventList, isReturn, NONE } from "./event-list.js";
import { explain, TAIL, type DeadEnd } from "./explain.js";
import type { HistoryEntry } from "./history.js";
import { ConfigurationCache, OpSet } from "./memo.js";
import { apply, INITIAL_STATE, stateKey, type RegisterState } from "./model.js";
import { prepareKey } from "./prepare.js";
import { VersionBound } from "./version-bound.js";

/** Outcome of checking one key. */
export type KeyVerdict = { ok: true } | { ok: false; reason: string } | { ok: "timeout" };

/** How many search steps run between two looks at the clock. */
const CLOCK_EVERY = 1024;

/**
 * Whether the operations of one key have a linearization: the Wing–Gong depth-first search with
 * Lowe's memoization, in the linked-list form of Porcupine (event-list.ts).
 *
 * At each step, any pending operation invoked before the earliest pending return may take effect
 * next; the search tries them in turn, places the first one the model agrees with (same answer
 * as the client saw) and goes on from there, and backtracks when none fits. A configuration
 * (set of placed operations, state) reached before is skipped (memo.ts): its future was, or is
 * being, explored already. `deadline` (performance.now() time) turns a run-away search into a
 * "timeout" verdict instead of a hang.
 *
 * Unknown operations (timed out: may or may not have happened) are what make such searches blow
 * up, since with a return at +Infinity each is a candidate at every step after its invocation.
 * They are handled apart:
 * - They never block anything, and the search succeeds once every *completed* operation is
 *   placed: unknown operations left over may simply never have happened.
 * - Completed candidates are tried first, so an unknown operation is placed only where nothing
 *   else fits, typically where the versions show a write that no completed operation made.
 * - One that would not change the state (a failed CAS, a delete of a missing key) is never
 *   placed: leaving it pending keeps every option that placing it has.
 * - Interchangeable ones are placed in invocation order only, and puts pinned to a version only
 *   there (prepare.ts).
 * - The version counter never goes down, so it may never pass a version that a completed
 *   operation still to be placed ran against (version-bound.ts). This confines unknown writes
 *   to the version gaps the completed operations show, and prunes early in general.
 *
 * `entries` must all belong to one key, without unknown gets (check.ts drops them).
 */
export function searchKey(entries: readonly HistoryEntry[], deadline: number): KeyVerdict {
  const key = prepareKey(entries);
  if ("reason" in key) return { ok: false, reason: key.reason };
  const { ops, models, completed: k, classOf, rank, pinned } = key;
  const n = ops.length;
  if (k === 0) return { ok: true };

  const events = new EventList(ops, k);
  const bound = new VersionBound(ops, k);
  const placed = new OpSet(n);
  const cache = new ConfigurationCache();
  const stateIds = new Map<string, number>();
  const placedOfClass = new Int32Array(key.classes);
  const stack = new Int32Array(n);
  const before = new Array<RegisterState>(n);
  let depth = 0;
  let state = INITIAL_STATE;
  let completedLeft = k;
  let best: DeadEnd = { depth: -1, tail: [], state, blocker: NONE, boundedBy: NONE };

  const stateId = (s: RegisterState): number => {
    const sk = stateKey(s);
    let id = stateIds.get(sk);
    if (id === undefined) stateIds.set(sk, (id = stateIds.size));
    return id;
  };

  /** Places op `i` next if the model, the pruning rules and the memo allow it. */
  const tryPlace = (i: number): boolean => {
    const unknown = i >= k;
    const after = apply(state, models[i]!, ops[i]!.result);
    if (after === undefined) return false;
    if (unknown && after.version === state.version) return false;
    if (pinned[i] !== undefined && after.version !== pinned[i]) return false;
    if (!unknown) bound.remove(i);
    placed.add(i);
    if (Number(after.version) > bound.max || !cache.addIfNew(placed, stateId(after))) {
      placed.remove(i);
      if (!unknown) bound.restore(i);
      return false;
    }
    stack[depth] = i;
    before[depth] = state;
    depth++;
    state = after;
    if (unknown) {
      placedOfClass[classOf[i]!]!++;
    } else {
      events.remove(i);
      completedLeft--;
    }
    return true;
  };

  /** Takes the last placed operation back; returns it. */
  const undo = (): number => {
    depth--;
    const i = stack[depth]!;
    state = before[depth]!;
    placed.remove(i);
    if (i >= k) {
      placedOfClass[classOf[i]!]!--;
    } else {
      events.restore(i);
      bound.restore(i);
      completedLeft++;
    }
    return i;
  };

  /** Invocation time up to which operations are candidates: the earliest pending return. */
  const windowEnd = (): number => {
    const ret = events.firstReturn();
    return ret === NONE ? Number.POSITIVE_INFINITY : events.time(ret);
  };

  const noteDeadEnd = () => {
    if (depth <= best.depth) return;
    const ret = events.firstReturn();
    const blocker = ret === NONE ? NONE : ret >> 1;
    let boundedBy = NONE;
    if (blocker !== NONE) {
      bound.remove(blocker);
      boundedBy = bound.boundingOp;
      bound.restore(blocker);
    }
    best = { depth, tail: Array.from(stack.subarray(Math.max(0, depth - TAIL), depth)), state, blocker, boundedBy };
  };

  // Pass 1 walks the event list over completed candidates (cursor: event id); pass 2 walks the
  // unknown operations invoked before the earliest pending return (cursor: op index).
  let pass: 1 | 2 = 1;
  let cursor = events.first();
  let window = 0;
  let steps = 0;
  while (true) {
    if (completedLeft === 0) return { ok: true };
    if (++steps % CLOCK_EVERY === 0 && performance.now() > deadline) return { ok: "timeout" };

    if (pass === 1) {
      if (cursor === NONE || isReturn(cursor)) {
        pass = 2;
        window = cursor === NONE ? Number.POSITIVE_INFINITY : events.time(cursor);
        cursor = k;
      } else if (tryPlace(cursor >> 1)) {
        cursor = events.first();
      } else {
        cursor = events.after(cursor);
      }
      continue;
    }

    // Each unknown operation worth placing bumps the version: none fits once it is at the bound.
    if (cursor < n && ops[cursor]!.invokedAt <= window && Number(state.version) < bound.max) {
      if (rank[cursor] === placedOfClass[classOf[cursor]!] && tryPlace(cursor)) {
        pass = 1;
        cursor = events.first();
      } else {
        cursor++;
      }
      continue;
    }

    // Nothing fits before the earliest pending return: take the last choice back, try the next.
    noteDeadEnd();
    if (depth === 0) return { ok: false, reason: explain(key, best) };
    const i = undo();
    if (i < k) {
      pass = 1;
      cursor = events.after(2 * i);
    } else {
      pass = 2;
      window = windowEnd();
      cursor = i + 1;
    }
  }
}
