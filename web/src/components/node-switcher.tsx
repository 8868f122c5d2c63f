/**
 * The one control that chooses which node the page talks to. Any node answers any call, so
 * switching shows the cluster as that node sees it, and lets the user route around a dead node.
 */
import type { Member } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { hostOf, memberBaseUrl } from "../lib/base-url";

interface Props {
  /** The base URL in use. */
  baseUrl: string;
  /** The page's own node (same origin), offered even when it is not in the member list. */
  originUrl: string;
  /** Known members (the last good answer, so the list survives the current node dying). */
  members: readonly Member[];
  onChange(baseUrl: string): void;
}

/** A labelled <select> of members plus the page's origin. */
export function NodeSwitcher({ baseUrl, originUrl, members, onChange }: Props) {
  const options = members.map((m) => ({
    value: memberBaseUrl(m.address),
    label: `${m.id} · ${m.address}${m.reachable ? "" : " (unreachable)"}`,
  }));
  const extra = [originUrl, baseUrl].filter((url, i, all) => all.indexOf(url) === i && !options.some((o) => o.value === url));
  return (
    <div className="node-switcher">
      <label htmlFor="node-switcher">Talk to node</label>
      <select
        id="node-switcher"
        data-testid="node-switcher"
        value={baseUrl}
        onChange={(event) => onChange(event.target.value)}
      >
        {extra.map((url) => (
          <option key={url} value={url}>
            {url === originUrl ? `this page's node · ${hostOf(url)}` : hostOf(url)}
          </option>
        ))}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
