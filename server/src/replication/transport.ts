import type { Cancellation } from "../net/cancel-watch.js";
import type {
  AcceptRequest,
  AcceptResponse,
  Ballot,
  PrepareRequest,
  PrepareResponse,
  RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/** What an acceptor last accepted for a key, read without a round. */
export interface AcceptedRead {
  state?: RegisterState | undefined;
  /** Absent when the acceptor holds nothing for the key. */
  accepted?: Ballot | undefined;
}

/**
 * How a proposer reaches acceptors, by node id; its own node is reached the same way (the
 * production transport short-cuts it to the local acceptor). A call throws when the node cannot
 * be reached or does not answer in time; the proposer counts that as a missing vote. `cancel`
 * fires when the proposer no longer needs the answer (operation finished, deadline, cancel).
 */
export interface ProposerTransport {
  prepare(nodeId: string, req: PrepareRequest, cancel: Cancellation): Promise<PrepareResponse>;
  accept(nodeId: string, req: AcceptRequest, cancel: Cancellation): Promise<AcceptResponse>;
  /**
   * The acceptor's accepted ballot and state (quorum reads); without it reads take full rounds.
   * With `ballotOnly` the acceptor may leave the state out (it is then undefined).
   */
  read?(nodeId: string, key: string, cancel: Cancellation, ballotOnly?: boolean): Promise<AcceptedRead>;
}
