import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import {
  AcceptorBatchRequestSchema,
  type AcceptorBatchResponse,
  type AcceptorCall,
  type AcceptorResult,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import type { Lister } from "../cluster/lister.js";
import type { Membership } from "../cluster/membership.js";
import type { KvBackend } from "../kv/backend.js";
import { createAcceptor } from "../replication/acceptor.js";
import { createMemoryAcceptorStore, type AcceptorStore } from "../replication/acceptor-store.js";
import { makeBallot } from "../replication/ballot.js";
import { registerState } from "../replication/register.js";
import { createPeerService } from "./peer-service.js";

const ballot = makeBallot(7n, "n1", 0xf123456789abcdefn);
const state = registerState({ exists: true, value: new TextEncoder().encode("v"), binary: false, version: 1n, deletedAtMs: 0n });
const ctx = {} as HandlerContext;

/** PeerService over a real acceptor; `syncReads: false` hides the store's synchronous read. Key "broken" fails to read. */
function peerService(syncReads: boolean) {
  const memory = createMemoryAcceptorStore();
  const fail = (key: string) => {
    if (key === "broken") throw new Error("record of \"broken\" is unreadable");
  };
  const store: AcceptorStore = syncReads
    ? { ...memory, readSync: (key) => (fail(key), memory.readSync(key)) }
    : { read: async (key) => (fail(key), memory.read(key)), write: memory.write };
  const service = createPeerService({
    membership: { selfId: "n2" } as Membership,
    backend: {} as KvBackend,
    lister: {} as Lister,
    acceptor: createAcceptor({ store }),
  });
  const batch = (calls: AcceptorCall["call"][]) =>
    service.acceptorBatch(create(AcceptorBatchRequestSchema, { calls: calls.map((call) => ({ call })) }), ctx) as AcceptorBatchResponse | Promise<AcceptorBatchResponse>;
  return { batch };
}

const read = (key: string, ballotOnly: boolean): AcceptorCall["call"] => ({ case: "read", value: { key, ballotOnly } as never });
const cases = (results: AcceptorResult[]) => results.map((r) => r.result.case);

describe("PeerService.acceptorBatch", () => {
  for (const syncReads of [true, false]) {
    it(`answers every item in order, each for itself (${syncReads ? "synchronous" : "asynchronous"} store reads)`, async () => {
      const { batch } = peerService(syncReads);
      const accepted = await batch([{ case: "accept", value: { key: "k", ballot, state } as never }]);
      expect(accepted.results[0]!.result).toMatchObject({ case: "accept", value: { ok: true } });

      const { results } = await batch([
        read("k", true),
        read("k", false),
        read("never-written", false),
        read("broken", true),
        { case: "prepare", value: { key: "k", ballot: makeBallot(1n, "n3", 1n) } as never },
        { case: "accept", value: { key: "k", ballot: makeBallot(0n, "", 0n), state } as never },
        { case: undefined },
      ]);
      expect(cases(results)).toEqual(["read", "read", "read", "error", "prepare", "error", "error"]);
      const [ballotOnly, full, unknown, broken, prepare, zeroBallot, empty] = results.map((r) => r.result.value) as never[] as Array<Record<string, unknown>>;
      // Ballot only: no state on the wire (quorum reads take it from their own acceptor).
      expect(ballotOnly).toMatchObject({ accepted: { counter: 7n, nodeId: "n1" } });
      expect(ballotOnly!.state).toBeUndefined();
      expect(full).toMatchObject({ accepted: { counter: 7n }, state: { exists: true, version: 1n } });
      expect(unknown!.accepted).toBeUndefined();
      expect(unknown).toMatchObject({ state: { exists: false, version: 0n } });
      // A read that fails answers with its error; the items around it are unaffected.
      expect(broken).toMatchObject({ reason: "internal", message: 'record of "broken" is unreadable' });
      // A lower ballot than the one accepted: refused, with the promise that beat it.
      expect(prepare).toMatchObject({ ok: false, promised: { counter: 7n } });
      expect(zeroBallot).toMatchObject({ reason: "invalid_argument", message: "accept needs a non-zero ballot" });
      expect(empty).toMatchObject({ reason: "invalid_argument", message: "an acceptor batch item names no call" });
    });
  }

  it("answers a batch of reads in one pass when the store reads synchronously, and the same with promises otherwise", async () => {
    const answers: AcceptorBatchResponse[] = [];
    for (const syncReads of [true, false]) {
      const { batch } = peerService(syncReads);
      await batch([{ case: "accept", value: { key: "k", ballot, state } as never }]);
      const answer = batch([read("k", true), read("broken", true), read("k", false)]);
      expect(answer instanceof Promise).toBe(!syncReads);
      answers.push(await answer);
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});
