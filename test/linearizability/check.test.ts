import { describe, expect, it } from "vitest";
import { checkHistory, type CheckResult } from "./check.js";
import {
  casFailed, del, deleted, found, get, missing, ok, op, put, sequential, unknown,
} from "./fixtures.js";
import { formatHistory, type HistoryEntry } from "./history.js";

function expectLinearizable(history: HistoryEntry[]): void {
  const verdict = checkHistory(history);
  expect(verdict.ok, `${verdict.ok === false ? verdict.reason : ""}\n${formatHistory(history)}`).toBe(true);
}

function expectViolation(history: HistoryEntry[], key = "k"): Extract<CheckResult, { ok: false }> {
  const verdict = checkHistory(history);
  if (verdict.ok !== false) throw new Error(`expected a violation, got ${JSON.stringify(verdict)}\n${formatHistory(history)}`);
  expect(verdict.key).toBe(key);
  return verdict;
}

describe("checkHistory()", () => {
  describe("sequential histories", () => {
    it("accepts an empty history", () => {
      expect(checkHistory([])).toEqual({ ok: true, keys: 0, operations: 0 });
    });

    it("accepts a correct sequential history and counts keys and operations", () => {
      const history = sequential([
        [get(), missing()],
        [put("a"), ok(1n)],
        [get(), found("a", 1n)],
        [put("b"), ok(2n)],
        [get(), found("b", 2n)],
        [del(), deleted()],
        [get(), missing()],
        [del(), deleted(false)],
      ]);
      expect(checkHistory(history)).toEqual({ ok: true, keys: 1, operations: 8 });
    });

    it("rejects a stale read after a completed write", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b"), ok(2n)],
        [get(), found("a", 1n)],
      ]));
    });

    it("rejects a read of a value never written", () => {
      const verdict = expectViolation(sequential([
        [put("a"), ok(1n)],
        [get(), found("z", 1n)],
      ]));
      expect(verdict.reason).toContain("no put on this key wrote");
    });

    it("rejects a lost acknowledged write", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [get(), missing()],
      ]));
    });

    it("rejects versions going backwards", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b"), ok(2n)],
        [put("c"), ok(2n)],
      ]));
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [get(), found("a", 1n)],
        [put("a"), ok(2n)],
        [get(), found("a", 1n)],
      ]));
    });

    it("rejects a version that skips a number", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b"), ok(3n)],
      ]));
    });
  });

  describe("concurrency", () => {
    it("accepts overlapping writes whose reads see either order", () => {
      // a and b overlap; each order is fine as long as versions and later reads agree.
      expectLinearizable([
        op("c1", 0, 10, put("a"), ok(1n)),
        op("c2", 1, 9, put("b"), ok(2n)),
        op("c3", 11, 12, get(), found("b", 2n)),
      ]);
      expectLinearizable([
        op("c1", 0, 10, put("a"), ok(2n)),
        op("c2", 1, 9, put("b"), ok(1n)),
        op("c3", 11, 12, get(), found("a", 2n)),
      ]);
    });

    it("accepts reads concurrent with a write that see the old then the new value", () => {
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, 20, put("b"), ok(2n)),
        op("c3", 3, 4, get(), found("a", 1n)),
        op("c3", 5, 6, get(), found("b", 2n)),
        op("c4", 7, 8, get(), found("b", 2n)),
      ]);
    });

    it("rejects reads that see the new value then the old one", () => {
      expectViolation([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, 20, put("b"), ok(2n)),
        op("c3", 3, 4, get(), found("b", 2n)),
        op("c4", 5, 6, get(), found("a", 1n)),
      ]);
    });

    it("rejects a read whose value disagrees with the version the writes imply", () => {
      expectViolation([
        op("c1", 0, 10, put("a"), ok(1n)),
        op("c2", 1, 9, put("b"), ok(2n)),
        op("c3", 11, 12, get(), found("a", 2n)),
      ]);
    });

    it("treats an invocation at the very instant of another's return as concurrent", () => {
      expectLinearizable([
        op("c1", 0, 5, put("a"), ok(2n)),
        op("c2", 5, 6, put("b"), ok(1n)),
      ]);
      expectViolation([
        op("c1", 0, 5, put("a"), ok(2n)),
        op("c2", 5.001, 6, put("b"), ok(1n)),
      ]);
    });
  });

  describe("compare-and-set", () => {
    it("accepts CAS that succeed on the current version and fail on another", () => {
      expectLinearizable(sequential([
        [put("a", 0n), ok(1n)],
        [put("b", 1n), ok(2n)],
        [put("c", 1n), casFailed(2n)],
        [put("d", 0n), casFailed(2n)],
        [del(1n), casFailed(2n)],
        [del(2n), deleted()],
        [put("e", 2n), casFailed(0n)],
        [put("e", 0n), ok(4n)],
      ]));
    });

    it("rejects a CAS that succeeded with the wrong expected version", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b"), ok(2n)],
        [put("c", 1n), ok(3n)],
      ]));
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(5n), deleted()],
      ]));
    });

    it("rejects cas-failed reporting the wrong current version", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b", 7n), casFailed(3n)],
      ]));
    });

    it("rejects cas-failed when the expected version did match", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b", 1n), casFailed(1n)],
      ]));
    });

    it("lets exactly one of two concurrent put-if-absent win", () => {
      expectLinearizable([
        op("c1", 0, 10, put("a", 0n), casFailed(1n)),
        op("c2", 1, 9, put("b", 0n), ok(1n)),
        op("c3", 11, 12, get(), found("b", 1n)),
      ]);
      expectViolation([
        op("c1", 0, 10, put("a", 0n), ok(1n)),
        op("c2", 1, 9, put("b", 0n), ok(1n)),
      ]);
    });
  });

  describe("deletes", () => {
    it("rejects a read that finds a deleted key", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(), deleted()],
        [get(), found("a", 1n)],
      ]));
    });

    it("rejects a delete of a missing key that reports found", () => {
      expectViolation(sequential([[del(), deleted(true)]]));
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(), deleted()],
        [del(), deleted()],
      ]));
    });

    it("rejects a delete of a present key that reports not found", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(), deleted(false)],
      ]));
    });

    it("continues the version counter when a key is re-created", () => {
      expectLinearizable(sequential([
        [put("a"), ok(1n)],
        [del(), deleted()],
        [get(), missing(0n)],
        [put("b"), ok(3n)],
        [get(), found("b", 3n)],
      ]));
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(), deleted()],
        [put("b"), ok(1n)],
      ]));
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(), deleted()],
        [put("b"), ok(2n)],
      ]));
    });

    it("reports version 0 for a deleted key, not the tombstone's", () => {
      expectViolation(sequential([
        [put("a"), ok(1n)],
        [del(), deleted()],
        [get(), missing(2n)],
      ]));
    });
  });

  describe("unknown outcomes", () => {
    it("accepts an unknown put that later becomes visible", () => {
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("b"), unknown),
        op("c3", 30, 31, get(), found("a", 1n)),
        op("c3", 40, 41, get(), found("b", 2n)),
        op("c1", 50, 51, put("c"), ok(3n)),
      ]);
    });

    it("accepts an unknown put that never takes effect", () => {
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, 3, put("b"), unknown),
        op("c3", 30, 31, get(), found("a", 1n)),
        op("c1", 50, 51, put("c"), ok(2n)),
      ]);
    });

    it("rejects an unknown put that takes effect twice", () => {
      expectViolation([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("b"), unknown),
        op("c3", 10, 11, get(), found("b", 2n)),
        op("c1", 20, 21, put("c"), ok(3n)),
        op("c3", 30, 31, get(), found("b", 4n)),
      ]);
    });

    it("rejects a version jump of 2 explained by only one unknown put", () => {
      expectViolation([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("b"), unknown),
        op("c1", 20, 21, put("c"), ok(4n)),
      ]);
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("b"), unknown),
        op("c4", 3, Infinity, del(), unknown),
        op("c1", 20, 21, put("c"), ok(4n)),
      ]);
    });

    it("rejects an unknown put that takes effect before it was invoked", () => {
      expectViolation([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c3", 10, 11, get(), found("b", 2n)),
        op("c2", 12, Infinity, put("b"), unknown),
      ]);
    });

    it("places an unknown put whose value was read only where its version shows", () => {
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("b"), unknown),
        op("c3", 2, Infinity, put("x"), unknown),
        op("c1", 10, 11, get(), found("b", 3n)),
      ]);
      expectViolation([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("b"), unknown),
        op("c3", 2, Infinity, put("x"), unknown),
        op("c1", 10, 11, get(), found("b", 2n)),
        op("c1", 12, 13, get(), found("b", 3n)),
      ]);
    });

    it("lets any unknown write fill a version gap when its value is never read", () => {
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("p"), unknown),
        op("c3", 3, Infinity, put("q"), unknown),
        op("c4", 4, Infinity, del(), unknown),
        op("c1", 10, 11, get(), missing()),
        op("c1", 12, 13, put("b", 0n), ok(4n)),
        op("c1", 14, 15, get(), found("b", 4n)),
      ]);
    });

    it("accepts an unknown CAS, get and delete alongside completed operations", () => {
      expectLinearizable([
        op("c1", 0, 1, put("a"), ok(1n)),
        op("c2", 2, Infinity, put("x", 9n), unknown),
        op("c3", 2, Infinity, get(), unknown),
        op("c4", 2, Infinity, del(7n), unknown),
        op("c5", 3, Infinity, del(), unknown),
        op("c1", 10, 11, get(), missing()),
        op("c1", 12, 13, put("b"), ok(3n)),
      ]);
    });

    it("ignores the recorded return time of an unknown result", () => {
      expectLinearizable([
        op("c2", 0, 1, put("b"), unknown),
        op("c1", 50, 51, get(), missing()),
        op("c1", 60, 61, get(), found("b", 1n)),
      ]);
    });
  });

  describe("several keys", () => {
    it("checks keys independently and names the failing one", () => {
      const history = [
        op("c1", 0, 1, put("a"), ok(1n), "x"),
        op("c1", 2, 3, put("a"), ok(1n), "y"),
        op("c1", 4, 5, get(), found("a", 1n), "x"),
        op("c1", 6, 7, get(), missing(), "y"),
        op("c1", 8, 9, get(), missing(), "z"),
      ];
      const verdict = expectViolation(history, "y");
      expect(verdict.history.map((e) => e.key)).toEqual(["y", "y"]);
      expect(checkHistory(history.filter((e) => e.key !== "y"))).toEqual({ ok: true, keys: 2, operations: 3 });
    });
  });

  describe("failure report", () => {
    it("explains where the search got stuck", () => {
      const verdict = expectViolation(sequential([
        [put("a"), ok(1n)],
        [get(), found("a", 1n)],
        [get(), missing()],
      ]));
      expect(verdict.reason).toContain('key "k"');
      expect(verdict.reason).toContain("places 2 operations (of 3 completed)");
      expect(verdict.reason).toContain('{exists "a" v1}');
      expect(verdict.reason).toContain("get() -> not found v0");
      expect(verdict.reason).toContain('would have answered: found "a" v1');
      expect(verdict.history).toHaveLength(3);
    });

    it("names the operation whose version a write would overtake", () => {
      const verdict = expectViolation(sequential([
        [put("a"), ok(1n)],
        [put("b"), ok(2n)],
        [get(), found("a", 1n)],
      ]));
      expect(verdict.reason).toContain('put("b") -> ok v2');
      expect(verdict.reason).toContain("past the v1");
      expect(verdict.reason).toContain('get() -> found "a" v1');
    });

    it("never shows the placeholder for unread values", () => {
      const verdict = expectViolation(sequential([
        [put("a"), ok(1n)],
        [get(), missing()],
      ]));
      expect(verdict.reason).toContain("found <a value no read returned> v1");
      expect(verdict.reason).not.toContain("unread");
    });
  });

  describe("limits", () => {
    it("reports a timeout instead of hanging on an exponential history", () => {
      // 40 values, each written by two concurrent unknown puts (so no put is pinned to a version),
      // and a read at version 100 that at most 80 writes cannot reach: proving it impossible
      // means trying every combination of those puts.
      const history = [
        ...Array.from({ length: 80 }, (_, i) => op(`w${i}`, 0, Infinity, put(`v${i % 40}`), unknown)),
        op("r", 1, 2, get(), found("v0", 100n)),
        ...Array.from({ length: 40 }, (_, i) => op("r", 10 + i, 10.5 + i, get(), found(`v${i}`, 200n + BigInt(i)))),
      ];
      expect(checkHistory(history, { timeoutMs: 200 })).toEqual({ ok: "timeout", key: "k" });
    });

    it("rejects malformed entries", () => {
      expect(() => checkHistory([op("c1", 5, 4, get(), missing())])).toThrow(RangeError);
      expect(() => checkHistory([op("c1", Number.NaN, 4, get(), missing())])).toThrow(RangeError);
    });
  });
});
