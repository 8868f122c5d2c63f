import { create } from "@bufbuild/protobuf";
import {
  PrepareRequestSchema,
  type AcceptRequest,
  type AcceptResponse,
  type Ballot,
  type PrepareResponse,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { Cancellation } from "../net/cancel-watch.js";
import { ringkvError, type RingkvError } from "../errors.js";
import type { BallotCounter } from "./ballot.js";
import { compareBallots } from "./ballot.js";
import { collectQuorum, type Answer, type QuorumOutcome } from "./quorum.js";
import { emptyRegister } from "./register.js";
import type { ProposerTransport } from "./transport.js";

/**
 * The two message exchanges of a CASPaxos round, shared by client operations and tombstone
 * garbage collection: phase 1 (prepare) and phase 2 (accept), each sent to every replica.
 */

/** A majority of n: any two intersect, which is what makes a committed state unforgettable. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** What every exchange of one operation shares. */
export interface RoundContext {
  key: string;
  replicas: readonly string[];
  transport: ProposerTransport;
  /** Learns every ballot the acceptors report, so the next ballot is above them. */
  counter: BallotCounter;
  /** Ends outstanding calls and stops waiting. */
  cancel: Cancellation;
}

/** Phase 1 with ballot, settling once `needed` replicas promised or that became impossible. */
export function sendPrepare(ctx: RoundContext, ballot: Ballot, needed: number): Promise<QuorumOutcome<PrepareResponse>> {
  const req = create(PrepareRequestSchema, { key: ctx.key, ballot });
  return collectQuorum({
    replicas: ctx.replicas,
    needed,
    cancel: ctx.cancel,
    call: (nodeId) => ctx.transport.prepare(nodeId, req, ctx.cancel),
    isOk: (r) => r.ok,
    onAnswer: (_nodeId, r) => {
      ctx.counter.observe(r.promised);
      ctx.counter.observe(r.accepted);
    },
  });
}

/** What phase 2 carries besides the key. */
export interface AcceptFields {
  ballot: Ballot;
  state: RegisterState;
  /** Fast path: the acceptors also promise this ballot for the next round. */
  promiseNext?: Ballot;
  /** Tombstone GC: forget the record instead of accepting. */
  forget?: boolean;
}

/** Phase 2, settling once `needed` replicas accepted or that became impossible. */
export function sendAccept(ctx: RoundContext, fields: AcceptFields, needed: number): Promise<QuorumOutcome<AcceptResponse>> {
  // A literal, not create(): this runs for every replicated write (see acceptor.ts).
  const req: AcceptRequest = { $typeName: "ringkv.internal.v1.AcceptRequest", key: ctx.key, ballot: fields.ballot, state: fields.state, forget: fields.forget ?? false };
  if (fields.promiseNext !== undefined) req.promiseNext = fields.promiseNext;
  return collectQuorum({
    replicas: ctx.replicas,
    needed,
    cancel: ctx.cancel,
    call: (nodeId) => ctx.transport.accept(nodeId, req, ctx.cancel),
    isOk: (r) => r.ok,
    onAnswer: (_nodeId, r) => ctx.counter.observe(r.promised),
  });
}

/** The newest accepted state among phase-1 answers and the ballot it was accepted with. */
export interface Highest {
  /** Undefined when no answering acceptor ever accepted anything. */
  ballot: Ballot | undefined;
  state: RegisterState;
}

/**
 * Picks the state accepted with the highest ballot, as Paxos requires: if a state was committed,
 * every majority contains an acceptor that holds it (or a newer one), and none holds anything
 * with a higher ballot that does not descend from it. Taking any other state loses writes.
 */
export function highestAccepted(answers: ReadonlyArray<Answer<PrepareResponse>>): Highest {
  let best: Highest = { ballot: undefined, state: emptyRegister() };
  for (const { response } of answers) {
    if (response.accepted === undefined || response.state === undefined) continue;
    if (best.ballot === undefined || compareBallots(response.accepted, best.ballot) > 0) {
      best = { ballot: response.accepted, state: response.state };
    }
  }
  return best;
}

/** "n2 (connection refused), n3 (timeout)": which replicas failed and why, for error messages. */
export function describeFailures(outcome: QuorumOutcome<unknown>): string {
  return outcome.failed
    .map(({ nodeId, error }) => `${nodeId} (${error instanceof Error ? error.message : String(error)})`)
    .join(", ");
}

/** The `no_quorum` error for a round that could not reach enough replicas. */
export function noQuorumError(ctx: RoundContext, outcome: QuorumOutcome<unknown>, needed: number): RingkvError {
  const unreachable = outcome.failed.map((f) => f.nodeId);
  return ringkvError(
    "no_quorum",
    `no quorum for key ${JSON.stringify(ctx.key)}: ${unreachable.length} of ${ctx.replicas.length} replicas unreachable `
      + `(${describeFailures(outcome)}); ${needed} must answer`,
  );
}
