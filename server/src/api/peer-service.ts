import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import {
  AcceptorCallErrorSchema,
  AcceptResponseSchema,
  PeerService,
  PrepareResponseSchema,
  ReadLocalResponseSchema,
  type AcceptorCall,
  type AcceptorResult,
  type ReadLocalRequest,
  type ReadLocalResponse,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { AcceptedRead } from "../replication/transport.js";
import { RingkvError, ringkvError } from "../errors.js";
import type { AntiEntropy } from "../cluster/anti-entropy.js";
import type { Lister } from "../cluster/lister.js";
import type { Membership } from "../cluster/membership.js";
import type { KvBackend } from "../kv/backend.js";

/** A batch item's answer. */
function result(value: AcceptorResult["result"]): AcceptorResult {
  return { $typeName: "ringkv.internal.v1.AcceptorResult", result: value };
}

/** Each item answers for itself: its error travels as data, the batch still succeeds. */
function errorResult(err: unknown): AcceptorResult {
  const reason = err instanceof RingkvError ? err.reason : "internal";
  const message = err instanceof Error ? err.message : String(err);
  return result({ case: "error", value: create(AcceptorCallErrorSchema, { reason, message }) });
}

/** An item's answer once `answer` settles: its result, or its error as data (also when `toResult` throws). */
function settle<T>(answer: T | Promise<T>, toResult: (value: T) => AcceptorResult): Promise<AcceptorResult> {
  return Promise.resolve(answer).then((value) => {
    try {
      return toResult(value);
    } catch (err) {
      return errorResult(err);
    }
  }, errorResult);
}

/** A ReadLocal answer from what the acceptor holds (the state left out when only the ballot is asked for). */
function readLocalResponse(req: ReadLocalRequest, read: AcceptedRead): ReadLocalResponse {
  const response: ReadLocalResponse = { $typeName: "ringkv.internal.v1.ReadLocalResponse" };
  if (read.state !== undefined && !req.ballotOnly) response.state = read.state;
  if (read.accepted !== undefined) response.accepted = read.accepted;
  return response;
}

/** The acceptor side of replication, when this node runs CASPaxos. */
export interface AcceptorHandlers {
  prepare: ServiceImpl<typeof PeerService>["prepare"];
  accept: ServiceImpl<typeof PeerService>["accept"];
  readAccepted(key: string): Promise<AcceptedRead>;
  /** The same without a promise, when the acceptor's store reads synchronously. */
  readAcceptedSync?: ((key: string) => AcceptedRead) | undefined;
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
  const readLocal = async (req: ReadLocalRequest): Promise<ReadLocalResponse> => {
    if (acceptor === undefined) return create(ReadLocalResponseSchema, { state: backend.readLocal(req.key) });
    return readLocalResponse(req, await acceptor.readAccepted(req.key));
  };
  const readAcceptedSync = acceptor?.readAcceptedSync;
  /** One batch item's answer; a read is answered at once when the acceptor reads synchronously. */
  const answerItem = (item: AcceptorCall, ctx: HandlerContext): AcceptorResult | Promise<AcceptorResult> => {
    const call = item.call;
    try {
      switch (call.case) {
        case "prepare":
          return settle(acceptor!.prepare(call.value, ctx), (value) => result({ case: "prepare", value: create(PrepareResponseSchema, value) }));
        case "accept":
          return settle(acceptor!.accept(call.value, ctx), (value) => result({ case: "accept", value: create(AcceptResponseSchema, value) }));
        case "read":
          if (readAcceptedSync !== undefined) return result({ case: "read", value: readLocalResponse(call.value, readAcceptedSync(call.value.key)) });
          return settle(readLocal(call.value), (value) => result({ case: "read", value }));
        default:
          throw ringkvError("invalid_argument", "an acceptor batch item names no call");
      }
    } catch (err) {
      return errorResult(err);
    }
  };
  return {
    prepare: acceptor?.prepare ?? noReplication,
    accept: acceptor?.accept ?? noReplication,
    syncDigest: antiEntropy ? (req) => antiEntropy.syncDigest(req) : noReplication,
    readLocal,
    acceptorBatch: (req, ctx) => {
      if (acceptor === undefined) noReplication();
      // No promise per item where none is needed: a batch of quorum reads (the usual one under
      // Gets) is answered in one pass, without a promise or an async frame per read.
      const answers = req.calls.map((item) => answerItem(item, ctx));
      if (answers.every((a) => !(a instanceof Promise))) return { results: answers as AcceptorResult[] };
      return Promise.all(answers).then((results) => ({ results }));
    },
    scanLocal: (req) => lister.scanLocal(req),
    forwardBatch: options.forwardBatch ?? (() => {
      throw new ConnectError("this node does not serve forward batches", Code.Unimplemented);
    }),
    ping: () => ({ nodeId: membership.selfId, membersHash: membership.membersHash, nowMs: BigInt(Date.now()) }),
  };
}
