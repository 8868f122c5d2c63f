import { open, type RootDatabase } from "lmdb";
import type { ScanOptions, StorageEngine, StorageEntry, StorageStats, StorageWrite } from "./engine.js";

/** Options of {@link createLmdbEngine}. */
export interface LmdbEngineOptions {
  /** Directory of the LMDB environment; created when missing. */
  path: string;
  /** Maximum size of the memory map in bytes (default 64 GiB: address space only, not disk). */
  mapSize?: number;
}

/**
 * The default engine: LMDB through lmdb-js, on disk. A write resolves only when its transaction
 * is committed and flushed to disk (overlappingSync off, see below), so an acknowledged write
 * survives kill -9 and power loss. Writes issued in the same event-loop turn share one transaction: that batching
 * is our group commit, and the reason we don't hand-roll one.
 */
export function createLmdbEngine(options: LmdbEngineOptions): StorageEngine {
  const db: RootDatabase<Uint8Array, Uint8Array> = open<Uint8Array, Uint8Array>({
    path: options.path,
    keyEncoding: "binary",
    encoding: "binary",
    mapSize: options.mapSize ?? 64 * 1024 ** 3,
    // Values are small and read once per request; lmdb's own page cache (the OS) is enough.
    cache: false,
    // lmdb-js defaults to overlappingSync on Linux: a write's promise then resolves when its
    // transaction is committed, while the flush to disk finishes later (only `flushed` waits for
    // it). An acceptor must not answer before its vote is on disk, so commits here include the
    // sync: the promise resolves after fdatasync. Writes issued together still share one commit.
    overlappingSync: false,
  });

  return {
    kind: "lmdb",
    commitsByTurn: true,
    get(key) {
      return db.getBinary(Buffer.from(key.buffer, key.byteOffset, key.byteLength));
    },
    async write(entries: ReadonlyArray<StorageWrite>) {
      await db.batch(() => {
        for (const { key, value } of entries) {
          const k = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
          if (value === undefined) void db.remove(k);
          else void db.put(k, value);
        }
      });
    },
    scan({ prefix, startAfter, limit }: ScanOptions): StorageEntry[] {
      const start = startAfter !== undefined && Buffer.compare(startAfter, prefix) >= 0
        ? Buffer.concat([startAfter, Buffer.of(0)])
        : Buffer.from(prefix);
      const end = prefixEnd(prefix);
      const out: StorageEntry[] = [];
      for (const { key, value } of db.getRange({ start, ...(end ? { end } : {}), limit })) {
        out.push({ key: key as Uint8Array, value: value as Uint8Array });
      }
      return out;
    },
    stats(): StorageStats {
      const s = db.getStats() as { entryCount?: number; pageSize?: number; treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
      const pages = (s.treeBranchPageCount ?? 0) + (s.treeLeafPageCount ?? 0) + (s.overflowPages ?? 0);
      return { keys: s.entryCount ?? 0, bytes: pages * (s.pageSize ?? 4096) };
    },
    async close() {
      await db.close();
    },
  };
}

/** The smallest key greater than every key with this prefix, or undefined for the empty prefix. */
export function prefixEnd(prefix: Uint8Array): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}
