import {
  createAcceptor,
  createMemoryAcceptorStore,
  createProposer,
  type Acceptor,
  type MemoryAcceptorStore,
  type Proposer,
} from "../../server/src/replication/index.js";
import { createSimDisk, type SimDisk } from "./disk.js";
import { createNetwork, type Network, type NetworkFaults } from "./network.js";
import type { Prng } from "./prng.js";
import type { Scheduler } from "./scheduler.js";

/** One simulated ringkv node: an acceptor on a crash-prone disk and a proposer. */
export interface SimNode {
  readonly id: string;
  up: boolean;
  /** Bumped on every crash. */
  incarnation: number;
  acceptor: Acceptor;
  proposer: Proposer;
  /** Aborted when the node crashes: client calls in flight on it never get an answer. */
  lifetime: AbortController;
  readonly platter: MemoryAcceptorStore;
  disk: SimDisk;
}

/** Options of {@link createCluster}. */
export interface ClusterOptions {
  nodeIds: readonly string[];
  scheduler: Scheduler;
  prng: Prng;
  faults: NetworkFaults;
  rpcTimeoutMs: number;
  meanWriteMs: number;
  /** Extra options for every proposer (e.g. a small fast-path cache). */
  fastPathKeys?: number;
  /** Receives a line per acceptor answer (see trace.ts). */
  trace?: (line: string) => void;
}

/** The nodes and the network between them; crash and restart go through here. */
export interface Cluster {
  readonly nodes: ReadonlyMap<string, SimNode>;
  readonly network: Network;
  node(id: string): SimNode;
  upNodes(): SimNode[];
  /** Every proposer ever started (crashed incarnations included), for statistics. */
  readonly proposers: readonly Proposer[];
  /** Kills the process: volatile state (proposer cache, unsynced writes, in-flight messages) is lost. */
  crash(id: string): void;
  /** Starts a new process on the same disk: a fresh acceptor and proposer (new incarnation). */
  restart(id: string): void;
}

/** Creates a {@link Cluster} with every node up. */
export function createCluster(options: ClusterOptions): Cluster {
  const { nodeIds, scheduler, prng, faults, rpcTimeoutMs, meanWriteMs } = options;
  const diskPrng = prng.fork();
  const proposerPrng = prng.fork();
  const nodes = new Map<string, SimNode>();
  const proposers: Proposer[] = [];
  const node = (id: string): SimNode => {
    const n = nodes.get(id);
    if (n === undefined) throw new Error(`unknown node ${id}`);
    return n;
  };
  const network = createNetwork({ scheduler, prng: prng.fork(), faults, node, rpcTimeoutMs, ...(options.trace ? { trace: options.trace } : {}) });

  function boot(id: string, platter: MemoryAcceptorStore, incarnation: number): SimNode {
    const disk = createSimDisk({ platter, scheduler, prng: diskPrng, meanWriteMs });
    const proposer = createProposer({
      nodeId: id,
      transport: network.transport(id),
      clock: scheduler.clock,
      random: proposerPrng.next,
      ...(options.fastPathKeys !== undefined ? { fastPathKeys: options.fastPathKeys } : {}),
    });
    proposers.push(proposer);
    return {
      id,
      up: true,
      incarnation,
      platter,
      disk,
      acceptor: createAcceptor({ store: disk }),
      proposer,
      lifetime: new AbortController(),
    };
  }

  for (const id of nodeIds) nodes.set(id, boot(id, createMemoryAcceptorStore(), 0));

  return {
    nodes,
    network,
    proposers,
    node,
    upNodes: () => [...nodes.values()].filter((n) => n.up),
    crash(id) {
      const n = node(id);
      if (!n.up) return;
      n.up = false;
      options.trace?.(`${scheduler.now().toFixed(3)} CRASH ${id}`);
      n.incarnation++;
      n.disk.crash();
      n.lifetime.abort(new Error(`${id} crashed`));
    },
    restart(id) {
      const n = node(id);
      if (n.up) return;
      options.trace?.(`${scheduler.now().toFixed(3)} RESTART ${id}`);
      nodes.set(id, boot(id, n.platter, n.incarnation + 1));
    },
  };
}
