import type { Cancellation } from "../net/cancel-watch.js";
import type { Clock } from "./clock.js";
import { formatBallot } from "./ballot.js";
import { describeFailures, highestAccepted, sendAccept, sendPrepare, type RoundContext } from "./phases.js";
import { isTombstone } from "./register.js";

/**
 * Tombstone garbage collection (CASPaxos paper, "deleting a key"), made safe without proposer
 * "ages" by a per-acceptor ballot floor.
 *
 * A tombstone cannot simply be dropped by each replica: an acceptor that forgot the key would
 * answer phase 1 with "nothing accepted", and a majority made of it and a replica still holding
 * an older value would resurrect that value. Nor may it forget what it promised, or a proposer
 * holding an old ballot (a fast-path entry, a delayed message) would get an accept through. So:
 *
 * 1. Prepare a fresh ballot G on ALL replicas. Every replica then refuses anything below G.
 * 2. If the newest state is a tombstone older than `minAgeMs`, accept it at G on ALL replicas.
 *    Now no replica holds any state older than the tombstone, and none can accept one later.
 * 3. Ask every replica to forget the key if its record still holds exactly the tombstone
 *    accepted at G (a newer write in the meantime makes it refuse). Before removing the record,
 *    the acceptor raises its ballot floor to at least the record's promise: a key without a
 *    record behaves as if it had promised the floor, so every ballot the record would have
 *    refused is still refused.
 *
 * After step 2, a missing record can only stand for "the tombstone or something newer", so a
 * majority mixing forgotten and remaining replicas still sees the tombstone or nothing at all:
 * no resurrection. A partial step 3 is harmless and finished by the next collection.
 *
 * The cost: a forgotten key is indistinguishable from a never-written one, so its version
 * restarts at 1 if it is written again. Versions therefore only stay unique per key between
 * collections. Hence the grace period `minAgeMs` (e.g. a day) must exceed:
 * - the longest operation deadline plus the clock skew between nodes: a proposer retrying a
 *   write tells "my write is in the key's history" from "it is not" by versions, and a
 *   collection under a running operation would fool it (the simulation found a delete that
 *   reported "not found" because its own tombstone was collected while it retried);
 * - how long clients keep a version for a later compare-and-set, or that CAS could match a
 *   re-created key's restarted version.
 */

/** Options of a collection. */
export interface CollectTombstoneOptions {
  /**
   * Only collect tombstones deleted at least this long ago (deletedAtMs vs `nowMs`); must exceed
   * the longest operation deadline plus clock skew (see above).
   */
  minAgeMs: number;
  /** Current Unix ms to compare with the tombstone's deletedAtMs (default: the clock's now). */
  nowMs?: number;
  /** Gives up at this time (clock ms). */
  deadlineAt: number;
  signal?: Cancellation;
}

/** What a collection did. */
export type CollectTombstoneResult =
  /** The key's records are gone from every replica. */
  | { status: "collected" }
  /** Nothing to do: the key exists, was never written, or was already collected. */
  | { status: "not-a-tombstone" }
  /** The tombstone is younger than minAgeMs. */
  | { status: "too-recent"; deletedAtMs: bigint }
  /** A replica was unreachable or a competing proposer intervened; safe to retry later. */
  | { status: "incomplete"; reason: string };

/** Runs one collection; the proposer calls this holding the key (see Proposer.collectTombstone). */
export async function collectTombstone(
  ctx: RoundContext,
  clock: Clock,
  options: CollectTombstoneOptions,
): Promise<CollectTombstoneResult> {
  const all = ctx.replicas.length;
  const ballot = ctx.counter.next();
  const promised = await sendPrepare(ctx, ballot, all);
  if (promised.kind !== "quorum") {
    return { status: "incomplete", reason: `prepare ${formatBallot(ballot)} reached ${promised.ok.length} of ${all} replicas${failures(promised)}` };
  }
  const { state } = highestAccepted(promised.ok);
  if (!isTombstone(state)) return { status: "not-a-tombstone" };
  const nowMs = options.nowMs ?? clock.now();
  if (Number(state.deletedAtMs) > nowMs - options.minAgeMs) return { status: "too-recent", deletedAtMs: state.deletedAtMs };

  const accepted = await sendAccept(ctx, { ballot, state }, all);
  if (accepted.kind !== "quorum") {
    return { status: "incomplete", reason: `accept ${formatBallot(ballot)} reached ${accepted.ok.length} of ${all} replicas${failures(accepted)}` };
  }
  const forgotten = await sendAccept(ctx, { ballot, state, forget: true }, all);
  if (forgotten.kind !== "quorum") {
    return { status: "incomplete", reason: `forget reached ${forgotten.ok.length} of ${all} replicas${failures(forgotten)}` };
  }
  return { status: "collected" };
}

function failures(outcome: Parameters<typeof describeFailures>[0]): string {
  const text = describeFailures(outcome);
  return text === "" ? "" : `; unreachable: ${text}`;
}
