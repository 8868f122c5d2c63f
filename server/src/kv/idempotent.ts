import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { AppliedOpSchema, type AppliedOp, type RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { Change } from "../replication/register.js";

/** How long an applied op id is remembered: far longer than any request deadline. */
export const opMemoryMs = 60_000;
/** At most this many op ids per key (older ones expire first). */
export const maxRecentOps = 32;

/** Allowed clock difference between nodes when comparing op times. */
const clockMarginMs = 5_000;

/** A fresh operation id: 96 random bits, base64url. */
export function newOpId(): string {
  return randomBytes(12).toString("base64url");
}

/** What an idempotent change saw on its last application. */
export interface IdempotentChange {
  change: Change;
  /**
   * Whether a state contains this op: true (its id is there), false (it is provably absent:
   * nothing applied since this op began was dropped from recent_ops), or undefined (can't tell).
   */
  appliedIn(state: RegisterState): boolean | undefined;
  /** The earlier application of the same op, when this run found one (a retry). */
  alreadyApplied(): AppliedOp | undefined;
}

/**
 * Makes a write safe to retry on another coordinator. The entry node gives each forwarded write
 * an op id; the change records it in the register (with the version it produced) and, when it
 * finds its own id already there, changes nothing and reports the earlier result. Without this,
 * a write whose first attempt timed out but was applied would be applied twice by the retry
 * (a Put would skip a version; a CAS would fail against its own write).
 */
export function idempotent(opId: string, nowMs: number, change: Change): IdempotentChange {
  let seen: AppliedOp | undefined;
  return {
    alreadyApplied: () => seen,
    appliedIn(state) {
      if (state.recentOps.some((op) => op.id === opId)) return true;
      // Absence proves the op was not applied only if no entry newer than this op's start can
      // have been evicted: the list has room, or its oldest entry predates the op (with a
      // margin for clock differences between nodes).
      const oldest = state.recentOps[state.recentOps.length - 1];
      const complete = state.recentOps.length < maxRecentOps || (oldest !== undefined && Number(oldest.atMs) < nowMs - clockMarginMs);
      return complete ? false : undefined;
    },
    change(current: RegisterState): RegisterState {
      seen = current.recentOps.find((op) => op.id === opId);
      if (seen !== undefined) return current;
      const next = change(current);
      if (next === current) return current;
      const kept = current.recentOps.filter((op) => nowMs - Number(op.atMs) < opMemoryMs).slice(0, maxRecentOps - 1);
      return { ...next, recentOps: [create(AppliedOpSchema, { id: opId, version: next.version, atMs: BigInt(nowMs) }), ...kept] };
    },
  };
}
