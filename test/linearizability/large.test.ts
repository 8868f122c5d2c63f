import { describe, expect, it } from "vitest";
import { checkHistory } from "./check.js";
import { randomPlans, simulate } from "./fixtures.js";
import type { RegisterResult } from "./history.js";

/**
 * Histories of the size a fault-injection run produces. These assert only that the default
 * 10 s budget is not exhausted (no test here asserts wall-clock speed); in practice each check
 * takes well under a second.
 */
describe("checkHistory()", () => {
  it("checks 5 clients x 400 operations on one key", () => {
    for (const seed of [1, 2, 3]) {
      const history = simulate(randomPlans(seed, { clients: 5, perClient: 400 }));
      expect(checkHistory(history)).toEqual({ ok: true, keys: 1, operations: 2000 });
    }
  });

  it("checks 5 clients x 400 operations on one key with 5% unknown outcomes", () => {
    for (const seed of [4, 5, 6]) {
      const history = simulate(randomPlans(seed, { clients: 5, perClient: 400, unknownRate: 0.05 }));
      expect(checkHistory(history)).toEqual({ ok: true, keys: 1, operations: 2000 });
    }
  });

  it("rejects the same history with one read corrupted in the middle", () => {
    const history = simulate(randomPlans(7, { clients: 5, perClient: 400, unknownRate: 0.05 }));
    const reads = history.filter((e) => e.result.type === "get" && e.result.found);
    const victim = reads[Math.floor(reads.length / 2)]!;
    victim.result = { ...victim.result, value: "never-written" } as RegisterResult;
    const verdict = checkHistory(history);
    expect(verdict.ok).toBe(false);
  });

  it("checks 10 clients x 500 operations over 50 keys", () => {
    const history = simulate(randomPlans(8, { clients: 10, perClient: 500, keys: 50, unknownRate: 0.02 }));
    expect(checkHistory(history)).toEqual({ ok: true, keys: 50, operations: 5000 });
  });
});
