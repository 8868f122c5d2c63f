import { watchCancellation, type Cancellation } from "../net/cancel-watch.js";

/**
 * Time as the proposer sees it. Injected so that the deterministic simulation can run rounds,
 * timeouts and backoff on virtual time; production uses {@link systemClock}.
 */
export interface Clock {
  /** Milliseconds; deadlines passed to the proposer are on this scale (Unix ms for systemClock). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. When `cancel` fires first, rejects with its reason and
   * cancels the timer, so abandoned waits leave nothing behind.
   */
  sleep(ms: number, cancel?: Cancellation): Promise<void>;
}

/** Wall-clock time (`Date.now()`) and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, cancel) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unwatch();
        resolve();
      }, Math.max(0, ms));
      // Runs at once when already cancelled.
      const unwatch = watchCancellation(cancel, (reason) => {
        clearTimeout(timer);
        reject(reason);
      });
    });
  },
};
