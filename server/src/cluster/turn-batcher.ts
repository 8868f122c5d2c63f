import { Code, ConnectError } from "@connectrpc/connect";
import { watchCancellation, type Cancellation } from "../net/cancel-watch.js";

/** How one item of a batch ended: its value, or the error to reject it with. */
export type BatchOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * How many more event-loop turns a turn's calls wait, at most, while an RPC to the same peer is
 * still out and the node is busy. Why: a batch per turn is small when the node is busy with
 * several peers (three nodes, uniform keys: ~6 calls per forward batch against ~20 with one
 * peer), and the peer pays its fixed cost (wake-up, HTTP/2 stream, lmdb commit) per batch.
 * Letting the calls of the next few turns join while an answer is pending cut the cluster's CPU
 * per Get by ~13% (RF 1) and ~10% (RF 3), uniform keys through one node (`bench/roles.js`,
 * builds alternating; peer RPCs per call 0.11 → 0.06 and 0.08); Puts did not move clearly.
 * The wait is counted in turns, not time, so it grows with load, and it ends as soon as a turn
 * was short (see {@link busyTurnMs}): on an idle node a call goes at the end of its own turn, as
 * it does when nothing is out. An RPC that stays out (a slow peer) delays later calls by these
 * few turns only.
 */
const turnsToWaitWhileBusy = 4;

/**
 * A turn shorter than this (ms) means the node is not busy, so waiting for more calls would only
 * add latency: with two calls in flight through an idle entry node, waiting four quick turns
 * anyway cost ~10% of the throughput.
 */
const busyTurnMs = 0.1;

/** Options of {@link createTurnBatcher}: how to size and send items to one peer. */
export interface TurnBatcherOptions<I, R, C extends Cancellation = Cancellation> {
  /** A batch's size at most, in calls and in estimated bytes (a larger item goes alone). */
  maxCalls: number;
  maxBytes: number;
  /** About what an item adds to a batch; asked only when a turn has more than one item. */
  size(item: I): number;
  /** Sends several items as one RPC; resolves with one outcome per item, in order. */
  sendBatch(items: readonly I[]): Promise<Array<BatchOutcome<R>>>;
  /** Sends one item as the plain RPC, with its cancellation. */
  sendOne(item: I, cancel: C | undefined): Promise<R>;
}

interface Pending<I, R, C> {
  item: I;
  cancel: C | undefined;
  settled: boolean;
  resolve(value: R): void;
  reject(err: unknown): void;
}

/**
 * The calls made to one peer within one event-loop turn, sent as one batch RPC (the acceptor
 * and forward batchers are built on it); while an RPC to the peer is out and the node is busy,
 * also those of the next few turns (see {@link turnsToWaitWhileBusy}). On Node an RPC costs far
 * more in HTTP/2 stream handling than the work these calls carry; one stream for all of a turn's
 * calls amortizes that. Each call keeps its own semantics: its own outcome, and its own
 * cancellation (a signal or a CancelWatch), which rejects it at once without disturbing the
 * others. A turn with one call sends it plain, and a peer that answers a batch with
 * Unimplemented (an older node) gets plain calls from then on.
 *
 * Why hand-written: batching is about this protocol's own RPCs; no library batches Connect calls.
 */
export function createTurnBatcher<I, R, C extends Cancellation = Cancellation>(options: TurnBatcherOptions<I, R, C>): (item: I, cancel?: C) => Promise<R> {
  let queue: Array<Pending<I, R, C>> | undefined;
  let batchesUnsupported = false;
  /** RPCs to the peer not answered yet, and turns the queued calls have waited for them. */
  let out = 0;
  let waited = 0;
  /** When the current turn began for the queue (its first call, then each turn it waited). */
  let turnStart = 0;
  const answered = () => void out--;

  function flush(): void {
    const now = performance.now();
    if (out > 0 && waited < turnsToWaitWhileBusy && now - turnStart >= busyTurnMs) {
      waited++;
      turnStart = now;
      setImmediate(flush);
      return;
    }
    waited = 0;
    const pending = (queue ?? []).filter((p) => !p.settled);
    queue = undefined;
    if (pending.length === 1 || batchesUnsupported) {
      for (const p of pending) sendOne(p);
      return;
    }
    let group: Array<Pending<I, R, C>> = [];
    let bytes = 0;
    for (const p of pending) {
      const size = options.size(p.item);
      if (group.length > 0 && (bytes + size > options.maxBytes || group.length === options.maxCalls)) {
        sendGroup(group);
        group = [];
        bytes = 0;
      }
      group.push(p);
      bytes += size;
    }
    if (group.length > 0) sendGroup(group);
  }

  function sendGroup(group: Array<Pending<I, R, C>>): void {
    if (group.length === 1) {
      sendOne(group[0]!);
      return;
    }
    out++;
    options.sendBatch(group.map((p) => p.item)).finally(answered).then(
      (outcomes) => {
        group.forEach((p, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) p.reject(new ConnectError(`batch answer is missing item ${i}`, Code.Internal));
          else if (outcome.ok) p.resolve(outcome.value);
          else p.reject(outcome.error);
        });
      },
      (err: unknown) => {
        if (ConnectError.from(err).code === Code.Unimplemented) {
          batchesUnsupported = true;
          for (const p of group) sendOne(p);
          return;
        }
        for (const p of group) p.reject(err);
      },
    );
  }

  function sendOne(p: Pending<I, R, C>): void {
    if (p.settled) return;
    out++;
    options.sendOne(p.item, p.cancel).finally(answered).then(p.resolve, p.reject);
  }

  return (item, cancel) => {
    if (batchesUnsupported) return options.sendOne(item, cancel);
    return new Promise<R>((resolve, reject) => {
      let unwatch: (() => void) | undefined;
      const pending: Pending<I, R, C> = {
        item,
        cancel,
        settled: false,
        resolve: (value) => {
          if (pending.settled) return;
          pending.settled = true;
          unwatch?.();
          resolve(value);
        },
        reject: (err) => {
          if (pending.settled) return;
          pending.settled = true;
          unwatch?.();
          reject(err);
        },
      };
      if (cancel !== undefined) unwatch = watchCancellation(cancel, (reason) => pending.reject(ConnectError.from(reason, Code.Canceled)));
      if (pending.settled) return;
      if (queue === undefined) {
        queue = [];
        turnStart = performance.now();
        setImmediate(flush);
      }
      queue.push(pending);
    });
  };
}
