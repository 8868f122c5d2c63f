/**
 * One node's load per RPC method (NodeStats.methods): rate with a sparkline, p99, totals and
 * errors. Public API methods come first; node-to-node (internal) calls follow, marked.
 */
import type { MethodStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { formatCount, formatMs, formatRate } from "../lib/format";
import { seriesName, shortMethod, type History } from "../lib/history";
import { Sparkline } from "./sparkline";

interface Props {
  nodeId: string;
  methods: readonly MethodStats[];
  history: History;
  color: string;
}

const none: readonly number[] = [];

/** Node-to-node calls (replication, probes), as opposed to the public API. */
export function isInternal(method: string): boolean {
  return method.startsWith("ringkv.internal.");
}

/** The per-method table. */
export function MethodTable({ nodeId, methods, history, color }: Props) {
  const sorted = [...methods].sort(
    (a, b) => Number(isInternal(a.method)) - Number(isInternal(b.method)) || a.method.localeCompare(b.method),
  );
  return (
    <div className="table-scroll">
      <table className="method-table">
        <caption className="visually-hidden">Per-method load on {nodeId}</caption>
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
          {sorted.map((m) => (
            <tr key={m.method} data-testid="method-row" data-method={m.method}>
              <th scope="row" title={m.method}>
                {shortMethod(m.method)}
                {isInternal(m.method) && <span className="muted small"> internal</span>}
              </th>
              <td className="num">{formatRate(m.requestsPerSecond)}</td>
              <td className="hide-narrow">
                <Sparkline
                  values={history.get(seriesName.methodRate(nodeId, m.method)) ?? none}
                  label={`${shortMethod(m.method)} on ${nodeId}, requests per second`}
                  format={formatRate}
                  color={color}
                  width={96}
                  height={20}
                  minMax={1}
                />
              </td>
              <td className="num">{formatMs(m.p99Ms)}</td>
              <td className="num hide-narrow">{formatCount(m.requests)}</td>
              <td className={`num hide-narrow ${m.errors > 0n ? "tone-bad" : ""}`}>{formatCount(m.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
