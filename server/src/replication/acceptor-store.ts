import { clone } from "@bufbuild/protobuf";
import {
  AcceptorRecordSchema,
  BallotSchema,
  type AcceptorRecord,
  type Ballot,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/**
 * Where an acceptor keeps its per-key records (promised ballot, accepted ballot, accepted
 * state). Paxos is only safe if an acceptor never forgets what it promised or accepted, so every
 * write must be durable when its promise resolves: the acceptor answers only after that.
 *
 * The acceptor serializes the read-modify-write of one key itself; a store only has to make each
 * single call atomic.
 *
 * The three optional methods enable tombstone garbage collection (see tombstone-gc.ts). A store
 * without them still works; the acceptor then refuses to forget records.
 */
export interface AcceptorStore {
  /** The key's record, or undefined when this acceptor never stored one. */
  read(key: string): Promise<AcceptorRecord | undefined>;
  /**
   * The same record, synchronously, for stores that read synchronously (the record store):
   * quorum reads answer from it without a promise per read.
   */
  readSync?(key: string): AcceptorRecord | undefined;
  /** Replaces the key's record; durable when the promise resolves. */
  write(key: string, record: AcceptorRecord): Promise<void>;
  /** Deletes the key's record; durable when the promise resolves. */
  remove?(key: string): Promise<void>;
  /** The acceptor's ballot floor (see {@link AcceptorStore.writeFloor}), undefined if never set. */
  readFloor?(): Promise<Ballot | undefined>;
  /**
   * Persists the acceptor's ballot floor: one ballot for the whole acceptor, at least the promise
   * of every record it ever removed. A key without a record behaves as if it had promised the
   * floor, so removing a record never lets an older ballot through. Durable when resolved.
   */
  writeFloor?(floor: Ballot): Promise<void>;
}

/** The in-memory store's extra view for tests: what it holds right now. */
export interface MemoryAcceptorStore extends Required<AcceptorStore> {
  /** Number of records held. */
  readonly size: number;
  /** Keys with a record, in insertion order. */
  keys(): string[];
}

/**
 * An {@link AcceptorStore} in a Map, for unit tests and the simulation (which adds disk latency
 * and crash behaviour around it). Records are copied in and out, so a caller mutating a record
 * after writing it cannot change what is "on disk".
 */
export function createMemoryAcceptorStore(): MemoryAcceptorStore {
  const records = new Map<string, AcceptorRecord>();
  let floor: Ballot | undefined;
  const readSync = (key: string): AcceptorRecord | undefined => {
    const record = records.get(key);
    return record === undefined ? undefined : clone(AcceptorRecordSchema, record);
  };
  return {
    get size() {
      return records.size;
    },
    keys: () => [...records.keys()],
    read: (key) => Promise.resolve(readSync(key)),
    readSync,
    write(key, record) {
      records.set(key, clone(AcceptorRecordSchema, record));
      return Promise.resolve();
    },
    remove(key) {
      records.delete(key);
      return Promise.resolve();
    },
    readFloor() {
      return Promise.resolve(floor === undefined ? undefined : clone(BallotSchema, floor));
    },
    writeFloor(next) {
      floor = clone(BallotSchema, next);
      return Promise.resolve();
    },
  };
}
