import { describe, expect, it } from "vitest";
import {
  RING_SIZE,
  arcPath,
  arcRuns,
  shareSlices,
  computeShares,
  ownedArcs,
  owningTokenIndex,
  pointAt,
  positionToAngle,
  replicasFor,
  sortTokens,
  type Token,
} from "./ring-geometry";

const Q = RING_SIZE / 4;
const tokens: Token[] = [
  { position: Q, nodeId: "n1" },
  { position: 2 * Q, nodeId: "n2" },
  { position: 3 * Q, nodeId: "n3" },
  { position: 3 * Q + Q / 2, nodeId: "n1" },
];

describe("positionToAngle()", () => {
  it("maps the ring onto a clock face, 0 at the top", () => {
    expect(positionToAngle(0)).toBe(0);
    expect(positionToAngle(Q)).toBe(90);
    expect(positionToAngle(2 * Q)).toBe(180);
    expect(positionToAngle(RING_SIZE - 1)).toBeLessThan(360);
  });
});

describe("pointAt()", () => {
  it("goes clockwise from 12 o'clock in SVG coordinates (y down)", () => {
    expect(pointAt(100, 100, 50, 0)).toEqual({ x: 100, y: 50 });
    expect(pointAt(100, 100, 50, 90)).toEqual({ x: 150, y: 100 });
    expect(pointAt(100, 100, 50, 180)).toEqual({ x: 100, y: 150 });
    expect(pointAt(100, 100, 50, 270)).toEqual({ x: 50, y: 100 });
  });
});

describe("arcPath()", () => {
  it("draws a small clockwise arc", () => {
    expect(arcPath(100, 100, 50, 0, 90)).toBe("M 100 50 A 50 50 0 0 1 150 100");
  });
  it("sets the large-arc flag past half a turn", () => {
    expect(arcPath(100, 100, 50, 0, 270)).toBe("M 100 50 A 50 50 0 1 1 50 100");
  });
  it("draws a full circle as two halves", () => {
    expect(arcPath(100, 100, 50, 0, 360)).toBe("M 100 50 A 50 50 0 1 1 100 150 A 50 50 0 1 1 100 50");
  });
});

describe("ownedArcs()", () => {
  it("gives each token the arc up to it, the first one wrapping", () => {
    const arcs = ownedArcs(tokens);
    expect(arcs.map((a) => [a.nodeId, a.length / RING_SIZE])).toEqual([
      ["n1", 0.375],
      ["n2", 0.25],
      ["n3", 0.25],
      ["n1", 0.125],
    ]);
    expect(arcs.reduce((sum, a) => sum + a.length, 0)).toBe(RING_SIZE);
  });
  it("gives a single token the whole ring", () => {
    expect(ownedArcs([{ position: 5, nodeId: "n1" }])[0]?.length).toBe(RING_SIZE);
    expect(ownedArcs([])).toEqual([]);
  });
});

describe("owningTokenIndex()", () => {
  it("picks the first token at or after the position, wrapping past the top", () => {
    expect(owningTokenIndex(tokens, 0)).toBe(0);
    expect(owningTokenIndex(tokens, Q)).toBe(0);
    expect(owningTokenIndex(tokens, Q + 1)).toBe(1);
    expect(owningTokenIndex(tokens, RING_SIZE - 1)).toBe(0);
    expect(owningTokenIndex([], 5)).toBe(-1);
  });
});

describe("replicasFor()", () => {
  it("walks clockwise collecting distinct nodes", () => {
    expect(replicasFor(tokens, 3 * Q + 1, 2)).toEqual(["n1", "n2"]);
    expect(replicasFor(tokens, 2 * Q, 3)).toEqual(["n2", "n3", "n1"]);
  });
  it("stops at the number of distinct nodes", () => {
    expect(replicasFor(tokens, 0, 5)).toEqual(["n1", "n2", "n3"]);
  });
});

describe("computeShares()", () => {
  it("adds up each node's arcs and counts its tokens", () => {
    expect(computeShares(sortTokens([...tokens].reverse()), 1)).toEqual([
      { nodeId: "n1", coordinator: 0.5, replica: 0.5, tokenCount: 2 },
      { nodeId: "n2", coordinator: 0.25, replica: 0.25, tokenCount: 1 },
      { nodeId: "n3", coordinator: 0.25, replica: 0.25, tokenCount: 1 },
    ]);
  });
  it("gives every node all of the key space when it replicates everything", () => {
    for (const share of computeShares(tokens, 3)) expect(share.replica).toBeCloseTo(1, 10);
  });
  it("counts replica shares for n=2", () => {
    const shares = Object.fromEntries(computeShares(tokens, 2).map((s) => [s.nodeId, s.replica]));
    // arcs: n1 .375 -> [n1,n2]; n2 .25 -> [n2,n3]; n3 .25 -> [n3,n1]; n1 .125 -> [n1,n2]
    expect(shares).toEqual({ n1: 0.75, n2: 0.75, n3: 0.5 });
  });
});

describe("arcRuns()", () => {
  it("merges consecutive arcs of one node, also across the top", () => {
    // arcs: n1 (-45°..90°), n2, n3, n1 (270°..315°): the last n1 arc joins the first over the top
    const runs = arcRuns(ownedArcs(tokens));
    expect(runs.map((r) => [r.nodeId, r.startAngle, r.endAngle, r.length / RING_SIZE])).toEqual([
      ["n1", -90, 90, 0.5],
      ["n2", 90, 180, 0.25],
      ["n3", 180, 270, 0.25],
    ]);
  });
  it("keeps a single node as one full turn", () => {
    const runs = arcRuns(ownedArcs([{ position: 10, nodeId: "n1" }, { position: 20, nodeId: "n1" }]));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.length).toBe(RING_SIZE);
    expect((runs[0]?.endAngle ?? 0) - (runs[0]?.startAngle ?? 0)).toBeCloseTo(360, 9);
  });
});

describe("shareSlices()", () => {
  it("lays shares end to end from the top", () => {
    expect(shareSlices([{ nodeId: "a", fraction: 0.25 }, { nodeId: "b", fraction: 0.75 }])).toEqual([
      { nodeId: "a", fraction: 0.25, startAngle: 0, endAngle: 90 },
      { nodeId: "b", fraction: 0.75, startAngle: 90, endAngle: 360 },
    ]);
  });
});
