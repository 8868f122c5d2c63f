/**
 * The inspector: header (which node, switcher, live status), a banner when the chosen node
 * cannot be reached, and four tabs (Cluster, Ring, Keys, Metrics). Holds the app-wide state:
 * the chosen node, the member list (polled) and the stats feed, which several tabs share.
 */
import { useMemo, useState } from "react";
import { UNARY_TIMEOUT_MS, createApi } from "./api/api";
import { ApiContext } from "./api/api-context";
import { AppHeader } from "./components/app-header";
import { ClusterPanel } from "./components/cluster-panel";
import { ErrorBoundary } from "./components/error-boundary";
import { ErrorMessage } from "./components/error-message";
import { KeysPanel } from "./components/keys-panel";
import { MetricsPanel } from "./components/metrics-panel";
import { RingPanel } from "./components/ring-panel";
import { Tabs, type TabSpec } from "./components/tabs";
import { useAsync } from "./hooks/use-async";
import { useClusterStats } from "./hooks/use-cluster-stats";
import { useHashTab } from "./hooks/use-hash-tab";
import { useNow } from "./hooks/use-now";
import { usePolling } from "./hooks/use-polling";
import { defaultBaseUrl, hostOf, memberBaseUrl } from "./lib/base-url";
import { nodeColors } from "./lib/colors";

type TabId = "cluster" | "ring" | "keys" | "metrics";

const tabs: readonly TabSpec<TabId>[] = [
  { id: "cluster", label: "Cluster" },
  { id: "ring", label: "Ring" },
  { id: "keys", label: "Keys" },
  { id: "metrics", label: "Metrics" },
];
const tabIds = tabs.map((t) => t.id);

/** The node that served the page (or VITE_RINGKV_URL in development). */
const originUrl = defaultBaseUrl(import.meta.env.VITE_RINGKV_URL as string | undefined, window.location.origin);

/** How often the member list (reachability) is refreshed. */
const MEMBERS_INTERVAL_MS = 1000;

/** The whole page. */
export function App() {
  const [baseUrl, setBaseUrl] = useState(originUrl);
  const api = useMemo(() => createApi(baseUrl), [baseUrl]);
  const originApi = useMemo(() => createApi(originUrl), []);
  const members = usePolling(
    (signal) => api.cluster.getMembers({}, { signal, timeoutMs: UNARY_TIMEOUT_MS }),
    MEMBERS_INTERVAL_MS,
    [api],
  );
  const pageNode = useAsync((signal) => originApi.cluster.getMembers({}, { signal, timeoutMs: UNARY_TIMEOUT_MS }), [originApi]);
  const stats = useClusterStats(api);
  const now = useNow();
  const [tab, setTab] = useHashTab(tabIds);

  const memberList = members.data?.members;
  const idsKey = [...(memberList?.map((m) => m.id) ?? []), ...stats.nodes.map((n) => n.nodeId)].sort().join(",");
  const colors = useMemo(() => nodeColors(idsKey ? idsKey.split(",") : []), [idsKey]);
  // Which member the chosen URL belongs to; known even when that node is down.
  const apiNodeId =
    memberList?.find((m) => memberBaseUrl(m.address) === baseUrl)?.id ?? (stats.servedBy || undefined);
  const nodeError = members.error ?? stats.error;
  const failing = members.error !== undefined && stats.error !== undefined;

  return (
    <ApiContext value={api}>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <AppHeader
          baseUrl={baseUrl}
          originUrl={originUrl}
          members={memberList ?? []}
          pageNodeId={pageNode.data?.nodeId}
          apiNodeId={apiNodeId}
          feedMode={stats.mode}
          receivedAt={stats.receivedAt}
          failing={failing}
          now={now}
          onSwitch={setBaseUrl}
        />
        <div className="banner-slot" data-testid="node-error">
          <ErrorMessage error={nodeError} action={`Talking to ${hostOf(baseUrl)}`} />
        </div>
        <Tabs tabs={tabs} current={tab} onSelect={setTab} label="Inspector sections" />
        <main id="main" tabIndex={-1}>
          <section role="tabpanel" id="panel-cluster" aria-labelledby="tab-cluster" hidden={tab !== "cluster"} data-testid="panel-cluster">
            <ErrorBoundary label="the Cluster panel">
              <ClusterPanel
                members={members.data}
                membersAt={members.error !== undefined ? members.receivedAt : undefined}
                stats={stats.nodes}
                pageNodeId={pageNode.data?.nodeId}
                apiNodeId={apiNodeId}
                colors={colors}
                now={now}
              />
            </ErrorBoundary>
          </section>
          <section role="tabpanel" id="panel-ring" aria-labelledby="tab-ring" hidden={tab !== "ring"} data-testid="panel-ring">
            <ErrorBoundary label="the Ring panel">
              <RingPanel colors={colors} membersHash={members.data?.membersHash} />
            </ErrorBoundary>
          </section>
          <section role="tabpanel" id="panel-keys" aria-labelledby="tab-keys" hidden={tab !== "keys"} data-testid="panel-keys">
            <ErrorBoundary label="the Keys panel">
              <KeysPanel />
            </ErrorBoundary>
          </section>
          <section role="tabpanel" id="panel-metrics" aria-labelledby="tab-metrics" hidden={tab !== "metrics"} data-testid="panel-metrics">
            <ErrorBoundary label="the Metrics panel">
              <MetricsPanel stats={stats.nodes} history={stats.history} colors={colors} />
            </ErrorBoundary>
          </section>
        </main>
      </div>
    </ApiContext>
  );
}
