import { randomBytes } from "node:crypto";
import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { Change } from "../replication/register.js";
import { entryHasId, opIdBytes, prependOp, retainOps, scanPacked, versionOf, type OpEntry, type PackedEntry } from "./op-log.js";

/**
 * The op-id log's one rule about time, which every node applies to every entry: an entry is
 * dropped by the first write of the key after opMemoryMs have passed since its `at_ms`. A write
 * sets `at_ms` so that its entry outlives the last moment its entry node may retry it (see
 * {@link idempotent}); one whose deadline is unknown (forwarded by an older node) keeps today's
 * apply time, and so its entry for opMemoryMs.
 */
export const opMemoryMs = 60_000;
/**
 * How long an op id is kept past its write's deadline: the deadline is the entry node's clock,
 * the trimming is done by whichever coordinator writes the key next, by its own. Nodes' clocks
 * must agree to well within this (the forwarded `ringkv-deadline` assumes as much).
 */
export const opClockMarginMs = 5_000;
/** At most this many op ids per key (older ones expire first). */
export const maxRecentOps = 96;

/** 72 random bits per process: op ids from different nodes and restarts never collide. */
const opIdPrefix = randomBytes(9).toString("base64url");
let opSequence = 0;

/**
 * A fresh operation id: the process's random prefix and a counter (base 36). Unique across the
 * cluster without the cost of random bytes per write.
 */
export function newOpId(): string {
  return `${opIdPrefix}${(opSequence++).toString(36)}`;
}

/** What an idempotent change saw on its last application. */
export interface IdempotentChange {
  change: Change;
  /**
   * Whether `state` contains this op, if the op can only be in it as a write that produced
   * version `writtenAt` or later: true (its id is there), false (provably absent: no entry of
   * that version or newer was ever dropped from recent_ops), or undefined (can't tell).
   */
  appliedIn(state: RegisterState, writtenAt: bigint): boolean | undefined;
  /** The earlier application of the same op, when this run found one (a retry). */
  alreadyApplied(): OpEntry | undefined;
  /**
   * How many ids the last application dropped for room while their writes could still be
   * retried (the log was full): each such write loses its protection (see the limit below).
   */
  droppedEarly(): number;
}

/**
 * Makes a write safe to retry on another coordinator. The entry node gives each forwarded write
 * an op id; the change records it in the register (with the version it produced) and, when it
 * finds its own id already there, changes nothing and reports the earlier result. Without this,
 * a write whose first attempt timed out but was applied would be applied twice by the retry
 * (a Put would skip a version; a CAS would fail against its own write).
 *
 * `opDeadlineAt` is the entry node's deadline for the write (Unix ms): no attempt of it starts
 * later, so its id is kept until then plus {@link opClockMarginMs}, whether that is sooner than
 * opMemoryMs (the usual 10 s deadline: a key written every second carries ~15 ids, not ~60) or
 * later (a deadline raised with --max-timeout-ms: a retry minutes later still finds its id).
 *
 * The limit: the log keeps at most maxRecentOps ids. When more writes of the key than that come
 * between an attempt and its retry on another replica (a hot key written through other nodes,
 * while its coordinator fails), the retry no longer finds its id and applies the write again
 * if the first attempt went through. Refusing such retries (outcome_unknown whenever ids were
 * dropped for room while their writes could still be retried) was tried: the node-fault tests
 * then failed 1, 2 and 4 of their writes during fail-over, since a hot key always has such ids.
 * Closing this needs a log that covers a hot key's retry window (README, "How it holds up");
 * meanwhile {@link IdempotentChange.droppedEarly} feeds `ringkv_op_ids_dropped_early_total`.
 */
export function idempotent(opId: string, nowMs: number, change: Change, opDeadlineAt?: number): IdempotentChange {
  let seen: OpEntry | undefined;
  let early = 0;
  const id = opIdBytes(opId);
  // Under the log's rule (opMemoryMs after at_ms) the entry lives exactly as long as it must.
  const atMs = Math.floor(opDeadlineAt === undefined ? nowMs : opDeadlineAt + opClockMarginMs - opMemoryMs);
  return {
    alreadyApplied: () => seen,
    droppedEarly: () => early,
    appliedIn(state, writtenAt) {
      const packed = state.recentOpsPacked;
      if (scanPacked(packed).some((e) => entryHasId(packed, e, id))) return true;
      // A version watermark, not op times: times come from different nodes' clocks, and a hot
      // key fills recent_ops within a second, so "old enough" could never be told apart.
      return state.opsForgottenThrough < writtenAt ? false : undefined;
    },
    change(current: RegisterState): RegisterState {
      const packed = current.recentOpsPacked;
      const entries = scanPacked(packed);
      const hit = entries.find((e) => entryHasId(packed, e, id));
      seen = hit === undefined ? undefined : { id: opId, version: versionOf(packed, hit), atMs: hit.atMs };
      early = 0;
      if (seen !== undefined) return current;
      const next = change(current);
      if (next === current) return current;
      const { kept, forgotten, droppedYoung } = trimLog(current, entries, nowMs, maxRecentOps - 1);
      early = droppedYoung;
      const recentOpsPacked = prependOp({ version: next.version, atMs, id }, packed, kept);
      // recentOps is the superseded unpacked field: written empty.
      return { ...next, recentOps: [], recentOpsPacked, opsForgottenThrough: forgotten };
    },
  };
}

/**
 * The log's newest entries younger than opMemoryMs, at most `room` of them; the versions of the
 * entries it drops raise the watermark (see appliedIn).
 */
function trimLog(current: RegisterState, entries: readonly PackedEntry[], nowMs: number, room: number): { kept: PackedEntry[]; forgotten: bigint; droppedYoung: number } {
  const packed = current.recentOpsPacked;
  const kept: PackedEntry[] = [];
  let forgotten = current.opsForgottenThrough;
  let droppedYoung = 0;
  for (const e of entries) {
    const young = nowMs - e.atMs < opMemoryMs;
    if (kept.length < room && young) kept.push(e);
    else {
      const version = versionOf(packed, e);
      if (version > forgotten) forgotten = version;
      if (young) droppedYoung++;
    }
  }
  return { kept, forgotten, droppedYoung };
}

/**
 * A write that records no op id of its own (one that runs exactly once, see kv-service.ts)
 * still carries the key's op-id log over: a forwarded write recorded there may yet be retried,
 * and must still be recognized as applied after this write. Entries past opMemoryMs are dropped
 * as a recording write drops them, so a key that stops being written through other nodes ends
 * up with an empty log (and a small record).
 */
export function keepingOpLog(nowMs: number, change: Change): Change {
  return (current) => {
    const next = change(current);
    const packed = current.recentOpsPacked;
    if (next === current || (packed.byteLength === 0 && current.opsForgottenThrough === 0n)) return next;
    const entries = scanPacked(packed);
    const { kept, forgotten } = trimLog(current, entries, nowMs, maxRecentOps);
    const recentOpsPacked = kept.length === entries.length ? packed : retainOps(packed, kept);
    return { ...next, recentOps: [], recentOpsPacked, opsForgottenThrough: forgotten };
  };
}
