/**
 * Time as the proposer sees it. Injected so that the deterministic simulation can run rounds,
 * timeouts and backoff on virtual time; production uses {@link systemClock}.
 */
export interface Clock {
  /** Milliseconds; deadlines passed to the proposer are on this scale (Unix ms for systemClock). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. When `signal` aborts first, rejects with its reason and
   * cancels the timer, so abandoned waits leave nothing behind.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time (`Date.now()`) and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};
