import { describe, expect, it } from "vitest";
import { createTurnBatcher, type BatchOutcome } from "./turn-batcher.js";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Keeps the event loop busy for `ms`, as a node serving many calls in one turn does. */
function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A peer whose answers the test releases by hand; records every RPC it was sent. */
function heldPeer() {
  const rpcs: string[][] = [];
  const release: Array<() => void> = [];
  const hold = <T>(value: T) => new Promise<T>((resolve) => release.push(() => resolve(value)));
  const send = createTurnBatcher<string, string>({
    maxCalls: 100,
    maxBytes: 1 << 20,
    size: () => 1,
    sendBatch: (items) => {
      rpcs.push([...items]);
      return hold(items.map((i): BatchOutcome<string> => ({ ok: true, value: `ok ${i}` })));
    },
    sendOne: (item) => {
      rpcs.push([item]);
      return hold(`ok ${item}`);
    },
  });
  return { send, rpcs, releaseAll: () => release.splice(0).forEach((r) => r()) };
}

describe("createTurnBatcher()", () => {
  it("sends a turn's calls as one batch at the end of that turn when nothing is out", async () => {
    const peer = heldPeer();
    const answers = Promise.all([peer.send("a"), peer.send("b")]);
    expect(peer.rpcs).toEqual([]);
    await nextTurn();
    expect(peer.rpcs).toEqual([["a", "b"]]);
    peer.releaseAll();
    expect(await answers).toEqual(["ok a", "ok b"]);
  });

  it("while an RPC is out and the node is busy, lets the calls of the next turns join one batch, for a few turns at most", async () => {
    const peer = heldPeer();
    const first = peer.send("a");
    await nextTurn();
    expect(peer.rpcs).toEqual([["a"]]);
    // "a" is still out and every turn is long: calls made in the next turns wait for each other.
    const later = [peer.send("b")];
    busyFor(1);
    await nextTurn();
    busyFor(1);
    later.push(peer.send("c"));
    await nextTurn();
    busyFor(1);
    expect(peer.rpcs).toEqual([["a"]]);
    // ...but not for the answer: a peer that stays silent delays them by a few turns only.
    for (let i = 0; i < 6; i++) {
      await nextTurn();
      busyFor(1);
    }
    expect(peer.rpcs).toEqual([["a"], ["b", "c"]]);
    peer.releaseAll();
    expect(await first).toBe("ok a");
    expect(await Promise.all(later)).toEqual(["ok b", "ok c"]);
  });

  it("does not wait on an idle node, even while an RPC is out", async () => {
    const peer = heldPeer();
    const first = peer.send("a");
    await nextTurn();
    const second = peer.send("b");
    // Short turns: "b" goes at the end of its own (a turn that a busy machine stretches past the
    // threshold adds one more; a busy node would hold it for four).
    for (let i = 0; i < 3 && peer.rpcs.length < 2; i++) await nextTurn();
    expect(peer.rpcs).toEqual([["a"], ["b"]]);
    peer.releaseAll();
    expect(await Promise.all([first, second])).toEqual(["ok a", "ok b"]);
  });

  it("stops waiting once the peer has answered", async () => {
    const peer = heldPeer();
    const first = peer.send("a");
    await nextTurn();
    peer.releaseAll();
    expect(await first).toBe("ok a");
    const second = peer.send("b");
    await nextTurn();
    expect(peer.rpcs).toEqual([["a"], ["b"]]);
    peer.releaseAll();
    expect(await second).toBe("ok b");
  });
});
