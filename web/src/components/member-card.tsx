/**
 * One cluster member: who it is, whether it can be reached (and since when), and its load.
 * Membership facts come from GetMembers, numbers from the stats feed. The two can briefly
 * disagree about a node that just died (a failed stats call is seen before the failure
 * detector decides); the card then says unreachable, without a "since" it cannot know.
 */
import type { Member, NodeStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { formatBytes, formatCount, formatDuration, formatMs, formatRate, formatSince } from "../lib/format";

interface Props {
  member: Member;
  stats: NodeStats | undefined;
  color: string;
  /** The node that served this page. */
  isPageNode: boolean;
  /** The node the page is talking to. */
  isApiNode: boolean;
  now: number;
}

/** A card: id and address, badges, reachability line, and the numbers. */
export function MemberCard({ member, stats, color, isPageNode, isApiNode, now }: Props) {
  const reachable = member.reachable && (stats?.reachable ?? true);
  /** Stats to show, only when the node answered them. */
  const live = stats?.reachable ? stats : undefined;
  return (
    <article
      className={`member-card ${reachable ? "" : "is-down"}`}
      data-testid="member-card"
      data-node-id={member.id}
      data-reachable={reachable ? "true" : "false"}
      aria-label={`Member ${member.id}`}
    >
      <header>
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <h3>{member.id}</h3>
        <span className="address">{member.address}</span>
      </header>
      {(isPageNode || isApiNode) && (
        <p className="badges">
          {isPageNode && <span className="badge" data-testid="badge-page-node">served this page</span>}
          {isApiNode && <span className="badge badge-api" data-testid="badge-api-node">answering the page</span>}
        </p>
      )}
      <p className={`reachability ${reachable ? "tone-good" : "tone-bad"}`} data-testid="member-reachability">
        <span className="dot" aria-hidden="true" />
        <strong>{reachable ? "reachable" : "unreachable"}</strong>{" "}
        <span className="muted">
          {member.reachable === reachable
            ? formatSince(member.reachableSinceMs, now)
            : "(its stats call failed; not yet confirmed by the failure detector)"}
        </span>
      </p>
      {stats?.error && !stats.reachable && <p className="error-inline">{stats.error}</p>}
      <dl className="numbers">
        <div>
          <dt>Keys</dt>
          <dd data-testid="member-keys">{live ? formatCount(live.keyCount) : "–"}</dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd>{live ? formatBytes(live.storedBytes) : "–"}</dd>
        </div>
        <div>
          <dt>Requests/s</dt>
          <dd>{live ? formatRate(live.requestsPerSecond) : "–"}</dd>
        </div>
        <div>
          <dt>p99</dt>
          <dd>{live ? formatMs(live.p99Ms) : "–"}</dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{live ? formatDuration(live.uptimeSeconds) : "–"}</dd>
        </div>
        <div>
          <dt>Storage</dt>
          <dd>{stats?.storageEngine || "–"}</dd>
        </div>
      </dl>
    </article>
  );
}
