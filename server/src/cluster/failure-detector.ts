import type { Logger } from "pino";
import type { Membership } from "./membership.js";
import type { PeerClients } from "./peer-clients.js";

/** Options of {@link createFailureDetector}. */
export interface FailureDetectorOptions {
  membership: Membership;
  peers: PeerClients;
  logger: Logger;
  /** Ping every peer this often (default 1000 ms). */
  intervalMs?: number;
  /** A ping slower than this counts as a failure (default 800 ms). */
  timeoutMs?: number;
}

/** Pings peers in the background; {@link Membership.setReachable} carries the verdicts. */
export interface FailureDetector {
  /** Called by the data path when a call to a peer failed to connect: mark it down at once. */
  reportUnreachable(id: string, reason: string): void;
  /** Called by the data path when a call to a peer succeeded. */
  reportReachable(id: string): void;
  stop(): void;
}

/**
 * A simple heartbeat detector: one Ping per peer per interval over the pooled connection. One
 * failed ping (or a failed data-path call) marks a peer unreachable, so requests stop waiting on
 * it; the first successful ping marks it reachable again. Pings also compare member-list hashes
 * and log loudly when a peer was started with a different member list.
 */
export function createFailureDetector(options: FailureDetectorOptions): FailureDetector {
  const { membership, peers, logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 800;
  const warnedMismatch = new Set<string>();
  let stopped = false;

  async function pingOne(id: string): Promise<void> {
    try {
      const res = await peers.get(id).peer.ping(
        { fromNodeId: membership.selfId, membersHash: membership.membersHash },
        { timeoutMs },
      );
      if (res.membersHash !== membership.membersHash) {
        if (!warnedMismatch.has(id)) {
          warnedMismatch.add(id);
          logger.error(
            { peer: id, ourMembersHash: membership.membersHash, theirMembersHash: res.membersHash },
            `member list mismatch: peer ${id} was started with a different member list or replication factor; forwarded calls between us will fail until both use the same --members`,
          );
        }
      } else {
        warnedMismatch.delete(id);
      }
      membership.setReachable(id, true);
    } catch (err) {
      if (!stopped) membership.setReachable(id, false);
      logger.debug({ peer: id, err: (err as Error).message }, "ping failed");
    }
  }

  const timer = setInterval(() => {
    for (const m of membership.members()) if (!m.self) void pingOne(m.id);
  }, intervalMs);
  timer.unref();

  return {
    reportUnreachable(id, reason) {
      if (membership.isReachable(id)) logger.warn({ peer: id, reason }, `peer ${id} unreachable`);
      membership.setReachable(id, false);
    },
    reportReachable: (id) => membership.setReachable(id, true),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
