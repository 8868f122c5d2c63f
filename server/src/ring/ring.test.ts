import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRing } from "./ring.js";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const keys = Array.from({ length: 100_000 }, () => randomBytes(12).toString("base64url"));

function spread(nodeCount: number): number {
  const ring = createRing({ nodeIds: ids(nodeCount) });
  const counts = new Map<string, number>();
  for (const key of keys) {
    const owner = ring.replicas(key, 1)[0]!;
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  const mean = keys.length / nodeCount;
  return Math.max(...counts.values()) / mean;
}

describe("createRing()", () => {
  it("builds the same ring from the same members in any order", () => {
    const a = createRing({ nodeIds: ["n1", "n2", "n3"] });
    const b = createRing({ nodeIds: ["n3", "n1", "n2"] });
    expect(b.tokens()).toEqual(a.tokens());
    for (const key of keys.slice(0, 1000)) expect(b.replicas(key, 3)).toEqual(a.replicas(key, 3));
  });

  it("returns distinct replicas, capped at the member count", () => {
    const ring = createRing({ nodeIds: ids(3) });
    for (const key of keys.slice(0, 1000)) {
      const replicas = ring.replicas(key, 5);
      expect(replicas).toHaveLength(3);
      expect(new Set(replicas).size).toBe(3);
    }
  });

  it("rejects duplicate and empty member lists", () => {
    expect(() => createRing({ nodeIds: [] })).toThrow(/at least one/);
    expect(() => createRing({ nodeIds: ["n1", "n1"] })).toThrow(/duplicate/);
  });

  it.each([3, 10])("spreads 100k keys over %i nodes with max/mean <= 1.10", (n) => {
    const ratio = spread(n);
    console.log(`key spread over ${n} nodes: max/mean = ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThanOrEqual(1.1);
  });

  it("moves close to 1/11 of the keys, all to the new node, when an 11th node joins", () => {
    const before = createRing({ nodeIds: ids(10) });
    const after = createRing({ nodeIds: ids(11) });
    let moved = 0;
    for (const key of keys) {
      const from = before.replicas(key, 1)[0];
      const to = after.replicas(key, 1)[0];
      if (from !== to) {
        moved++;
        expect(to).toBe("n11");
      }
    }
    const fraction = moved / keys.length;
    console.log(`adding an 11th node moved ${(fraction * 100).toFixed(2)}% of keys (ideal ${(100 / 11).toFixed(2)}%)`);
    expect(Math.abs(fraction - 1 / 11)).toBeLessThanOrEqual(0.1 / 11);
  });

  it("reports shares that add up to the whole ring and match key placement", () => {
    const ring = createRing({ nodeIds: ids(3) });
    const shares = ring.shares();
    const total = [...shares.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 9);
    const placed = ring.place("some-key", 3);
    expect(placed.token.nodeId).toBe(placed.replicas[0]);
  });
});
