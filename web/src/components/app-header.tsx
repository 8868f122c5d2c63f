/**
 * The page header: which node served the page, which node is answering, the node switcher and
 * whether the numbers are live. Always visible, so the user never wonders whose view they see.
 */
import type { Member } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { hostOf } from "../lib/base-url";
import type { FeedMode } from "../lib/stats-feed";
import { FeedStatus } from "./feed-status";
import { NodeSwitcher } from "./node-switcher";

interface Props {
  baseUrl: string;
  originUrl: string;
  members: readonly Member[];
  pageNodeId: string | undefined;
  apiNodeId: string | undefined;
  feedMode: FeedMode;
  receivedAt: number | undefined;
  failing: boolean;
  now: number;
  onSwitch(baseUrl: string): void;
}

/** Title, node facts, switcher, live status. */
export function AppHeader(props: Props) {
  const { baseUrl, originUrl, members, pageNodeId, apiNodeId, onSwitch } = props;
  return (
    <header className="app-header">
      <div className="brand">
        <h1>
          ringkv <span className="muted">inspector</span>
        </h1>
        <p className="node-facts">
          Page served by <strong data-testid="page-node">{pageNodeId ?? hostOf(originUrl)}</strong>
          {" · "}talking to <strong data-testid="api-node">{apiNodeId ?? "…"}</strong>{" "}
          <span className="muted">({hostOf(baseUrl)})</span>
        </p>
      </div>
      <div className="header-controls">
        <NodeSwitcher baseUrl={baseUrl} originUrl={originUrl} members={members} onChange={onSwitch} />
        <FeedStatus mode={props.feedMode} receivedAt={props.receivedAt} failing={props.failing} now={props.now} />
      </div>
    </header>
  );
}
