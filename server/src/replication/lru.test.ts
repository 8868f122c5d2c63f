import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
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

  it("keeps exactly what a reference LRU keeps through churn, touches, takes and clears", () => {
    const capacity = 16;
    const lru = createLru<number>(capacity);
    let reference: Array<[string, number]> = []; // oldest first
    const touch = (key: string, value: number) => {
      reference = reference.filter(([k]) => k !== key);
      reference.push([key, value]);
      if (reference.length > capacity) reference.shift();
    };
    const random = seededRandom(11);
    for (let i = 0; i < 20_000; i++) {
      const key = `k${random(40)}`;
      const op = random(100);
      if (op < 50) {
        lru.set(key, i);
        touch(key, i);
      } else if (op < 85) {
        const want = reference.find(([k]) => k === key)?.[1];
        expect(lru.get(key)).toBe(want);
        if (want !== undefined) touch(key, want);
      } else if (op < 95) {
        expect(lru.take(key)).toBe(reference.find(([k]) => k === key)?.[1]);
        reference = reference.filter(([k]) => k !== key);
      } else if (op < 99) {
        lru.delete(key);
        reference = reference.filter(([k]) => k !== key);
      } else {
        lru.clear();
        reference = [];
      }
      expect(lru.size).toBe(reference.length);
    }
    for (const [k, v] of reference) expect(lru.get(k)).toBe(v);
  });
});
