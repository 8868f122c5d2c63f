/** Which load generator produced a figure; each has its own ceiling measured in the same run. */
export type DriverKind = "h2load" | "load-driver";

/**
 * The outcome of one fixed-duration load run, the same shape for h2load and the Node load
 * driver so the report treats them alike.
 */
export interface LoadResult {
  driver: DriverKind;
  /** Requests completed in the measured window (warm-up excluded). */
  requests: number;
  /** Completed with success (HTTP 2xx, and grpc-status 0 where the driver can see it). */
  succeeded: number;
  failed: number;
  durationS: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Driver-specific counts (status classes, grpc-status codes, not-found answers). */
  detail: Record<string, number>;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
