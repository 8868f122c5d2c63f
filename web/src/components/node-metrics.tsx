/**
 * One node's load: requests/s and p99 latency now and over the last minute (sparklines), next to
 * the per-method breakdown, so a hot method or a slow node stands out.
 */
import type { NodeStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { formatMs, formatRate } from "../lib/format";
import { seriesName, type History } from "../lib/history";
import { MethodTable } from "./method-table";
import { Sparkline } from "./sparkline";

interface Props {
  stats: NodeStats;
  history: History;
  color: string;
}

const none: readonly number[] = [];

/** A card with the node's two headline charts and its method table. */
export function NodeMetrics({ stats, history, color }: Props) {
  const id = stats.nodeId;
  const live = stats.reachable;
  return (
    <article
      className={`node-metrics ${live ? "" : "is-down"}`}
      data-testid="node-metrics"
      data-node-id={id}
      aria-labelledby={`metrics-${id}`}
    >
      <header>
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <h3 id={`metrics-${id}`}>{id}</h3>
        {!live && <span className="badge badge-bad">unreachable</span>}
      </header>
      <div className="node-metrics-body">
        <div className="headline-charts">
          <div className="chart">
            <p className="chart-label">
              Requests/s <strong data-testid="metrics-rps">{live ? formatRate(stats.requestsPerSecond) : "–"}</strong>
            </p>
            <Sparkline
              values={history.get(seriesName.nodeRate(id)) ?? none}
              label={`${id} requests per second`}
              format={formatRate}
              color={color}
              width={200}
              height={44}
              minMax={1}
            />
          </div>
          <div className="chart">
            <p className="chart-label">
              p99 <strong data-testid="metrics-p99">{live ? formatMs(stats.p99Ms) : "–"}</strong>
            </p>
            <Sparkline
              values={history.get(seriesName.nodeP99(id)) ?? none}
              label={`${id} p99 latency`}
              format={formatMs}
              color={color}
              width={200}
              height={44}
              minMax={1}
            />
          </div>
        </div>
        <div className="node-metrics-methods">
          {stats.error && <p className="error-inline">{stats.error}</p>}
          {stats.methods.length > 0 && <MethodTable nodeId={id} methods={stats.methods} history={history} color={color} />}
          {live && stats.methods.length === 0 && <p className="muted small">No requests yet.</p>}
        </div>
      </div>
    </article>
  );
}
