import { create } from "@bufbuild/protobuf";
import { AcceptorRecordSchema, RegisterStateSchema, type AcceptorRecord } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import type { StorageEngine, StorageWrite } from "./engine.js";
import { createMemoryEngine } from "./memory-engine.js";
import { createRecordStore } from "./record-store.js";

const record = (value: string, version: bigint): AcceptorRecord =>
  create(AcceptorRecordSchema, { state: create(RegisterStateSchema, { exists: true, value: new TextEncoder().encode(value), version }) });
const valueOf = (r: AcceptorRecord | undefined) => (r?.state ? new TextDecoder().decode(r.state.value) : undefined);

/**
 * An engine whose writes become visible (and durable) only when released, like a commit: reads
 * see the committed bytes until then. `fail` makes the next released write reject.
 */
function gatedEngine(commitsByTurn = false): { engine: StorageEngine; release(): void; fail(): void; gets: () => number; writes: Array<ReadonlyArray<StorageWrite>> } {
  const inner = createMemoryEngine();
  const pending: Array<{ entries: ReadonlyArray<StorageWrite>; resolve(): void; reject(e: unknown): void }> = [];
  const writes: Array<ReadonlyArray<StorageWrite>> = [];
  let failNext = false;
  let gets = 0;
  return {
    engine: {
      ...inner,
      kind: inner.kind,
      commitsByTurn,
      get: (key) => {
        gets++;
        return inner.get(key);
      },
      write: (entries) => {
        writes.push(entries);
        return new Promise<void>((resolve, reject) => pending.push({ entries, resolve, reject }));
      },
      scan: (o) => inner.scan(o),
      stats: () => inner.stats(),
      close: () => inner.close(),
    },
    release() {
      for (const p of pending.splice(0)) {
        if (failNext) {
          failNext = false;
          p.reject(new Error("disk full"));
        } else void inner.write(p.entries).then(p.resolve, p.reject);
      }
    },
    fail: () => (failNext = true),
    gets: () => gets,
    writes,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

/** A store over a gated engine, and a write that is made durable at once. */
function gatedStore(options?: { cachedRecords?: number }) {
  const gate = gatedEngine();
  const store = createRecordStore(gate.engine, options);
  const durable = async (key: string, value: string, version: bigint) => {
    const write = store.write(key, record(value, version));
    gate.release();
    await write;
  };
  return { gate, store, durable };
}

describe("createRecordStore() read cache", () => {
  it("serves a hot key from decoded records, without reading the engine again", async () => {
    const { gate, store, durable } = gatedStore();
    await durable("k", "v1", 1n);
    const before = gate.gets();
    const a = store.readSync("k");
    const b = store.readSync("k");
    expect(valueOf(a)).toBe("v1");
    expect(b).toBe(a);
    expect(gate.gets()).toBe(before);
  });

  it("never shows a write before the engine made it durable, and shows it after", async () => {
    const { gate, store, durable } = gatedStore();
    await durable("k", "v1", 1n);
    expect(valueOf(store.readSync("k"))).toBe("v1");
    const second = store.write("k", record("v2", 2n));
    expect(valueOf(store.readSync("k"))).toBe("v1"); // the engine's committed record
    expect(valueOf(store.readSync("k"))).toBe("v1");
    gate.release();
    await second;
    expect(valueOf(store.readSync("k"))).toBe("v2");
    expect(store.readState("k").version).toBe(2n);
  });

  it("keeps only the newest of overlapping writes, and nothing from a failed one", async () => {
    const { gate, store } = gatedStore();
    const a = store.write("k", record("a", 1n));
    const b = store.write("k", record("b", 2n));
    gate.release();
    await Promise.all([a, b]);
    expect(valueOf(store.readSync("k"))).toBe("b");
    gate.fail();
    const c = store.write("k", record("c", 3n));
    gate.release();
    await expect(c).rejects.toThrow("disk full");
    expect(valueOf(store.readSync("k"))).toBe("b"); // what the engine holds, not the failed write
  });

  it("forgets a removed key", async () => {
    const { gate, store, durable } = gatedStore();
    await durable("k", "v1", 1n);
    expect(store.readSync("k")).toBeDefined();
    const r = store.remove("k");
    gate.release();
    await r;
    await settle();
    expect(store.readSync("k")).toBeUndefined();
  });

  it("holds about its capacity, keeps a key that is read, and can be turned off", async () => {
    const { gate, store, durable } = gatedStore({ cachedRecords: 4 });
    for (const k of ["a", "b", "c", "d", "e"]) await durable(k, k, 1n);
    const before = gate.gets();
    for (const k of ["e", "d"]) expect(valueOf(store.readSync(k))).toBe(k);
    expect(gate.gets()).toBe(before); // the newest are cached
    store.readSync("a");
    expect(gate.gets()).toBe(before + 1); // the oldest were dropped
    // A key that keeps being read survives any number of new keys.
    for (let i = 0; i < 20; i++) {
      await durable(`new-${i}`, "x", 1n);
      store.readSync("d");
    }
    const n = gate.gets();
    store.readSync("d");
    expect(gate.gets()).toBe(n);
    const off = createRecordStore(gate.engine, { cachedRecords: 0 });
    const m = gate.gets();
    off.readSync("a");
    off.readSync("a");
    expect(gate.gets()).toBe(m + 2);
  });
});

describe("createRecordStore() on an engine that commits by turn", () => {
  it("stores only the newest record of a key written several times in one turn, in one engine write", async () => {
    const gate = gatedEngine(true);
    const store = createRecordStore(gate.engine);
    const writes = [store.write("k", record("a", 1n)), store.write("other", record("o", 1n)), store.write("k", record("b", 2n))];
    expect(gate.writes).toHaveLength(0); // held until the turn ends
    await settle();
    expect(gate.writes).toHaveLength(1);
    expect(gate.writes[0]).toHaveLength(2);
    expect(valueOf(store.readSync("k"))).toBeUndefined(); // not durable yet
    gate.release();
    await Promise.all(writes);
    expect(valueOf(store.readSync("k"))).toBe("b");
    expect(valueOf(store.readSync("other"))).toBe("o");
  });

  it("applies a remove after the writes of the same turn, and fails every writer of a failed commit", async () => {
    const gate = gatedEngine(true);
    const store = createRecordStore(gate.engine);
    const first = store.write("k", record("a", 1n));
    await settle();
    gate.release();
    await first;
    const written = store.write("k", record("b", 2n));
    const removed = store.remove("k");
    await settle();
    gate.release();
    await Promise.all([written, removed]);
    expect(store.readSync("k")).toBeUndefined();
    gate.fail();
    const failed = [store.write("x", record("x", 1n)), store.write("y", record("y", 1n))];
    await settle();
    gate.release();
    await expect(failed[0]).rejects.toThrow("disk full");
    await expect(failed[1]).rejects.toThrow("disk full");
    expect(store.readSync("x")).toBeUndefined();
  });

  it("hands queued writes to the engine before closing it", async () => {
    const gate = gatedEngine(true);
    // Like lmdb's close, this engine commits what it was given before closing.
    const store = createRecordStore({ ...gate.engine, close: () => (gate.release(), gate.engine.close()) });
    const write = store.write("k", record("a", 1n));
    await store.close();
    await write;
    expect(gate.writes.map((w) => w.length)).toEqual([1]);
  });
});
