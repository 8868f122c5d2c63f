/**
 * Serializes async work per key: a read-modify-write of one key's record must not interleave
 * with another on the same key, while different keys proceed in parallel.
 */
export interface KeyLocks {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Whether work on `key` is running or queued; when not, `run` starts `work` synchronously. */
  held(key: string): boolean;
}

/** Creates a {@link KeyLocks}; idle keys hold no memory. */
export function createKeyLocks(): KeyLocks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, work) {
      const prev = tails.get(key);
      const next = prev === undefined ? work() : prev.then(work, work);
      const tail = next.then(noop, noop);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    held: (key) => tails.has(key),
  };
}

function noop(): void {}
