/**
 * One node's load: requests/s and p99 latency now and over the last minute (sparklines), and the
 * same per RPC method (NodeStats.methods), so a hot method or a slow node stands out.
 */
import type { NodeStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { formatCount, formatMs, formatRate } from "../lib/format";
import { seriesName, shortMethod, type History } from "../lib/history";
import { Sparkline } from "./sparkline";

interface Props {
  stats: NodeStats;
  history: History;
  color: string;
}

const none: readonly number[] = [];

/** Node-to-node calls (replication, probes), as opposed to the public API. */
function isInternal(method: string): boolean {
  return method.startsWith("ringkv.internal.");
}

/** A card with the node's two headline charts and a per-method table. */
export function NodeMetrics({ stats, history, color }: Props) {
  const id = stats.nodeId;
  // Public API methods first, node-to-node (internal) ones after: users care about the former.
  const methods = [...stats.methods].sort(
    (a, b) => Number(isInternal(a.method)) - Number(isInternal(b.method)) || a.method.localeCompare(b.method),
  );
  return (
    <article className={`node-metrics ${stats.reachable ? "" : "is-down"}`} data-testid="node-metrics" data-node-id={id} aria-labelledby={`metrics-${id}`}>
      <header>
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <h3 id={`metrics-${id}`}>{id}</h3>
        {!stats.reachable && <span className="badge badge-bad">unreachable</span>}
      </header>
      <div className="node-metrics-body">
      <div className="headline-charts">
        <div className="chart">
          <p className="chart-label">
            Requests/s <strong data-testid="metrics-rps">{stats.reachable ? formatRate(stats.requestsPerSecond) : "–"}</strong>
          </p>
          <Sparkline values={history.get(seriesName.nodeRate(id)) ?? none} label={`${id} requests per second`} format={formatRate} color={color} width={200} height={44} minMax={1} />
        </div>
        <div className="chart">
          <p className="chart-label">
            p99 <strong data-testid="metrics-p99">{stats.reachable ? formatMs(stats.p99Ms) : "–"}</strong>
          </p>
          <Sparkline values={history.get(seriesName.nodeP99(id)) ?? none} label={`${id} p99 latency`} format={formatMs} color={color} width={200} height={44} minMax={1} />
        </div>
      </div>
      <div className="node-metrics-methods">
      {stats.error && <p className="error-inline">{stats.error}</p>}
      {methods.length > 0 && (
        <div className="table-scroll">
          <table className="method-table">
            <caption className="visually-hidden">Per-method load on {id}</caption>
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col" className="num">Req/s</th>
                <th scope="col" className="hide-narrow">last minute</th>
                <th scope="col" className="num">p99</th>
                <th scope="col" className="num hide-narrow">Total</th>
                <th scope="col" className="num hide-narrow">Errors</th>
              </tr>
            </thead>
            <tbody>
              {methods.map((m) => (
                <tr key={m.method} data-testid="method-row" data-method={m.method}>
                  <th scope="row" title={m.method}>
                    {shortMethod(m.method)}
                    {isInternal(m.method) && <span className="muted small"> internal</span>}
                  </th>
                  <td className="num">{formatRate(m.requestsPerSecond)}</td>
                  <td className="hide-narrow">
                    <Sparkline values={history.get(seriesName.methodRate(id, m.method)) ?? none} label={`${shortMethod(m.method)} on ${id}, requests per second`} format={formatRate} color={color} width={96} height={20} minMax={1} />
                  </td>
                  <td className="num">{formatMs(m.p99Ms)}</td>
                  <td className="num hide-narrow">{formatCount(m.requests)}</td>
                  <td className={`num hide-narrow ${m.errors > 0n ? "tone-bad" : ""}`}>{formatCount(m.errors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {stats.reachable && methods.length === 0 && <p className="muted small">No requests yet.</p>}
      </div>
      </div>
    </article>
  );
}
