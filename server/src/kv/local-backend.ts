import { create } from "@bufbuild/protobuf";
import { AcceptorRecordSchema, type RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { Change } from "../replication/register.js";
import type { RecordStore } from "../storage/record-store.js";
import { emptyState } from "../storage/record-store.js";
import type { KvBackend } from "./backend.js";
import { createKeyLocks } from "./key-locks.js";

/**
 * The single-replica path: the coordinator applies each change to its own storage, one change
 * per key at a time, and answers once the write is durable. Used when the replication factor is
 * 1; the replicated backend replaces it for N > 1.
 */
export function createLocalBackend(store: RecordStore): KvBackend {
  const locks = createKeyLocks();
  async function apply(key: string, change: Change): Promise<RegisterState> {
    const record = store.readSync(key) ?? create(AcceptorRecordSchema);
    const current = record.state ?? emptyState();
    const next = change(current);
    if (next !== current) await store.write(key, { ...record, state: next });
    return next;
  }
  return {
    execute(key, _replicas, change) {
      if (locks.held(key)) return locks.run(key, () => apply(key, change));
      // Nothing queued on the key: decide now, in this turn. A change that keeps the state (a
      // read, a failed CAS) is answered without queueing; a write takes the lock in this same
      // turn (run() starts its work synchronously), so nothing can come between.
      try {
        const record = store.readSync(key) ?? create(AcceptorRecordSchema);
        const current = record.state ?? emptyState();
        const next = change(current);
        if (next === current) return Promise.resolve(current);
        return locks.run(key, async () => {
          await store.write(key, { ...record, state: next });
          return next;
        });
      } catch (err) {
        return Promise.reject(err);
      }
    },
    readLocal: (key) => store.readState(key),
  };
}
