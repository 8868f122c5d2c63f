import pino from "pino";
import { describe, expect, it } from "vitest";
import { RingkvError, ringkvError } from "../errors.js";
import type { CallInfo } from "./call-context.js";
import type { Forwarder } from "./forwarder.js";
import { createKvRouter } from "./kv-router.js";
import type { Membership } from "./membership.js";

/** n1 routes a key whose replicas are n2, n3, n1; each forward answers from `script` in turn. */
function setup(script: Array<(id: string) => unknown>) {
  const calls: string[] = [];
  const membership = {
    selfId: "n1",
    membersHash: "h",
    replicas: () => ["n2", "n3", "n1"],
    isReachable: () => true,
    coordinator: () => "n2",
  } as unknown as Membership;
  const forwarder: Forwarder = {
    async call(id) {
      calls.push(id);
      const step = script.shift();
      if (step === undefined) return "ok" as never;
      const outcome = step(id);
      if (outcome instanceof Error) throw outcome;
      return outcome as never;
    },
  };
  const router = createKvRouter({ membership, forwarder, logger: pino({ level: "silent" }), anyReplicaMayCoordinate: true });
  const info: CallInfo = { hops: 0, membersHash: undefined, requestId: "r", opId: "op", opDeadlineAt: undefined, signal: new AbortController().signal, deadlineAt: Date.now() + 5_000 };
  const run = () => router.route("k", info, async () => "here", async () => "forwarded");
  return { calls, run };
}

describe("createKvRouter().route()", () => {
  it("sends an op back to a coordinator that answered outcome_unknown, rather than starting a second proposer", async () => {
    const { calls, run } = setup([(id) => ringkvError("outcome_unknown", `the write may or may not have been applied (${id})`)]);
    expect(await run()).toBe("ok");
    expect(calls).toEqual(["n2", "n2"]);
  });

  it("moves on to the next replica when the coordinator is silent or unavailable", async () => {
    const silent = () => new RingkvError("deadline_exceeded", "deadline exceeded waiting for node n2", { nodeId: "n2", silent: true });
    const down = () => ringkvError("peer_unavailable", "node n3 is unavailable");
    const { calls, run } = setup([silent, down]);
    expect(await run()).toBe("here"); // n1 itself is the third replica
    expect(calls).toEqual(["n2", "n3"]);
  });

  it("gives up on an answering coordinator after two more tries", async () => {
    const unknown = () => ringkvError("outcome_unknown", "the write may or may not have been applied");
    const { calls, run } = setup([unknown, unknown, unknown]);
    expect(await run()).toBe("ok"); // the fourth call, on n3
    expect(calls).toEqual(["n2", "n2", "n2", "n3"]);
  });

  it("does not retry an error that is the answer (e.g. a failed compare-and-set)", async () => {
    const { calls, run } = setup([() => ringkvError("version_mismatch", "current version is 3")]);
    await expect(run()).rejects.toMatchObject({ reason: "version_mismatch" });
    expect(calls).toEqual(["n2"]);
  });
});
