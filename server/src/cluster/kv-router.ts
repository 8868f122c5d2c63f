import type { CallOptions } from "@connectrpc/connect";
import type { Logger } from "pino";
import { RingkvError, ringkvError } from "../errors.js";
import { withCallInfo, type CallInfo } from "./call-context.js";
import type { Forwarder } from "./forwarder.js";
import type { Membership } from "./membership.js";
import type { PeerClient } from "./peer-clients.js";

/** Options of {@link createKvRouter}. */
export interface KvRouterOptions {
  membership: Membership;
  forwarder: Forwarder;
  logger: Logger;
  /** Whether any replica may serve a forwarded call as proposer (true for CASPaxos). */
  anyReplicaMayCoordinate: boolean;
  /**
   * A forward to a coordinator that doesn't answer within this share of the remaining time
   * moves on to the next replica (default 0.4), so a paused or partitioned coordinator costs
   * one attempt, not the whole deadline.
   */
  attemptShare?: number;
}

/** Runs an operation here; `retried` tells that an earlier forward of it may have been applied. */
export type RunHere<T> = (replicas: readonly string[], retried: boolean) => Promise<T>;

/** Re-sends the original request to a peer. */
export type Forward<T> = (client: PeerClient, options: CallOptions) => Promise<T>;

/**
 * Decides where an operation on a key runs. On the key's coordinator (the first reachable
 * replica) it runs through the backend; elsewhere the original request is forwarded to the
 * coordinator. When the coordinator is unreachable or silent, the next replica takes over (any
 * replica may propose in CASPaxos); writes carry an op id so such a retry is applied at most once.
 * A forwarded call is never forwarded again: it is served here if this node is a replica, or fails.
 */
export interface KvRouter {
  route<T>(key: string, info: CallInfo, runHere: RunHere<T>, forward: Forward<T>): Promise<T>;
  /** The key's replicas when this node is one of them and may run rounds on it; else undefined. */
  replicasHere(key: string): readonly string[] | undefined;
  /**
   * Runs an operation that any one replica can serve alone (a stale-allowed read): here when this
   * node is a replica (or the call was forwarded), otherwise on the first reachable replica.
   */
  routeToAnyReplica<T>(key: string, info: CallInfo, runHere: () => Promise<T>, forward: Forward<T>): Promise<T>;
}

/** Creates the {@link KvRouter}. */
export function createKvRouter(options: KvRouterOptions): KvRouter {
  const { membership, forwarder } = options;
  const attemptShare = options.attemptShare ?? 0.4;

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

  /** Whether a failed forward may be tried on the next replica. */
  function retryable(err: unknown, info: CallInfo): boolean {
    if (!(err instanceof RingkvError)) return false;
    if (err.reason === "peer_unavailable") return true;
    // The attempt ran out of its share of time, or its coordinator could not reach a majority,
    // while the caller still has time: writes carry an op id, so another replica may retry.
    const attemptFailed = err.reason === "deadline_exceeded" || err.reason === "outcome_unknown" || err.reason === "no_quorum";
    return attemptFailed && Date.now() < info.deadlineAt && !info.signal.aborted;
  }

  /** Forwards to the key's coordinator (or the next replica), with the retries described in {@link KvRouter.route}. */
  async function routeElsewhere<T>(key: string, replicas: readonly string[], info: CallInfo, runHere: RunHere<T>, forward: Forward<T>): Promise<T> {
    const candidates = orderByReachability(options.anyReplicaMayCoordinate ? replicas : replicas.slice(0, 1), membership);
    let lastError: unknown;
    let forwarded = false;
    for (const [i, id] of candidates.entries()) {
      if (id === membership.selfId) return runHere(replicas, forwarded);
      const last = i === candidates.length - 1;
      for (let again = 0; ; again++) {
        const remaining = info.deadlineAt - Date.now();
        const attemptDeadline = last ? info.deadlineAt : Date.now() + Math.max(remaining * attemptShare, Math.min(remaining, 500));
        try {
          forwarded = true;
          return await forwarder.call(id, withCallInfo(info, { deadlineAt: attemptDeadline }), forward);
        } catch (err) {
          if (!retryable(err, info)) throw err;
          lastError = err;
          // A coordinator that answered (outcome unknown, or its own deadline) is alive and
          // still coordinating the key for everyone else: the op goes to it again (same op
          // id, so at most once). Moving it to the next replica would start a second proposer
          // on the key, and the two would duel.
          if (answered(err) && again < maxSameCoordinatorRetries) {
            options.logger.debug({ key, peer: id, err: (err as Error).message }, "coordinator answered without an outcome; trying it again");
            continue;
          }
          if (last) throw err;
          options.logger.debug({ key, peer: id, err: (err as Error).message }, "coordinator did not answer; trying the next replica");
          break;
        }
      }
    }
    throw lastError ?? ringkvError("peer_unavailable", `no replica of the key is reachable (replicas: ${replicas.join(", ")})`);
  }

  return {
    route(key, info, runHere, forward) {
      const replicas = membership.replicas(key);
      try {
        if (info.hops > 0) {
          checkForwarded(key, info, replicas);
          return runHere(replicas, true);
        }
        // The common case, this node is the coordinator: no candidate list to build, and no
        // async frame (the loop below keeps a large one alive for every call).
        if (replicas[0] === membership.selfId && membership.isReachable(membership.selfId)) return runHere(replicas, false);
      } catch (err) {
        return Promise.reject(err);
      }
      return routeElsewhere(key, replicas, info, runHere, forward);
    },
    replicasHere(key) {
      if (!options.anyReplicaMayCoordinate) return undefined;
      const replicas = membership.replicas(key);
      return replicas.includes(membership.selfId) ? replicas : undefined;
    },
    async routeToAnyReplica(key, info, runHere, forward) {
      const replicas = membership.replicas(key);
      if (info.hops > 0 || replicas.includes(membership.selfId)) return runHere();
      let lastError: unknown;
      for (const id of orderByReachability(replicas, membership)) {
        try {
          return await forwarder.call(id, info, forward);
        } catch (err) {
          if (err instanceof RingkvError && err.reason === "peer_unavailable") {
            lastError = err;
            continue;
          }
          throw err;
        }
      }
      throw lastError ?? ringkvError("peer_unavailable", `none of ${replicas.join(", ")} is reachable`);
    },
  };
}

/** How often an op goes back to a coordinator that answered without an outcome, before moving on. */
const maxSameCoordinatorRetries = 2;

/** Whether the coordinator itself answered with this error (it is alive), rather than staying silent. */
function answered(err: unknown): boolean {
  if (!(err instanceof RingkvError)) return false;
  return err.reason === "outcome_unknown" || (err.reason === "deadline_exceeded" && err.details.silent !== true);
}

/** Reachable replicas first, in preference order, then the rest (they may have come back). */
function orderByReachability(ids: readonly string[], membership: Membership): string[] {
  return [...ids.filter((id) => membership.isReachable(id)), ...ids.filter((id) => !membership.isReachable(id))];
}
