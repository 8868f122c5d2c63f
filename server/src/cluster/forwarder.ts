import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import { fromPeerError, RingkvError, ringkvError } from "../errors.js";
import { watchCallCancel, type CancelWatch } from "../net/cancel-watch.js";
import { forwardHeaders, type CallInfo } from "./call-context.js";
import type { FailureDetector } from "./failure-detector.js";
import type { Membership } from "./membership.js";
import type { PeerClient, PeerClients } from "./peer-clients.js";

/** Options of {@link createForwarder}. */
export interface ForwarderOptions {
  membership: Membership;
  peers: PeerClients;
  detector: FailureDetector;
  /** Observes every forwarded call's outcome (metrics). */
  onForward?: (peer: string, outcome: "ok" | "error") => void;
}

/** Sends a call on to a peer with the caller's deadline, cancellation, request id and hop count. */
export interface Forwarder {
  /**
   * Runs `call` against peer `id`. Errors come back re-created (never the peer's error object
   * itself); a connection failure marks the peer unreachable and becomes peer_unavailable.
   */
  call<T>(id: string, info: CallInfo, call: (client: PeerClient, options: CallOptions) => Promise<T>): Promise<T>;
}

/** Creates the {@link Forwarder}. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { membership, peers, detector } = options;
  return {
    async call(id, info, call) {
      // Whole milliseconds: grpc-timeout carries an integer, and Connect does not round.
      const timeoutMs = Math.floor(info.deadlineAt - Date.now());
      if (timeoutMs <= 0) throw ringkvError("deadline_exceeded", "deadline exceeded before the call could be forwarded");
      const callOptions = new ForwardCallOptions(info, timeoutMs, forwardHeadersOf(info, membership.membersHash));
      try {
        const result = await call(peers.get(id), callOptions);
        detector.reportReachable(id);
        options.onForward?.(id, "ok");
        return result;
      } catch (err) {
        options.onForward?.(id, "error");
        throw translatePeerError(err, id, membership, detector, info.signal);
      }
    },
  };
}

/** The metadata a forwarded call carries (names from {@link forwardHeaders}, all lower-case). */
function forwardHeadersOf(info: CallInfo, membersHash: string): Record<string, string> {
  // A literal with constant names (V8 builds it from one boilerplate); `satisfies` checks them.
  const headers: Record<string, string> = {
    "ringkv-hops": String(info.hops + 1),
    "ringkv-members-hash": membersHash,
    "x-request-id": info.requestId,
    "ringkv-deadline": String(Math.floor(info.deadlineAt)),
  } satisfies Partial<Record<(typeof forwardHeaders)[keyof typeof forwardHeaders], string>>;
  if (info.opId !== undefined) headers[forwardHeaders.opId] = info.opId;
  if (info.opDeadlineAt !== undefined) headers[forwardHeaders.opDeadline] = String(Math.floor(info.opDeadlineAt));
  return headers;
}

/**
 * The CallOptions of a forwarded call. Its `signal` is the caller's, read only when a client
 * asks for it (a lone call on its own stream, which a cancellation resets); the forward batcher
 * watches the caller's cancellation instead ({@link CancelWatch}), so a forwarded call in a
 * batch never creates an AbortSignal. A class, so the getter lives on the prototype (see
 * net/lean-call.ts on getters in object literals).
 */
export class ForwardCallOptions implements CallOptions, CancelWatch {
  readonly timeoutMs: number;
  readonly headers: Record<string, string>;
  readonly #info: CallInfo;

  constructor(info: CallInfo, timeoutMs: number, headers: Record<string, string>) {
    this.#info = info;
    this.timeoutMs = timeoutMs;
    this.headers = headers;
  }

  get signal(): AbortSignal {
    return this.#info.signal;
  }

  watchCancel(onCancel: (reason: unknown) => void): () => void {
    return watchCallCancel(this.#info, onCancel);
  }
}

function translatePeerError(err: unknown, id: string, membership: Membership, detector: FailureDetector, signal: AbortSignal): Error {
  if (err instanceof RingkvError) return err;
  const ce = ConnectError.from(err);
  const dropped = ce.code === Code.Canceled || ce.code === Code.Aborted;
  if (dropped && !signal.aborted && ce.metadata.get("ringkv-reason") === null) {
    // Our caller did not cancel: the stream or connection was reset under us (the peer died
    // mid-call). Retrying elsewhere is safe: writes carry an op id.
    detector.reportUnreachable(id, ce.rawMessage);
    return ringkvError("peer_unavailable", `node ${id} (${membership.address(id)}) dropped the call: ${ce.rawMessage}`, { nodeId: id });
  }
  if (ce.code === Code.Unavailable && ce.metadata.get("ringkv-reason") === null) {
    detector.reportUnreachable(id, ce.rawMessage);
    return ringkvError("peer_unavailable", `node ${id} (${membership.address(id)}) is unavailable: ${ce.rawMessage}`, { nodeId: id });
  }
  if (ce.code === Code.DeadlineExceeded && ce.metadata.get("ringkv-reason") === null) {
    return ringkvError("deadline_exceeded", `deadline exceeded waiting for node ${id}: the outcome is unknown (a write may or may not have been applied)`, { nodeId: id, silent: true });
  }
  return fromPeerError(ce, id);
}
