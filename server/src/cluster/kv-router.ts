import type { Logger } from "pino";
import { RingkvError, ringkvError } from "../errors.js";
import type { CallInfo } from "./call-context.js";
import type { Forwarder } from "./forwarder.js";
import type { Membership } from "./membership.js";
import type { PeerClient } from "./peer-clients.js";
import type { CallOptions } from "@connectrpc/connect";

/** Options of {@link createKvRouter}. */
export interface KvRouterOptions {
  membership: Membership;
  forwarder: Forwarder;
  logger: Logger;
  /** Whether any replica may serve a forwarded call as proposer (true for CASPaxos). */
  anyReplicaMayCoordinate: boolean;
}

/**
 * Decides where an operation on a key runs. On the key's coordinator (the first reachable
 * replica) it runs the change through the backend; elsewhere it forwards the original request
 * to the coordinator, moving on to the next replica when one is found unreachable. A forwarded
 * call is never forwarded again: it is served here if this node is a replica, or fails.
 */
export interface KvRouter {
  /**
   * Runs an operation on `key` at the right node: `runHere` when this node coordinates it,
   * otherwise `forward`, which re-sends the original request to a peer.
   */
  route<T>(key: string, info: CallInfo, runHere: (replicas: readonly string[]) => Promise<T>, forward: Forward<T>): Promise<T>;
  /**
   * Runs an operation that any one replica can serve alone (a stale-allowed read): here when this
   * node is a replica (or the call was forwarded), otherwise on the first reachable replica.
   */
  routeToAnyReplica<T>(key: string, info: CallInfo, runHere: () => Promise<T>, forward: Forward<T>): Promise<T>;
}

/** Re-sends the original request to a peer. */
export type Forward<T> = (client: PeerClient, options: CallOptions) => Promise<T>;

/** Creates the {@link KvRouter}. */
export function createKvRouter(options: KvRouterOptions): KvRouter {
  const { membership, forwarder } = options;

  function checkForwarded(key: string, info: CallInfo, replicas: readonly string[]): void {
    if (info.membersHash !== undefined && info.membersHash !== membership.membersHash) {
      throw ringkvError(
        "members_mismatch",
        `member list mismatch: the forwarding node has member-list hash ${info.membersHash}, this node (${membership.selfId}) has ${membership.membersHash}; start every node with the same --members and --replication-factor`,
        { nodeId: membership.selfId },
      );
    }
    if (!replicas.includes(membership.selfId) || !options.anyReplicaMayCoordinate) {
      const coordinator = membership.coordinator(key);
      if (coordinator !== membership.selfId) {
        throw ringkvError(
          "hop_limit",
          `request for key was forwarded to ${membership.selfId}, which does not own it (replicas: ${replicas.join(", ")}); not forwarding again to avoid a loop`,
        );
      }
    }
  }

  return {
    async route(key, info, runHere, forward) {
      const replicas = membership.replicas(key);
      if (info.hops > 0) {
        checkForwarded(key, info, replicas);
        return runHere(replicas);
      }
      // Try the coordinator; when it turns out unreachable, the next replica takes over.
      const candidates = options.anyReplicaMayCoordinate ? replicas : replicas.slice(0, 1);
      const order = orderByReachability(candidates, membership);
      if (order[0] === membership.selfId) return runHere(replicas);
      return tryInOrder(order, (id) => (id === membership.selfId ? runHere(replicas) : forwarder.call(id, info, forward)));
    },
    async routeToAnyReplica(key, info, runHere, forward) {
      const replicas = membership.replicas(key);
      if (info.hops > 0 || replicas.includes(membership.selfId)) return runHere();
      return tryInOrder(orderByReachability(replicas, membership), (id) => forwarder.call(id, info, forward));
    },
  };
}

/**
 * Tries nodes in order until one answers; only an unreachable node (peer_unavailable) moves on
 * to the next. Any other error is the answer.
 */
async function tryInOrder<T>(ids: readonly string[], attempt: (id: string) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const id of ids) {
    try {
      return await attempt(id);
    } catch (err) {
      if (err instanceof RingkvError && err.reason === "peer_unavailable") {
        lastError = err;
        continue;
      }
      throw err;
    }
  }
  throw lastError ?? ringkvError("peer_unavailable", `none of ${ids.join(", ")} is reachable`);
}

/** Reachable replicas first, in preference order, then the rest (they may have come back). */
function orderByReachability(ids: readonly string[], membership: Membership): string[] {
  return [...ids.filter((id) => membership.isReachable(id)), ...ids.filter((id) => !membership.isReachable(id))];
}
