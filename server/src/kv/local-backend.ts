import { create } from "@bufbuild/protobuf";
import { AcceptorRecordSchema, type AcceptorRecord, type RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { RecordStore } from "../storage/record-store.js";
import { emptyState } from "../storage/record-store.js";
import type { KvBackend } from "./backend.js";

/**
 * The single-replica path: the coordinator applies each change to its own storage and answers
 * once the write is durable. Used when the replication factor is 1; the replicated backend
 * replaces it for N > 1.
 *
 * Writes to one key are pipelined, not queued: a change applies to the newest state written
 * (durable or not) and its write is issued at once, so the writes to a hot key that arrive in
 * one event-loop turn share one storage commit and fsync (lmdb-js commits a turn's writes in one
 * transaction, in order). A write is acknowledged when it is durable, and only after every
 * earlier write to the key is (its state contains theirs). Whatever depends on a state that is
 * not durable yet waits for it: a read answers with that state once it is durable, and a
 * failed compare-and-set is reported only then, so no answer rests on a write that could still
 * be lost. When a write fails, the writes issued on top of it fail too (their outcome is then
 * unknown, as storage failures are), and a read or refusal that waited for it runs again on
 * what storage holds.
 */
export function createLocalBackend(store: RecordStore): KvBackend {
  /** Per key: the newest record written, and when it (and every write before it) is durable. */
  const inFlight = new Map<string, { record: AcceptorRecord; durable: Promise<void> }>();

  const backend: KvBackend = {
    repeatsWrites: false,
    execute(key, replicas, change, options) {
      const pending = inFlight.get(key);
      const record = pending?.record ?? store.readSync(key) ?? create(AcceptorRecordSchema);
      const current = record.state ?? emptyState();
      let next: RegisterState;
      try {
        next = change(current);
      } catch (err) {
        if (pending === undefined) return Promise.reject(err);
        // A refusal (failed compare-and-set) that rests on a write not yet durable is reported
        // once that write is; if it fails, the change runs again on what storage holds.
        return pending.durable.then(
          () => Promise.reject(err),
          () => backend.execute(key, replicas, change, options),
        );
      }
      if (next === current) {
        if (pending === undefined) return Promise.resolve(current);
        return pending.durable.then(
          () => current,
          () => backend.execute(key, replicas, change, options),
        );
      }
      const written: AcceptorRecord = { ...record, state: next };
      const own = store.write(key, written);
      const durable = pending === undefined ? own : Promise.all([pending.durable, own]).then(noop);
      const entry = { record: written, durable };
      inFlight.set(key, entry);
      const done = () => {
        if (inFlight.get(key) === entry) inFlight.delete(key);
      };
      durable.then(done, done);
      return durable.then(() => next);
    },
    readLocal: (key) => store.readState(key),
  };
  return backend;
}

function noop(): void {}
