import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { AcceptorRecordSchema, RegisterStateSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { createLmdbEngine } from "@ringkv/server/storage/lmdb-engine";
import { createMemoryEngine } from "@ringkv/server/storage/memory-engine";
import { createRecordStore } from "@ringkv/server/storage/record-store";

/**
 * Loads N keys (16-byte keys, 100-byte values) straight into one storage engine through the
 * record store, as the single-replica backend writes them (an AcceptorRecord holding the
 * register state, version 1), and measures what they cost: RSS, V8 heap and external memory,
 * and for lmdb the bytes on disk. Going through the network would take far too long for 1M
 * keys on this machine, and the per-key cost is the storage layer's anyway.
 *
 * Run as its own process with --expose-gc; argv[2] is `{"engine","keys"}`; prints one JSON line.
 */
const { engine: kind, keys } = JSON.parse(process.argv[2] ?? "{}") as { engine: "memory" | "lmdb"; keys: number };
const batch = 10_000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function memory(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

/** Key i: exactly 16 ASCII bytes. */
const keyOf = (i: number) => `key-${i.toString().padStart(12, "0")}`;
/** Value i: exactly 100 ASCII bytes, different per key. */
const valueOf = (i: number) => Buffer.from(`${i.toString().padStart(12, "0")}${"v".repeat(88)}`);

const dir = mkdtempSync(path.join(os.tmpdir(), "ringkv-bench-mem-"));
try {
  const before = memory();
  const store = createRecordStore(kind === "lmdb" ? createLmdbEngine({ path: dir }) : createMemoryEngine());
  const opened = memory();
  const t0 = performance.now();
  for (let start = 0; start < keys; start += batch) {
    const writes: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(keys, start + batch); i++) {
      const state = create(RegisterStateSchema, { exists: true, value: valueOf(i), binary: false, version: 1n });
      writes.push(store.write(keyOf(i), create(AcceptorRecordSchema, { state })));
    }
    await Promise.all(writes);
    const done = Math.min(keys, start + batch);
    if (done % 100_000 === 0 || done === keys) {
      const s = (performance.now() - t0) / 1000;
      process.stderr.write(`[memory] ${kind}: ${done.toLocaleString("en-US")} / ${keys.toLocaleString("en-US")} keys (${Math.round(done / s).toLocaleString("en-US")} keys/s)\n`);
    }
  }
  const loadS = (performance.now() - t0) / 1000;
  const after = memory();
  for (const i of [0, keys >> 1, keys - 1]) {
    const got = store.readSync(keyOf(i))?.state?.value;
    if (!got || Buffer.compare(Buffer.from(got), valueOf(i)) !== 0) throw new Error(`key ${keyOf(i)} did not read back`);
  }
  const stats = store.stats();
  await store.close();
  const files = kind === "lmdb" ? readdirSync(dir).map((f) => statSync(path.join(dir, f))) : [];
  process.stdout.write(`${JSON.stringify({
    engine: kind,
    keys,
    loadS,
    keysPerSec: keys / loadS,
    rssBaseline: before.rss,
    rssOpened: opened.rss,
    rssAfter: after.rss,
    heapUsedDelta: after.heapUsed - opened.heapUsed,
    externalDelta: after.external - opened.external,
    arrayBuffersDelta: after.arrayBuffers - opened.arrayBuffers,
    rssDelta: after.rss - opened.rss,
    storeBytes: stats.bytes,
    fileBytes: files.reduce((n, s) => n + s.size, 0),
    diskBytes: files.reduce((n, s) => n + s.blocks * 512, 0),
  })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
