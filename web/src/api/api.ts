/**
 * The two generated Connect clients the page uses, bound to one node. Every call to the server
 * goes through these (never a hand-written fetch), so request and response shapes always match
 * the protos in gen/.
 */
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { ClusterService } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";

/** Clients for one node. */
export interface Api {
  /** e.g. "http://127.0.0.1:50051"; the node these clients talk to. */
  readonly baseUrl: string;
  readonly kv: Client<typeof KeyValueService>;
  readonly cluster: Client<typeof ClusterService>;
}

/** Timeout for unary calls, so a hung node turns into a visible error instead of a spinner. */
export const UNARY_TIMEOUT_MS = 8000;

/**
 * Creates clients for the node at `baseUrl`, using the Connect protocol with JSON (readable in
 * the browser's network panel; uint64 fields still arrive as bigint).
 */
export function createApi(baseUrl: string): Api {
  const transport = createConnectTransport({ baseUrl });
  return {
    baseUrl,
    kv: createClient(KeyValueService, transport),
    cluster: createClient(ClusterService, transport),
  };
}
