/**
 * The Cluster tab: every member as a card, with a one-line summary (how many are up, the
 * replication factor, whether nodes agree on membership). Failures to reach the node are shown
 * once, by the app's banner.
 */
import type { GetMembersResponse, NodeStats } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { colorOf } from "../lib/colors";
import { formatAgo } from "../lib/format";
import { MemberCard } from "./member-card";

interface Props {
  members: GetMembersResponse | undefined;
  /** Set when `members` is an older answer (the latest call failed): when it was received. */
  membersAt: number | undefined;
  stats: readonly NodeStats[];
  pageNodeId: string | undefined;
  /** The node the page is talking to. */
  apiNodeId: string | undefined;
  colors: ReadonlyMap<string, string>;
  now: number;
}

/** Cards for all members, joined with their stats by node id. */
export function ClusterPanel({ members, membersAt, stats, pageNodeId, apiNodeId, colors, now }: Props) {
  const statsById = new Map(stats.map((s) => [s.nodeId, s]));
  const list = members?.members ?? [];
  const up = list.filter((m) => m.reachable && (statsById.get(m.id)?.reachable ?? true)).length;
  return (
    <div className="cluster-panel">
      {members === undefined && <p className="muted">Loading members…</p>}
      {members && (
        <p className="summary" data-testid="cluster-summary">
          <strong data-testid="member-count">{list.length}</strong> members, <strong>{up}</strong> reachable ·
          replication factor <strong>{members.replicationFactor}</strong> · as seen by{" "}
          <strong>{members.nodeId}</strong>
          {membersAt !== undefined && (
            <span className="tone-warn" data-testid="members-stale">
              {" "}
              (last known, {formatAgo(membersAt, now)})
            </span>
          )}
          {members.membersHash && (
            <span className="muted" title="A hash of the member list; nodes that disagree on membership differ here.">
              {" "}
              · members hash <code>{members.membersHash.slice(0, 12)}</code>
            </span>
          )}
        </p>
      )}
      <div className="member-grid">
        {list.map((m) => (
          <MemberCard
            key={m.id}
            member={m}
            stats={statsById.get(m.id)}
            color={colorOf(colors, m.id)}
            isPageNode={m.id === pageNodeId}
            isApiNode={m.id === apiNodeId}
            now={now}
          />
        ))}
      </div>
    </div>
  );
}
