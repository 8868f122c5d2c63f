import { create } from "@bufbuild/protobuf";
import {
  AcceptRequestSchema,
  PrepareRequestSchema,
  RegisterStateSchema,
  type AcceptorRecord,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { RingkvError } from "../errors.js";
import { createAcceptor } from "./acceptor.js";
import { createMemoryAcceptorStore, type AcceptorStore } from "./acceptor-store.js";
import { makeBallot } from "./ballot.js";

const b = (counter: number, node = "n1") => makeBallot(BigInt(counter), node, 1n);
const value = (text: string, version: number): RegisterState =>
  create(RegisterStateSchema, { exists: true, value: new TextEncoder().encode(text), version: BigInt(version) });
const tombstone = (version: number): RegisterState => create(RegisterStateSchema, { exists: false, version: BigInt(version), deletedAtMs: 1n });
const prepare = (key: string, ballot: ReturnType<typeof b>) => create(PrepareRequestSchema, { key, ballot });
const accept = (key: string, ballot: ReturnType<typeof b>, state: RegisterState, extra: { promiseNext?: ReturnType<typeof b>; forget?: boolean } = {}) =>
  create(AcceptRequestSchema, { key, ballot, state, ...extra });

/** A store whose writes complete only when the test says so. */
function createGatedStore() {
  const inner = createMemoryAcceptorStore();
  const gates: Array<() => void> = [];
  const store: AcceptorStore = {
    read: (key) => inner.read(key),
    write: (key, record: AcceptorRecord) =>
      new Promise<void>((resolve) => gates.push(() => void inner.write(key, record).then(resolve))),
  };
  return { store, inner, openNext: () => gates.shift()?.(), get waiting() { return gates.length; } };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe("createAcceptor()", () => {
  it("promises a higher ballot and reports what it accepted", async () => {
    const acceptor = createAcceptor({ store: createMemoryAcceptorStore() });
    const first = await acceptor.prepare(prepare("k", b(1)));
    expect(first).toMatchObject({ ok: true, promised: b(1) });
    expect(first.accepted).toBeUndefined();
    expect(await acceptor.accept(accept("k", b(1), value("a", 1)))).toMatchObject({ ok: true });
    const second = await acceptor.prepare(prepare("k", b(2, "n2")));
    expect(second).toMatchObject({ ok: true, accepted: b(1), state: value("a", 1) });
  });

  it("refuses ballots below its promise and names the promise", async () => {
    const acceptor = createAcceptor({ store: createMemoryAcceptorStore() });
    await acceptor.prepare(prepare("k", b(5)));
    expect(await acceptor.prepare(prepare("k", b(4, "n9")))).toMatchObject({ ok: false, promised: b(5) });
    expect(await acceptor.accept(accept("k", b(4, "n9"), value("x", 1)))).toMatchObject({ ok: false, promised: b(5) });
    expect((await acceptor.read("k")).version).toBe(0n);
  });

  it("never answers before the record is persisted", async () => {
    const gated = createGatedStore();
    const acceptor = createAcceptor({ store: gated.store });
    let answered = false;
    const promise = acceptor.prepare(prepare("k", b(1))).then((r) => {
      answered = true;
      return r;
    });
    await flush();
    expect(gated.waiting).toBe(1);
    expect(answered).toBe(false);
    expect(await gated.inner.read("k")).toBeUndefined();
    gated.openNext();
    expect(await promise).toMatchObject({ ok: true });
    expect((await gated.inner.read("k"))?.promised).toEqual(b(1));

    let acceptedAnswer = false;
    const acceptPromise = acceptor.accept(accept("k", b(1), value("a", 1))).then(() => {
      acceptedAnswer = true;
    });
    await flush();
    expect(acceptedAnswer).toBe(false);
    gated.openNext();
    await acceptPromise;
    expect((await gated.inner.read("k"))?.state).toEqual(value("a", 1));
  });

  it("runs one key's requests one at a time, in arrival order", async () => {
    const gated = createGatedStore();
    const acceptor = createAcceptor({ store: gated.store });
    const low = acceptor.prepare(prepare("k", b(1)));
    const high = acceptor.prepare(prepare("k", b(2)));
    await flush();
    expect(gated.waiting).toBe(1); // the second waits for the first's write
    gated.openNext();
    await flush();
    gated.openNext();
    expect(await low).toMatchObject({ ok: true });
    expect(await high).toMatchObject({ ok: true });
    expect((await gated.inner.read("k"))?.promised).toEqual(b(2));
  });

  it("also promises promiseNext when it accepts (the fast path's piggybacked prepare)", async () => {
    const acceptor = createAcceptor({ store: createMemoryAcceptorStore() });
    await acceptor.prepare(prepare("k", b(1)));
    expect(await acceptor.accept(accept("k", b(1), value("a", 1), { promiseNext: b(2) }))).toMatchObject({ ok: true, promised: b(2) });
    // A rival's prepare between the two ballots is refused; the promised ballot is accepted.
    expect(await acceptor.prepare(prepare("k", b(1, "n9")))).toMatchObject({ ok: false, promised: b(2) });
    expect(await acceptor.accept(accept("k", b(2), value("b", 2)))).toMatchObject({ ok: true });
    // A duplicate of the old accept arriving late is refused: promises never regress.
    expect(await acceptor.accept(accept("k", b(1), value("a", 1), { promiseNext: b(2) }))).toMatchObject({ ok: false });
    expect(await acceptor.read("k")).toEqual(value("b", 2));
  });

  it("brings a lagging acceptor up to date with a single accept", async () => {
    const acceptor = createAcceptor({ store: createMemoryAcceptorStore() });
    // This acceptor missed every round so far; the next accept carries the whole state.
    expect(await acceptor.accept(accept("k", b(9, "n2"), value("latest", 7)))).toMatchObject({ ok: true });
    expect(await acceptor.read("k")).toEqual(value("latest", 7));
  });

  it("rejects requests without a ballot", async () => {
    const acceptor = createAcceptor({ store: createMemoryAcceptorStore() });
    expect(() => acceptor.prepare(create(PrepareRequestSchema, { key: "k" }))).toThrow(RingkvError);
  });

  it("forgets a tombstone accepted at the given ballot and keeps refusing older ballots", async () => {
    const store = createMemoryAcceptorStore();
    const acceptor = createAcceptor({ store });
    await acceptor.prepare(prepare("k", b(3)));
    await acceptor.accept(accept("k", b(3), tombstone(4)));
    await acceptor.prepare(prepare("k", b(6, "n2"))); // a later promise, no accept
    expect(await acceptor.accept(accept("k", b(3), tombstone(4), { forget: true }))).toMatchObject({ ok: true });
    expect(store.size).toBe(0);
    expect(await store.readFloor()).toEqual(b(6, "n2"));
    // The key now behaves as never written, with the forgotten promise still in force.
    expect(await acceptor.prepare(prepare("k", b(5, "n9")))).toMatchObject({ ok: false, promised: b(6, "n2") });
    expect(await acceptor.accept(accept("k", b(5, "n9"), value("old", 3)))).toMatchObject({ ok: false });
    const fresh = await acceptor.prepare(prepare("k", b(7)));
    expect(fresh).toMatchObject({ ok: true });
    expect(fresh.accepted).toBeUndefined();
    // A restarted acceptor reads the floor back.
    const restarted = createAcceptor({ store });
    expect(await restarted.prepare(prepare("other", b(6, "n1")))).toMatchObject({ ok: false, promised: b(6, "n2") });
  });

  it("refuses to forget a record that holds anything but that tombstone", async () => {
    const store = createMemoryAcceptorStore();
    const acceptor = createAcceptor({ store });
    await acceptor.accept(accept("k", b(3), tombstone(4)));
    await acceptor.accept(accept("k", b(4), value("new", 5)));
    expect(await acceptor.accept(accept("k", b(3), tombstone(4), { forget: true }))).toMatchObject({ ok: false });
    expect(await acceptor.accept(accept("k", b(4), value("new", 5), { forget: true }))).toMatchObject({ ok: false });
    expect(await acceptor.read("k")).toEqual(value("new", 5));
  });

  it("refuses to forget when the store cannot keep a floor", async () => {
    const inner = createMemoryAcceptorStore();
    const acceptor = createAcceptor({ store: { read: (k) => inner.read(k), write: (k, r) => inner.write(k, r) } });
    await acceptor.accept(accept("k", b(3), tombstone(4)));
    expect(await acceptor.accept(accept("k", b(3), tombstone(4), { forget: true }))).toMatchObject({ ok: false });
    expect(inner.size).toBe(1);
  });
});
