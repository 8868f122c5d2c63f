import type {
  AcceptRequest,
  AcceptResponse,
  PrepareRequest,
  PrepareResponse,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/**
 * How a proposer reaches acceptors, by node id; its own node is reached the same way (the
 * production transport short-cuts it to the local acceptor). A call throws when the node cannot
 * be reached or does not answer in time; the proposer counts that as a missing vote. `signal`
 * aborts when the proposer no longer needs the answer (operation finished, deadline, cancel).
 */
export interface ProposerTransport {
  prepare(nodeId: string, req: PrepareRequest, signal: AbortSignal): Promise<PrepareResponse>;
  accept(nodeId: string, req: AcceptRequest, signal: AbortSignal): Promise<AcceptResponse>;
}
