import { create } from "@bufbuild/protobuf";
import {
  AcceptorRecordSchema,
  BallotSchema,
  RegisterStateSchema,
  type AcceptorRecord,
  type Ballot,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { decodeMessage, encodeMessage } from "../net/message-codecs.js";
import type { StorageEngine, StorageStats, StorageWrite } from "./engine.js";
import { createRecordCache } from "./record-cache.js";
import {
  decodeExactStorageKey,
  encodeScanPrefix,
  encodeStorageKey,
  isShortenedStorageKey,
} from "./key-codec.js";
import { createWriteCoalescer } from "./write-coalescer.js";

/** One key's state as found by a scan. */
export interface RecordEntry {
  key: string;
  record: AcceptorRecord;
}

/** Options of {@link RecordStore.scan}. */
export interface RecordScanOptions {
  prefix: string;
  /** Resume strictly after this user key. */
  startAfter?: string;
  limit: number;
  /** Include tombstones and never-accepted records (repair, sync); default false. */
  includeDeleted?: boolean;
}

/**
 * Acceptor records (promise, accepted ballot, register state) of every key this node holds,
 * encoded as protobuf in a storage engine. It is the only module that knows the record format,
 * and it is the `AcceptorStore` the replication layer persists through.
 */
export interface RecordStore {
  readonly engineKind: StorageEngine["kind"];
  /** The record of a key, or undefined when the node has never seen the key. */
  read(key: string): Promise<AcceptorRecord | undefined>;
  /** Same as read, synchronously (engines read synchronously; used on hot paths). */
  readSync(key: string): AcceptorRecord | undefined;
  /** Persists a record; resolves when durable. */
  write(key: string, record: AcceptorRecord): Promise<void>;
  /** Removes a key's record entirely (tombstone garbage collection only). */
  remove(key: string): Promise<void>;
  /** The acceptor's ballot floor (see replication/acceptor-store.ts), if one was ever written. */
  readFloor(): Promise<Ballot | undefined>;
  /** Persists the acceptor's ballot floor; durable when resolved. */
  writeFloor(floor: Ballot): Promise<void>;
  /** The register state of a key (an empty state when unknown). */
  readState(key: string): RegisterState;
  /** Records in storage-key order. */
  scan(options: RecordScanOptions): RecordEntry[];
  stats(): StorageStats;
  close(): Promise<void>;
}

/** The state of a key that was never written. */
export function emptyState(): RegisterState {
  return create(RegisterStateSchema);
}

/**
 * Node-level records live under keys starting with byte 0xFF, which never occurs in UTF-8, so
 * they can't collide with a user key; scans skip them.
 */
const metaPrefix = 0xff;
const floorKey = Buffer.from([metaPrefix, ...Buffer.from("acceptor-floor")]);

/** A record write on its way to the engine: the record (undefined: remove) and its cache ticket. */
interface PendingWrite {
  record: AcceptorRecord | undefined;
  ticket: number;
}

/** Options of {@link createRecordStore}. */
export interface RecordStoreOptions {
  /** About how many decoded records are kept for reads (see record-cache.ts); 0 turns the cache off. */
  cachedRecords?: number;
}

/**
 * Wraps a storage engine into a {@link RecordStore}.
 *
 * Reads of hot keys come from a bounded cache of decoded records: decoding a record (register
 * state, ballots, op-id log) on every Get and every acceptor call was 7% of a single-node Get.
 * The cache holds only what the engine has committed: a write drops the key's entry when it is
 * issued and puts the new record in once the engine reports it durable, so a read never sees
 * a write that could still be lost. Records are shared between readers and never mutated (every
 * writer builds a new record).
 *
 * On an engine that commits by turn (lmdb), writes wait for the end of the turn in a
 * {@link createWriteCoalescer} and only the newest record of each key is encoded and stored.
 */
export function createRecordStore(engine: StorageEngine, options: RecordStoreOptions = {}): RecordStore {
  const capacity = options.cachedRecords ?? 10_000;
  const cache = capacity > 0 ? createRecordCache(capacity) : undefined;

  function decode(storageKey: Uint8Array, bytes: Uint8Array): RecordEntry {
    const record = decodeMessage(AcceptorRecordSchema, bytes);
    const key = isShortenedStorageKey(storageKey) ? record.fullKey : decodeExactStorageKey(storageKey);
    return { key, record };
  }

  function readSync(key: string): AcceptorRecord | undefined {
    const cached = cache?.get(key);
    if (cached !== undefined) return cached;
    const bytes = engine.get(encodeStorageKey(key));
    if (bytes === undefined) return undefined;
    const record = decodeMessage(AcceptorRecordSchema, bytes);
    cache?.fill(key, record);
    return record;
  }

  /**
   * Writes records (undefined: removes the key) in one engine write; each settles its cache
   * ticket, so the cache takes the new record once durable (unless a newer write was issued).
   */
  function commit(batch: ReadonlyMap<string, PendingWrite>): Promise<void> {
    const entries: StorageWrite[] = [];
    for (const [key, pending] of batch) {
      const storageKey = encodeStorageKey(key);
      if (pending.record !== undefined && isShortenedStorageKey(storageKey)) pending.record = { ...pending.record, fullKey: key };
      entries.push({ key: storageKey, value: pending.record && encodeMessage(AcceptorRecordSchema, pending.record, false) });
    }
    const written = engine.write(entries);
    if (cache === undefined) return written;
    return written.then(
      () => {
        for (const [key, { ticket, record }] of batch) cache.settled(key, ticket, record);
      },
      (err: unknown) => {
        for (const [key, { ticket }] of batch) cache.settled(key, ticket, undefined);
        throw err;
      },
    );
  }
  const coalescer = engine.commitsByTurn ? createWriteCoalescer(commit) : undefined;

  function write(key: string, record: AcceptorRecord | undefined): Promise<void> {
    const pending: PendingWrite = { record, ticket: cache?.issued(key) ?? 0 };
    return coalescer ? coalescer.write(key, pending) : commit(new Map([[key, pending]]));
  }

  return {
    engineKind: engine.kind,
    readSync,
    read(key) {
      return Promise.resolve(readSync(key));
    },
    write,
    remove: (key) => write(key, undefined),
    readFloor() {
      const bytes = engine.get(floorKey);
      return Promise.resolve(bytes === undefined ? undefined : decodeMessage(BallotSchema, bytes));
    },
    writeFloor(floor) {
      return engine.write([{ key: floorKey, value: encodeMessage(BallotSchema, floor, false) }]);
    },
    readState(key) {
      return readSync(key)?.state ?? emptyState();
    },
    scan({ prefix, startAfter, limit, includeDeleted = false }) {
      const bytePrefix = encodeScanPrefix(prefix);
      const out: RecordEntry[] = [];
      let after = startAfter !== undefined && startAfter !== "" ? encodeStorageKey(startAfter) : undefined;
      // Filtering (tombstones, long prefixes) can drop entries, so read in pages until full.
      while (out.length < limit) {
        const page = engine.scan({ prefix: bytePrefix, ...(after ? { startAfter: after } : {}), limit: Math.max(limit - out.length, 64) });
        for (const { key: storageKey, value } of page) {
          if (storageKey[0] === metaPrefix) continue;
          const entry = decode(storageKey, value);
          if (!entry.key.startsWith(prefix)) continue;
          if (!includeDeleted && !(entry.record.state?.exists ?? false)) continue;
          out.push(entry);
          if (out.length >= limit) break;
        }
        const last = page[page.length - 1];
        if (last === undefined || out.length >= limit) break;
        after = last.key;
        if (page.length < 64) break;
      }
      return out;
    },
    stats: () => engine.stats(),
    close: () => {
      coalescer?.flush();
      cache?.clear();
      return engine.close();
    },
  };
}
