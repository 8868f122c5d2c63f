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
function gatedEngine(): { engine: StorageEngine; release(): void; fail(): void; gets: () => number } {
  const inner = createMemoryEngine();
  const pending: Array<{ entries: ReadonlyArray<StorageWrite>; resolve(): void; reject(e: unknown): void }> = [];
  let failNext = false;
  let gets = 0;
  return {
    engine: {
      ...inner,
      kind: inner.kind,
      get: (key) => {
        gets++;
        return inner.get(key);
      },
      write: (entries) => new Promise<void>((resolve, reject) => pending.push({ entries, resolve, reject })),
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
