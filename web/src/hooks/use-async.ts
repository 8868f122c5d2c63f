/**
 * Runs one async call when its inputs change and keeps its result, error and loading state, so
 * panels do not repeat the same cancellation and race handling. A newer call always wins: the
 * older one is aborted and its result ignored.
 */
import { useCallback, useEffect, useEffectEvent, useState } from "react";

export interface AsyncState<T> {
  /**
   * The last successful result. Kept while a newer call runs (also after the inputs change), so
   * a reload or a node switch does not blank the panel; the newer answer replaces it.
   */
  data: T | undefined;
  /** The failure of the latest call, if it failed. */
  error: unknown;
  loading: boolean;
  /** Runs the call again with the same inputs. */
  reload(): void;
}

/**
 * Calls `run` whenever `deps` change (and on reload()). Pass `enabled: false` to skip calling.
 * `run` may close over anything: the latest one is used, only `deps` trigger a call.
 */
export function useAsync<T>(
  run: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  options: { enabled?: boolean } = {},
): AsyncState<T> {
  const { enabled = true } = options;
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: enabled,
  });
  const [generation, setGeneration] = useState(0);
  const start = useEffectEvent((signal: AbortSignal) => run(signal));

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setState((s) => (s.loading && s.error === undefined ? s : { data: s.data, error: undefined, loading: true }));
    start(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => controller.abort();
    // The caller's deps decide when to run; `start` always sees the latest `run`.
  }, [...deps, enabled, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
