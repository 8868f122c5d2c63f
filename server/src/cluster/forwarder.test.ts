import type { CallOptions } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { CallInfo } from "./call-context.js";
import { forwardHeaders } from "./call-context.js";
import type { FailureDetector } from "./failure-detector.js";
import { createForwarder } from "./forwarder.js";
import { createMembership } from "./membership.js";
import type { PeerClient, PeerClients } from "./peer-clients.js";

const membership = createMembership({
  selfId: "n1",
  members: [
    { id: "n1", address: "127.0.0.1:1" },
    { id: "n2", address: "127.0.0.1:2" },
  ],
  replicationFactor: 2,
});
const detector: FailureDetector = { reportUnreachable: () => {}, reportReachable: () => {}, stop: () => {} };
const peers = { get: () => ({}) as PeerClient } as unknown as PeerClients;

/** The headers and timeout a forwarded call goes out with. */
async function sent(info: CallInfo): Promise<CallOptions> {
  let options: CallOptions | undefined;
  await createForwarder({ membership, peers, detector }).call("n2", info, (_client, o) => {
    options = o;
    return Promise.resolve();
  });
  return options!;
}

describe("createForwarder()", () => {
  const base = { hops: 0, membersHash: undefined, requestId: "req-1", signal: new AbortController().signal };

  it("sends the attempt's deadline, the write's op id and the write's own deadline, which outlasts the attempt's", async () => {
    const now = Date.now();
    const options = await sent({ ...base, opId: "op-7", opDeadlineAt: now + 9_000.7, deadlineAt: now + 3_600.2 });
    expect(options.headers).toEqual({
      [forwardHeaders.hops]: "1",
      [forwardHeaders.membersHash]: membership.membersHash,
      [forwardHeaders.requestId]: "req-1",
      [forwardHeaders.deadline]: String(Math.floor(now + 3_600.2)),
      [forwardHeaders.opId]: "op-7",
      [forwardHeaders.opDeadline]: String(Math.floor(now + 9_000.7)),
    });
    expect(options.timeoutMs).toBeGreaterThan(3_000);
    expect(options.timeoutMs).toBeLessThanOrEqual(3_600);
  });

  it("sends no op headers for a call that is not a write", async () => {
    const options = await sent({ ...base, opId: undefined, opDeadlineAt: undefined, deadlineAt: Date.now() + 1_000 });
    expect(Object.keys(options.headers as Record<string, string>).sort()).toEqual(
      [forwardHeaders.deadline, forwardHeaders.hops, forwardHeaders.membersHash, forwardHeaders.requestId].sort(),
    );
  });
});
