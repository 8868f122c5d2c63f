import type { Logger } from "pino";
import { createAcceptorTransport } from "./cluster/acceptor-transport.js";
import { createAntiEntropy, type AntiEntropy } from "./cluster/anti-entropy.js";
import { createTombstoneSweeper, type TombstoneSweeper } from "./cluster/tombstone-sweeper.js";
import type { FailureDetector } from "./cluster/failure-detector.js";
import type { Membership } from "./cluster/membership.js";
import type { PeerClients } from "./cluster/peer-clients.js";
import type { NodeConfig } from "./config.js";
import type { KvBackend } from "./kv/backend.js";
import { createReplicatedBackend } from "./kv/replicated-backend.js";
import { createAcceptor, createProposer, reachableFirst, readChange, readPreference, type Acceptor, type Proposer } from "./replication/index.js";
import type { RecordStore } from "./storage/record-store.js";

/** The parts of a node that exist only with replication (N > 1). */
export interface Replication {
  acceptor: Acceptor;
  proposer: Proposer;
  backend: KvBackend;
  antiEntropy: AntiEntropy;
  tombstones: TombstoneSweeper;
  /** Stops background work (anti-entropy, tombstone GC). */
  stop(): void;
}

/**
 * Builds this node's CASPaxos acceptor (over its record store), its proposer (reaching the
 * other acceptors through PeerService), the replicated KV backend and anti-entropy.
 */
export function createReplication(options: {
  config: NodeConfig;
  membership: Membership;
  store: RecordStore;
  peers: PeerClients;
  detector: FailureDetector;
  logger: Logger;
}): Replication {
  const { config, membership, store, peers, detector, logger } = options;
  const acceptor = createAcceptor({ store });
  const transport = createAcceptorTransport({ selfId: config.nodeId, acceptor, peers, detector });
  const preference = readPreference(config.nodeId, membership.members().map((m) => m.id));
  const isReachable = (id: string) => membership.isReachable(id);
  const proposer = createProposer({ nodeId: config.nodeId, transport, readPreference: () => reachableFirst(preference, isReachable) });
  const backend = createReplicatedBackend({ proposer, store });
  const antiEntropy = createAntiEntropy({
    membership,
    peers,
    store,
    logger,
    repair: async (key) => {
      await proposer.execute(key, membership.replicas(key), readChange, { deadlineAt: Date.now() + 5000 });
    },
  });
  const tombstones = createTombstoneSweeper({ membership, store, proposer, logger, minAgeMs: config.tombstoneGcAgeMs });
  return {
    acceptor,
    proposer,
    backend,
    antiEntropy,
    tombstones,
    stop() {
      antiEntropy.stop();
      tombstones.stop();
    },
  };
}
