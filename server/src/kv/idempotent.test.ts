import { create } from "@bufbuild/protobuf";
import { RegisterStateSchema, type RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
import { putChange } from "../replication/register.js";
import { idempotent, keepingOpLog, maxRecentOps, newOpId, opClockMarginMs, opMemoryMs } from "./idempotent.js";
import { packOps, unpackOps } from "./op-log.js";

const put = (value: string) => putChange({ value: new TextEncoder().encode(value) });
const empty = (): RegisterState => create(RegisterStateSchema, {});

/** Applies `count` distinct ops at `atMs`, starting from `state`. */
function applyMany(state: RegisterState, count: number, atMs: number, prefix = "op"): RegisterState {
  for (let i = 0; i < count; i++) state = idempotent(`${prefix}-${i}`, atMs, put(`${prefix}${i}`)).change(state);
  return state;
}

describe("idempotent()", () => {
  it("applies a write once and recognizes it on a second run", () => {
    const once = idempotent("a", 1_000, put("x"));
    const first = once.change(empty());
    expect(first.version).toBe(1n);
    expect(unpackOps(first.recentOpsPacked).map((op) => [op.id, op.version])).toEqual([["a", 1n]]);
    const later = idempotent("b", 1_001, put("y")).change(first);
    expect(once.change(later)).toBe(later);
    expect(once.alreadyApplied()?.version).toBe(1n);
    expect(once.appliedIn(later, 1n)).toBe(true);
  });

  it("keeps at most maxRecentOps ids and remembers the newest version it dropped", () => {
    const state = applyMany(empty(), maxRecentOps + 5, 1_000);
    expect(unpackOps(state.recentOpsPacked)).toHaveLength(maxRecentOps);
    expect(unpackOps(state.recentOpsPacked)[0]!.id).toBe(`op-${maxRecentOps + 4}`);
    expect(state.opsForgottenThrough).toBe(5n);
  });

  it("drops ids older than opMemoryMs and remembers their versions too", () => {
    const old = applyMany(empty(), 3, 1_000, "old");
    const state = idempotent("new", 1_000 + opMemoryMs, put("n")).change(old);
    expect(unpackOps(state.recentOpsPacked).map((op) => op.id)).toEqual(["new"]);
    expect(state.opsForgottenThrough).toBe(3n);
  });

  it("keeps an op id until its write's deadline plus the clock margin, then drops it", () => {
    const t0 = 1_700_000_000_000;
    const deadline = t0 + 10_000;
    const applied = idempotent("fwd", t0, put("x"), deadline).change(empty());
    // Older nodes read the same rule: dropped opMemoryMs after at_ms, i.e. at deadline + margin.
    expect(unpackOps(applied.recentOpsPacked)[0]!.atMs).toBe(deadline + opClockMarginMs - opMemoryMs);
    const justBefore = idempotent("other", deadline + opClockMarginMs - 1, put("y")).change(applied);
    expect(unpackOps(justBefore.recentOpsPacked).map((op) => op.id)).toEqual(["other", "fwd"]);
    const retry = idempotent("fwd", deadline + opClockMarginMs - 1, put("x"), deadline);
    expect(retry.change(justBefore)).toBe(justBefore);
    expect(retry.alreadyApplied()?.version).toBe(1n);
    const after = idempotent("late", deadline + opClockMarginMs, put("z")).change(applied);
    expect(unpackOps(after.recentOpsPacked).map((op) => op.id)).toEqual(["late"]);
    expect(after.opsForgottenThrough).toBe(1n);
  });

  it("keeps the op id of a write with a deadline beyond opMemoryMs until that deadline", () => {
    const t0 = 1_700_000_000_000;
    const deadline = t0 + 10 * opMemoryMs; // --max-timeout-ms raised to ten minutes
    const applied = idempotent("slow", t0, put("x"), deadline).change(empty());
    const muchLater = applyMany(applied, 3, deadline - 1, "later");
    const retry = idempotent("slow", deadline - 1, put("x"), deadline);
    expect(retry.change(muchLater)).toBe(muchLater);
    expect(retry.alreadyApplied()?.version).toBe(1n);
    expect(retry.appliedIn(muchLater, 1n)).toBe(true);
  });

  it("counts the ids a write drops for room while their writes could still be retried, not those past their time", () => {
    const t = 1_700_000_000_000;
    const full = applyMany(empty(), maxRecentOps - 1, t); // one short of full: nothing dropped yet
    const filling = idempotent("fill", t + 1, put("f"));
    const fuller = filling.change(full);
    expect(filling.droppedEarly()).toBe(0);
    const over = idempotent("over", t + 2, put("o"));
    over.change(fuller);
    expect(over.droppedEarly()).toBe(1);
    // The same log once every id's time is up: dropped for age, which costs no write its protection.
    const late = idempotent("late", t + opMemoryMs, put("l"));
    late.change(fuller);
    expect(late.droppedEarly()).toBe(0);
    // A run that finds its own id changes nothing and drops nothing.
    const again = idempotent("fill", t + 3, put("f"));
    expect(again.change(fuller)).toBe(fuller);
    expect(again.droppedEarly()).toBe(0);
  });

  it("proves a write absent only when nothing at or after its version was dropped", () => {
    const once = idempotent("mine", 1_000, put("m"));
    const state = applyMany(empty(), maxRecentOps + 5, 1_000); // versions 1..37, dropped through 5
    expect(once.appliedIn(state, 6n)).toBe(false);
    expect(once.appliedIn(state, 5n)).toBeUndefined();
    expect(once.appliedIn(state, 1n)).toBeUndefined();
  });

  it("finds a write that is still listed however much was dropped before it", () => {
    let state = applyMany(empty(), maxRecentOps * 2, 1_000);
    state = idempotent("mine", 1_000, put("m")).change(state);
    state = applyMany(state, 3, 1_000, "after");
    expect(idempotent("mine", 1_000, put("m")).appliedIn(state, 1n)).toBe(true);
  });

  it("makes op ids unique within a process and prefixed per process", () => {
    const ids = Array.from({ length: 10_000 }, () => newOpId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 12))).size).toBe(1);
  });

  it("packs op entries losslessly, and reads unreadable bytes as none", () => {
    const entries = [
      { id: "abc", version: 2n ** 40n, atMs: 1_700_000_000_123 },
      { id: "", version: 0n, atMs: 0 },
      { id: "ключ", version: 7n, atMs: 5 },
    ];
    expect(unpackOps(packOps(entries))).toEqual(entries);
    expect(unpackOps(new Uint8Array())).toEqual([]);
    expect(unpackOps(new Uint8Array([0xff, 0xff, 0xff]))).toEqual([]);
  });

  it("edits the packed log in place exactly as decoding and re-encoding it would", () => {
    // A reference built only from unpackOps/packOps: the semantics the byte-level path must keep.
    const reference = (state: RegisterState, opId: string, nowMs: number, value: string): RegisterState => {
      const ops = unpackOps(state.recentOpsPacked);
      if (ops.some((op) => op.id === opId)) return state;
      const next = put(value)(state);
      const kept = ops.filter((op) => nowMs - op.atMs < opMemoryMs).slice(0, maxRecentOps - 1);
      let forgotten = state.opsForgottenThrough;
      for (const op of ops) if (!kept.includes(op) && op.version > forgotten) forgotten = op.version;
      return { ...next, recentOps: [], recentOpsPacked: packOps([{ id: opId, version: next.version, atMs: nowMs }, ...kept]), opsForgottenThrough: forgotten };
    };
    const random = seededRandom(7);
    let mine = empty();
    let theirs = empty();
    let now = 10 * opMemoryMs; // Unix-like times: never negative, even on a clock that is behind
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) {
      now += random(3) === 0 ? random(opMemoryMs / 4) : random(50);
      // Now and then a write whose node's clock is behind: the log's times are then out of order,
      // and the entries a write keeps are not simply its newest ones.
      const writeNow = random(8) === 0 ? now - random(opMemoryMs) : now;
      // Some retries of recent ids, some ids with multi-byte characters, mostly fresh ones.
      const id = random(5) === 0 && ids.length > 0 ? ids[ids.length - 1 - random(Math.min(ids.length, 120))]! : `op-${i}${random(4) === 0 ? "-ключ" : ""}`;
      ids.push(id);
      mine = idempotent(id, writeNow, put(`v${i}`)).change(mine);
      theirs = reference(theirs, id, writeNow, `v${i}`);
      expect(mine.version).toBe(theirs.version);
      expect(Buffer.from(mine.recentOpsPacked).equals(Buffer.from(theirs.recentOpsPacked))).toBe(true);
      expect(mine.opsForgottenThrough).toBe(theirs.opsForgottenThrough);
    }
    expect(mine.opsForgottenThrough).toBeGreaterThan(0n);
  });

  it("still reads and edits a log holding numbers beyond 2^53 (full decoder)", () => {
    const big = { ...empty(), version: 2n ** 60n, exists: true, recentOpsPacked: packOps([{ id: "far", version: 2n ** 60n, atMs: 1_000 }]) };
    const again = idempotent("far", 1_001, put("x"));
    expect(again.change(big)).toBe(big);
    expect(again.alreadyApplied()?.version).toBe(2n ** 60n);
    expect(again.appliedIn(big, 2n ** 60n)).toBe(true);
    const next = idempotent("new", 1_002, put("y")).change(big);
    expect(unpackOps(next.recentOpsPacked).map((op) => [op.id, op.version])).toEqual([["new", 2n ** 60n + 1n], ["far", 2n ** 60n]]);
  });

  it("keeps the op-id log across a write that records no id, so a retried forwarded write is still recognized", () => {
    const forwarded = idempotent("fwd", 1_000, put("x"));
    const applied = forwarded.change(applyMany(empty(), maxRecentOps + 3, 900, "old"));
    const local = keepingOpLog(1_001, put("y"))(applied);
    expect(local.version).toBe(applied.version + 1n);
    expect(local.recentOpsPacked).toEqual(applied.recentOpsPacked);
    expect(local.opsForgottenThrough).toBe(applied.opsForgottenThrough);
    expect(local.opsForgottenThrough).toBeGreaterThan(0n);
    const retry = idempotent("fwd", 1_002, put("x"));
    expect(retry.change(local)).toBe(local);
    expect(retry.alreadyApplied()?.version).toBe(applied.version);
    // A key that never had a log keeps none, and its state is the plain change's.
    const plain = keepingOpLog(1_003, put("z"))(empty());
    expect(plain.recentOpsPacked).toHaveLength(0);
    expect(plain.version).toBe(1n);
  });

  it("drops expired entries from the carried log as a recording write would, raising the watermark", () => {
    const applied = idempotent("fwd", 1_000, put("x")).change(empty());
    const later = keepingOpLog(1_000 + opMemoryMs + 1, put("y"))(applied);
    expect(later.recentOpsPacked).toHaveLength(0);
    expect(later.opsForgottenThrough).toBe(applied.version);
    expect(later.version).toBe(applied.version + 1n);
    // The forgotten write can no longer be proven absent: its retry is told "can't tell".
    expect(idempotent("fwd", 1_000 + opMemoryMs + 2, put("x")).appliedIn(later, applied.version)).toBeUndefined();
  });
});
