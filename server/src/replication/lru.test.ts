import { describe, expect, it } from "vitest";
import { createLru } from "./lru.js";

describe("createLru()", () => {
  it("evicts the least recently used entry beyond its capacity", () => {
    const lru = createLru<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.size).toBe(2);
  });

  it("hands an entry out once with take()", () => {
    const lru = createLru<number>(2);
    lru.set("a", 1);
    expect(lru.take("a")).toBe(1);
    expect(lru.take("a")).toBeUndefined();
  });
});
