import sortedBtree from "sorted-btree";
import type { ScanOptions, StorageEngine, StorageEntry, StorageStats, StorageWrite } from "./engine.js";

/**
 * An in-memory engine: a B+ tree (sorted-btree) keyed by the latin1 form of the key bytes, so
 * that JavaScript's string order is exactly byte order. Nothing survives a restart; a cluster of
 * memory nodes loses a key only when a majority of its replicas die.
 */
export function createMemoryEngine(): StorageEngine {
  // sorted-btree is CommonJS with an `exports.default` class: Node's ESM loader hands us
  // module.exports, Vite (vitest) the `default` export itself.
  const BTree = ((sortedBtree as { default?: unknown }).default ?? sortedBtree) as typeof sortedBtree.default;
  const tree = new BTree<string, Uint8Array>();
  let bytes = 0;
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error("memory engine is closed");
  }

  return {
    kind: "memory",
    commitsByTurn: false,
    get(key) {
      assertOpen();
      return tree.get(toLatin1(key));
    },
    write(entries: ReadonlyArray<StorageWrite>) {
      assertOpen();
      for (const { key, value } of entries) {
        const k = toLatin1(key);
        const old = tree.get(k);
        if (old !== undefined) bytes -= k.length + old.byteLength;
        if (value === undefined) {
          tree.delete(k);
        } else {
          // Copy: callers may reuse their buffers, and a stored value must never change.
          tree.set(k, Uint8Array.prototype.slice.call(value));
          bytes += k.length + value.byteLength;
        }
      }
      return Promise.resolve();
    },
    scan({ prefix, startAfter, limit }: ScanOptions): StorageEntry[] {
      assertOpen();
      const p = toLatin1(prefix);
      const after = startAfter !== undefined ? toLatin1(startAfter) : undefined;
      const out: StorageEntry[] = [];
      const from = after !== undefined && after > p ? after : p;
      // Every key is latin1 (chars <= 0xff), so "\u0100" is above all of them.
      tree.forRange(from, "\u0100", false, (k, v) => {
        if (out.length >= limit) return { break: true };
        if (after !== undefined && k <= after) return;
        if (!k.startsWith(p)) return { break: true };
        out.push({ key: Buffer.from(k, "latin1"), value: v });
        return;
      });
      return out;
    },
    stats(): StorageStats {
      return { keys: tree.size, bytes };
    },
    close() {
      closed = true;
      tree.clear();
      return Promise.resolve();
    },
  };
}

function toLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
