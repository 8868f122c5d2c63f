/**
 * Turning failed calls into words a person can act on, and recognising the one failure the
 * editor handles specially: a compare-and-set conflict.
 *
 * The server answers a Put/Delete whose `expected_version` does not match with
 * `Code.FailedPrecondition`, the reason `version_mismatch` in the `ringkv-reason` metadata and the
 * key's current version in `ringkv-current-version` (server/src/errors.ts). Cross-origin, those
 * headers are visible only if the server exposes them (CORS), so the version is also looked for
 * in the message as a fallback.
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** Metadata keys the server uses for error details (mirrors server/src/errors.ts). */
export const errorMetadata = {
  reason: "ringkv-reason",
  currentVersion: "ringkv-current-version",
  nodeId: "ringkv-node-id",
} as const;

/** A readable account of a failure. */
export interface ErrorDescription {
  /** The Connect code name, e.g. "Unavailable", or "Error" for non-Connect errors. */
  code: string;
  /** The server's (or browser's) message, without the "[code]" prefix. */
  message: string;
  /** What the user can do about it, when there is something to say. */
  hint?: string;
}

const networkFailure = /failed to fetch|networkerror|load failed|network error|fetch failed/i;

/** Describes any thrown value; ConnectErrors keep their code and raw message. */
export function describeError(err: unknown): ErrorDescription {
  if (err instanceof ConnectError) {
    const code = Code[err.code] ?? `Code ${err.code}`;
    const message = err.rawMessage || "(no message)";
    return { code, message, ...hintFor(err.code, message) };
  }
  if (err instanceof Error) {
    return { code: "Error", message: err.message, ...hintFor(undefined, err.message) };
  }
  return { code: "Error", message: String(err) };
}

function hintFor(code: Code | undefined, message: string): { hint?: string } {
  if (networkFailure.test(message)) {
    return { hint: "The node may be down or unreachable. Switch to another node with “Talk to node”." };
  }
  if (code === Code.Unavailable) {
    // The node answered, so it is up: something it needed (peers, a quorum) is not.
    return { hint: "The node answered, but part of the cluster this needs is unreachable. See the Cluster tab; retry later." };
  }
  if (code === Code.DeadlineExceeded) {
    return { hint: "The outcome is unknown: the change may or may not have been applied. Reload to check." };
  }
  if (code === Code.InvalidArgument) return { hint: "Check the input and try again." };
  if (code === Code.Unimplemented) return { hint: "This node does not offer that call; is it an older version?" };
  return {};
}

/** One line: "Unavailable: no quorum for key …". */
export function errorText(err: unknown): string {
  const d = describeError(err);
  return `${d.code}: ${d.message}`;
}

/** A compare-and-set conflict: someone else changed the key since it was read. */
export interface Conflict {
  /** The key's version now, if the server said; 0 means the key no longer exists. */
  currentVersion: bigint | undefined;
  /** The server's message. */
  message: string;
}

const versionInMessage = /current version(?: is)?[:= ]\s*(\d+)/i;

/** Recognises a version conflict in a failed Put/Delete; undefined for any other failure. */
export function detectConflict(err: unknown): Conflict | undefined {
  if (!(err instanceof ConnectError) || err.code !== Code.FailedPrecondition) return undefined;
  const reason = err.metadata.get(errorMetadata.reason);
  if (reason !== null && reason !== "version_mismatch") return undefined;
  const header = err.metadata.get(errorMetadata.currentVersion);
  let currentVersion: bigint | undefined;
  if (header !== null && /^\d+$/.test(header.trim())) currentVersion = BigInt(header.trim());
  else {
    const match = versionInMessage.exec(err.rawMessage);
    if (match?.[1] !== undefined) currentVersion = BigInt(match[1]);
  }
  return { currentVersion, message: err.rawMessage };
}

/**
 * The sentence the editor shows for a conflict. `expected` is the version the edit was based on
 * (0 for "create new key").
 */
export function conflictSentence(key: string, expected: bigint, conflict: Conflict): string {
  const now = conflict.currentVersion;
  if (expected === 0n) {
    return now === undefined
      ? `“${key}” already exists. Nothing was written.`
      : `“${key}” already exists (version ${now}). Nothing was written.`;
  }
  if (now === 0n) {
    return `“${key}” was deleted by someone else after you loaded version ${expected}. Your change was not saved.`;
  }
  const where = now === undefined ? "it has changed since" : `it is now at version ${now}`;
  return `“${key}” was changed by someone else: you edited version ${expected}, ${where}. Your change was not saved.`;
}
