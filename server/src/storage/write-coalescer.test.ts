import { describe, expect, it } from "vitest";
import { createWriteCoalescer } from "./write-coalescer.js";

const endOfTurn = () => new Promise((r) => setImmediate(r));

describe("createWriteCoalescer()", () => {
  it("commits a turn's writes once, with the newest value of each key in first-written order", async () => {
    const batches: Array<Array<[string, number]>> = [];
    const coalescer = createWriteCoalescer<number>((batch) => {
      batches.push([...batch]);
      return Promise.resolve();
    });
    const writes = [coalescer.write("a", 1), coalescer.write("b", 2), coalescer.write("a", 3)];
    expect(batches).toEqual([]); // nothing before the turn ends
    await Promise.all(writes);
    expect(batches).toEqual([[["a", 3], ["b", 2]]]);
    await coalescer.write("a", 4);
    expect(batches).toEqual([[["a", 3], ["b", 2]], [["a", 4]]]);
  });

  it("settles every writer of a batch only when its commit does, and rejects them all when it fails", async () => {
    const commits: Array<{ resolve(): void; reject(e: unknown): void }> = [];
    const coalescer = createWriteCoalescer<number>(() => new Promise<void>((resolve, reject) => commits.push({ resolve, reject })));
    let settled = 0;
    const first = [coalescer.write("a", 1), coalescer.write("a", 2)].map((p) => p.then(() => settled++));
    await endOfTurn();
    expect(commits).toHaveLength(1);
    expect(settled).toBe(0); // handed over, not yet committed
    const second = coalescer.write("a", 3); // a new batch while the first is committing
    await endOfTurn();
    expect(commits).toHaveLength(2);
    commits[0]!.resolve();
    await Promise.all(first);
    expect(settled).toBe(2);
    commits[1]!.reject(new Error("disk full"));
    await expect(second).rejects.toThrow("disk full");
  });

  it("rejects the batch's writers when commit throws instead of rejecting", async () => {
    const coalescer = createWriteCoalescer<number>(() => {
      throw new Error("encode failed");
    });
    await expect(Promise.all([coalescer.write("a", 1), coalescer.write("b", 2)])).rejects.toThrow("encode failed");
  });

  it("commits at once on flush (before storage closes), and a flush with nothing queued does nothing", async () => {
    const batches: Array<Array<[string, number]>> = [];
    const coalescer = createWriteCoalescer<number>((batch) => {
      batches.push([...batch]);
      return Promise.resolve();
    });
    coalescer.flush();
    const w = coalescer.write("k", 1);
    coalescer.flush();
    expect(batches).toEqual([[["k", 1]]]);
    await w;
    await endOfTurn();
    expect(batches).toHaveLength(1); // the turn's scheduled commit found nothing left
  });
});
