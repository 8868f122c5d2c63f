import { describe, expect, it } from "vitest";
import { checkHistory } from "./check.js";
import { randomPlans, simulate } from "./fixtures.js";
import type { HistoryEntry } from "./history.js";

/**
 * Histories of the size a fault-injection run produces. These assert only that the default
 * 10 s budget is not exhausted (no test here asserts wall-clock speed); in practice each check
 * takes a few tens of milliseconds.
 */
describe("checkHistory()", () => {
  const oneKey = { ok: true, keys: 1, operations: 2000 };

  it("checks 5 clients x 400 operations on one key", () => {
    for (const seed of [1, 2, 3]) {
      expect(checkHistory(simulate(randomPlans(seed, { clients: 5, perClient: 400 })))).toEqual(oneKey);
    }
  });

  it("checks them with 5% unknown outcomes and a unique value per write", () => {
    for (const seed of [4, 5, 6]) {
      const history = simulate(randomPlans(seed, { clients: 5, perClient: 400, unknownRate: 0.05 }), { uniqueValues: true });
      expect(checkHistory(history)).toEqual(oneKey);
    }
  });

  it("checks them with 10% unknown outcomes and values from a pool of 5", () => {
    for (const seed of [7, 8, 9]) {
      const history = simulate(randomPlans(seed, { clients: 5, perClient: 400, unknownRate: 0.1 }));
      expect(checkHistory(history)).toEqual(oneKey);
    }
  });

  it("rejects them once one read in the middle returns a stale answer", () => {
    for (const [seed, uniqueValues] of [[10, true], [11, false]] as const) {
      const history = simulate(randomPlans(seed, { clients: 5, perClient: 400, unknownRate: 0.05 }), { uniqueValues });
      const reads = history.filter((e) => e.result.type === "get" && e.result.found);
      const victim = reads[Math.floor(reads.length / 2)]!;
      // Some read that completed before the victim started saw version `seen`; the victim now
      // claims an answer with an older version, which the counter cannot go back to.
      const seen = reads.filter((e) => e.returnedAt < victim.invokedAt).reduce((max, e) => (version(e) > max ? version(e) : max), 0n);
      const stale = reads.find((e) => version(e) < seen)!;
      victim.result = { ...stale.result };
      expect(checkHistory(history).ok).toBe(false);
    }
  });

  it("checks 10 clients x 500 operations over 50 keys", () => {
    const history = simulate(randomPlans(12, { clients: 10, perClient: 500, keys: 50, unknownRate: 0.02 }));
    expect(checkHistory(history)).toEqual({ ok: true, keys: 50, operations: 5000 });
  });
});

function version(read: HistoryEntry): bigint {
  return read.result.type === "get" ? read.result.version : 0n;
}
