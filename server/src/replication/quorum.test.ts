import { describe, expect, it } from "vitest";
import { createStopper } from "../net/cancel-watch.js";
import { collectQuorum } from "./quorum.js";

/** A call per replica that the test resolves by hand. */
function createCalls() {
  const pending = new Map<string, { resolve: (ok: boolean) => void; reject: (e: Error) => void }>();
  const call = (nodeId: string) =>
    new Promise<boolean>((resolve, reject) => {
      pending.set(nodeId, { resolve, reject });
    });
  return { call, answer: (id: string, ok: boolean) => pending.get(id)!.resolve(ok), fail: (id: string) => pending.get(id)!.reject(new Error(`${id} down`)) };
}

describe("collectQuorum()", () => {
  it("settles on a majority without waiting for the straggler", async () => {
    const c = createCalls();
    const outcome = collectQuorum({ replicas: ["a", "b", "c"], needed: 2, call: c.call, isOk: (r) => r });
    c.answer("a", true);
    c.answer("c", true);
    const result = await outcome;
    expect(result.kind).toBe("quorum");
    expect(result.ok.map((a) => a.nodeId)).toEqual(["a", "c"]);
    c.answer("b", false);
    expect(await result.everyAnswer).toMatchObject({ complete: true, rejected: [{ nodeId: "b" }] });
  });

  it("reports a refusal as soon as a majority became impossible", async () => {
    const c = createCalls();
    const outcome = collectQuorum({ replicas: ["a", "b", "c"], needed: 2, call: c.call, isOk: (r) => r });
    c.answer("a", false);
    c.fail("b");
    expect((await outcome).kind).toBe("rejected");
  });

  it("reports unreachable replicas when nobody refused", async () => {
    const c = createCalls();
    const outcome = collectQuorum({ replicas: ["a", "b", "c"], needed: 2, call: c.call, isOk: (r) => r });
    c.fail("a");
    c.fail("c");
    const result = await outcome;
    expect(result.kind).toBe("unreachable");
    expect(result.failed.map((f) => f.nodeId)).toEqual(["a", "c"]);
  });

  it("stops waiting when the signal aborts", async () => {
    const c = createCalls();
    const controller = new AbortController();
    const outcome = collectQuorum({ replicas: ["a", "b"], needed: 2, call: c.call, isOk: (r) => r, cancel: controller.signal });
    controller.abort(new Error("gone"));
    await expect(outcome).rejects.toThrow("gone");
  });

  it("stops waiting when its stopper stops, and never starts when it already has", async () => {
    const c = createCalls();
    const stopper = createStopper();
    const outcome = collectQuorum({ replicas: ["a", "b"], needed: 2, call: c.call, isOk: (r) => r, cancel: stopper });
    stopper.stop(new Error("stopped"));
    await expect(outcome).rejects.toThrow("stopped");
    let called = 0;
    const late = collectQuorum({ replicas: ["a"], needed: 1, call: () => (called++, Promise.resolve(true)), isOk: (r) => r, cancel: stopper });
    await expect(late).rejects.toThrow("stopped");
    expect(called).toBe(0);
  });
});
