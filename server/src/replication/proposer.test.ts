import { create } from "@bufbuild/protobuf";
import { PrepareRequestSchema, type AcceptRequest } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { RingkvError } from "../errors.js";
import { watchCancellation, type Cancellation } from "../net/cancel-watch.js";
import { idempotent, maxRecentOps } from "../kv/idempotent.js";
import { unpackOps } from "../kv/op-log.js";
import { createAcceptor, type Acceptor } from "./acceptor.js";
import { createMemoryAcceptorStore, type MemoryAcceptorStore } from "./acceptor-store.js";
import { makeBallot } from "./ballot.js";
import { createProposer, type ProposerOptions } from "./proposer.js";
import { systemClock, type Clock } from "./clock.js";
import { hedgeMs, reachableFirst, readPreference } from "./quorum-read.js";
import { deleteChange, putChange, readChange, type Change } from "./register.js";
import type { ProposerTransport } from "./transport.js";

const text = (s: string) => new TextEncoder().encode(s);
const put = (value: string, expectedVersion?: bigint): Change =>
  putChange({ value: text(value), ...(expectedVersion !== undefined ? { expectedVersion } : {}) });
const soon = () => ({ deadlineAt: Date.now() + 2_000 });
const replicas = ["n1", "n2", "n3"] as const;

/** Three in-memory acceptors behind a transport the test can break. */
function createHarness() {
  const stores = new Map<string, MemoryAcceptorStore>(replicas.map((id) => [id, createMemoryAcceptorStore()]));
  const acceptors = new Map<string, Acceptor>([...stores].map(([id, store]) => [id, createAcceptor({ store })]));
  const down = new Set<string>();
  const silent = new Set<string>();
  const log: string[] = [];
  const hooks: { beforeAccept?: (to: string, req: AcceptRequest) => Promise<void> | void; silentAccept: Set<string> } = {
    silentAccept: new Set(),
  };
  const never = (cancel: Cancellation) => new Promise<never>((_, reject) => watchCancellation(cancel, reject));
  const transport: ProposerTransport = {
    async prepare(to, req, signal) {
      log.push(`prepare ${to}`);
      if (down.has(to)) throw new Error("connection refused");
      if (silent.has(to)) return never(signal);
      return acceptors.get(to)!.prepare(req);
    },
    async read(to, key, signal, ballotOnly) {
      log.push(`read ${to}${ballotOnly ? " (ballot)" : ""}`);
      if (down.has(to)) throw new Error("connection refused");
      if (silent.has(to)) return never(signal);
      const { state, accepted } = await acceptors.get(to)!.readAccepted(key);
      return ballotOnly ? { accepted } : { state, accepted };
    },
    async accept(to, req, signal) {
      log.push(`accept ${to}`);
      if (down.has(to)) throw new Error("connection refused");
      if (silent.has(to) || hooks.silentAccept.has(to)) return never(signal);
      await hooks.beforeAccept?.(to, req);
      return acceptors.get(to)!.accept(req);
    },
  };
  const proposer = (nodeId: string, options: Partial<ProposerOptions> = {}) => createProposer({ nodeId, transport, ...options });
  return { stores, acceptors, down, silent, log, hooks, proposer };
}

async function failure(promise: Promise<unknown>): Promise<RingkvError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RingkvError) return error;
    throw error;
  }
  throw new Error("expected the operation to fail");
}

/**
 * Makes n1's next write reach n1 only: its accept to n3 breaks, and before it gets to n2 a rival
 * proposer on n2 writes `writes` times, each with its own op id. With `rivalSeesWrite` the rival
 * runs with n3 down (so it reads n1's accepted write and builds on it), else with n1 down.
 */
function rivalWritesDuringAccept(h: ReturnType<typeof createHarness>, writes: number, rivalSeesWrite: boolean): void {
  const rival = h.proposer("n2");
  const firstTry = new Set<string>();
  h.hooks.beforeAccept = async (to, req) => {
    if (req.ballot?.nodeId !== "n1" || firstTry.has(to)) return;
    firstTry.add(to);
    if (to === "n3") throw new Error("connection reset");
    if (to !== "n2") return;
    if (rivalSeesWrite) await new Promise((resolve) => setTimeout(resolve, 10)); // n1 has accepted by now
    const away = rivalSeesWrite ? "n3" : "n1";
    h.down.add(away);
    for (let i = 0; i < writes; i++) await rival.execute("k", replicas, idempotent(`rival-${i}`, Date.now(), put(`r${i}`)).change, soon());
    h.down.delete(away);
  };
}

describe("createProposer()", () => {
  it("commits a change on a majority and returns the committed state", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    const state = await p.execute("k", replicas, put("a"), soon());
    expect(state).toMatchObject({ exists: true, version: 1n, value: text("a") });
    for (const acceptor of h.acceptors.values()) expect((await acceptor.read("k")).version).toBe(1n);
    expect((await p.execute("k", replicas, readChange, soon())).version).toBe(1n);
  });

  it("needs one round trip per operation while its fast path holds", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await p.execute("k", replicas, put("a"), soon());
    h.log.length = 0;
    await p.execute("k", replicas, put("b"), soon());
    await p.execute("k", replicas, readChange, soon());
    expect(h.log.filter((l) => l.startsWith("prepare"))).toEqual([]);
    expect(p.stats.fastPathAttempts).toBe(2);
  });

  it("falls back to a full round when another proposer took over the key", async () => {
    const h = createHarness();
    const p1 = h.proposer("n1");
    const p2 = h.proposer("n2");
    await p1.execute("k", replicas, put("a"), soon());
    await p2.execute("k", replicas, put("b"), soon());
    const state = await p1.execute("k", replicas, put("c"), soon());
    expect(state.version).toBe(3n);
    expect(p1.stats.fastPathMisses).toBe(1);
  });

  it("never fails a compare-and-set on a stale fast-path state", async () => {
    const h = createHarness();
    const p1 = h.proposer("n1");
    const p2 = h.proposer("n2");
    await p1.execute("k", replicas, put("a"), soon()); // p1 caches version 1
    await p2.execute("k", replicas, put("b"), soon()); // version 2 behind p1's back
    const state = await p1.execute("k", replicas, put("c", 2n), soon());
    expect(state.version).toBe(3n);
  });

  it("confirms the current state with a majority before failing a compare-and-set", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await p.execute("k", replicas, put("a"), soon());
    h.log.length = 0;
    const error = await failure(p.execute("k", replicas, put("b", 7n), soon()));
    expect(error.reason).toBe("version_mismatch");
    expect(error.details.currentVersion).toBe(1n);
    expect(h.log.some((l) => l.startsWith("accept"))).toBe(true);
    expect((await h.acceptors.get("n1")!.read("k")).value).toEqual(text("a"));
  });

  it("tells the change what it deleted through its last call", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await p.execute("k", replicas, put("a"), soon());
    let found: boolean | undefined;
    const del = deleteChange({ nowMs: 1 });
    const state = await p.execute("k", replicas, (current) => {
      found = current.exists;
      return del(current);
    }, soon());
    expect(found).toBe(true);
    expect(state).toMatchObject({ exists: false, version: 2n });
  });

  it("does not wait for a replica that never answers", async () => {
    const h = createHarness();
    h.silent.add("n3");
    const p = h.proposer("n1");
    const started = Date.now();
    expect((await p.execute("k", replicas, put("a"), { deadlineAt: Date.now() + 10_000 })).version).toBe(1n);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("fails fast with no_quorum, naming the unreachable replicas, when a majority is down", async () => {
    const h = createHarness();
    h.down.add("n2");
    h.down.add("n3");
    const started = Date.now();
    const error = await failure(h.proposer("n1").execute("k", replicas, put("a"), { deadlineAt: Date.now() + 10_000 }));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.reason).toBe("no_quorum");
    expect(error.message).toMatch(/n2.*n3/);
    expect(h.log.some((l) => l.startsWith("accept"))).toBe(false);
  });

  it("reports outcome_unknown when the deadline passes after a write was sent", async () => {
    const h = createHarness();
    h.hooks.silentAccept.add("n2");
    h.hooks.silentAccept.add("n3");
    const error = await failure(h.proposer("n1").execute("k", replicas, put("a"), { deadlineAt: Date.now() + 50 }));
    expect(error.reason).toBe("outcome_unknown");
    expect(error.message).toContain("the write may or may not have been applied");
  });

  it("reports deadline_exceeded when nothing was written", async () => {
    const h = createHarness();
    for (const id of replicas) h.silent.add(id);
    const error = await failure(h.proposer("n1").execute("k", replicas, put("a"), { deadlineAt: Date.now() + 30 }));
    expect(error.reason).toBe("deadline_exceeded");
  });

  it("reports canceled when the caller aborts before anything was written", async () => {
    const h = createHarness();
    for (const id of replicas) h.silent.add(id);
    const controller = new AbortController();
    const pending = h.proposer("n1").execute("k", replicas, put("a"), { deadlineAt: Date.now() + 10_000, signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).reason).toBe("canceled");
  });

  it("is cancelled through a CancelWatch as through a signal, and stops watching when it ends", async () => {
    const h = createHarness();
    const watchers = new Set<(reason: unknown) => void>();
    const watch = {
      watchCancel(onCancel: (reason: unknown) => void) {
        watchers.add(onCancel);
        return () => watchers.delete(onCancel);
      },
    };
    await h.proposer("n1").execute("k", replicas, put("a"), { deadlineAt: Date.now() + 10_000, signal: watch });
    expect(await h.proposer("n1").read("k", replicas, { deadlineAt: Date.now() + 10_000, signal: watch })).toMatchObject({ value: text("a") });
    expect(watchers.size).toBe(0);
    for (const id of replicas) h.silent.add(id);
    const pending = h.proposer("n2").execute("k", replicas, put("b"), { deadlineAt: Date.now() + 10_000, signal: watch });
    expect(watchers.size).toBe(1);
    for (const onCancel of watchers) onCancel(new Error("client left"));
    expect((await failure(pending)).reason).toBe("canceled");
  });

  it("picks the state accepted with the highest ballot", async () => {
    const h = createHarness();
    // n2 holds a newer state than n1 (as after a round that reached n2 and n3 only); n3 is down.
    await h.proposer("n9").execute("k", replicas, put("old"), soon());
    h.down.add("n1");
    await h.proposer("n8").execute("k", replicas, put("new"), soon());
    h.down.delete("n1");
    h.down.add("n3");
    const state = await h.proposer("n7").execute("k", replicas, readChange, soon());
    expect(state).toMatchObject({ value: text("new"), version: 2n });
  });

  it("does not apply a write twice when a retry finds it already accepted", async () => {
    const h = createHarness();
    const rival = makeBallot(100n, "rival", 1n);
    const raced = new Set<string>();
    // The first accept reaches n1; a rival's prepare gets to n2 and n3 just before it.
    h.hooks.beforeAccept = async (to) => {
      if (to !== "n1" && !raced.has(to)) {
        raced.add(to);
        await h.acceptors.get(to)!.prepare(create(PrepareRequestSchema, { key: "k", ballot: rival }));
      }
    };
    let calls = 0;
    const change: Change = (current) => {
      calls++;
      return put("once")(current);
    };
    const state = await h.proposer("n1").execute("k", replicas, change, soon());
    expect(state).toMatchObject({ value: text("once"), version: 1n });
    expect(calls).toBe(2); // applied once, called again on the same input for the caller's sake
    for (const acceptor of h.acceptors.values()) expect((await acceptor.read("k")).version).toBe(1n);
  });

  it("reports outcome_unknown rather than guessing when a rival wrote over a write it may have made", async () => {
    const h = createHarness();
    // The write reaches n1 only, and a client on another node writes twice through n2 and n3
    // (n1 unreachable for it); the write carries no op id, so nothing can prove it absent.
    rivalWritesDuringAccept(h, 2, false);
    const error = await failure(h.proposer("n1").execute("k", replicas, put("mine"), soon()));
    expect(error.reason).toBe("outcome_unknown");
    expect(error.message).toContain("the write may or may not have been applied");
  });

  it("applies its write once when the rival's state proves the write is not in it", async () => {
    const h = createHarness();
    // The rival's states never saw the write, and the register proves it absent (nothing at or
    // after its version was dropped from recent_ops): the proposer applies it on top.
    rivalWritesDuringAccept(h, 5, false);
    const once = idempotent("mine", Date.now(), put("mine"));
    const state = await h.proposer("n1").execute("k", replicas, once.change, { ...soon(), appliedIn: once.appliedIn });
    expect(state).toMatchObject({ value: text("mine"), version: 6n });
    expect(unpackOps(state.recentOpsPacked).filter((op) => op.id === "mine")).toHaveLength(1);
    expect(once.alreadyApplied()).toBeUndefined();
  });

  it("recognizes its write in a rival's state built on it and does not apply it twice", async () => {
    const h = createHarness();
    // The rival reads the write from n1, commits it and writes three times more: the proposer's
    // next round finds its op id and changes nothing.
    rivalWritesDuringAccept(h, 3, true);
    const once = idempotent("mine", Date.now(), put("mine"));
    const state = await h.proposer("n1").execute("k", replicas, once.change, { ...soon(), appliedIn: once.appliedIn });
    expect(state).toMatchObject({ value: text("r2"), version: 4n });
    expect(once.alreadyApplied()?.version).toBe(1n);
  });

  it("reports outcome_unknown when its write was built on and then dropped from recent_ops", async () => {
    const h = createHarness();
    rivalWritesDuringAccept(h, maxRecentOps + 1, true);
    const once = idempotent("mine", Date.now(), put("mine"));
    const error = await failure(h.proposer("n1").execute("k", replicas, once.change, { ...soon(), appliedIn: once.appliedIn }));
    expect(error.reason).toBe("outcome_unknown");
    expect((await h.acceptors.get("n2")!.read("k")).version).toBe(BigInt(maxRecentOps + 2)); // not applied twice
  });

  it("reads a state a majority agrees on without a round, and writes nothing", async () => {
    const h = createHarness();
    await h.proposer("n1").execute("k", replicas, put("v"), soon());
    h.silent.add("n3");
    h.log.length = 0;
    const state = await h.proposer("n2").read("k", replicas, soon());
    expect(state).toMatchObject({ value: text("v"), version: 1n });
    expect(h.log.filter((l) => !l.startsWith("read"))).toEqual([]);
    expect(await h.proposer("n2").read("never-written", replicas, soon())).toMatchObject({ exists: false, version: 0n });
  });

  it("asks its own acceptor and one more for a quorum read, the third only if one is slow", async () => {
    const h = createHarness();
    await h.proposer("n1").execute("k", replicas, put("v"), soon());
    h.log.length = 0;
    expect(await h.proposer("n1").read("k", replicas, soon())).toMatchObject({ value: text("v") });
    expect(h.log).toEqual(["read n1", "read n2 (ballot)"]);
    h.log.length = 0;
    h.silent.add("n2");
    expect(await h.proposer("n1").read("k", replicas, soon())).toMatchObject({ value: text("v") });
    expect(h.log).toEqual(["read n1", "read n2 (ballot)", "read n3 (ballot)"]);
  });

  it("asks its preferred peer first for a quorum read, and passes over one that fails or is slow", async () => {
    const h = createHarness();
    await h.proposer("n1").execute("k", replicas, put("v"), soon());
    const reader = h.proposer("n1", { readPreference: () => ["n3", "n2"] });
    h.log.length = 0;
    expect(await reader.read("k", replicas, soon())).toMatchObject({ value: text("v") });
    expect(h.log).toEqual(["read n1", "read n3 (ballot)"]);
    h.log.length = 0;
    h.down.add("n3");
    expect(await reader.read("k", replicas, soon())).toMatchObject({ value: text("v") });
    expect(h.log).toEqual(["read n1", "read n3 (ballot)", "read n2 (ballot)"]);
    h.down.clear();
    h.silent.add("n3");
    h.log.length = 0;
    expect(await reader.read("k", replicas, soon())).toMatchObject({ value: text("v") });
    expect(h.log).toEqual(["read n1", "read n3 (ballot)", "read n2 (ballot)"]);
    expect(reader.stats).toMatchObject({ quorumReads: 3, quorumReadMisses: 0 });
  });

  it("lets quorum reads that start in the same millisecond share one hedge timer, cleared when the last is decided", async () => {
    const h = createHarness();
    const writer = h.proposer("n1");
    for (const key of ["a", "b", "c", "d"]) await writer.execute(key, replicas, put(key), soon());
    // A clock frozen at one millisecond whose hedge timers fire only when the test says so.
    const frozen = Date.now();
    const hedges: Array<{ state: "pending" | "fired" | "cleared"; fire: () => void }> = [];
    const clock: Clock = {
      now: () => frozen,
      sleep(ms, cancel) {
        if (ms !== hedgeMs) return systemClock.sleep(ms, cancel);
        return new Promise<void>((resolve, reject) => {
          const timer: (typeof hedges)[number] = { state: "pending", fire: () => {} };
          timer.fire = () => {
            if (timer.state !== "pending") return;
            timer.state = "fired";
            resolve();
          };
          hedges.push(timer);
          watchCancellation(cancel, (reason) => {
            if (timer.state !== "pending") return;
            timer.state = "cleared";
            reject(reason);
          });
        });
      },
    };
    const reader = h.proposer("n1", { clock });
    const deadline = { deadlineAt: frozen + 2_000 };
    const decode = (v: { value: Uint8Array } | undefined) => new TextDecoder().decode(v?.value);
    const values = await Promise.all(["a", "b", "c", "d"].map((key) => reader.read(key, replicas, deadline)));
    expect(values.map(decode)).toEqual(["a", "b", "c", "d"]);
    expect(hedges.map((t) => t.state)).toEqual(["cleared"]);
    // With n2 silent the reads wait; when the one shared timer fires, every one of them hedges (to n3).
    h.silent.add("n2");
    h.log.length = 0;
    const hedged = Promise.all(["a", "b", "c"].map((key) => reader.read(key, replicas, deadline)));
    await new Promise((r) => setTimeout(r, 5));
    expect(hedges.map((t) => t.state)).toEqual(["cleared", "pending"]);
    expect(h.log.filter((l) => l === "read n3 (ballot)")).toHaveLength(0);
    hedges[1]!.fire();
    expect((await hedged).map(decode)).toEqual(["a", "b", "c"]);
    expect(h.log.filter((l) => l === "read n3 (ballot)")).toHaveLength(3);
    expect(reader.stats).toMatchObject({ quorumReads: 7, quorumReadMisses: 0, quorumReadHedges: 3 });
  });

  it("orders a node's read peers as the members after it, wrapping around", () => {
    expect(readPreference("n1", ["n3", "n1", "n2"])).toEqual(["n2", "n3"]);
    expect(readPreference("n2", ["n1", "n2", "n3"])).toEqual(["n3", "n1"]);
    expect(readPreference("n3", ["n1", "n2", "n3"])).toEqual(["n1", "n2"]);
    expect(readPreference("solo", ["solo"])).toEqual([]);
  });

  it("puts read peers believed down last, keeping the order otherwise", () => {
    const preference = ["n2", "n3", "n4"];
    expect(reachableFirst(preference, () => true)).toBe(preference);
    expect(reachableFirst(preference, (id) => id !== "n2")).toEqual(["n3", "n4", "n2"]);
    expect(reachableFirst(preference, (id) => id === "n4")).toEqual(["n4", "n2", "n3"]);
  });

  it("takes a quorum read's state from its own acceptor only: without that answer, a full round", async () => {
    const h = createHarness();
    await h.proposer("n1").execute("k", replicas, put("v"), soon());
    h.down.add("n1");
    const reader = h.proposer("n1");
    h.log.length = 0;
    expect(await reader.read("k", replicas, soon())).toBeUndefined();
    expect(h.log).toEqual(["read n1", "read n2 (ballot)", "read n3 (ballot)"]);
    expect(reader.stats).toMatchObject({ quorumReads: 0, quorumReadMisses: 1 });
    // A node that is not a replica of the key asks every replica for the state.
    h.down.clear();
    h.log.length = 0;
    expect(await h.proposer("n4").read("k", replicas, soon())).toMatchObject({ value: text("v") });
    expect(h.log).toEqual(["read n1", "read n2"]);
  });

  it("leaves a read to a full round when the first majority to answer disagrees", async () => {
    const h = createHarness();
    await h.proposer("n1").execute("k", replicas, put("old"), soon());
    // A newer write reaches n1 only (the others' connections break): not chosen, but visible.
    h.hooks.beforeAccept = (to) => {
      if (to !== "n1") throw new Error("connection reset");
    };
    await failure(h.proposer("n1").execute("k", replicas, put("half"), { deadlineAt: Date.now() + 50 }));
    expect(await h.acceptors.get("n1")!.read("k")).toMatchObject({ value: text("half") });
    delete h.hooks.beforeAccept;
    h.silent.add("n3");
    const reader = h.proposer("n2");
    expect(await reader.read("k", replicas, soon())).toBeUndefined();
    expect(reader.stats).toMatchObject({ quorumReads: 0, quorumReadMisses: 1 });
    h.silent.clear();
    expect((await reader.execute("k", replicas, readChange, soon())).version).toBeGreaterThanOrEqual(1n);
  });

  it("gives up a quorum read at its deadline when no majority answers", async () => {
    const h = createHarness();
    h.silent.add("n2");
    h.silent.add("n3");
    expect(await h.proposer("n1").read("k", replicas, { deadlineAt: Date.now() + 30 })).toBeUndefined();
    // A deadline before the hedge: the third replica is never asked.
    h.log.length = 0;
    expect(await h.proposer("n1").read("k", replicas, { deadlineAt: Date.now() + 5 })).toBeUndefined();
    expect(h.log).toEqual(["read n1", "read n2 (ballot)"]);
  });

  it("never reuses a ballot after a restart, so a write is not lost to a ballot clash", async () => {
    const h = createHarness();
    // Before the restart: a write reaches n1 only (n2 and n3 promised its ballot, nothing more).
    h.hooks.silentAccept.add("n2");
    h.hooks.silentAccept.add("n3");
    const before = h.proposer("n1", { incarnation: 1n });
    expect((await failure(before.execute("k", replicas, put("A"), { deadlineAt: Date.now() + 50 }))).reason).toBe("outcome_unknown");
    h.hooks.silentAccept.clear();
    // After the restart the counter starts again at 1: only the incarnation tells the ballots apart.
    const after = h.proposer("n1", { incarnation: 2n });
    expect((await after.execute("k", replicas, put("B"), soon())).version).toBe(1n);
    h.down.add("n3");
    const read = await h.proposer("n2").execute("k", replicas, readChange, soon());
    expect(read.value).toEqual(text("B"));
  });

  it("keeps its fast-path cache bounded", async () => {
    const h = createHarness();
    const p = h.proposer("n1", { fastPathKeys: 2 });
    for (const key of ["a", "b", "c"]) await p.execute(key, replicas, put("x"), soon());
    h.log.length = 0;
    await p.execute("c", replicas, readChange, soon());
    expect(h.log.some((l) => l.startsWith("prepare"))).toBe(false);
    await p.execute("a", replicas, readChange, soon()); // evicted: full round
    expect(h.log.some((l) => l.startsWith("prepare"))).toBe(true);
  });

  it("runs one operation per key at a time and keeps their order", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    const results = await Promise.all(["a", "b", "c", "d"].map((v) => p.execute("k", replicas, put(v), soon())));
    expect(results.map((s) => s.version)).toEqual([1n, 2n, 3n, 4n]);
  });

  /** A write with an op id, as the node sends them: only such writes share rounds. */
  const write = (p: ReturnType<ReturnType<typeof createHarness>["proposer"]>, opId: string, change: Change, options = soon()) => {
    const once = idempotent(opId, Date.now(), change);
    return p.execute("k", replicas, once.change, { ...options, appliedIn: once.appliedIn });
  };

  it("carries the writes queued behind the key's holder into its round, each with its own result", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await write(p, "w0", put("v0"));
    h.log.length = 0;
    // The first of these gets the key; the four queued behind it by then share its round.
    const results = await Promise.allSettled([
      write(p, "w1", put("a")),
      write(p, "w2", put("b")),
      write(p, "w3", put("c", 99n)), // a failed compare-and-set: its own error, the others go on
      write(p, "w4", deleteChange({ nowMs: Date.now() })),
      write(p, "w5", put("e")),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? `v${r.value.version}` : (r.reason as RingkvError).reason))).toEqual(["v2", "v3", "version_mismatch", "v4", "v5"]);
    expect(p.stats.sharedRounds).toBe(1);
    expect(p.stats.carried).toBe(4);
    // One accept per replica for the five writes after w0.
    expect(h.log.filter((l) => l.startsWith("accept")).length).toBe(replicas.length);
    const stored = (await h.acceptors.get("n2")!.readAccepted("k")).state!;
    expect(new TextDecoder().decode(stored.value)).toBe("e");
    expect(stored.version).toBe(5n);
    expect(unpackOps(stored.recentOpsPacked).map((o) => o.id)).toEqual(expect.arrayContaining(["w1", "w2", "w4", "w5"]));
  });

  it("leaves a queued write that stops while it waits out of the next round, with its own error", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.hooks.beforeAccept = () => gate;
    const first = write(p, "w1", put("a"));
    await new Promise((r) => setTimeout(r, 5));
    const expired = failure(write(p, "w2", put("late"), { deadlineAt: Date.now() + 20 }));
    const rider = write(p, "w3", put("b"));
    expect((await expired).reason).toBe("deadline_exceeded");
    release();
    expect((await first).version).toBe(1n);
    expect((await rider).version).toBe(2n);
    const stored = (await h.acceptors.get("n1")!.readAccepted("k")).state!;
    expect(new TextDecoder().decode(stored.value)).toBe("b");
    expect(unpackOps(stored.recentOpsPacked).map((o) => o.id)).not.toContain("w2");
  });

  it("answers outcome_unknown to a carried write that stops after the shared accept was sent", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    const held = new Map<string, { gate: Promise<void>; release(): void }>();
    const hold = (value: string) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      held.set(value, { gate, release });
    };
    hold("a");
    hold("c");
    h.hooks.beforeAccept = (_to, req) => held.get(new TextDecoder().decode(req.state!.value))?.gate;
    const first = write(p, "w1", put("a"));
    await new Promise((r) => setTimeout(r, 5));
    // Queued behind w1's round: w2 takes the key next and carries w3; their accept ("c") is held.
    const lead = write(p, "w2", put("b"));
    const carried = failure(write(p, "w3", put("c"), { deadlineAt: Date.now() + 50 }));
    held.get("a")!.release();
    expect((await first).version).toBe(1n);
    expect((await carried).reason).toBe("outcome_unknown");
    held.get("c")!.release();
    expect((await lead).version).toBe(2n);
    expect(p.stats.carried).toBe(1);
    // The write it was told may or may not be applied is in fact in the committed state.
    expect((await h.acceptors.get("n1")!.readAccepted("k")).state!.version).toBe(3n);
  });
});

describe("Proposer.collectTombstone()", () => {
  const gc = (minAgeMs = 0) => ({ minAgeMs, nowMs: 1_000, deadlineAt: Date.now() + 2_000 });

  it("removes an old tombstone from every replica, after which the key starts over", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await p.execute("k", replicas, put("a"), soon());
    await p.execute("k", replicas, deleteChange({ nowMs: 10 }), soon());
    expect(await p.collectTombstone("k", replicas, gc())).toEqual({ status: "collected" });
    for (const store of h.stores.values()) expect(store.size).toBe(0);
    const state = await p.execute("k", replicas, readChange, soon());
    expect(state).toMatchObject({ exists: false, version: 0n });
    expect((await p.execute("k", replicas, put("b"), soon())).version).toBe(1n);
  });

  it("keeps tombstones younger than minAgeMs and values", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await p.execute("k", replicas, put("a"), soon());
    expect(await p.collectTombstone("k", replicas, gc())).toEqual({ status: "not-a-tombstone" });
    await p.execute("k", replicas, deleteChange({ nowMs: 990 }), soon());
    expect(await p.collectTombstone("k", replicas, gc(100))).toMatchObject({ status: "too-recent", deletedAtMs: 990n });
    for (const store of h.stores.values()) expect(store.size).toBe(1);
  });

  it("needs every replica and stops harmlessly when one is down", async () => {
    const h = createHarness();
    const p = h.proposer("n1");
    await p.execute("k", replicas, put("a"), soon());
    await p.execute("k", replicas, deleteChange({ nowMs: 10 }), soon());
    h.down.add("n3");
    expect(await p.collectTombstone("k", replicas, gc())).toMatchObject({ status: "incomplete" });
    expect(h.stores.get("n1")!.size).toBe(1);
  });

  it("cannot be undone by a proposer holding a stale fast-path entry", async () => {
    const h = createHarness();
    const stale = h.proposer("n1");
    const other = h.proposer("n2");
    await stale.execute("k", replicas, put("old"), soon()); // stale caches "old"
    await other.execute("k", replicas, deleteChange({ nowMs: 10 }), soon());
    expect(await other.collectTombstone("k", replicas, gc())).toEqual({ status: "collected" });
    const read = await stale.execute("k", replicas, readChange, soon());
    expect(read).toMatchObject({ exists: false });
    expect(stale.stats.fastPathMisses).toBe(1);
  });
});
