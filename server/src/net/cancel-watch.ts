/**
 * A call's cancellation, watched without an AbortSignal. Creating one AbortController and
 * aborting it at the end of the call cost an entry node ~12 µs per forwarded Get (a fifth of
 * its CPU per call, most of it GC: Node's AbortSignal is a large EventTarget, kept alive for the
 * peer's round trip), while all a forward batch needs is to hear about a cancellation. The lean
 * call (net/lean-call.ts) offers this directly; anything else falls back to its signal.
 */
export interface CancelWatch {
  /**
   * Calls `onCancel` once with the reason when the call is cancelled (its client went away, its
   * deadline passed, the server shuts down), or at once if it already was; returns a function
   * that stops watching.
   */
  watchCancel(onCancel: (reason: unknown) => void): () => void;
}

/** What a cancellable operation may be given: a signal, or a {@link CancelWatch}. */
export type Cancellation = AbortSignal | CancelWatch;

/** A call that has a signal and may also offer a cheap watch (a CallInfo, a backend's options, CallOptions). */
export interface CancellableCall extends Partial<CancelWatch> {
  readonly signal?: AbortSignal | undefined;
}

/**
 * What to hand a cancellable operation for `call`: its watch if it has one (its signal is then
 * never read), else its signal, if any.
 */
export function cancellationOf(call: CancellableCall | undefined): Cancellation | undefined {
  return typeof call?.watchCancel === "function" ? (call as CancelWatch) : call?.signal;
}

/** Watches a call's cancellation: through its watch if it has one, else through its signal. */
export function watchCallCancel(call: { readonly signal: AbortSignal } & Partial<CancelWatch>, onCancel: (reason: unknown) => void): () => void {
  return typeof call.watchCancel === "function" ? call.watchCancel(onCancel) : watchCancellation(call.signal, onCancel);
}

/** Watches `cancel` (a signal or a watch) the same way, see {@link CancelWatch.watchCancel}; nothing to watch without one. */
export function watchCancellation(cancel: Cancellation | undefined, onCancel: (reason: unknown) => void): () => void {
  if (cancel === undefined) return noop;
  if (!(cancel instanceof AbortSignal)) return cancel.watchCancel(onCancel);
  if (cancel.aborted) {
    onCancel(cancel.reason);
    return noop;
  }
  const listener = () => onCancel(cancel.reason);
  cancel.addEventListener("abort", listener, { once: true });
  return () => cancel.removeEventListener("abort", listener);
}

const noop = (): void => {};

/**
 * A cancellation source that is not an AbortController: what the replication code hands to
 * everything one of its operations starts (calls to acceptors, timers, waits in line), so that
 * one `stop` ends them all. An AbortController, its signal and their listeners cost ~8 µs per
 * quorum read (two of them, a listener per call) and weigh on GC: a tenth of a replicated Get's
 * CPU on its coordinator. Watchers run in the order they were added; one that throws does not
 * keep the others from running (its error is re-thrown asynchronously, as EventTarget does); one
 * that stops watching while `stop` runs the others is not called, as with removeEventListener.
 */
export interface Stopper extends CancelWatch {
  /** Whether `stop` was called. */
  readonly stopped: boolean;
  /** What `stop` was called with (undefined before). */
  readonly reason: unknown;
  /** Stops, once: every watcher hears `reason`; later calls do nothing. */
  stop(reason: unknown): void;
  /** Throws the reason if stopped. */
  throwIfStopped(): void;
}

/** Throws the reason if `cancel` has already fired (nothing without one). */
export function throwIfCancelled(cancel: Cancellation | undefined): void {
  if (cancel === undefined) return;
  if (cancel instanceof AbortSignal) return cancel.throwIfAborted();
  if (cancel instanceof StopperImpl) return cancel.throwIfStopped();
  let fired = false;
  let reason: unknown;
  // A watch calls at once when already cancelled.
  cancel.watchCancel((why) => {
    fired = true;
    reason = why;
  })();
  if (fired) throw reason;
}

/** A promise rejected with the reason if `cancel` has already fired, else undefined (for functions that return promises). */
export function rejectIfCancelled(cancel: Cancellation | undefined): Promise<never> | undefined {
  try {
    throwIfCancelled(cancel);
    return undefined;
  } catch (reason) {
    return Promise.reject(reason);
  }
}

/** Creates a {@link Stopper}. */
export function createStopper(): Stopper {
  return new StopperImpl();
}

/** A class so that its methods live on the prototype: a stopper per operation stays small. */
class StopperImpl implements Stopper {
  stopped = false;
  reason: unknown = undefined;
  /** Null marks a watcher that stopped watching while `stop` was running the list. */
  #watchers: Array<((reason: unknown) => void) | null> | undefined = undefined;
  #running = false;

  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
    const watchers = this.#watchers;
    if (watchers === undefined) return;
    this.#running = true;
    for (let i = 0; i < watchers.length; i++) {
      const watcher = watchers[i];
      if (watcher === null || watcher === undefined) continue;
      watchers[i] = null;
      try {
        watcher(reason);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.#running = false;
    this.#watchers = undefined;
  }

  throwIfStopped(): void {
    if (this.stopped) throw this.reason;
  }

  watchCancel(onCancel: (reason: unknown) => void): () => void {
    if (this.stopped) {
      onCancel(this.reason);
      return noop;
    }
    const watchers = (this.#watchers ??= []);
    watchers.push(onCancel);
    let watching = true;
    return () => {
      // After stop the list is gone (every watcher ran); before, drop this one, once; while
      // stop runs the list, only mark it (the loop's indexes must not move).
      if (!watching || this.#watchers !== watchers) return;
      watching = false;
      const i = watchers.indexOf(onCancel);
      if (i < 0) return;
      if (this.#running) watchers[i] = null;
      else watchers.splice(i, 1);
    };
  }
}

/**
 * CallOptions for a client that watches `cancel` where it can (the lean client, see
 * {@link cancellationOf}) and reads `signal` otherwise (connect-node); the signal is made only
 * when read. A class, so the getter lives on the prototype (see net/lean-call.ts).
 */
export class CancelCallOptions implements CancelWatch {
  readonly #cancel: Cancellation;
  #signal: AbortSignal | undefined;

  constructor(cancel: Cancellation) {
    this.#cancel = cancel;
  }

  get signal(): AbortSignal {
    if (this.#cancel instanceof AbortSignal) return this.#cancel;
    if (this.#signal === undefined) {
      const controller = new AbortController();
      this.#signal = controller.signal;
      this.#cancel.watchCancel((reason) => controller.abort(reason));
    }
    return this.#signal;
  }

  watchCancel(onCancel: (reason: unknown) => void): () => void {
    return watchCancellation(this.#cancel, onCancel);
  }
}
