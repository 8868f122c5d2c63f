import { describe, expect, it } from "vitest";
import { checkHistory } from "./check.js";
import { createHistoryRecorder, formatHistory } from "./history.js";

describe("createHistoryRecorder()", () => {
  it("stamps invocation and return times from the clock and keeps pending calls as unknown", () => {
    let now = 100;
    const recorder = createHistoryRecorder({ now: () => now });
    const donePut = recorder.record("c1", "k", { type: "put", value: "a" });
    now = 101;
    recorder.record("c2", "k", { type: "put", value: "b" });
    now = 103;
    donePut({ type: "put", version: 1n });

    expect(recorder.entries()).toEqual([
      { client: "c1", key: "k", op: { type: "put", value: "a" }, result: { type: "put", version: 1n }, invokedAt: 100, returnedAt: 103 },
      { client: "c2", key: "k", op: { type: "put", value: "b" }, result: { type: "unknown" }, invokedAt: 101, returnedAt: Infinity },
    ]);
    expect(checkHistory(recorder.entries()).ok).toBe(true);
  });

  it("refuses a second result for the same call", () => {
    const recorder = createHistoryRecorder();
    const done = recorder.record("c1", "k", { type: "get" });
    done({ type: "get", found: false, version: 0n });
    expect(() => done({ type: "get", found: false, version: 0n })).toThrow(/twice/);
  });

  it("uses performance.now() by default", () => {
    const recorder = createHistoryRecorder();
    const before = performance.now();
    recorder.record("c1", "k", { type: "get" })({ type: "get", found: false, version: 0n });
    const [entry] = recorder.entries();
    expect(entry!.invokedAt).toBeGreaterThanOrEqual(before);
    expect(entry!.returnedAt).toBeGreaterThanOrEqual(entry!.invokedAt);
  });
});

describe("formatHistory()", () => {
  it("prints one line per operation in invocation order, times relative to the first", () => {
    const text = formatHistory([
      { client: "c2", key: "k", op: { type: "get" }, result: { type: "get", found: true, value: "a", version: 1n }, invokedAt: 12, returnedAt: 13.5 },
      { client: "c1", key: "k", op: { type: "put", value: "a", expectedVersion: 0n }, result: { type: "put", version: 1n }, invokedAt: 10, returnedAt: 11 },
      { client: "c3", key: "k", op: { type: "delete" }, result: { type: "unknown" }, invokedAt: 14, returnedAt: Infinity },
      { client: "c4", key: "k", op: { type: "delete", expectedVersion: 4n }, result: { type: "cas-failed", currentVersion: 1n }, invokedAt: 15, returnedAt: 16 },
    ]);
    expect(text.split("\n")).toEqual([
      '[0.000, 1.000] c1 "k" put("a", if v0) -> ok v1',
      '[2.000, 3.500] c2 "k" get() -> found "a" v1',
      '[4.000, inf] c3 "k" delete() -> unknown',
      '[5.000, 6.000] c4 "k" delete(if v4) -> cas-failed (current v1)',
    ]);
    expect(formatHistory([])).toBe("(empty history)");
  });
});
