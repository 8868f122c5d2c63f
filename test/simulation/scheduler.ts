import type { Clock } from "../../server/src/replication/index.js";
import { rejectIfCancelled, watchCancellation } from "../../server/src/net/cancel-watch.js";

/**
 * A discrete-event scheduler: virtual time that only moves when the next event runs. Between
 * two events every pending promise continuation runs to completion (the loop yields to the
 * macrotask queue), so a run is a pure function of its seed: the same events in the same order
 * at the same virtual times, whatever the machine's speed.
 */
export interface Scheduler {
  /** Virtual now in ms. */
  now(): number;
  /** Runs `fn` after `ms` virtual ms; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** A {@link Clock} on virtual time, for proposers. */
  readonly clock: Clock;
  /**
   * Runs events in time order until `stop()` is true, none is left, or the next one is later
   * than `until`; returns how many ran.
   */
  run(until: number, stop?: () => boolean): Promise<number>;
  /** Events waiting (canceled ones included). */
  readonly pending: number;
}

interface Event {
  time: number;
  seq: number;
  fn: () => void;
  canceled: boolean;
}

/** Creates a {@link Scheduler} at time 0. */
export function createScheduler(): Scheduler {
  const heap: Event[] = [];
  let now = 0;
  let seq = 0;

  const before = (a: Event, b: Event) => a.time < b.time || (a.time === b.time && a.seq < b.seq);
  function push(e: Event): void {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  }
  function pop(): Event | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  function after(ms: number, fn: () => void): () => void {
    const event: Event = { time: now + Math.max(0, ms), seq: seq++, fn, canceled: false };
    push(event);
    return () => {
      event.canceled = true;
    };
  }

  const clock: Clock = {
    now: () => now,
    sleep(ms, cancel) {
      const cancelled = rejectIfCancelled(cancel);
      if (cancelled !== undefined) return cancelled;
      return new Promise((resolve, reject) => {
        const cancelTimer = after(ms, () => {
          unwatch();
          resolve();
        });
        const unwatch = watchCancellation(cancel, (reason) => {
          cancelTimer();
          reject(reason);
        });
      });
    },
  };

  return {
    now: () => now,
    after,
    clock,
    get pending() {
      return heap.length;
    },
    async run(until, stop) {
      let count = 0;
      for (;;) {
        if (stop?.()) return count;
        const event = heap[0];
        if (event === undefined || event.time > until) return count;
        pop();
        if (event.canceled) continue;
        now = event.time;
        event.fn();
        count++;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}
