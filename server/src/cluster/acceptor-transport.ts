import { Code, ConnectError } from "@connectrpc/connect";
import type { Acceptor, ProposerTransport } from "../replication/index.js";
import { createAcceptorBatcher } from "./acceptor-batcher.js";
import type { FailureDetector } from "./failure-detector.js";
import type { PeerClients } from "./peer-clients.js";

/** Options of {@link createAcceptorTransport}. */
export interface AcceptorTransportOptions {
  selfId: string;
  /** This node's own acceptor, called directly (no network hop to ourselves). */
  acceptor: Acceptor;
  peers: PeerClients;
  detector: FailureDetector;
}

/**
 * How this node's proposer reaches acceptors: its own in-process, the others through
 * PeerService on the pooled gRPC connection. A connection failure marks the peer unreachable
 * at once, so coordinators stop waiting for it.
 */
export function createAcceptorTransport(options: AcceptorTransportOptions): ProposerTransport {
  const { selfId, acceptor, peers, detector } = options;
  // Calls to one peer in the same event-loop turn travel as one RPC (acceptor-batcher.ts).
  const batcher = createAcceptorBatcher(peers);
  // A plain `then`, not an async wrapper: one promise fewer on every call to a peer.
  const observe = <T>(id: string, call: Promise<T>): Promise<T> =>
    call.then(undefined, (err: unknown) => {
      const ce = ConnectError.from(err);
      if (ce.code === Code.Unavailable) detector.reportUnreachable(id, ce.rawMessage);
      throw ce;
    });
  return {
    prepare: (id, req, cancel) => (id === selfId ? acceptor.prepare(req) : observe(id, batcher.prepare(id, req, cancel))),
    accept: (id, req, cancel) => (id === selfId ? acceptor.accept(req) : observe(id, batcher.accept(id, req, cancel))),
    read: (id, key, cancel, ballotOnly) => (id === selfId ? acceptor.readAccepted(key) : observe(id, batcher.read(id, key, cancel, ballotOnly === true))),
  };
}
