/**
 * The storage engine interface: an ordered map from byte keys to opaque bytes. Engines know
 * nothing about Paxos, versions or the network; the record store above them encodes keys and
 * acceptor records.
 *
 * Keys are compared as unsigned bytes (memcmp order), the same order on every engine.
 */
export interface StorageEngine {
  /** "lmdb" or "memory", for stats and logs. */
  readonly kind: StorageKind;
  /**
   * True when the engine commits the writes of an event-loop turn together in a later task
   * (lmdb-js starts its transaction in a setImmediate task), so a write issued during the turn
   * is neither visible nor durable before then anyway. The record store may then hold writes
   * until the turn ends and keep only the newest of each key (see write-coalescer.ts).
   */
  readonly commitsByTurn: boolean;
  /** The stored bytes of a key, or undefined. */
  get(key: Uint8Array): Uint8Array | undefined;
  /**
   * Applies writes (value undefined = delete) atomically. Resolves when they are durable (lmdb:
   * committed and synced; concurrent calls share one commit, which is our group commit).
   */
  write(entries: ReadonlyArray<StorageWrite>): Promise<void>;
  /** Entries whose key starts with prefix, in key order, strictly after startAfter, at most limit. */
  scan(options: ScanOptions): StorageEntry[];
  /** Approximate number of keys and bytes (keys + values). */
  stats(): StorageStats;
  /** Flushes and releases the engine; further calls fail. */
  close(): Promise<void>;
}

export type StorageKind = "lmdb" | "memory";

export interface StorageWrite {
  key: Uint8Array;
  /** The new value; undefined deletes the key. */
  value: Uint8Array | undefined;
}

export interface StorageEntry {
  key: Uint8Array;
  value: Uint8Array;
}

export interface ScanOptions {
  prefix: Uint8Array;
  /** Resume strictly after this key. */
  startAfter?: Uint8Array;
  limit: number;
}

export interface StorageStats {
  keys: number;
  bytes: number;
}
