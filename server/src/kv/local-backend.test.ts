import { describe, expect, it } from "vitest";
import { putChange, readChange } from "../replication/register.js";
import { createMemoryEngine } from "../storage/memory-engine.js";
import { createRecordStore, type RecordStore } from "../storage/record-store.js";
import { createLocalBackend } from "./local-backend.js";

const opts = { signal: new AbortController().signal, deadlineAt: Date.now() + 60_000 };
const value = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A memory store whose writes become durable only when `release()` is called. */
function gatedStore(): { store: RecordStore; release(): void; pending(): number } {
  const store = createRecordStore(createMemoryEngine());
  const waiting: Array<() => void> = [];
  return {
    store: {
      ...store,
      readSync: (key) => store.readSync(key),
      readState: (key) => store.readState(key),
      write: (key, record) => new Promise<void>((resolve, reject) => waiting.push(() => store.write(key, record).then(resolve, reject))),
    },
    release: () => waiting.splice(0).forEach((go) => go()),
    pending: () => waiting.length,
  };
}

describe("createLocalBackend()", () => {
  it("answers a read of an idle key in the same turn, without queueing", async () => {
    const { store } = gatedStore();
    const backend = createLocalBackend(store);
    let answered = false;
    const read = backend.execute("k", [], readChange, opts).then((s) => (answered = s.exists));
    await Promise.resolve();
    await Promise.resolve();
    expect(answered).toBe(false); // the key was never written
    expect((await read)).toBe(false);
  });

  it("makes a read wait for a write in progress on the same key, and see it", async () => {
    const gate = gatedStore();
    const backend = createLocalBackend(gate.store);
    const put = backend.execute("k", [], putChange({ value: value("v1") }), opts);
    let seen: string | undefined;
    const read = backend.execute("k", [], readChange, opts).then((s) => (seen = text(s.value)));
    const other = await backend.execute("other", [], readChange, opts);
    expect(other.exists).toBe(false); // another key is not held up by the pending write
    expect(seen).toBeUndefined();
    expect(gate.pending()).toBe(1);
    gate.release();
    expect((await put).version).toBe(1n);
    await read;
    expect(seen).toBe("v1");
  });

  it("applies concurrent writes to one key one after another", async () => {
    const gate = gatedStore();
    const backend = createLocalBackend(gate.store);
    const puts = ["a", "b", "c"].map((v) => backend.execute("k", [], putChange({ value: value(v) }), opts));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      expect(gate.pending()).toBe(1); // one write at a time
      gate.release();
    }
    expect((await Promise.all(puts)).map((s) => s.version)).toEqual([1n, 2n, 3n]);
    expect(text(gate.store.readState("k").value)).toBe("c");
  });

  it("rejects a failed compare-and-set without writing, on an idle key and behind a write", async () => {
    const gate = gatedStore();
    const backend = createLocalBackend(gate.store);
    await expect(backend.execute("k", [], putChange({ value: value("x"), expectedVersion: 3n }), opts)).rejects.toThrow(/version mismatch/);
    expect(gate.pending()).toBe(0);
    const put = backend.execute("k", [], putChange({ value: value("v1") }), opts);
    const cas = backend.execute("k", [], putChange({ value: value("x"), expectedVersion: 0n }), opts);
    gate.release();
    await put;
    await expect(cas).rejects.toThrow(/expected version 0, but its current version is 1/);
    expect(gate.pending()).toBe(0);
  });
});
