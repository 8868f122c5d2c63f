import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Exit codes of the ringkv CLI, stable for scripts:
 * 0 success; 1 key not found (get) or other failure; 2 bad usage or invalid argument;
 * 3 version mismatch (compare-and-set failed); 4 cluster unavailable; 5 deadline exceeded
 * (for writes: the outcome is unknown).
 */
export const exitCodes = {
  ok: 0,
  notFound: 1,
  failure: 1,
  usage: 2,
  versionMismatch: 3,
  unavailable: 4,
  deadline: 5,
} as const;

/** The exit code for an error from a call. */
export function exitCodeFor(err: unknown): number {
  const ce = ConnectError.from(err);
  switch (ce.code) {
    case Code.InvalidArgument:
      return exitCodes.usage;
    case Code.FailedPrecondition:
      return exitCodes.versionMismatch;
    case Code.Unavailable:
      return exitCodes.unavailable;
    case Code.DeadlineExceeded:
      return exitCodes.deadline;
    case Code.NotFound:
      return exitCodes.notFound;
    default:
      return exitCodes.failure;
  }
}
