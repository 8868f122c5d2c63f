import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { PeerService, type Ballot, type RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
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
}

/** Node-to-node calls: acceptor phases, local reads and scans, pings. */
export function createPeerService(options: PeerServiceOptions): ServiceImpl<typeof PeerService> {
  const { membership, backend, lister, acceptor, antiEntropy } = options;
  const noReplication = () => {
    throw new ConnectError(`node ${membership.selfId} runs without replication (replication factor 1)`, Code.FailedPrecondition);
  };
  return {
    prepare: acceptor?.prepare ?? noReplication,
    accept: acceptor?.accept ?? noReplication,
    syncDigest: antiEntropy ? (req) => antiEntropy.syncDigest(req) : noReplication,
    // With replication, the acceptor's record: its state and the ballot it was accepted at.
    readLocal: async (req) => {
      if (acceptor === undefined) return { state: backend.readLocal(req.key) };
      const { state, accepted } = await acceptor.readAccepted(req.key);
      return { ...(state ? { state } : {}), ...(accepted ? { accepted } : {}) };
    },
    scanLocal: (req) => lister.scanLocal(req),
    ping: () => ({ nodeId: membership.selfId, membersHash: membership.membersHash, nowMs: BigInt(Date.now()) }),
  };
}
