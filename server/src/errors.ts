import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The catalog of errors ringkv raises internally. Each has a stable machine-readable reason (sent
 * to clients as the `ringkv-reason` metadata) and maps to exactly one Connect `Code` in
 * {@link toConnectError}, the only place where internal errors become wire errors.
 */
export const errorCodes = {
  invalid_key: Code.InvalidArgument,
  invalid_value: Code.InvalidArgument,
  invalid_argument: Code.InvalidArgument,
  version_mismatch: Code.FailedPrecondition,
  members_mismatch: Code.FailedPrecondition,
  not_found: Code.NotFound,
  peer_unavailable: Code.Unavailable,
  no_quorum: Code.Unavailable,
  hop_limit: Code.Internal,
  outcome_unknown: Code.DeadlineExceeded,
  deadline_exceeded: Code.DeadlineExceeded,
  canceled: Code.Canceled,
  storage_failure: Code.Internal,
  internal: Code.Internal,
} as const satisfies Record<string, Code>;

export type ErrorReason = keyof typeof errorCodes;

/** Extra facts an error carries to the client, e.g. the current version after a CAS mismatch. */
export interface ErrorDetails {
  currentVersion?: bigint;
  nodeId?: string;
  /** Internal, never sent: the node (nodeId) did not answer at all, as opposed to answering with this error. */
  silent?: boolean;
}

/** An error raised inside ringkv; converted to a ConnectError at the API boundary. */
export class RingkvError extends Error {
  override readonly name = "RingkvError";
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get code(): Code {
    return errorCodes[this.reason];
  }
}

/** Shorthand for `new RingkvError(...)`, so call sites read as a sentence. */
export function ringkvError(reason: ErrorReason, message: string, details?: ErrorDetails): RingkvError {
  return new RingkvError(reason, message, details);
}

/** Metadata keys used to carry error details across the wire (and across forwarding hops). */
export const errorMetadata = {
  reason: "ringkv-reason",
  currentVersion: "ringkv-current-version",
  nodeId: "ringkv-node-id",
} as const;

/**
 * Converts anything thrown inside a handler into a fresh ConnectError. A ConnectError that came
 * from a peer is re-created (code, message, metadata copied) rather than re-thrown as-is, so the
 * peer's transport-level state never leaks into our response (connect-es#1604).
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof RingkvError) {
    const metadata = new Headers({ [errorMetadata.reason]: err.reason });
    if (err.details.currentVersion !== undefined) {
      metadata.set(errorMetadata.currentVersion, err.details.currentVersion.toString());
    }
    if (err.details.nodeId !== undefined) metadata.set(errorMetadata.nodeId, err.details.nodeId);
    return new ConnectError(err.message, err.code, metadata, undefined, err);
  }
  if (err instanceof ConnectError) {
    return new ConnectError(err.rawMessage, err.code, new Headers(err.metadata), undefined, err);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError(`internal error: ${message}`, Code.Internal, undefined, undefined, err);
}

/** Rebuilds a RingkvError from a ConnectError a peer sent, when it carries our reason metadata. */
export function fromPeerError(err: ConnectError, peerId: string): RingkvError | ConnectError {
  const reason = err.metadata.get(errorMetadata.reason);
  if (reason !== null && reason in errorCodes) {
    const current = err.metadata.get(errorMetadata.currentVersion);
    const nodeId = err.metadata.get(errorMetadata.nodeId) ?? peerId;
    return new RingkvError(reason as ErrorReason, err.rawMessage, {
      nodeId,
      ...(current !== null ? { currentVersion: BigInt(current) } : {}),
    });
  }
  return new ConnectError(err.rawMessage, err.code, new Headers(err.metadata), undefined, err);
}
