/**
 * What the Node load driver is told to do. h2load posts one fixed body, so anything that needs
 * a different key per request (uniform random keys, filling a key set) goes through the driver.
 */
export interface LoadDriverConfig {
  /** "http://127.0.0.1:port" of the entry node (or the ceiling server). */
  url: string;
  call: "Get" | "Put";
  /** Keys are `benchKey(keyPrefix, i)` for i in [0, keyCount), unless `keys` is given. */
  keyCount: number;
  keyPrefix: string;
  /** The key set itself, e.g. keys one node coordinates (keyCount and keyPrefix are then unused). */
  keys?: readonly string[];
  /** Length of every Put value. */
  valueBytes: number;
  /** GetRequest.consistency (0 default, 2 LOCAL). */
  consistency: number;
  /** HTTP/2 sessions, and concurrent streams on each. */
  sessions: number;
  streams: number;
  durationS: number;
  warmupS: number;
  /** Put every key exactly once, in order, then stop (loading a key set; no duration). */
  fill: boolean;
  /**
   * Offered load in calls/s over all streams, paced evenly (0 = as fast as answers come). For
   * latency at a fixed load: a closed loop at full speed measures queueing, not service time.
   */
  rate: number;
  /**
   * Whose API the calls go to: ringkv's KeyValueService (default), or etcd's KV service, whose
   * RangeRequest and PutRequest carry key (1) and value (2) with the same field numbers and wire
   * types as our GetRequest and PutRequest, so the same frames serve both.
   */
  target?: "ringkv" | "etcd";
}

/** The i-th benchmark key of a key set. */
export function benchKey(prefix: string, i: number): string {
  return `${prefix}${i.toString().padStart(7, "0")}`;
}
