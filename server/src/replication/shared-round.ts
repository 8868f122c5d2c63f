import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { RingkvError } from "../errors.js";
import { createStopper, watchCancellation, type Stopper } from "../net/cancel-watch.js";
import { outcomeUnknown } from "./operation.js";
import type { Change } from "./register.js";

/** Whether a state holds an operation's write (see ExecuteOptions.appliedIn in proposer.ts). */
export type AppliedIn = (state: RegisterState, writtenAt: bigint) => boolean | undefined;

/**
 * How many operations on one key may share a round. Each carries its op id into the register's
 * recent-ops log, which keeps a bounded number of them: sharing more per round would push a
 * write's id out of the log sooner (a write a rival's round built on then ends as
 * outcome_unknown instead of being recognized, and an entry node's retry on another replica no
 * longer finds it: see the limit in kv/idempotent.ts).
 */
export const maxSharedOps = 16;

/**
 * A write waiting for its key while a round on the key runs, which the next round may carry
 * along (see {@link runSharedRound}).
 */
export interface Rider {
  readonly change: Change;
  readonly appliedIn: AppliedIn;
  /** The replicas, sorted and joined: only riders of the same set share a round. */
  readonly replicaSet: string;
  /** The operation's own deadline and cancellation. */
  readonly stopper: Stopper;
  /** Ends the rider's wait for the key: at its own stop, or when a round takes it. */
  readonly gate: Stopper;
  /** Whether a round took it; its outcome then comes from that round. */
  taken: boolean;
  /** The rider's outcome once a round took it: its own state, or its error as the caller sees it. */
  readonly outcome: Promise<RegisterState>;
  settled: boolean;
  resolve(state: RegisterState): void;
  reject(error: unknown): void;
  /** Ends the watch that links `stopper` to `gate`. */
  unwatch(): void;
}

/** Why a rider stopped waiting for the key: another operation's round carries it. */
export const takenByRound = new Error("carried by another operation's round");

/** Creates a {@link Rider} for an operation that waits for its key. */
export function createRider(change: Change, appliedIn: AppliedIn, replicaSet: string, stopper: Stopper): Rider {
  const gate = createStopper();
  let resolve!: (state: RegisterState) => void;
  let reject!: (error: unknown) => void;
  const outcome = new Promise<RegisterState>((res, rej) => ((resolve = res), (reject = rej)));
  // A rider nobody takes never reads its outcome; don't let that count as unhandled.
  outcome.catch(() => {});
  const rider: Rider = {
    change,
    appliedIn,
    replicaSet,
    stopper,
    gate,
    taken: false,
    outcome,
    settled: false,
    resolve(state) {
      if (rider.settled) return;
      rider.settled = true;
      resolve(state);
    },
    reject(error) {
      if (rider.settled) return;
      rider.settled = true;
      reject(error);
    },
    unwatch: () => {},
  };
  rider.unwatch = watchCancellation(stopper, (reason) => gate.stop(reason));
  return rider;
}

/** A round's bookkeeping for what it writes: see `Written` in proposer.ts. */
export interface SharedWritten {
  state: RegisterState;
  base: RegisterState;
}

/**
 * Runs one round for several writes to one key (`members`, the first being the operation that
 * holds the key), through `run`: the proposer's own rounds, given one change made of all of
 * theirs and a stopper that stops only when every member has stopped.
 *
 * Why: a proposer runs one round per key at a time, so a hot key's writes queue up and each pays
 * a whole round (RF 3 on one core: ~800 Puts/s on the memory engine, ~240 with lmdb, whatever
 * the concurrency). The writes that waited during a round were all in flight together, so any
 * order of them is linearizable: applied one after another to one state, in the order they came,
 * and accepted once, each gets the state its own change produced. This is CASPaxos's change
 * function composed, not a new protocol step; acceptors see one ordinary accept.
 *
 * Each member keeps its own semantics:
 * - its change sees the state the members before it produced; an error it throws (a version
 *   mismatch) is its own outcome and leaves the state to the next member;
 * - a member that stops (deadline, cancellation) before anything was sent is left out of every
 *   later attempt and gets its own error; once a write carrying it was sent, it gets
 *   outcome_unknown (its write may still be chosen), exactly as an operation of its own would;
 * - when a rival proposer wrote over a state carrying the members, the round goes on only if
 *   every member can tell from the state whether its write is there (its op id), as for one
 *   operation; the composed change then recognizes or applies each member's write once.
 */
export async function runSharedRound(
  key: string,
  members: readonly Rider[],
  run: (change: Change, stopper: Stopper, written: SharedWritten[], appliedIn: AppliedIn) => Promise<RegisterState>,
): Promise<void> {
  const shared = createStopper();
  const written: SharedWritten[] = [];
  const left = new Set<Rider>();
  const results: Array<{ ok: true; state: RegisterState } | { ok: false; error: RingkvError } | undefined> = [];
  let stopped = 0;
  const unwatches = members.map((member) =>
    watchCancellation(member.stopper, (reason) => {
      if (written.length === 0) left.add(member);
      member.reject(written.length > 0 ? outcomeUnknown(key, "the operation stopped after a write carrying it was sent") : reason);
      if (++stopped === members.length) shared.stop(reason);
    }),
  );
  const change: Change = (current) => {
    let state = current;
    members.forEach((member, i) => {
      if (left.has(member)) return;
      try {
        const next = member.change(state);
        results[i] = { ok: true, state: next };
        state = next;
      } catch (error) {
        if (!(error instanceof RingkvError)) throw error;
        results[i] = { ok: false, error };
      }
    });
    return state;
  };
  // Every member's write, if applied, produced a version above the lowest base this round wrote
  // on; asking each member from there is the conservative reading of "writtenAt".
  const appliedIn: AppliedIn = (state) => {
    let low = written[0]?.base.version ?? state.version;
    for (const w of written) if (w.base.version < low) low = w.base.version;
    for (const member of members) {
      if (!left.has(member) && member.appliedIn(state, low + 1n) === undefined) return undefined;
    }
    return true;
  };
  try {
    await run(change, shared, written, appliedIn);
    members.forEach((member, i) => {
      const result = results[i];
      if (result === undefined) member.reject(new Error(`shared round on ${JSON.stringify(key)} left member ${i} without a result`));
      else if (result.ok) member.resolve(result.state);
      else member.reject(result.error);
    });
  } catch (error) {
    for (const member of members) member.reject(error);
  } finally {
    for (const unwatch of unwatches) unwatch();
  }
}
