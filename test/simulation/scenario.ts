import type { NetworkFaults } from "./network.js";
import { createPrng } from "./prng.js";

/** Everything that shapes one simulation run; a pure function of the seed (see {@link scenarioForSeed}). */
export interface Scenario {
  seed: number;
  /** Short name of the fault profile, printed with failures. */
  profile: "calm" | "light" | "heavy" | "partitions" | "gc";
  nodes: number;
  /** Replicas per key (N); a key's acceptors are N of the nodes. */
  replicas: number;
  keys: number;
  clients: number;
  opsPerClient: number;
  /** Probability that a client sends to the key's coordinator rather than a random node. */
  coordinatorBias: number;
  /** Share of gets, puts and deletes among client operations (they sum to 1). */
  mix: { get: number; put: number; delete: number };
  /**
   * Clients pause together for the second half of every period of this many virtual ms
   * (Infinity: never), so keys go quiet: tombstones age past the grace period and get
   * collected, and the next operations meet stale fast-path entries.
   */
  quietEveryMs: number;
  /** Mean pause between a client's operations, virtual ms. */
  thinkMs: number;
  /** Client deadline per operation, virtual ms. */
  opTimeoutMs: number;
  rpcTimeoutMs: number;
  meanWriteMs: number;
  faults: NetworkFaults;
  /** Mean virtual ms between crashes (Infinity: none). */
  crashEveryMs: number;
  /** Whether crashes may take down a majority of a key's replicas at once. */
  crashMajority: boolean;
  /** Mean virtual ms between partitions (Infinity: none). */
  partitionEveryMs: number;
  /** Garbage-collect tombstones while the workload runs (value-only checking, no CAS). */
  gc: boolean;
  /** Fast-path cache size per proposer (small in some runs, to exercise eviction). */
  fastPathKeys: number;
  /**
   * Writes carry op ids; when true, a write that fails on its first coordinator within half its
   * deadline is retried on another replica, as the entry node's router does.
   */
  retryWrites: boolean;
  /** Gets try a quorum read (no round) first, as the service does; else always a full round. */
  quorumReads: boolean;
}

const noFaults: NetworkFaults = { dropRate: 0, duplicateRate: 0, minLatencyMs: 0.2, jitterMs: 0.5, slowRate: 0, slowMs: 0 };

/**
 * The scenario of a seed. Profiles rotate with the seed so that any few hundred consecutive
 * seeds cover all of them; the rest (sizes, rates) is drawn from the seed.
 */
export function scenarioForSeed(seed: number): Scenario {
  const prng = createPrng(seed ^ 0x5eed5eed);
  const profiles: Scenario["profile"][] = ["calm", "light", "heavy", "light", "partitions", "heavy", "gc"];
  const profile = profiles[seed % profiles.length]!;
  const nodes = prng.chance(0.25) ? 5 : 3;
  const replicas = nodes === 5 && prng.chance(0.5) ? 5 : 3;
  const base: Scenario = {
    seed,
    profile,
    nodes,
    replicas,
    keys: prng.int(1, 3),
    clients: prng.int(3, 5),
    opsPerClient: prng.int(6, 10),
    coordinatorBias: 0.7,
    mix: { get: 0.3, put: 0.45, delete: 0.25 },
    quietEveryMs: Infinity,
    thinkMs: 4,
    opTimeoutMs: prng.pick([40, 80, 150]),
    rpcTimeoutMs: 15,
    meanWriteMs: prng.pick([0.1, 0.5, 2]),
    faults: { ...noFaults, jitterMs: prng.pick([0.2, 1, 3]) },
    crashEveryMs: Infinity,
    crashMajority: false,
    partitionEveryMs: Infinity,
    gc: false,
    fastPathKeys: prng.chance(0.2) ? 1 : 1000,
    retryWrites: false,
    quorumReads: prng.chance(0.75),
  };
  switch (profile) {
    case "calm":
      return base;
    case "light":
      return {
        ...base,
        retryWrites: true,
        faults: { ...base.faults, dropRate: 0.02, duplicateRate: 0.03, slowRate: 0.02, slowMs: 10 },
        crashEveryMs: prng.chance(0.5) ? 150 : Infinity,
      };
    case "heavy":
      return {
        ...base,
        retryWrites: true,
        faults: { ...base.faults, dropRate: 0.1, duplicateRate: 0.1, slowRate: 0.05, slowMs: 30 },
        crashEveryMs: 40,
        crashMajority: true,
        partitionEveryMs: 60,
      };
    case "partitions":
      return {
        ...base,
        retryWrites: true,
        faults: { ...base.faults, dropRate: 0.01, duplicateRate: 0.05, slowRate: 0.02, slowMs: 20 },
        partitionEveryMs: 25,
      };
    case "gc":
      return {
        ...base,
        faults: { ...base.faults, dropRate: 0.03, duplicateRate: 0.05, slowRate: 0.03, slowMs: 15 },
        crashEveryMs: prng.chance(0.5) ? 80 : Infinity,
        partitionEveryMs: prng.chance(0.5) ? 80 : Infinity,
        // Short deadlines and longer runs, so that tombstones outlive the grace period
        // (tombstone-gc.ts: minAgeMs must exceed the longest operation) while clients still run.
        opTimeoutMs: 40,
        thinkMs: 15,
        keys: prng.int(2, 4),
        // Many proposers per key (stale fast-path entries) and many tombstones to collect.
        coordinatorBias: 0.3,
        mix: { get: 0.35, put: 0.35, delete: 0.3 },
        quietEveryMs: 120,
        opsPerClient: prng.int(15, 25),
        gc: true,
      };
  }
}
