/**
 * Short histories of live numbers (requests/s, p99) for the sparklines. The server reports only
 * the current values, so the page keeps the last few dozen samples per series itself.
 */

/** Samples kept per series: one a second, so about a minute. */
export const HISTORY_LENGTH = 60;

/** Series name → recent samples, oldest first. Treated as immutable. */
export type History = ReadonlyMap<string, readonly number[]>;

/** Adds one sample to a series, dropping the oldest beyond `max`. Returns a new History. */
export function appendSample(history: History, series: string, value: number, max = HISTORY_LENGTH): History {
  const next = new Map(history);
  const samples = [...(history.get(series) ?? []), Number.isFinite(value) ? value : 0];
  next.set(series, samples.length > max ? samples.slice(samples.length - max) : samples);
  return next;
}

/** The series names used for one node's and one method's numbers. */
export const seriesName = {
  nodeRate: (nodeId: string) => `${nodeId}/rps`,
  nodeP99: (nodeId: string) => `${nodeId}/p99`,
  methodRate: (nodeId: string, method: string) => `${nodeId}/${method}/rps`,
  methodP99: (nodeId: string, method: string) => `${nodeId}/${method}/p99`,
} as const;

/** The parts of NodeStats the history needs (structural, so tests need no generated types). */
export interface StatsSample {
  nodeId: string;
  reachable: boolean;
  requestsPerSecond: number;
  p99Ms: number;
  methods: ReadonlyArray<{ method: string; requestsPerSecond: number; p99Ms: number }>;
}

/**
 * Records one stats message. An unreachable node gets no sample (a gap would be drawn as a
 * fake zero otherwise), so its line simply stops.
 */
export function recordStats(history: History, nodes: readonly StatsSample[], max = HISTORY_LENGTH): History {
  let next = history;
  for (const node of nodes) {
    if (!node.reachable) continue;
    next = appendSample(next, seriesName.nodeRate(node.nodeId), node.requestsPerSecond, max);
    next = appendSample(next, seriesName.nodeP99(node.nodeId), node.p99Ms, max);
    for (const m of node.methods) {
      next = appendSample(next, seriesName.methodRate(node.nodeId, m.method), m.requestsPerSecond, max);
      next = appendSample(next, seriesName.methodP99(node.nodeId, m.method), m.p99Ms, max);
    }
  }
  return next;
}

/** Short method names for display: "kvstore.KeyValueService/Get" → "KeyValueService/Get". */
export function shortMethod(method: string): string {
  const slash = method.lastIndexOf("/");
  const service = slash >= 0 ? method.slice(0, slash) : "";
  const name = slash >= 0 ? method.slice(slash + 1) : method;
  const dot = service.lastIndexOf(".");
  return service ? `${service.slice(dot + 1)}/${name}` : name;
}
