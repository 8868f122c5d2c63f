import { ringkvError, type RingkvError } from "../errors.js";
import { createStopper, throwIfCancelled, watchCancellation, type Cancellation, type Stopper } from "../net/cancel-watch.js";
import type { Clock } from "./clock.js";

/**
 * The lifetime of one proposer operation: its deadline and cancellation as one Stopper (no
 * AbortController: see net/cancel-watch.ts), and which error the caller gets when it fires.
 */

const finished = new Error("operation finished");
const settledEarly = new Error("settled");

/** The `outcome_unknown` error: a write was sent and its fate is not known. */
export function outcomeUnknown(key: string, why: string): RingkvError {
  return ringkvError("outcome_unknown", `the write may or may not have been applied to key ${JSON.stringify(key)}: ${why}`);
}

/** A running operation, see {@link startOperation}. */
export interface Operation {
  /** Stops at the deadline or when the caller cancels; ends waits and outstanding calls. */
  readonly stopper: Stopper;
  /**
   * The error for the caller: the deadline or cancellation as is when nothing was written, or
   * `outcome_unknown` once a write was sent (`wrote`); any other error unchanged.
   */
  translate(error: unknown, wrote: boolean): unknown;
  /** Ends the operation: cancels the deadline timer and any call still outstanding. */
  finish(): void;
}

/**
 * How long calls still outstanding when an operation ends (the replica that was not needed for
 * the majority) may go on. A healthy replica answers within milliseconds, and letting it take
 * the write keeps it in step (a quorum read then finds the replicas agreeing); aborting it at
 * once costs an HTTP/2 reset and two error objects per operation. A paused replica's calls are
 * aborted after this, so they cannot pile up.
 */
export const stragglerGraceMs = 200;

/** Starts an operation's clock: the deadline counts on `clock`. */
export function startOperation(clock: Clock, opts: { signal?: Cancellation; deadlineAt: number }): Operation {
  const stopper = createStopper();
  // The errors are made only when they happen: an Error captures a stack, and most operations
  // end without either.
  let deadline: RingkvError | undefined;
  let canceled: RingkvError | undefined;
  const abortDeadline = () => stopper.stop((deadline ??= ringkvError("deadline_exceeded", "the deadline passed before the operation completed")));
  const abortCanceled = () => stopper.stop((canceled ??= ringkvError("canceled", "the operation was canceled")));
  const timer = createStopper();
  // The caller's cancellation: a CancelWatch where the call offers one (no AbortSignal made for it).
  const unwatch = watchCancellation(opts.signal, abortCanceled);
  const remaining = opts.deadlineAt - clock.now();
  if (remaining <= 0) abortDeadline();
  else clock.sleep(remaining, timer).then(abortDeadline, () => {});
  return {
    stopper,
    translate(error: unknown, wrote: boolean): unknown {
      if (error === undefined || (error !== deadline && error !== canceled)) return error;
      if (!wrote) return error;
      const why = error === deadline ? "the deadline passed" : "the operation was canceled";
      return ringkvError("outcome_unknown", `the write may or may not have been applied: ${why} before it was confirmed`);
    },
    finish() {
      unwatch();
      timer.stop(finished);
      if (stopper.stopped) return;
      clock.sleep(stragglerGraceMs).then(() => stopper.stop(finished), () => {});
    },
  };
}

/**
 * The promise's value if it settles within `ms` (at least one tick), else undefined: lets a
 * pause that has to happen anyway double as a bounded wait for late answers.
 */
export async function waitAtMost<T>(clock: Clock, promise: Promise<T>, ms: number, cancel: Cancellation): Promise<T | undefined> {
  throwIfCancelled(cancel);
  let value: T | undefined;
  const timer = createStopper();
  const unwatch = watchCancellation(cancel, (reason) => timer.stop(reason));
  void promise.then((v) => {
    value = v;
    timer.stop(settledEarly);
  });
  try {
    await clock.sleep(ms, timer);
  } catch (error) {
    if (error !== settledEarly) throw error;
  } finally {
    unwatch();
  }
  return value;
}
