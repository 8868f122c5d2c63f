import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { PeerService } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { ClusterService } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { createH2Session, type H2Session } from "../net/h2-client-session.js";
import { callUnaryBinary, createLeanGrpcClient } from "../net/lean-grpc-client.js";
import { createBatchingKvClient } from "./forward-batcher.js";
import type { Membership } from "./membership.js";

const forwardBatchPath = `/${PeerService.typeName}/${PeerService.method.forwardBatch.name}`;

/** The clients this node uses to reach one peer, sharing one pooled HTTP/2 connection. */
export interface PeerClient {
  readonly id: string;
  readonly kv: Client<typeof KeyValueService>;
  readonly peer: Client<typeof PeerService>;
  readonly cluster: Client<typeof ClusterService>;
}

/** Options of {@link createPeerClients}. */
export interface PeerClientsOptions {
  membership: Membership;
  /** Dial peers over TLS, trusting this CA (PEM); plaintext h2c when unset. */
  tlsCa?: string | Buffer;
  /**
   * Make unary calls with the lean gRPC client (net/lean-grpc-client.ts) on one pooled
   * connection per peer; streaming calls stay on connect-node. Default false.
   */
  lean?: boolean;
}

/** Lazily created, long-lived clients for every peer. */
export interface PeerClients {
  get(id: string): PeerClient;
  close(): void;
}

/**
 * One gRPC transport per peer (connect-node's HTTP/2 session manager keeps a single connection
 * and multiplexes every call on it), never a connection per request. Idle connections are kept
 * alive with pings so the first forwarded call after a pause doesn't pay a handshake. With
 * `lean`, unary calls (forwarding, Prepare/Accept, Ping, ...) go over a second pooled connection
 * through the lean client, which has the same interface, errors and codes; connect-node's
 * connection then only carries streaming calls, if any, and is dialled lazily.
 */
export function createPeerClients(options: PeerClientsOptions): PeerClients {
  const clients = new Map<string, PeerClient>();
  const sessions: Http2SessionManager[] = [];
  const leanSessions: H2Session[] = [];
  return {
    get(id) {
      let client = clients.get(id);
      if (client === undefined) {
        const address = options.membership.address(id);
        const baseUrl = `${options.tlsCa ? "https" : "http"}://${address}`;
        const sessionManager = new Http2SessionManager(
          baseUrl,
          { pingIntervalMs: 15_000, pingTimeoutMs: 5_000, idleConnectionTimeoutMs: 5 * 60_000 },
          options.tlsCa ? { ca: options.tlsCa } : undefined,
        );
        sessions.push(sessionManager);
        const transport: Transport = createGrpcTransport({ baseUrl, sessionManager });
        client = {
          id,
          kv: createClient(KeyValueService, transport),
          peer: createClient(PeerService, transport),
          cluster: createClient(ClusterService, transport),
        };
        if (options.lean) {
          const session = createH2Session({ baseUrl, ...(options.tlsCa ? { connectOptions: { ca: options.tlsCa } } : {}) });
          leanSessions.push(session);
          const peer = createLeanGrpcClient(PeerService, session, client.peer);
          client = {
            id,
            // Forwarded Get/Put/Delete of one turn travel as one ForwardBatch (forward-batcher.ts).
            kv: createBatchingKvClient(createLeanGrpcClient(KeyValueService, session, client.kv), (request, callOptions) =>
              callUnaryBinary(session, PeerService.method.forwardBatch, forwardBatchPath, request, callOptions),
            ),
            peer,
            cluster: createLeanGrpcClient(ClusterService, session, client.cluster),
          };
        }
        clients.set(id, client);
      }
      return client;
    },
    close() {
      for (const session of sessions) session.abort();
      for (const session of leanSessions) session.close();
      sessions.length = 0;
      leanSessions.length = 0;
      clients.clear();
    },
  };
}
