import { describe, expect, it } from "vitest";
import { createKeyMutex } from "./key-mutex.js";

describe("createKeyMutex()", () => {
  it("lets one holder per key in, first come first served, and other keys through", async () => {
    const mutex = createKeyMutex();
    const order: string[] = [];
    const first = await mutex.acquire("k");
    const second = mutex.acquire("k").then((release) => {
      order.push("second");
      release();
    });
    const third = mutex.acquire("k").then((release) => {
      order.push("third");
      release();
    });
    const other = await mutex.acquire("other");
    other();
    order.push("first");
    first();
    await Promise.all([second, third]);
    expect(order).toEqual(["first", "second", "third"]);
    expect(mutex.activeKeys).toBe(0);
  });

  it("gives up the place in line when the waiter's signal aborts", async () => {
    const mutex = createKeyMutex();
    const held = await mutex.acquire("k");
    const controller = new AbortController();
    const waiting = mutex.acquire("k", controller.signal);
    const next = mutex.acquire("k");
    controller.abort(new Error("deadline"));
    await expect(waiting).rejects.toThrow("deadline");
    held();
    (await next)();
    expect(mutex.activeKeys).toBe(0);
  });
});
