/**
 * The live cluster-stats feed: ClusterService.WatchClusterStats when the stream works, polling
 * GetClusterStats when it does not.
 *
 * Streams fail in ways a page cannot prevent (a proxy that buffers, a node restarting, a browser
 * without streaming fetch), and a dashboard that silently freezes is worse than one that polls.
 * So: stream first; on an error, an early end or silence longer than `staleAfterMs`, poll every
 * `pollIntervalMs`; every `retryStreamMs` of polling, try the stream again. Plain TypeScript
 * with injected calls so the state machine is unit-tested without a browser or a server.
 */

/** How the feed currently gets its data. */
export type FeedMode = "connecting" | "stream" | "polling" | "stopped";

export interface StatsFeedOptions<T> {
  /** Opens the server stream (WatchClusterStats); must stop when `signal` aborts. */
  watch(signal: AbortSignal): AsyncIterable<T>;
  /** One unary call (GetClusterStats). */
  poll(signal: AbortSignal): Promise<T>;
  /** Every message, from either source. */
  onData(data: T): void;
  /** The latest failure of the current source, or undefined once data flows again. */
  onError(err: unknown): void;
  /** Mode changes, for the "live" indicator. */
  onMode(mode: FeedMode): void;
  /** Poll period in fallback mode. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How long to poll before trying the stream again. Default 15 000 ms. */
  retryStreamMs?: number;
  /** A stream silent this long is treated as failed. Default 5000 ms. */
  staleAfterMs?: number;
}

/** A running feed. */
export interface StatsFeed {
  /** Stops every call and timer; no callback fires afterwards. */
  stop(): void;
}

/** Starts the feed at once (stream first). */
export function startStatsFeed<T>(options: StatsFeedOptions<T>): StatsFeed {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const retryStreamMs = options.retryStreamMs ?? 15_000;
  const staleAfterMs = options.staleAfterMs ?? 5000;
  let stopped = false;
  let controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let mode: FeedMode | undefined;

  const setMode = (next: FeedMode) => {
    if (next !== mode) {
      mode = next;
      options.onMode(next);
    }
  };
  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  async function runStream(): Promise<void> {
    controller = new AbortController();
    const own = controller;
    setMode("connecting");
    let failure: unknown;
    const watchdog = () => {
      clearTimer();
      timer = setTimeout(() => {
        failure = new Error(`no stats from the stream for ${staleAfterMs} ms`);
        own.abort();
      }, staleAfterMs);
    };
    watchdog();
    try {
      for await (const message of options.watch(own.signal)) {
        if (stopped || own.signal.aborted) break;
        watchdog();
        setMode("stream");
        options.onError(undefined);
        options.onData(message);
      }
    } catch (err) {
      failure ??= err;
    }
    clearTimer();
    if (stopped) return;
    if (failure !== undefined) options.onError(failure);
    startPolling();
  }

  function startPolling(): void {
    setMode("polling");
    const until = Date.now() + retryStreamMs;
    const tick = async () => {
      timer = undefined;
      if (stopped) return;
      if (Date.now() >= until) {
        void runStream();
        return;
      }
      controller = new AbortController();
      try {
        const data = await options.poll(controller.signal);
        if (stopped) return;
        options.onError(undefined);
        options.onData(data);
      } catch (err) {
        if (stopped) return;
        options.onError(err);
      }
      if (!stopped) timer = setTimeout(() => void tick(), pollIntervalMs);
    };
    void tick();
  }

  void runStream();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimer();
      controller.abort();
      setMode("stopped");
    },
  };
}
