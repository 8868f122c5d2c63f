import { create } from "@bufbuild/protobuf";
import { BallotSchema, type Ballot } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/**
 * Ballots order every proposal ever made for a key. A ballot is `(counter, nodeId, incarnation)`
 * compared in that order: the counter carries progress, the node id makes two proposers'
 * ballots distinct, and the incarnation keeps a restarted proposer (whose counter starts from
 * zero again) from re-issuing a ballot it already used with another state.
 *
 * An absent ballot (protobuf leaves message fields undefined) means the zero ballot, which is
 * below every ballot a proposer issues.
 */

/** The zero ballot `(0, "", 0)`: what an acceptor that never promised anything holds. */
export function zeroBallot(): Ballot {
  return create(BallotSchema);
}

/** Negative when a < b, 0 when equal, positive when a > b; undefined is the zero ballot. */
export function compareBallots(a: Ballot | undefined, b: Ballot | undefined): number {
  const ac = a?.counter ?? 0n;
  const bc = b?.counter ?? 0n;
  if (ac !== bc) return ac < bc ? -1 : 1;
  const an = a?.nodeId ?? "";
  const bn = b?.nodeId ?? "";
  if (an !== bn) return an < bn ? -1 : 1;
  const ai = a?.incarnation ?? 0n;
  const bi = b?.incarnation ?? 0n;
  if (ai !== bi) return ai < bi ? -1 : 1;
  return 0;
}

/** Whether two ballots are the same ballot. */
export function ballotEquals(a: Ballot | undefined, b: Ballot | undefined): boolean {
  return compareBallots(a, b) === 0;
}

/** The higher of two ballots (the zero ballot when both are absent). */
export function maxBallot(a: Ballot | undefined, b: Ballot | undefined): Ballot {
  const winner = compareBallots(a, b) >= 0 ? a : b;
  return winner ?? zeroBallot();
}

/** Whether the ballot is the zero ballot (never issued by a proposer). */
export function isZeroBallot(b: Ballot | undefined): boolean {
  return compareBallots(b, undefined) === 0;
}

/**
 * A proposer's ballot with the given counter. Proposers get counters from
 * {@link createBallotCounter}, never by hand, so that every ballot they issue is fresh.
 */
export function makeBallot(counter: bigint, nodeId: string, incarnation: bigint): Ballot {
  return create(BallotSchema, { counter, nodeId, incarnation });
}

/** `7.n1.3f2a` (counter, node, incarnation in hex), for logs and error messages. */
export function formatBallot(b: Ballot | undefined): string {
  if (isZeroBallot(b)) return "0";
  return `${b?.counter ?? 0n}.${b?.nodeId ?? ""}.${(b?.incarnation ?? 0n).toString(16)}`;
}

/**
 * Issues a proposer's ballots. One counter per proposer, shared by all keys: a ballot only has
 * to be above what the key's acceptors promised, so one Lamport-style counter that moves past
 * every ballot the proposer has seen (on any key) is enough, and it also moves past the
 * acceptors' garbage-collection floors once instead of once per key.
 */
export interface BallotCounter {
  /** A fresh ballot above every ballot issued or observed so far. */
  next(): Ballot;
  /** Notes a ballot seen in an answer, so the next ballot is above it. */
  observe(b: Ballot | undefined): void;
}

/** Options of {@link createBallotCounter}. */
export interface BallotCounterOptions {
  /** The proposer's node id (the ballot's tie-breaker). */
  nodeId: string;
  /** The proposer's incarnation, unique per process start. */
  incarnation: bigint;
}

/** Creates a {@link BallotCounter} starting at zero. */
export function createBallotCounter(options: BallotCounterOptions): BallotCounter {
  const { nodeId, incarnation } = options;
  let highest = 0n;
  return {
    next() {
      highest += 1n;
      return makeBallot(highest, nodeId, incarnation);
    },
    observe(b) {
      if (b !== undefined && b.counter > highest) highest = b.counter;
    },
  };
}
