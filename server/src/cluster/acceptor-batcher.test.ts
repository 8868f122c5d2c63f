import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AcceptorBatchResponseSchema,
  AcceptRequestSchema,
  AcceptResponseSchema,
  PrepareRequestSchema,
  PrepareResponseSchema,
  ReadLocalResponseSchema,
  RegisterStateSchema,
  type AcceptorBatchRequest,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { RingkvError } from "../errors.js";
import { createAcceptorBatcher } from "./acceptor-batcher.js";
import type { PeerClients } from "./peer-clients.js";

/** A peer whose acceptor answers every call; records what was sent. */
function fakePeers(options: { batchUnimplemented?: boolean; failKey?: string } = {}) {
  const sent: string[] = [];
  const answer = (key: string) => {
    if (key === options.failKey) throw new RingkvError("invalid_argument", `bad key ${key}`);
  };
  const peer = {
    prepare: async (req: { key: string }) => {
      sent.push(`prepare ${req.key}`);
      answer(req.key);
      return create(PrepareResponseSchema, { ok: true });
    },
    accept: async (req: { key: string }) => {
      sent.push(`accept ${req.key}`);
      return create(AcceptResponseSchema, { ok: true });
    },
    readLocal: async (req: { key: string }) => {
      sent.push(`read ${req.key}`);
      return create(ReadLocalResponseSchema, { state: create(RegisterStateSchema, { version: 7n }) });
    },
    acceptorBatch: async (req: AcceptorBatchRequest) => {
      if (options.batchUnimplemented) throw new ConnectError("unknown method", Code.Unimplemented);
      sent.push(`batch ${req.calls.length}`);
      return create(AcceptorBatchResponseSchema, {
        results: req.calls.map((c) => {
          const key = c.call.value?.key ?? "";
          if (key === options.failKey) return { result: { case: "error" as const, value: { reason: "invalid_argument", message: `bad key ${key}` } } };
          if (c.call.case === "prepare") return { result: { case: "prepare" as const, value: create(PrepareResponseSchema, { ok: true }) } };
          if (c.call.case === "accept") return { result: { case: "accept" as const, value: create(AcceptResponseSchema, { ok: true }) } };
          return { result: { case: "read" as const, value: create(ReadLocalResponseSchema, { state: create(RegisterStateSchema, { version: 7n }) }) } };
        }),
      });
    },
  };
  const peers = { get: () => ({ id: "n2", peer }), close() {} } as unknown as PeerClients;
  return { peers, sent };
}

const prepare = (key: string) => create(PrepareRequestSchema, { key });
const accept = (key: string, valueBytes = 0) => create(AcceptRequestSchema, { key, state: create(RegisterStateSchema, { value: new Uint8Array(valueBytes) }) });
const live = () => new AbortController().signal;

describe("createAcceptorBatcher()", () => {
  it("sends the calls of one turn to a peer as one batch and answers each in order", async () => {
    const { peers, sent } = fakePeers();
    const b = createAcceptorBatcher(peers);
    const [p, a, r] = await Promise.all([b.prepare("n2", prepare("k1"), live()), b.accept("n2", accept("k2"), live()), b.read("n2", "k3", live())]);
    expect(sent).toEqual(["batch 3"]);
    expect(p.ok).toBe(true);
    expect(a.ok).toBe(true);
    expect(r.state?.version).toBe(7n);
  });

  it("sends a lone call as the plain RPC", async () => {
    const { peers, sent } = fakePeers();
    const r = await createAcceptorBatcher(peers).read("n2", "k", live());
    expect(r.state?.version).toBe(7n);
    expect(sent).toEqual(["read k"]);
  });

  it("fails only the item the peer refused, with its reason, naming the peer", async () => {
    const { peers } = fakePeers({ failKey: "bad" });
    const b = createAcceptorBatcher(peers);
    const [good, bad] = await Promise.allSettled([b.prepare("n2", prepare("good"), live()), b.prepare("n2", prepare("bad"), live())]);
    expect(good.status).toBe("fulfilled");
    expect(bad.status).toBe("rejected");
    const err = (bad as PromiseRejectedResult).reason as RingkvError;
    expect(err).toBeInstanceOf(RingkvError);
    expect(err).toMatchObject({ reason: "invalid_argument", message: "bad key bad", details: { nodeId: "n2" } });
  });

  it("drops a call whose signal fired before the batch left, and rejects it as canceled", async () => {
    const { peers, sent } = fakePeers();
    const b = createAcceptorBatcher(peers);
    const gone = new AbortController();
    const results = Promise.allSettled([b.prepare("n2", prepare("a"), live()), b.prepare("n2", prepare("b"), gone.signal), b.prepare("n2", prepare("c"), live())]);
    gone.abort(new Error("client went away"));
    const [a, dropped, c] = await results;
    expect([a.status, dropped.status, c.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((dropped as PromiseRejectedResult).reason as ConnectError).code).toBe(Code.Canceled);
    expect(sent).toEqual(["batch 2"]);
  });

  it("falls back to single calls for a peer that does not know the batch RPC", async () => {
    const { peers, sent } = fakePeers({ batchUnimplemented: true });
    const b = createAcceptorBatcher(peers);
    await Promise.all([b.prepare("n2", prepare("a"), live()), b.prepare("n2", prepare("b"), live())]);
    await Promise.all([b.accept("n2", accept("c"), live()), b.accept("n2", accept("d"), live())]);
    expect(sent).toEqual(["prepare a", "prepare b", "accept c", "accept d"]);
  });

  it("keeps large values out of shared batches, and batches bounded in calls", async () => {
    const { peers, sent } = fakePeers();
    const b = createAcceptorBatcher(peers);
    await Promise.all([b.accept("n2", accept("big", 300 * 1024), live()), b.accept("n2", accept("s1"), live()), b.accept("n2", accept("s2"), live())]);
    expect(sent).toEqual(["accept big", "batch 2"]);
    sent.length = 0;
    await Promise.all(Array.from({ length: 300 }, (_, i) => b.read("n2", `k${i}`, live())));
    expect(sent).toEqual(["batch 128", "batch 128", "batch 44"]);
  });
});
