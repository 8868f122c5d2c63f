/**
 * Live cluster stats for the whole page: one feed (stream, or polling when the stream fails; see
 * lib/stats-feed.ts) per chosen node, plus the sparkline history built from it. Lives at the top
 * of the app so history keeps growing while other tabs are shown.
 */
import { useEffect, useState } from "react";
import type { NodeStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import type { Api } from "../api/api";
import { UNARY_TIMEOUT_MS } from "../api/api";
import { recordStats, type History } from "../lib/history";
import { startStatsFeed, type FeedMode } from "../lib/stats-feed";

/** What both WatchClusterStats and GetClusterStats answer. */
type StatsMessage = { nodes: NodeStats[]; servedBy: string };

/** How often the server should send stats. */
export const STATS_INTERVAL_MS = 1000;

export interface ClusterStatsState {
  /** Latest stats of every member, as gathered by the node the page talks to. */
  nodes: NodeStats[];
  /** The node that answered (`served_by`). */
  servedBy: string | undefined;
  /** Stream, polling, connecting. */
  mode: FeedMode;
  /** The current source's failure, if any. */
  error: unknown;
  /** When the last stats arrived. */
  receivedAt: number | undefined;
  /** Recent requests/s and p99 per node and method. */
  history: History;
}

const empty: ClusterStatsState = {
  nodes: [],
  servedBy: undefined,
  mode: "connecting",
  error: undefined,
  receivedAt: undefined,
  history: new Map(),
};

/** Subscribes to the stats of the cluster through `api`'s node; restarts when the node changes. */
export function useClusterStats(api: Api): ClusterStatsState {
  const [state, setState] = useState<ClusterStatsState>(empty);

  useEffect(() => {
    // A new node: forget its predecessor's answers, but keep the history (it is about the
    // cluster, not about the node that reported it), so the charts do not restart.
    setState((s) => ({ ...empty, history: s.history }));
    const feed = startStatsFeed<StatsMessage>({
      watch: (signal) => api.cluster.watchClusterStats({ intervalMs: STATS_INTERVAL_MS }, { signal }),
      poll: (signal) => api.cluster.getClusterStats({}, { signal, timeoutMs: UNARY_TIMEOUT_MS }),
      onData: (data) =>
        setState((s) => ({
          ...s,
          nodes: data.nodes,
          servedBy: data.servedBy,
          receivedAt: Date.now(),
          history: recordStats(s.history, data.nodes),
        })),
      onError: (error) => setState((s) => ({ ...s, error })),
      onMode: (mode) => setState((s) => (mode === "stopped" ? s : { ...s, mode })),
      pollIntervalMs: STATS_INTERVAL_MS,
    });
    return () => feed.stop();
  }, [api]);

  return state;
}
