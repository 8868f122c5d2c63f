import { describe, expect, it } from "vitest";
import { sparklineShape } from "./sparkline";

describe("sparklineShape()", () => {
  it("draws nothing without samples", () => {
    expect(sparklineShape([], 100, 20)).toMatchObject({ line: "", area: "", last: undefined });
  });
  it("scales from zero to the largest sample, y growing downwards", () => {
    const s = sparklineShape([0, 5, 10], 104, 24, { padding: 2 });
    expect(s.line).toBe("M 2 22 L 52 12 L 102 2");
    expect(s.area).toBe("M 2 22 L 52 12 L 102 2 L 102 22 L 2 22 Z");
    expect(s.max).toBe(10);
    expect(s.last).toEqual({ x: 102, y: 2 });
  });
  it("keeps a small flat line low when given a minimum scale", () => {
    const s = sparklineShape([1, 1], 104, 24, { padding: 2, minMax: 10 });
    expect(s.line).toBe("M 2 20 L 102 20");
  });
  it("right-aligns a young history in its capacity", () => {
    const s = sparklineShape([4], 104, 24, { padding: 2, capacity: 3 });
    expect(s.line).toBe("M 102 2");
  });
  it("draws an all-zero series on the baseline", () => {
    expect(sparklineShape([0, 0], 104, 24, { padding: 2 }).line).toBe("M 2 22 L 102 22");
  });
});
