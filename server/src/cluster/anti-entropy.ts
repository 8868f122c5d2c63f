import { create } from "@bufbuild/protobuf";
import {
  SyncDigestResponseSchema,
  type SyncDigestEntry,
  type SyncDigestRequest,
  type SyncDigestResponse,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { Logger } from "pino";
import type { RecordStore } from "../storage/record-store.js";
import type { Membership } from "./membership.js";
import type { PeerClients } from "./peer-clients.js";

/** Options of {@link createAntiEntropy}. */
export interface AntiEntropyOptions {
  membership: Membership;
  peers: PeerClients;
  store: RecordStore;
  logger: Logger;
  /**
   * Brings every replica of a key up to date: a Paxos round (the identity change) whose accept
   * phase writes the latest chosen state to all reachable replicas.
   */
  repair: (key: string) => Promise<void>;
  /** A full pass over this node's keys every this often (default 60 s). */
  intervalMs?: number;
  /** Keys per digest page (default 500). */
  pageSize?: number;
}

/** Background catch-up of lagging replicas. */
export interface AntiEntropy {
  /** PeerService.SyncDigest: which of the sender's keys this node lacks or holds older. */
  syncDigest(req: SyncDigestRequest): SyncDigestResponse;
  /** One pass over all local keys (or only those shared with `peerId`). */
  runOnce(peerId?: string): Promise<{ checked: number; repaired: number }>;
  /** Runs a pass toward a peer soon (e.g. it just came back); passes never overlap. */
  schedule(peerId?: string): void;
  stop(): void;
}

/**
 * Anti-entropy for CASPaxos registers. Paxos rounds already repair the replicas they reach
 * (every accept goes to all replicas), but a key nobody touches after a node was down would stay
 * behind on that node, and a later failure of another node could then lose it. So each node walks
 * its keys in pages, sends each peer the versions of the keys they share, and for every key the
 * peer lacks or holds older runs a repair round. A peer that comes back is synced at once.
 * Repairs go through Paxos, never by copying records, so they can't break linearizability.
 */
export function createAntiEntropy(options: AntiEntropyOptions): AntiEntropy {
  const { membership, peers, store, logger, repair } = options;
  const pageSize = options.pageSize ?? 500;
  let running: Promise<unknown> | undefined;
  let pending: Set<string | undefined> = new Set();
  let stopped = false;

  async function runOnce(peerId?: string): Promise<{ checked: number; repaired: number }> {
    let checked = 0;
    let repaired = 0;
    let startAfter: string | undefined;
    while (!stopped) {
      const page = store.scan({ prefix: "", limit: pageSize, includeDeleted: true, ...(startAfter !== undefined ? { startAfter } : {}) });
      if (page.length === 0) break;
      startAfter = page[page.length - 1]!.key;
      const digests = new Map<string, SyncDigestEntry[]>();
      for (const { key, record } of page) {
        const version = record.state?.version ?? 0n;
        if (version === 0n) continue;
        for (const id of membership.replicas(key)) {
          if (id === membership.selfId || (peerId !== undefined && id !== peerId) || !membership.isReachable(id)) continue;
          let list = digests.get(id);
          if (!list) digests.set(id, (list = []));
          list.push({ $typeName: "ringkv.internal.v1.SyncDigestEntry", key, version });
        }
      }
      const stale = new Set<string>();
      await Promise.all(
        [...digests].map(async ([id, entries]) => {
          checked += entries.length;
          try {
            const res = await peers.get(id).peer.syncDigest({ fromNodeId: membership.selfId, entries }, { timeoutMs: 5000 });
            res.staleKeys.forEach((k) => stale.add(k));
          } catch (err) {
            logger.debug({ peer: id, err: (err as Error).message }, "anti-entropy digest failed");
          }
        }),
      );
      for (const key of stale) {
        try {
          await repair(key);
          repaired++;
        } catch (err) {
          logger.warn({ err: (err as Error).message }, "anti-entropy repair failed; will retry on the next pass");
        }
      }
      if (page.length < pageSize) break;
    }
    if (repaired > 0) logger.info({ checked, repaired, peer: peerId }, `anti-entropy: checked ${checked} key copies, repaired ${repaired} keys`);
    return { checked, repaired };
  }

  function schedule(peerId?: string): void {
    pending.add(peerId);
    if (running) return;
    running = (async () => {
      while (pending.size > 0 && !stopped) {
        const batch = pending;
        pending = new Set();
        // A full pass covers every peer; otherwise one pass per named peer.
        const targets = batch.has(undefined) ? [undefined] : [...batch];
        for (const target of targets) await runOnce(target).catch((err: Error) => logger.warn({ err: err.message }, "anti-entropy pass failed"));
      }
    })().finally(() => {
      running = undefined;
    });
  }

  const timer = setInterval(() => schedule(), options.intervalMs ?? 60_000);
  timer.unref();

  return {
    syncDigest(req) {
      const staleKeys: string[] = [];
      for (const { key, version } of req.entries) {
        const local = store.readSync(key);
        if ((local?.state?.version ?? 0n) < version) staleKeys.push(key);
      }
      return create(SyncDigestResponseSchema, { staleKeys });
    },
    runOnce,
    schedule,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
