import { describe, expect, it } from "vitest";
import { compareBallots, createBallotCounter, formatBallot, makeBallot, maxBallot, zeroBallot } from "./ballot.js";

describe("compareBallots()", () => {
  it("orders by counter, then node id, then incarnation", () => {
    const sorted = [
      makeBallot(1n, "n2", 9n),
      makeBallot(2n, "n1", 0n),
      makeBallot(2n, "n2", 1n),
      makeBallot(2n, "n2", 2n),
      makeBallot(3n, "a", 0n),
    ];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        expect(Math.sign(compareBallots(sorted[i], sorted[j]))).toBe(Math.sign(i - j));
      }
    }
  });

  it("treats an absent ballot as the zero ballot, below every issued ballot", () => {
    expect(compareBallots(undefined, zeroBallot())).toBe(0);
    expect(compareBallots(undefined, makeBallot(1n, "n1", 0n))).toBeLessThan(0);
    expect(maxBallot(undefined, undefined)).toEqual(zeroBallot());
    expect(formatBallot(undefined)).toBe("0");
  });
});

describe("createBallotCounter()", () => {
  it("issues increasing ballots above everything it observed", () => {
    const counter = createBallotCounter({ nodeId: "n1", incarnation: 7n });
    const a = counter.next();
    const b = counter.next();
    expect(compareBallots(b, a)).toBeGreaterThan(0);
    counter.observe(makeBallot(41n, "n9", 1n));
    const c = counter.next();
    expect(compareBallots(c, makeBallot(41n, "n9", 1n))).toBeGreaterThan(0);
    expect(c).toMatchObject({ counter: 42n, nodeId: "n1", incarnation: 7n });
  });

  it("keeps two incarnations of one node from issuing the same ballot", () => {
    const before = createBallotCounter({ nodeId: "n1", incarnation: 1n }).next();
    const after = createBallotCounter({ nodeId: "n1", incarnation: 2n }).next();
    expect(compareBallots(before, after)).not.toBe(0);
  });
});
