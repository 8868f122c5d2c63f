/**
 * CASPaxos per key (DESIGN.md section 3): ballots, the acceptor and its store, the proposer with
 * its one-round-trip fast path, register changes and tombstone garbage collection.
 */
export { createAcceptor, type Acceptor, type AcceptorOptions } from "./acceptor.js";
export { createMemoryAcceptorStore, type AcceptorStore, type MemoryAcceptorStore } from "./acceptor-store.js";
export { ballotEquals, compareBallots, formatBallot, isZeroBallot, maxBallot, zeroBallot } from "./ballot.js";
export { systemClock, type Clock } from "./clock.js";
export { majority } from "./phases.js";
export {
  createProposer,
  type ExecuteOptions,
  type Proposer,
  type ProposerOptions,
  type ProposerStats,
} from "./proposer.js";
export {
  checkExpectedVersion,
  deleteChange,
  emptyRegister,
  isTombstone,
  maxVersion,
  putChange,
  readChange,
  registerEquals,
  visibleVersion,
  type Change,
  type DeleteChangeOptions,
  type PutChangeOptions,
} from "./register.js";
export { reachableFirst, readPreference } from "./quorum-read.js";
export type { CollectTombstoneOptions, CollectTombstoneResult } from "./tombstone-gc.js";
export type { ProposerTransport } from "./transport.js";
