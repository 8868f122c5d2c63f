import type { Ballot, RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { RingkvError, ringkvError } from "../errors.js";
import type { Cancellation, Stopper } from "../net/cancel-watch.js";
import { ballotEquals, createBallotCounter } from "./ballot.js";
import { systemClock, type Clock } from "./clock.js";
import { outcomeUnknown, startOperation, waitAtMost } from "./operation.js";
import { createKeyMutex } from "./key-mutex.js";
import { createLru, type Lru } from "./lru.js";
import type { AllAnswers, QuorumOutcome } from "./quorum.js";
import {
  highestAccepted,
  majority,
  noQuorumError,
  sendAccept,
  sendPrepare,
  type RoundContext,
} from "./phases.js";
import { registerEquals, type Change } from "./register.js";
import {
  collectTombstone,
  type CollectTombstoneOptions,
  type CollectTombstoneResult,
} from "./tombstone-gc.js";
import { quorumRead, type QuorumReadOptions } from "./quorum-read.js";
import { createRider, maxSharedOps, runSharedRound, takenByRound, type AppliedIn, type Rider } from "./shared-round.js";
import type { ProposerTransport } from "./transport.js";

/**
 * The proposer side of CASPaxos: runs client operations on one key's replicas. Every operation
 * is a change function applied in a round: phase 1 (prepare) learns the newest state from a
 * majority, phase 2 (accept) stores the changed state on a majority. Nothing but the acceptors
 * is shared between proposers, so any node may propose for any key at any time; coordinators
 * only make it fast (see the fast path below).
 */
export interface Proposer {
  /** This proposer's node id (the tie-breaker in its ballots). */
  readonly nodeId: string;
  /** Unique per proposer instance (process start); part of every ballot it issues. */
  readonly incarnation: bigint;
  /**
   * Applies `change` to the key's register on `replicas` and resolves with the committed state.
   *
   * The committed state is `change(x)` where x is the argument of the last call of `change`
   * (callers may record what the change saw, e.g. whether a deleted key existed). A RingkvError
   * thrown by `change` (e.g. `version_mismatch`) fails the operation with that error, after the
   * state it was computed from was confirmed by a majority, so the failure is linearizable too.
   *
   * Errors: `no_quorum` (too few replicas reachable, nothing was written), `deadline_exceeded`
   * / `canceled` (nothing was written), `outcome_unknown` (a write was sent and may or may not
   * have been applied), or the change's own error.
   */
  execute(key: string, replicas: readonly string[], change: Change, options: ExecuteOptions): Promise<RegisterState>;
  /**
   * Tombstone garbage collection for one key: removes the key's records from all replicas if
   * its committed state is a tombstone old enough, in a way that cannot resurrect older values.
   * Needs every replica; see tombstone-gc.ts.
   */
  collectTombstone(key: string, replicas: readonly string[], options: CollectTombstoneOptions): Promise<CollectTombstoneResult>;
  /**
   * A linearizable read without a round when the replicas agree (see quorum-read.ts): the
   * state, or undefined when the caller must run `execute` with a read change instead.
   */
  read(key: string, replicas: readonly string[], options: Omit<QuorumReadOptions, "onHedge">): Promise<RegisterState | undefined>;
  /** Drops the fast-path entry of a key (all keys without argument), e.g. after a membership change. */
  forgetFastPath(key?: string): void;
  /** Counters for metrics and tests. */
  readonly stats: Readonly<ProposerStats>;
}

/** What {@link Proposer.stats} counts. */
export interface ProposerStats {
  /** Operations started. */
  operations: number;
  /** Attempts that skipped phase 1 thanks to the fast-path cache. */
  fastPathAttempts: number;
  /** Fast-path accepts that were rejected (another proposer took over the key). */
  fastPathMisses: number;
  /** Full rounds (phase 1 + phase 2 attempts). */
  fullRounds: number;
  /** Attempts retried after a rejection (contention). */
  retries: number;
  /** Operations that ended with outcome_unknown. */
  outcomeUnknown: number;
  /** Quorum reads that answered without a round, and those that needed one. */
  quorumReads: number;
  quorumReadMisses: number;
  /** Quorum reads that waited out the hedge and asked the remaining replicas too. */
  quorumReadHedges: number;
  /** Rounds that carried several writes of one key, and the writes they carried besides their own. */
  sharedRounds: number;
  carried: number;
}

/** Options of {@link Proposer.execute}. */
export interface ExecuteOptions {
  /** Aborts the operation (the client went away): its signal, or a CancelWatch. */
  signal?: Cancellation;
  /** When to give up, in the clock's milliseconds (Unix ms with the system clock). */
  deadlineAt: number;
  /**
   * Whether a state contains this operation's write, given that the write, if applied, produced
   * version `writtenAt` or later: true, false (provably not), or undefined (can't tell). E.g. its
   * op id in the register's recent_ops. When a competing proposer wrote a state after this
   * operation sent its own, this turns what would be outcome_unknown into a known answer: the
   * change runs again and either recognizes its write (success) or applies it once.
   */
  appliedIn?: (state: RegisterState, writtenAt: bigint) => boolean | undefined;
}

/** Options of {@link createProposer}. */
export interface ProposerOptions {
  /** This node's id; must be unique in the cluster (ballots from two proposers must differ). */
  nodeId: string;
  /** How to reach the acceptors (this node's own included). */
  transport: ProposerTransport;
  /** Time source for deadlines and backoff (default {@link systemClock}). */
  clock?: Clock;
  /** Uniform [0, 1) source for backoff jitter and the default incarnation (default Math.random). */
  random?: () => number;
  /**
   * Unique per process start (default: 64 random bits from `random`). Ballot counters are not
   * persisted, so without it a restarted node could issue a ballot it already used with another
   * state; the incarnation makes those two ballots differ.
   */
  incarnation?: bigint;
  /**
   * The peers asked first for quorum reads, in order (see readPreference in quorum-read.ts);
   * asked per read, so that it can put peers believed down last.
   */
  readPreference?: () => readonly string[];
  /** Keys remembered for the fast path (LRU, default 100 000). */
  fastPathKeys?: number;
  /** First retry backoff ceiling in ms; doubles per retry (default 4). */
  backoffBaseMs?: number;
  /** Largest retry backoff in ms (default 200). */
  backoffMaxMs?: number;
}

const defaults = {
  fastPathKeys: 100_000,
  backoffBaseMs: 4,
  backoffMaxMs: 200,
} as const;

/**
 * Fast path: after a successful accept, the acceptors that voted also promised `ballot` (sent
 * as promise_next) while holding `state` accepted at `acceptedBallot`. That is exactly what a
 * phase 1 with `ballot` would have returned from a majority, so the next operation on the key
 * may skip phase 1 and go straight to accept with `ballot`. If anyone else prepared in between,
 * the accept is rejected and the operation falls back to a full round. Each entry is used once.
 */
interface FastPathEntry {
  ballot: Ballot;
  acceptedBallot: Ballot;
  state: RegisterState;
  /** The replica set the promise came from; another set means another majority. */
  replicas: string;
}

/** A state this operation's change produced and sent in an accept. */
interface Written {
  state: RegisterState;
  /** What the change was applied to. */
  base: RegisterState;
}


/**
 * Whether every replica explicitly refused an accept. A refusal means the replica had promised
 * a higher ballot, and promises never go down, so not even a late duplicate of the message can
 * be accepted: the state it carried exists nowhere. A failed call proves nothing (the request
 * may have arrived).
 */
function refutedEverywhere(answers: AllAnswers<unknown>, replicas: number): boolean {
  return answers.complete && answers.rejected.length === replicas;
}

/** Creates a {@link Proposer}. */
export function createProposer(options: ProposerOptions): Proposer {
  const { nodeId, transport } = options;
  if (nodeId === "") throw new RangeError("createProposer: nodeId must not be empty");
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const incarnation = options.incarnation ?? randomIncarnation(random);
  const backoffBaseMs = options.backoffBaseMs ?? defaults.backoffBaseMs;
  const backoffMaxMs = options.backoffMaxMs ?? defaults.backoffMaxMs;
  const readPreferenceOf = options.readPreference;
  const counter = createBallotCounter({ nodeId, incarnation });
  const fastPath: Lru<FastPathEntry> = createLru(options.fastPathKeys ?? defaults.fastPathKeys);
  const keys = createKeyMutex();
  /** Per key, the writes waiting for it that a round may carry along (shared-round.ts). */
  const riders = new Map<string, Rider[]>();
  const stats: ProposerStats = {
    operations: 0, fastPathAttempts: 0, fastPathMisses: 0, fullRounds: 0, retries: 0, outcomeUnknown: 0, quorumReads: 0, quorumReadMisses: 0, quorumReadHedges: 0, sharedRounds: 0, carried: 0,
  };

  async function execute(key: string, replicas: readonly string[], change: Change, opts: ExecuteOptions): Promise<RegisterState> {
    checkReplicas(replicas);
    stats.operations++;
    const op = startOperation(clock, opts);
    const written: Written[] = [];
    const replicaSet = replicaSetOf(replicas);
    // A write may share the round of the operation ahead of it on the key (shared-round.ts).
    const rider = opts.appliedIn !== undefined ? board(key, replicaSet, change, opts.appliedIn, op.stopper) : undefined;
    try {
      let release: () => void;
      try {
        release = await keys.acquire(key, rider?.gate ?? op.stopper);
      } catch (error) {
        if (rider?.taken === true) return await rider.outcome;
        throw error;
      }
      const others = rider !== undefined ? takeRiders(key, rider) : [];
      if (others.length === 0) {
        try {
          return await runRounds(key, replicas, replicaSet, change, op.stopper, written, opts.appliedIn);
        } finally {
          release();
        }
      }
      stats.sharedRounds++;
      stats.carried += others.length;
      void runSharedRound(key, [rider!, ...others], (composed, stopper, sharedWritten, appliedIn) =>
        runRounds(key, replicas, replicaSet, composed, stopper, sharedWritten, appliedIn),
      ).finally(release);
      return await rider!.outcome;
    } catch (error) {
      const translated = op.translate(error, written.length > 0);
      if (translated instanceof RingkvError && translated.reason === "outcome_unknown") stats.outcomeUnknown++;
      throw translated;
    } finally {
      if (rider !== undefined) leave(key, rider);
      op.finish();
    }
  }

  /** Puts a write in its key's line of riders (see shared-round.ts). */
  function board(key: string, replicaSet: string, change: Change, appliedIn: AppliedIn, stopper: Stopper): Rider {
    const rider = createRider(change, appliedIn, replicaSet, stopper);
    let line = riders.get(key);
    if (line === undefined) riders.set(key, (line = []));
    line.push(rider);
    return rider;
  }

  /** Takes a write out of its key's line: it runs its own round, was carried, or gave up. */
  function leave(key: string, rider: Rider): void {
    rider.unwatch();
    const line = riders.get(key);
    if (line === undefined) return;
    const at = line.indexOf(rider);
    if (at >= 0) line.splice(at, 1);
    if (line.length === 0) riders.delete(key);
  }

  /** The writes waiting for `key` that the round of `lead` (which holds the key) carries along. */
  function takeRiders(key: string, lead: Rider): Rider[] {
    leave(key, lead);
    const line = riders.get(key);
    if (line === undefined) return [];
    const taken: Rider[] = [];
    for (const rider of line) {
      if (taken.length === maxSharedOps - 1) break;
      if (rider.replicaSet !== lead.replicaSet || rider.stopper.stopped) continue;
      rider.taken = true;
      taken.push(rider);
    }
    for (const rider of taken) {
      leave(key, rider);
      // Ends its wait for the key; it then awaits its outcome from this round.
      rider.gate.stop(takenByRound);
    }
    return taken;
  }

  async function runRounds(
    key: string,
    replicas: readonly string[],
    replicaSet: string,
    change: Change,
    stopper: Stopper,
    written: Written[],
    appliedIn?: (state: RegisterState, writtenAt: bigint) => boolean | undefined,
  ): Promise<RegisterState> {
    const ctx: RoundContext = { key, replicas, transport, counter, cancel: stopper };
    const needed = majority(replicas.length);
    // Every ballot at which this operation sent one of its written states (index into written).
    const ourBallots: Array<{ ballot: Ballot; index: number }> = [];
    let cached = fastPath.take(key);
    if (cached !== undefined && cached.replicas !== replicaSet) cached = undefined;

    for (let attempt = 0; ; attempt++) {
      stopper.throwIfStopped();
      let ballot: Ballot;
      let current: RegisterState;
      let currentBallot: Ballot | undefined;
      const fast = cached !== undefined;
      if (cached !== undefined) {
        stats.fastPathAttempts++;
        ({ ballot, state: current, acceptedBallot: currentBallot } = cached);
        cached = undefined;
      } else {
        stats.fullRounds++;
        ballot = counter.next();
        const promised = await sendPrepare(ctx, ballot, needed);
        if (promised.kind === "unreachable") throw noQuorum(ctx, promised, needed, written);
        if (promised.kind === "rejected") {
          await backoff(attempt, stopper);
          continue;
        }
        ({ ballot: currentBallot, state: current } = highestAccepted(promised.ok));
      }

      // What to propose. If the newest state is one this operation already wrote (at one of
      // its ballots), the write happened: commit it again and report it, never apply twice.
      let next: RegisterState;
      let failure: RingkvError | undefined;
      const ours = ourBallots.find((b) => ballotEquals(b.ballot, currentBallot));
      if (ours !== undefined) {
        const mine = written[ours.index]!;
        change(mine.base); // the last call of change sees what the committed state came from
        next = current;
      } else {
        // A rival wrote a state that may descend from this operation's writes. Only when the
        // state itself tells (appliedIn: our op id is there, or provably absent) is the change
        // safe to run again: it then recognizes its own write and changes nothing, or applies it once.
        const ancestors = written.filter((w) => mayDescendFrom(current, w.state));
        if (ancestors.length > 0) {
          const writtenAt = ancestors.reduce((low, w) => (w.state.version < low ? w.state.version : low), ancestors[0]!.state.version);
          if (appliedIn?.(current, writtenAt) === undefined) {
            throw outcomeUnknown(key, "a competing proposer changed the key after this operation's write was sent");
          }
        }
        try {
          next = change(current);
        } catch (error) {
          if (!(error instanceof RingkvError)) throw error;
          failure = error;
          next = current;
        }
      }

      let index = ours?.index;
      const fresh = index === undefined && !registerEquals(next, current);
      if (fresh) index = written.push({ state: next, base: current }) - 1;
      if (index !== undefined) ourBallots.push({ ballot, index });
      const promiseNext = counter.next();
      const accepted = await sendAccept(ctx, { ballot, state: next, promiseNext }, needed);
      if (accepted.kind === "quorum") {
        fastPath.set(key, { ballot: promiseNext, acceptedBallot: ballot, state: next, replicas: replicaSet });
        if (failure !== undefined) throw failure;
        return next;
      }
      if (accepted.kind === "unreachable") throw noQuorum(ctx, accepted, needed, written);
      stats.retries++;
      if (fast) stats.fastPathMisses++;
      // Retry; a fast-path miss only means someone else prepared, so the full round starts at
      // once. The pause doubles as time for the last answers: if every replica refused this
      // write, it is stored nowhere and can never be chosen, so it is no longer "maybe applied".
      const pause = fast ? 0 : backoffDelay(attempt);
      const everyAnswer = await waitAtMost(clock, accepted.everyAnswer, pause, stopper);
      if (fresh && everyAnswer !== undefined && refutedEverywhere(everyAnswer, replicas.length)) {
        written.pop();
        ourBallots.pop();
      }
    }
  }

  function noQuorum(ctx: RoundContext, outcome: QuorumOutcome<unknown>, needed: number, written: Written[]): RingkvError {
    const error = noQuorumError(ctx, outcome, needed);
    if (written.length === 0) return error;
    return outcomeUnknown(ctx.key, error.message);
  }

  function backoffDelay(attempt: number): number {
    return random() * Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(attempt, 20));
  }

  function backoff(attempt: number, stopper: Stopper): Promise<void> {
    return clock.sleep(backoffDelay(attempt), stopper);
  }

  const countHedge = () => {
    stats.quorumReadHedges++;
  };
  return {
    nodeId,
    incarnation,
    execute,
    read(key, replicas, readOptions) {
      try {
        checkReplicas(replicas);
      } catch (err) {
        return Promise.reject(err);
      }
      const preferred = readPreferenceOf?.();
      return quorumRead(transport, clock, key, replicas, { self: nodeId, ...(preferred ? { preferred } : {}), ...readOptions, onHedge: countHedge }).then((state) => {
        if (state === undefined) stats.quorumReadMisses++;
        else stats.quorumReads++;
        return state;
      });
    },
    async collectTombstone(key, replicas, gcOptions) {
      checkReplicas(replicas);
      const op = startOperation(clock, gcOptions);
      try {
        const release = await keys.acquire(key, op.stopper);
        try {
          fastPath.delete(key);
          return await collectTombstone({ key, replicas, transport, counter, cancel: op.stopper }, clock, gcOptions);
        } finally {
          release();
        }
      } catch (error) {
        throw op.translate(error, false);
      } finally {
        op.finish();
      }
    },
    forgetFastPath(key) {
      if (key === undefined) fastPath.clear();
      else fastPath.delete(key);
    },
    stats,
  };
}

/**
 * Whether `current` may have `w` in its history (so `w` may have been applied already), as far
 * as versions tell. Versions grow by one with every effective change, so a state with a lower
 * version, or a different state with the same version, cannot descend from `w`. A higher version
 * may or may not; an equal state that was not accepted at one of our ballots may be our write
 * re-committed by a reader or an identical write by another client; both are ambiguous.
 */
function mayDescendFrom(current: RegisterState, w: RegisterState): boolean {
  if (current.version > w.version) return true;
  return current.version === w.version && registerEquals(current, w);
}


/** A replica list as one comparable string: the same set in any order gives the same string. */
function replicaSetOf(replicas: readonly string[]): string {
  return [...replicas].sort().join("\n");
}

function checkReplicas(replicas: readonly string[]): void {
  if (replicas.length === 0) throw ringkvError("internal", "a CASPaxos round needs at least one replica");
  if (new Set(replicas).size !== replicas.length) {
    throw ringkvError("internal", `replica list has duplicates: ${replicas.join(", ")}`);
  }
}

function randomIncarnation(random: () => number): bigint {
  const hi = BigInt(Math.floor(random() * 2 ** 32));
  const lo = BigInt(Math.floor(random() * 2 ** 32));
  return (hi << 32n) | lo;
}
