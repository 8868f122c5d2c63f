import { rejectIfCancelled, watchCancellation, type Cancellation } from "../net/cancel-watch.js";

/**
 * One-at-a-time access per key, first come first served. The acceptor uses it so that the
 * read-modify-write of a key's record is atomic; the proposer uses it so that one node runs one
 * round per key at a time (concurrent rounds of one proposer on one key would only reject each
 * other, and the fast path's promised ballot may be used by exactly one round).
 */
export interface KeyMutex {
  /**
   * Resolves with a release function once the key is free. When `cancel` fires first, rejects
   * with its reason and gives up the place in line.
   */
  acquire(key: string, cancel?: Cancellation): Promise<() => void>;
  /** Runs `work` holding the key, releasing it when the work settles. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys currently held or waited for (idle keys hold no memory). */
  readonly activeKeys: number;
}

interface Waiter {
  grant(): void;
}

interface Slot {
  waiters: Waiter[];
}

/** Creates a {@link KeyMutex}. */
export function createKeyMutex(): KeyMutex {
  const slots = new Map<string, Slot>();

  function release(key: string, slot: Slot): void {
    const next = slot.waiters.shift();
    if (next !== undefined) next.grant();
    else slots.delete(key);
  }

  function acquire(key: string, cancel?: Cancellation): Promise<() => void> {
    const cancelled = rejectIfCancelled(cancel);
    if (cancelled !== undefined) return cancelled;
    let slot = slots.get(key);
    const releaseOnce = (s: Slot) => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        release(key, s);
      };
    };
    if (slot === undefined) {
      slot = { waiters: [] };
      slots.set(key, slot);
      return Promise.resolve(releaseOnce(slot));
    }
    const held = slot;
    return new Promise((resolve, reject) => {
      let unwatch: () => void = () => {};
      const waiter: Waiter = {
        grant() {
          unwatch();
          resolve(releaseOnce(held));
        },
      };
      held.waiters.push(waiter);
      // Runs at once when already cancelled.
      unwatch = watchCancellation(cancel, (reason) => {
        const i = held.waiters.indexOf(waiter);
        if (i >= 0) held.waiters.splice(i, 1);
        reject(reason);
      });
    });
  }

  return {
    acquire,
    async run(key, work) {
      const done = await acquire(key);
      try {
        return await work();
      } finally {
        done();
      }
    },
    get activeKeys() {
      return slots.size;
    },
  };
}
