import { rejectIfCancelled, watchCancellation, type Cancellation } from "../net/cancel-watch.js";

/**
 * Sends one request to every replica in parallel and settles as soon as the outcome is known:
 * a quorum of "ok" answers, or a quorum that can no longer be reached. It never waits for
 * stragglers it does not need: a slow or dead replica costs nothing while a quorum is healthy.
 */

/** One replica's answer. */
export interface Answer<R> {
  nodeId: string;
  response: R;
}

/** One replica that could not be reached (the transport threw). */
export interface Failure {
  nodeId: string;
  error: unknown;
}

/** How a round ended, with every answer received by then. */
export interface QuorumOutcome<R> {
  /**
   * "quorum": enough ok answers. "rejected": a quorum is impossible and at least one replica
   * refused (a higher ballot exists: retrying with a higher ballot may succeed). "unreachable":
   * a quorum is impossible only because replicas could not be reached.
   */
  kind: "quorum" | "rejected" | "unreachable";
  ok: Answer<R>[];
  rejected: Answer<R>[];
  failed: Failure[];
  /**
   * Every replica's answer, once all calls settled (stragglers included). Never rejects; if the
   * round is cancelled first it resolves with what arrived until then and `complete: false`.
   */
  everyAnswer: Promise<AllAnswers<R>>;
}

/** All answers of a round, see {@link QuorumOutcome.everyAnswer}. */
export interface AllAnswers<R> {
  ok: Answer<R>[];
  rejected: Answer<R>[];
  failed: Failure[];
  /** Whether every replica answered or failed (false when the wait was aborted). */
  complete: boolean;
}

/** Options of {@link collectQuorum}. */
export interface CollectQuorumOptions<R> {
  /** The replicas to ask (distinct node ids). */
  replicas: readonly string[];
  /** How many ok answers make the round succeed (a majority, or all of them for GC). */
  needed: number;
  /** Asks one replica; throws when it cannot be reached. */
  call(nodeId: string): Promise<R>;
  /** Whether an answer is a yes vote. */
  isOk(response: R): boolean;
  /** Called for every answer, also those arriving after the outcome (to learn ballots). */
  onAnswer?(nodeId: string, response: R): void;
  /** Stops waiting: the promise rejects with its reason. */
  cancel?: Cancellation;
}

/** Runs one round; see {@link QuorumOutcome}. */
export function collectQuorum<R>(options: CollectQuorumOptions<R>): Promise<QuorumOutcome<R>> {
  const { replicas, needed, call, isOk, onAnswer, cancel } = options;
  const cancelled = rejectIfCancelled(cancel);
  if (cancelled !== undefined) return cancelled;
  // Everything that arrives, also after the outcome was decided.
  const all: AllAnswers<R> = { ok: [], rejected: [], failed: [], complete: false };
  let finishAll: () => void = () => {};
  const everyAnswer = new Promise<AllAnswers<R>>((resolve) => {
    finishAll = () => resolve({ ...all, ok: [...all.ok], rejected: [...all.rejected], failed: [...all.failed] });
  });
  return new Promise((resolve, reject) => {
    let pending = replicas.length;
    let settled = false;
    const unwatch = watchCancellation(cancel, (reason) => {
      finishAll();
      finish(() => reject(reason));
    });

    function finish(settle: () => void): void {
      if (settled) return;
      settled = true;
      settle();
    }

    function snapshot(kind: QuorumOutcome<R>["kind"]): QuorumOutcome<R> {
      return { kind, ok: [...all.ok], rejected: [...all.rejected], failed: [...all.failed], everyAnswer };
    }

    function record(): void {
      pending--;
      if (pending === 0) {
        all.complete = true;
        unwatch();
        finishAll();
      }
      if (all.ok.length >= needed) {
        finish(() => resolve(snapshot("quorum")));
      } else if (all.ok.length + pending < needed) {
        finish(() => resolve(snapshot(all.rejected.length > 0 ? "rejected" : "unreachable")));
      }
    }

    for (const nodeId of replicas) {
      let answer: Promise<R>;
      try {
        answer = call(nodeId);
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (response) => {
          onAnswer?.(nodeId, response);
          (isOk(response) ? all.ok : all.rejected).push({ nodeId, response });
          record();
        },
        (error: unknown) => {
          all.failed.push({ nodeId, error });
          record();
        },
      );
    }
    if (replicas.length === 0) {
      all.complete = true;
      finishAll();
      finish(() => resolve(snapshot("unreachable")));
    }
  });
}
