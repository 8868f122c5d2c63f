import type { Proposer } from "../replication/index.js";
import type { RecordStore } from "../storage/record-store.js";
import { cancellationOf } from "../net/cancel-watch.js";
import type { KvBackend } from "./backend.js";

/**
 * The replicated path: every change runs as a CASPaxos round on the key's replicas, driven by
 * this node's proposer (fast path when this node keeps coordinating the key). Local reads come
 * from this node's acceptor record, which may lag the chosen value.
 */
export function createReplicatedBackend(options: { proposer: Proposer; store: RecordStore }): KvBackend {
  const { proposer, store } = options;
  return {
    repeatsWrites: true,
    // The caller's cancellation is watched (cancellationOf), so its AbortSignal is never made.
    execute: (key, replicas, change, options) =>
      proposer.execute(key, replicas, change, { signal: cancellationOf(options), deadlineAt: options.deadlineAt, ...(options.appliedIn ? { appliedIn: options.appliedIn } : {}) }),
    readLocal: (key) => store.readState(key),
    quorumRead: (key, replicas, options) => proposer.read(key, replicas, { signal: cancellationOf(options), deadlineAt: options.deadlineAt }),
  };
}
