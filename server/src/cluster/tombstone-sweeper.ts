import type { Logger } from "pino";
import type { Proposer } from "../replication/index.js";
import type { RecordStore } from "../storage/record-store.js";
import type { Membership } from "./membership.js";

/** Options of {@link createTombstoneSweeper}. */
export interface TombstoneSweeperOptions {
  membership: Membership;
  store: RecordStore;
  proposer: Proposer;
  logger: Logger;
  /** Collect tombstones deleted at least this long ago (see replication/tombstone-gc.ts). */
  minAgeMs: number;
  /** A pass over local tombstones this often (default: a tenth of minAgeMs, at most 10 min). */
  intervalMs?: number;
}

/** Background garbage collection of old tombstones. */
export interface TombstoneSweeper {
  /** One pass; resolves with how many keys were collected. */
  runOnce(): Promise<number>;
  stop(): void;
}

/**
 * Walks this node's tombstones and runs the safe collection procedure (all replicas must be
 * reachable) for those it coordinates, so each key is collected by one node. Deleted keys then
 * stop costing storage, without any chance of an older value coming back.
 */
export function createTombstoneSweeper(options: TombstoneSweeperOptions): TombstoneSweeper {
  const { membership, store, proposer, logger, minAgeMs } = options;
  let stopped = false;
  let running = false;

  async function runOnce(): Promise<number> {
    if (running) return 0;
    running = true;
    let collected = 0;
    let startAfter: string | undefined;
    try {
      while (!stopped) {
        const page = store.scan({ prefix: "", limit: 500, includeDeleted: true, ...(startAfter !== undefined ? { startAfter } : {}) });
        if (page.length === 0) break;
        startAfter = page[page.length - 1]!.key;
        const now = Date.now();
        for (const { key, record } of page) {
          const state = record.state;
          if (!state || state.exists || state.version === 0n || now - Number(state.deletedAtMs) < minAgeMs) continue;
          const replicas = membership.replicas(key);
          if (membership.coordinator(key) !== membership.selfId || !replicas.every((id) => membership.isReachable(id))) continue;
          const result = await proposer.collectTombstone(key, replicas, { minAgeMs, deadlineAt: Date.now() + 5000 }).catch((err: Error) => {
            logger.debug({ err: err.message }, "tombstone collection failed; retried on the next pass");
            return undefined;
          });
          if (result?.status === "collected") collected++;
        }
        if (page.length < 500) break;
      }
    } finally {
      running = false;
    }
    if (collected > 0) logger.info({ collected }, `tombstone GC: collected ${collected} deleted keys`);
    return collected;
  }

  const timer = setInterval(() => void runOnce(), options.intervalMs ?? Math.min(minAgeMs / 10, 600_000));
  timer.unref();
  return {
    runOnce,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
