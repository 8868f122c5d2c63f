import type { HistoryEntry } from "./history.js";

/** "No event": end of the list. */
export const NONE = -1;

/**
 * Porcupine's event list: the call and return events of the completed operations, in one doubly
 * linked list in time order, held in typed arrays. Event ids: the call of op i is 2i, its return
 * 2i + 1. Walking from the head, the calls met before the first return are the operations that
 * may take effect next; the first return belongs to the pending operation that returned
 * earliest, which must take effect before anything invoked after it.
 *
 * At equal times calls come first, so an operation invoked at the very instant another returned
 * counts as concurrent with it: the checker is never stricter than the clock's resolution.
 *
 * Taking an operation out and putting it back are O(1), and undo must be in reverse order
 * (which a depth-first search does): a removed event keeps its links, so relinking restores it.
 */
export class EventList {
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly head: number;
  private readonly ops: readonly HistoryEntry[];

  /** Events of `ops[0..count)`, all completed. */
  constructor(ops: readonly HistoryEntry[], count: number) {
    this.ops = ops;
    this.head = 2 * count;
    this.next = new Int32Array(2 * count + 1).fill(NONE);
    this.prev = new Int32Array(2 * count + 1).fill(NONE);
    const events = Array.from({ length: 2 * count }, (_, ev) => ev)
      .sort((a, b) => this.time(a) - this.time(b) || (a & 1) - (b & 1) || a - b);
    let last = this.head;
    for (const ev of events) {
      this.next[last] = ev;
      this.prev[ev] = last;
      last = ev;
    }
  }

  /** The first event, or NONE. */
  first(): number {
    return this.next[this.head]!;
  }

  /** The event after `ev` (which may be a removed one: then, the one after it when removed). */
  after(ev: number): number {
    return this.next[ev]!;
  }

  /** When `ev` happened: the invocation or the return of its operation. */
  time(ev: number): number {
    const op = this.ops[ev >> 1]!;
    return ev & 1 ? op.returnedAt : op.invokedAt;
  }

  /** The first return event (of the pending operation that returned first), or NONE. */
  firstReturn(): number {
    let ev = this.first();
    while (ev !== NONE && !isReturn(ev)) ev = this.next[ev]!;
    return ev;
  }

  /** Takes operation `i` (both events) out of the list. */
  remove(i: number): void {
    this.unlink(2 * i);
    this.unlink(2 * i + 1);
  }

  /** Puts operation `i` back; must undo the latest {@link remove} still in effect. */
  restore(i: number): void {
    this.relink(2 * i + 1);
    this.relink(2 * i);
  }

  private unlink(ev: number): void {
    const p = this.prev[ev]!;
    const q = this.next[ev]!;
    this.next[p] = q;
    if (q !== NONE) this.prev[q] = p;
  }

  private relink(ev: number): void {
    const p = this.prev[ev]!;
    const q = this.next[ev]!;
    this.next[p] = ev;
    if (q !== NONE) this.prev[q] = ev;
  }
}

export function isReturn(ev: number): boolean {
  return (ev & 1) === 1;
}
