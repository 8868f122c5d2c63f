import client from "prom-client";
import type { OpLogStats } from "../api/kv-service.js";
import type { ProposerStats } from "../replication/index.js";

/**
 * CASPaxos counters for Prometheus, read from the proposer's own counters at scrape time (the
 * hot path only increments plain numbers). What an operator alerts on: rising full rounds or
 * fast-path misses (competing coordinators), retries (contention), outcome_unknown (writes whose
 * fate the client was not told), and quorum reads that needed a round (replicas disagreeing,
 * e.g. one catching up).
 */
export function registerReplicationMetrics(registry: client.Registry, stats: Readonly<ProposerStats>): void {
  const counter = (name: string, help: string, read: () => number) => scrapedCounter(registry, name, help, read);
  counter("ringkv_paxos_operations_total", "Operations this node ran as CASPaxos proposer (writes, linearizable reads that needed a round, repairs).", () => stats.operations);
  counter("ringkv_paxos_fast_path_rounds_total", "Rounds that skipped phase 1 (the coordinator's one-round-trip fast path).", () => stats.fastPathAttempts);
  counter("ringkv_paxos_fast_path_misses_total", "Fast-path accepts refused because another proposer took over the key.", () => stats.fastPathMisses);
  counter("ringkv_paxos_full_rounds_total", "Rounds with both phases (prepare and accept).", () => stats.fullRounds);
  counter("ringkv_paxos_retries_total", "Rounds retried after a rejection (contention on a key).", () => stats.retries);
  counter("ringkv_paxos_outcome_unknown_total", "Operations that ended with outcome_unknown (a write was sent; the client was told it may or may not have been applied).", () => stats.outcomeUnknown);
  counter("ringkv_quorum_reads_total", "Linearizable reads answered by a quorum read, without a round.", () => stats.quorumReads);
  counter("ringkv_quorum_read_misses_total", "Quorum reads whose replicas disagreed or did not answer, so a round answered.", () => stats.quorumReadMisses);
  counter("ringkv_quorum_read_hedges_total", "Quorum reads whose first majority had not answered within the hedge (20 ms), so the remaining replicas were asked too: a slow or paused replica, or an overloaded node.", () => stats.quorumReadHedges);
  counter("ringkv_paxos_shared_rounds_total", "Operations that carried other writes of the same key in their round (a hot key's queued writes, accepted together).", () => stats.sharedRounds);
  counter("ringkv_paxos_carried_operations_total", "Writes that ran in another operation's round on the same key instead of a round of their own.", () => stats.carried);
}

/**
 * The op-id log's counter, with or without replication (forwarded writes record op ids either
 * way): how often the documented limit of kv/idempotent.ts was reached, for an operator to alert on.
 */
export function registerOpLogMetrics(registry: client.Registry, opLog: Readonly<OpLogStats>): void {
  scrapedCounter(
    registry,
    "ringkv_op_ids_dropped_early_total",
    "Op ids a key's log of recent writes dropped for room while their writes could still be retried (more than 95 forwarded writes of one key within a write's deadline): a retry of such a write after a failed attempt may apply it twice.",
    () => opLog.droppedEarly,
  );
}

/** A Prometheus counter that reads a plain number at scrape time (the hot path only increments it). */
function scrapedCounter(registry: client.Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new client.Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      this.inc(now - reported);
      reported = now;
    },
  });
}
