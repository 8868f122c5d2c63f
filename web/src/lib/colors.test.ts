import { describe, expect, it } from "vitest";
import { colorOf, nodeColors, palette } from "./colors";

describe("nodeColors()", () => {
  it("assigns colours by sorted node id, whatever the input order", () => {
    const a = nodeColors(["n3", "n1", "n2"]);
    const b = nodeColors(["n2", "n3", "n1", "n1"]);
    expect([...a]).toEqual([...b]);
    expect(a.get("n1")).toBe(palette[0]);
    expect(a.get("n3")).toBe(palette[2]);
  });
  it("sorts numerically so n10 comes after n9", () => {
    const ids = Array.from({ length: 10 }, (_, i) => `n${i + 1}`);
    expect(nodeColors(ids).get("n10")).toBe(palette[9]);
  });
  it("greys out unknown nodes", () => {
    expect(colorOf(new Map(), "nx")).toBe("#9ca3af");
  });
});
