/**
 * Holds writes until the end of the event-loop turn and commits them together, keeping only the
 * newest value of each key.
 *
 * Why: lmdb-js already commits the writes of one turn in one transaction, started from a
 * setImmediate task, so a write is neither visible nor durable before that task runs. A hot key
 * written many times in one turn (the single-replica path pipelines writes to a key, see
 * kv/local-backend.ts) still paid a record encoding and an lmdb put for every write, although
 * only the last value survives the transaction. Holding the turn's writes in a Map and handing
 * them over from our own setImmediate task keeps one value per key; the cost is that lmdb-js
 * starts the transaction one loop iteration later. Measured on one node pinned to a core, h2load
 * Puts of one key: 41 → 35–38 µs of CPU per call; a bulk load through the record store (10,000
 * writes in flight): 64–72k → 113–126k keys/s, one lmdb batch per turn instead of one per write.
 *
 * A writer's promise is the whole batch's: it resolves when the batch (which holds its value or
 * a newer one of the same key) is committed, and rejects with the batch's error.
 */
export interface WriteCoalescer<V> {
  /** Queues `value` as the key's newest; resolves when the batch that carries it is committed. */
  write(key: string, value: V): Promise<void>;
  /** Commits what is queued now instead of at the end of the turn (before closing storage). */
  flush(): void;
}

/**
 * Creates a {@link WriteCoalescer}; `commit` receives each batch (the newest value per key, in
 * the order keys were first written) and resolves when it is durable.
 */
export function createWriteCoalescer<V>(commit: (batch: ReadonlyMap<string, V>) => Promise<void>): WriteCoalescer<V> {
  /** The batch still taking writes this turn, and how its writers are settled. */
  let open: { values: Map<string, V>; committed: Promise<void>; resolve(): void; reject(err: unknown): void } | undefined;

  function flush(): void {
    const batch = open;
    if (batch === undefined) return;
    open = undefined;
    let done: Promise<void>;
    try {
      done = commit(batch.values);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(batch.resolve, batch.reject);
  }

  return {
    write(key, value) {
      if (open === undefined) {
        let resolve!: () => void;
        let reject!: (err: unknown) => void;
        const committed = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
        open = { values: new Map(), committed, resolve, reject };
        setImmediate(flush);
      }
      open.values.set(key, value);
      return open.committed;
    },
    flush,
  };
}
