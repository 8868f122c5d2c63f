/**
 * Whether the numbers on the page are live, and how: streaming, polling (the fallback), stale,
 * or not arriving. A dashboard should never look live when it is not. Only the mode is a live
 * region; the "updated … ago" text changes every second and would be noise for screen readers.
 */
import type { FeedMode } from "../lib/stats-feed";
import { formatAgo } from "../lib/format";

interface Props {
  mode: FeedMode;
  receivedAt: number | undefined;
  failing: boolean;
  now: number;
}

/** Stats older than this are called stale. */
const STALE_AFTER_MS = 5000;

const labels: Record<FeedMode, string> = {
  connecting: "Connecting…",
  stream: "Live (stream)",
  polling: "Live (polling every 1 s)",
  stopped: "Stopped",
};

/** A small status pill with the time of the last update. */
export function FeedStatus({ mode, receivedAt, failing, now }: Props) {
  const stale = receivedAt !== undefined && now - receivedAt > STALE_AFTER_MS;
  const tone = failing || stale ? "bad" : mode === "stream" ? "good" : "warn";
  const label = failing ? "No data from this node" : stale ? "Stale" : labels[mode];
  return (
    <p className={`feed-status tone-${tone}`} data-testid="feed-status" data-mode={mode}>
      <span className="dot" aria-hidden="true" />
      <span role="status">{label}</span>
      {receivedAt !== undefined && <span className="muted"> · updated {formatAgo(receivedAt, now)}</span>}
    </p>
  );
}
