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
