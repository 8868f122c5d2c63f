import type { HandlerContext } from "@connectrpc/connect";
import { ringkvError } from "../errors.js";

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

/** What the data path needs to know about one incoming call. */
export interface CallInfo {
  hops: number;
  /** The member-list hash the forwarding node sent, if forwarded. */
  membersHash: string | undefined;
  requestId: string;
  /** The write's op id: set by the entry node for writes, carried on forwarded calls. */
  opId: string | undefined;
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
  return {
    hops: Number.isFinite(hops) && hops > 0 ? hops : 0,
    membersHash: ctx.requestHeader.get(forwardHeaders.membersHash) ?? undefined,
    requestId: ctx.requestHeader.get(forwardHeaders.requestId) ?? ctx.values.get(requestIdKey) ?? "",
    opId: ctx.requestHeader.get(forwardHeaders.opId) ?? undefined,
    // Read only when used: the lean gRPC path creates a call's AbortSignal on first access, and a
    // call served here from local state never needs one (an AbortController costs ~3 µs in Node 20).
    get signal() {
      return ctx.signal;
    },
    deadlineAt,
  };
}

import { createContextKey } from "@connectrpc/connect";

/** Context value holding the request id assigned at the edge (see the logging interceptor). */
export const requestIdKey = createContextKey<string>("", { description: "request id" });
