/**
 * Each node's share of the key space in numbers: tokens, the share it coordinates and the share
 * it holds replicas of; with a located key, each node's role for it.
 */
import type { LocateResponse, NodeShare } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { colorOf } from "../lib/colors";
import { formatPercent } from "../lib/format";
import type { Share } from "../lib/ring-geometry";

interface Props {
  /** Computed from the tokens (lib/ring-geometry computeShares). */
  shares: readonly Share[];
  /** As the server reports them (GetRingResponse.shares), preferred when present. */
  serverShares: readonly NodeShare[];
  replicationFactor: number;
  colors: ReadonlyMap<string, string>;
  located: LocateResponse | undefined;
}

/** The role of a node for the located key: "coordinator", "replica 2", or "". */
function roleOf(located: LocateResponse | undefined, nodeId: string): string {
  if (!located) return "";
  if (located.coordinator === nodeId) return "coordinator";
  const index = located.replicas.indexOf(nodeId);
  return index >= 0 ? `replica ${index + 1}` : "";
}

/** A table of shares per node. */
export function RingLegend({ shares, serverShares, replicationFactor, colors, located }: Props) {
  const server = new Map(serverShares.map((s) => [s.nodeId, s]));
  return (
    <div className="table-scroll">
      <table className="ring-legend" data-testid="ring-legend">
        <caption>Share of the key space</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col" className="num">Tokens</th>
            <th scope="col" className="num" title="Fraction of keys this node coordinates">Coordinates</th>
            <th scope="col" className="num" title={`Fraction of keys with a replica on this node (N=${replicationFactor})`}>
              Replicates
            </th>
            {located && <th scope="col">Role for key</th>}
          </tr>
        </thead>
        <tbody>
          {shares.map((s) => {
            const reported = server.get(s.nodeId);
            const role = roleOf(located, s.nodeId);
            return (
              <tr key={s.nodeId} className={role ? "is-highlighted" : located ? "is-dimmed" : ""} data-testid="ring-share" data-node-id={s.nodeId}>
                <th scope="row">
                  <span className="swatch" style={{ background: colorOf(colors, s.nodeId) }} aria-hidden="true" /> {s.nodeId}
                </th>
                <td className="num">{reported?.tokenCount ?? s.tokenCount}</td>
                <td className="num" data-testid="ring-share-value">{formatPercent(reported?.share ?? s.coordinator)}</td>
                <td className="num">{formatPercent(s.replica)}</td>
                {located && (
                  <td data-testid={`ring-role-${s.nodeId}`}>
                    {role && <strong className={role === "coordinator" ? "role-coordinator" : ""}>{role}</strong>}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
