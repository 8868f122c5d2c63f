import { create } from "@bufbuild/protobuf";
import { AcceptorRecordSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
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
  return {
    execute(key, _replicas, change) {
      return locks.run(key, async () => {
        const record = store.readSync(key) ?? create(AcceptorRecordSchema);
        const current = record.state ?? emptyState();
        const next = change(current);
        if (next !== current) await store.write(key, { ...record, state: next });
        return next;
      });
    },
    readLocal: (key) => store.readState(key),
  };
}
