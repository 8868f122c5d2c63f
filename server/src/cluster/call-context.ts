import type { HandlerContext } from "@connectrpc/connect";
import { ringkvError } from "../errors.js";
import { watchCallCancel, type CancelWatch } from "../net/cancel-watch.js";

/** Metadata headers nodes add when they forward a call. */
export const forwardHeaders = {
  /** How many nodes the call has passed through; stops forwarding loops. */
  hops: "ringkv-hops",
  /** The forwarding node's member-list hash; a mismatch fails the call (members_mismatch). */
  membersHash: "ringkv-members-hash",
  /** Follows a request across hops, into every log line about it. */
  requestId: "x-request-id",
  /** Identifies a forwarded write so a retry on another coordinator is applied at most once. */
  opId: "ringkv-op-id",
  /**
   * The entry node's deadline for the whole write (Unix ms), which `ringkv-deadline` is not: that
   * one is the deadline of this attempt, and the entry node may retry the write on another replica
   * until this one. A coordinator keeps the write's op id in the key's register until then
   * (kv/idempotent.ts), and no longer.
   */
  opDeadline: "ringkv-op-deadline",
  /**
   * The absolute deadline (Unix ms). grpc-timeout is relative and starts counting only when the
   * receiver reads the request, so a request that sat in a paused node's socket would otherwise
   * run long after the entry node gave up on it and retried elsewhere.
   */
  deadline: "ringkv-deadline",
} as const;

/** The node's deadline policy: the default for calls without one, and the cap for all calls. */
export interface Deadlines {
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
}

/**
 * What the data path needs to know about one incoming call. `watchCancel`, where the call
 * offers it (the lean path does), hears about its cancellation without creating `signal`: hand
 * operations `cancellationOf(info)` (net/cancel-watch.ts).
 */
export interface CallInfo extends Partial<CancelWatch> {
  hops: number;
  /** The member-list hash the forwarding node sent, if forwarded. */
  membersHash: string | undefined;
  requestId: string;
  /** The write's op id: set by the entry node for writes, carried on forwarded calls. */
  opId: string | undefined;
  /**
   * Epoch ms until which the entry node may still retry the write named by `opId` (its own
   * deadline for the call, however many attempts it makes); undefined when not told.
   */
  opDeadlineAt: number | undefined;
  signal: AbortSignal;
  /** Epoch ms. */
  deadlineAt: number;
}

/**
 * Extracts {@link CallInfo} from a Connect handler context, applying the default deadline and a
 * forwarding node's absolute deadline. A forwarded call that arrives after its deadline is
 * refused before any work is done.
 */
export function callInfoFrom(ctx: HandlerContext, deadlines: Deadlines): CallInfo {
  const hops = Number.parseInt(ctx.requestHeader.get(forwardHeaders.hops) ?? "0", 10);
  const timeoutMs = Math.min(ctx.timeoutMs() ?? deadlines.defaultTimeoutMs, deadlines.maxTimeoutMs);
  const absolute = Number(ctx.requestHeader.get(forwardHeaders.deadline) ?? Number.POSITIVE_INFINITY);
  const deadlineAt = Math.min(Date.now() + timeoutMs, Number.isFinite(absolute) ? absolute : Number.POSITIVE_INFINITY);
  if (deadlineAt <= Date.now()) {
    throw ringkvError("deadline_exceeded", "the request reached this node after its deadline; it was not executed");
  }
  return new LazyCallInfo(
    {
      hops: Number.isFinite(hops) && hops > 0 ? hops : 0,
      membersHash: ctx.requestHeader.get(forwardHeaders.membersHash) ?? undefined,
      requestId: ctx.requestHeader.get(forwardHeaders.requestId) ?? ctx.values.get(requestIdKey) ?? "",
      opId: ctx.requestHeader.get(forwardHeaders.opId) ?? undefined,
      opDeadlineAt: epochMsHeader(ctx.requestHeader.get(forwardHeaders.opDeadline)),
      deadlineAt,
    },
    ctx,
  );
}

/** A header holding Unix ms, as a number; undefined when absent or not a finite number. */
function epochMsHeader(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) ? ms : undefined;
}

type CallInfoFields = Omit<CallInfo, "signal" | "watchCancel">;

/** Where a LazyCallInfo's cancellation comes from: the handler context. */
type CancelSource = { readonly signal: AbortSignal } & Partial<CancelWatch>;

/**
 * A CallInfo whose signal is read from the handler context only when used: the lean gRPC path
 * creates a call's AbortSignal on first access, and a call served here from local state never
 * needs one (an AbortController costs ~3 µs in Node 20). A class with a getter on its
 * prototype, not an object literal with a getter: V8 allocates a literal's accessor pair in the
 * old generation, which keeps the getter's closure, the context and the whole call alive
 * through every young-generation GC (see lean-call.ts). Spreading it would drop `signal`: use
 * {@link withCallInfo} (the linter refuses `...info`).
 */
class LazyCallInfo implements CallInfo {
  readonly hops: number;
  readonly membersHash: string | undefined;
  readonly requestId: string;
  readonly opId: string | undefined;
  readonly opDeadlineAt: number | undefined;
  readonly deadlineAt: number;
  readonly #source: CancelSource;

  constructor(fields: CallInfoFields, source: CancelSource) {
    this.hops = fields.hops;
    this.membersHash = fields.membersHash;
    this.requestId = fields.requestId;
    this.opId = fields.opId;
    this.opDeadlineAt = fields.opDeadlineAt;
    this.deadlineAt = fields.deadlineAt;
    this.#source = source;
  }

  get signal(): AbortSignal {
    return this.#source.signal;
  }

  watchCancel(onCancel: (reason: unknown) => void): () => void {
    return watchCallCancel(this.#source, onCancel);
  }

  /** The same call with `patch`'s fields replaced or added; the signal stays this call's. */
  with<E extends object>(patch: Partial<CallInfoFields> & E): LazyCallInfo & E {
    return Object.assign(new LazyCallInfo({ ...this.#fields(), ...patch }, this.#source), patch);
  }

  #fields(): CallInfoFields {
    return { hops: this.hops, membersHash: this.membersHash, requestId: this.requestId, opId: this.opId, opDeadlineAt: this.opDeadlineAt, deadlineAt: this.deadlineAt };
  }
}

/**
 * `{ ...info, ...patch }` that keeps a lazy signal lazy: the same call, with some fields
 * replaced (a shorter deadline, an op id) or added (a write's `appliedIn`).
 */
export function withCallInfo<E extends object>(info: CallInfo, patch: Partial<CallInfoFields> & E): CallInfo & E {
  if (info instanceof LazyCallInfo) return info.with(patch);
  // A plain CallInfo (tests, internal callers) keeps `signal` as an own property: spreading is safe.
  // eslint-disable-next-line no-restricted-syntax
  return { ...info, ...patch };
}

import { createContextKey } from "@connectrpc/connect";

/** Context value holding the request id assigned at the edge (see the logging interceptor). */
export const requestIdKey = createContextKey<string>("", { description: "request id" });
