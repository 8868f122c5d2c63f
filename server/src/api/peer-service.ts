import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import {
  AcceptorResultSchema,
  AcceptResponseSchema,
  PeerService,
  PrepareResponseSchema,
  ReadLocalResponseSchema,
  type AcceptorResult,
  type Ballot,
  type ReadLocalRequest,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { RingkvError, ringkvError } from "../errors.js";
import type { AntiEntropy } from "../cluster/anti-entropy.js";
import type { Lister } from "../cluster/lister.js";
import type { Membership } from "../cluster/membership.js";
import type { KvBackend } from "../kv/backend.js";

/** The acceptor side of replication, when this node runs CASPaxos. */
export interface AcceptorHandlers {
  prepare: ServiceImpl<typeof PeerService>["prepare"];
  accept: ServiceImpl<typeof PeerService>["accept"];
  readAccepted(key: string): Promise<{ state?: RegisterState | undefined; accepted?: Ballot | undefined }>;
}

/** Options of {@link createPeerService}. */
export interface PeerServiceOptions {
  membership: Membership;
  backend: KvBackend;
  lister: Lister;
  /** Undefined when the node runs without replication (N = 1). */
  acceptor?: AcceptorHandlers;
  /** Undefined without replication. */
  antiEntropy?: AntiEntropy;
  /** Serves forward batches (forward-batch.ts); Unimplemented without. */
  forwardBatch?: ServiceImpl<typeof PeerService>["forwardBatch"];
}

/** Node-to-node calls: acceptor phases, local reads and scans, pings. */
export function createPeerService(options: PeerServiceOptions): ServiceImpl<typeof PeerService> {
  const { membership, backend, lister, acceptor, antiEntropy } = options;
  const noReplication = () => {
    throw new ConnectError(`node ${membership.selfId} runs without replication (replication factor 1)`, Code.FailedPrecondition);
  };
  // With replication, the acceptor's record: its state and the ballot it was accepted at (the
  // ballot alone when asked for: quorum reads take the state from their own acceptor).
  const readLocal = async (req: ReadLocalRequest) => {
    if (acceptor === undefined) return create(ReadLocalResponseSchema, { state: backend.readLocal(req.key) });
    const { state, accepted } = await acceptor.readAccepted(req.key);
    return create(ReadLocalResponseSchema, { ...(state && !req.ballotOnly ? { state } : {}), ...(accepted ? { accepted } : {}) });
  };
  return {
    prepare: acceptor?.prepare ?? noReplication,
    accept: acceptor?.accept ?? noReplication,
    syncDigest: antiEntropy ? (req) => antiEntropy.syncDigest(req) : noReplication,
    readLocal,
    acceptorBatch: async (req, ctx) => {
      if (acceptor === undefined) noReplication();
      const results = await Promise.all(req.calls.map(async (item): Promise<AcceptorResult> => {
        try {
          switch (item.call.case) {
            case "prepare":
              return create(AcceptorResultSchema, { result: { case: "prepare", value: create(PrepareResponseSchema, await acceptor!.prepare(item.call.value, ctx)) } });
            case "accept":
              return create(AcceptorResultSchema, { result: { case: "accept", value: create(AcceptResponseSchema, await acceptor!.accept(item.call.value, ctx)) } });
            case "read":
              return create(AcceptorResultSchema, { result: { case: "read", value: await readLocal(item.call.value) } });
            default:
              throw ringkvError("invalid_argument", "an acceptor batch item names no call");
          }
        } catch (err) {
          // Each item answers for itself: its error travels as data, the batch still succeeds.
          const reason = err instanceof RingkvError ? err.reason : "internal";
          const message = err instanceof Error ? err.message : String(err);
          return create(AcceptorResultSchema, { result: { case: "error", value: { reason, message } } });
        }
      }));
      return { results };
    },
    scanLocal: (req) => lister.scanLocal(req),
    forwardBatch: options.forwardBatch ?? (() => {
      throw new ConnectError("this node does not serve forward batches", Code.Unimplemented);
    }),
    ping: () => ({ nodeId: membership.selfId, membersHash: membership.membersHash, nowMs: BigInt(Date.now()) }),
  };
}
