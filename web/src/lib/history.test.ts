import { describe, expect, it } from "vitest";
import { appendSample, recordStats, seriesName, shortMethod, type History } from "./history";

describe("appendSample()", () => {
  it("keeps the newest samples up to the limit without mutating", () => {
    let h: History = new Map();
    const first = h;
    for (let i = 1; i <= 5; i++) h = appendSample(h, "s", i, 3);
    expect(h.get("s")).toEqual([3, 4, 5]);
    expect(first.size).toBe(0);
  });
  it("records non-finite numbers as 0", () => {
    expect(appendSample(new Map(), "s", Number.NaN).get("s")).toEqual([0]);
  });
});

describe("recordStats()", () => {
  it("records node and method series and skips unreachable nodes", () => {
    const h = recordStats(new Map(), [
      { nodeId: "n1", reachable: true, requestsPerSecond: 3, p99Ms: 1.5, methods: [{ method: "kvstore.KeyValueService/Get", requestsPerSecond: 2, p99Ms: 1 }] },
      { nodeId: "n2", reachable: false, requestsPerSecond: 0, p99Ms: 0, methods: [] },
    ]);
    expect(h.get(seriesName.nodeRate("n1"))).toEqual([3]);
    expect(h.get(seriesName.nodeP99("n1"))).toEqual([1.5]);
    expect(h.get(seriesName.methodRate("n1", "kvstore.KeyValueService/Get"))).toEqual([2]);
    expect(h.has(seriesName.nodeRate("n2"))).toBe(false);
  });
});

describe("shortMethod()", () => {
  it("drops the package", () => {
    expect(shortMethod("kvstore.KeyValueService/Get")).toBe("KeyValueService/Get");
    expect(shortMethod("ringkv.cluster.v1.ClusterService/Locate")).toBe("ClusterService/Locate");
    expect(shortMethod("Get")).toBe("Get");
  });
});
