/**
 * The Metrics tab: the cluster's total request rate and, per node, live requests/s and p99 charts
 * with a per-method breakdown. All from the stats feed; nothing is fetched here (feed failures
 * are shown by the app's banner).
 */
import type { NodeStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { colorOf } from "../lib/colors";
import { formatMs, formatRate } from "../lib/format";
import type { History } from "../lib/history";
import { NodeMetrics } from "./node-metrics";

interface Props {
  stats: readonly NodeStats[];
  history: History;
  colors: ReadonlyMap<string, string>;
}

/** A summary line and one NodeMetrics card per node. */
export function MetricsPanel({ stats, history, colors }: Props) {
  const live = stats.filter((s) => s.reachable);
  const total = live.reduce((sum, s) => sum + s.requestsPerSecond, 0);
  const worstP99 = live.reduce((max, s) => Math.max(max, s.p99Ms), 0);
  const nodes = [...stats].sort((a, b) => a.nodeId.localeCompare(b.nodeId, "en", { numeric: true }));
  return (
    <div className="metrics-panel">
      {stats.length === 0 && <p className="muted">Waiting for stats…</p>}
      {stats.length > 0 && (
        <p className="summary" data-testid="metrics-summary">
          Cluster: <strong>{formatRate(total)}</strong> requests/s across {live.length} reachable nodes · worst p99{" "}
          <strong>{formatMs(worstP99)}</strong>
        </p>
      )}
      <div className="metrics-grid">
        {nodes.map((s) => (
          <NodeMetrics key={s.nodeId} stats={s} history={history} color={colorOf(colors, s.nodeId)} />
        ))}
      </div>
    </div>
  );
}
