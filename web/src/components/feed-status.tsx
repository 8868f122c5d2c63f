/**
 * Whether the numbers on the page are live, and how: streaming, polling (the fallback), or
 * not arriving. A dashboard should never look live when it is not.
 */
import type { FeedMode } from "../lib/stats-feed";
import { formatAgo } from "../lib/format";

interface Props {
  mode: FeedMode;
  receivedAt: number | undefined;
  failing: boolean;
  now: number;
}

const labels: Record<FeedMode, string> = {
  connecting: "Connecting…",
  stream: "Live (stream)",
  polling: "Live (polling every 1 s)",
  stopped: "Stopped",
};

/** A small status pill with the time of the last update. */
export function FeedStatus({ mode, receivedAt, failing, now }: Props) {
  const stale = receivedAt === undefined || now - receivedAt > 5000;
  const tone = failing || (stale && mode !== "connecting") ? "bad" : mode === "stream" ? "good" : "warn";
  return (
    <p className={`feed-status tone-${tone}`} data-testid="feed-status" data-mode={mode} role="status">
      <span className="dot" aria-hidden="true" />
      {failing ? "No data from this node" : labels[mode]}
      {receivedAt !== undefined && <span className="muted"> · updated {formatAgo(receivedAt, now)}</span>}
    </p>
  );
}
