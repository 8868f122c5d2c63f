/** Per-method request figures over a sliding window, for the cluster service and the inspector. */
export interface MethodFigures {
  method: string;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p99Ms: number;
}

/** Counts requests and keeps recent latencies per method. */
export interface RequestStats {
  record(method: string, latencyMs: number, failed: boolean): void;
  /** Totals since start, rates and p99 over the last window. */
  snapshot(): { total: number; requestsPerSecond: number; p99Ms: number; methods: MethodFigures[] };
}

interface Bucket {
  second: number;
  count: number;
  samples: number[];
}

interface MethodState {
  requests: number;
  errors: number;
  buckets: Bucket[];
}

/**
 * Why not prom-client's histogram: Prometheus histograms give cumulative buckets for a scraper
 * to difference; the inspector wants "requests/s and p99 over the last few seconds" from one
 * call. Per-second buckets (capped samples each) over a window give exactly that, in bounded
 * memory.
 */
export function createRequestStats(options: { windowSeconds?: number; samplesPerSecond?: number } = {}): RequestStats {
  const windowSeconds = options.windowSeconds ?? 5;
  const cap = options.samplesPerSecond ?? 500;
  const methods = new Map<string, MethodState>();

  function current(state: MethodState, second: number): Bucket {
    let bucket = state.buckets[state.buckets.length - 1];
    if (bucket === undefined || bucket.second !== second) {
      bucket = { second, count: 0, samples: [] };
      state.buckets.push(bucket);
      while (state.buckets.length > windowSeconds + 1) state.buckets.shift();
    }
    return bucket;
  }

  function figures(buckets: Bucket[], nowSecond: number) {
    // The current second is partial: use the complete seconds of the window.
    const recent = buckets.filter((b) => b.second < nowSecond && b.second >= nowSecond - windowSeconds);
    const count = recent.reduce((n, b) => n + b.count, 0);
    const samples = recent.flatMap((b) => b.samples).sort((a, b) => a - b);
    const p99 = samples.length === 0 ? 0 : samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]!;
    return { requestsPerSecond: count / windowSeconds, p99Ms: p99 };
  }

  return {
    record(method, latencyMs, failed) {
      let state = methods.get(method);
      if (state === undefined) {
        state = { requests: 0, errors: 0, buckets: [] };
        methods.set(method, state);
      }
      state.requests++;
      if (failed) state.errors++;
      const bucket = current(state, Math.floor(Date.now() / 1000));
      bucket.count++;
      if (bucket.samples.length < cap) bucket.samples.push(latencyMs);
      else bucket.samples[Math.floor(Math.random() * cap)] = latencyMs;
    },
    snapshot() {
      const nowSecond = Math.floor(Date.now() / 1000);
      const list: MethodFigures[] = [];
      const all: Bucket[] = [];
      let total = 0;
      for (const [method, state] of methods) {
        list.push({ method, requests: state.requests, errors: state.errors, ...figures(state.buckets, nowSecond) });
        total += state.requests;
        all.push(...state.buckets);
      }
      // Merge buckets of all methods by second for the node-wide figures.
      const bySecond = new Map<number, Bucket>();
      for (const b of all) {
        const m = bySecond.get(b.second) ?? { second: b.second, count: 0, samples: [] };
        m.count += b.count;
        m.samples.push(...b.samples);
        bySecond.set(b.second, m);
      }
      list.sort((a, b) => (a.method < b.method ? -1 : 1));
      return { total, ...figures([...bySecond.values()], nowSecond), methods: list };
    },
  };
}
