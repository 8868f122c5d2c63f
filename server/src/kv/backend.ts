import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { CancelWatch } from "../net/cancel-watch.js";
import type { Change } from "../replication/register.js";

/** Options of one operation. */
/** Options of one operation; `watchCancel`, where offered, is the signal's cancellation without creating it (net/cancel-watch.ts). */
export interface ExecuteOptions extends Partial<CancelWatch> {
  /** Aborted when the caller goes away or the deadline passes. */
  signal: AbortSignal;
  /** Epoch ms after which the operation must stop. */
  deadlineAt: number;
  /** Whether a state already contains this write (see Proposer ExecuteOptions.appliedIn). */
  appliedIn?: (state: RegisterState, writtenAt: bigint) => boolean | undefined;
}

/**
 * The write/read path behind the KeyValueService handlers, run on a key's coordinator. The
 * single-replica backend applies a change to local storage; the replicated backend runs a
 * CASPaxos round on the key's replicas. Handlers and forwarding never see the difference.
 */
export interface KvBackend {
  /**
   * Whether a write executed here may be applied more than once unless it carries an op id:
   * true for the replicated backend (a proposer retries rounds, and a rival proposer may finish
   * an accept this one gave up on), false for the single-replica backend, which applies a
   * change once. Writes that were forwarded or retried need their op id either way.
   */
  readonly repeatsWrites: boolean;
  /** Applies a change to a key and returns the resulting state. */
  execute(key: string, replicas: readonly string[], change: Change, options: ExecuteOptions): Promise<RegisterState>;
  /** This node's own copy of a key's state (no round; possibly stale). */
  readLocal(key: string): RegisterState;
  /**
   * A linearizable read without a round when the key's replicas agree (replicated backends):
   * the state, or undefined when `execute` with a read change must answer.
   */
  quorumRead?(key: string, replicas: readonly string[], options: ExecuteOptions): Promise<RegisterState | undefined>;
}
