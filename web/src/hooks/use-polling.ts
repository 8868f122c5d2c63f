/**
 * Repeats one call every `intervalMs`, keeping the last good answer when a call fails, so a
 * briefly unreachable node does not blank the panel (the error is shown next to the stale data).
 */
import { useEffect, useEffectEvent, useState } from "react";

export interface PollingState<T> {
  /** The last successful answer, kept across failures and until the first answer after `deps` change. */
  data: T | undefined;
  /** The failure of the latest call, undefined once a call succeeds again. */
  error: unknown;
  /** When `data` was received (Date.now()). */
  receivedAt: number | undefined;
}

/** Calls `run` now and then every `intervalMs` (after the previous call finished). */
export function usePolling<T>(
  run: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  deps: readonly unknown[],
): PollingState<T> {
  const [state, setState] = useState<PollingState<T>>({ data: undefined, error: undefined, receivedAt: undefined });
  const call = useEffectEvent((signal: AbortSignal) => run(signal));

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Keep the previous answer until the new node answers: the node switcher's options come
    // from it, and a member list rarely differs between nodes.
    setState((s) => ({ ...s, error: undefined }));
    const tick = async () => {
      try {
        const data = await call(controller.signal);
        if (controller.signal.aborted) return;
        setState({ data, error: undefined, receivedAt: Date.now() });
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((s) => ({ ...s, error }));
      }
      timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [...deps, intervalMs]);

  return state;
}
