/**
 * The Ring tab: the hash ring (GetRing) drawn as a circle with each node's share in numbers, and
 * a key lookup (Locate) that puts the key on the circle and lights up its coordinator and
 * replicas. The ring is refetched when the member list changes (members hash).
 */
import type { LocateResponse } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { useMemo, useState, type FormEvent } from "react";
import { UNARY_TIMEOUT_MS } from "../api/api";
import { useApi } from "../api/api-context";
import { useAsync } from "../hooks/use-async";
import { keyProblem } from "../lib/key-rules";
import { computeShares, replicasFor, sortTokens } from "../lib/ring-geometry";
import { ErrorMessage } from "./error-message";
import { LocateResult } from "./locate-result";
import { RingChart } from "./ring-chart";
import { RingLegend } from "./ring-legend";

interface Props {
  colors: ReadonlyMap<string, string>;
  /** Changes when membership changes; the ring is refetched then. */
  membersHash: string | undefined;
}

/** Ring chart, share table and locate form. */
export function RingPanel({ colors, membersHash }: Props) {
  const api = useApi();
  const ring = useAsync((signal) => api.cluster.getRing({}, { signal, timeoutMs: UNARY_TIMEOUT_MS }), [api, membersHash]);
  const tokens = useMemo(
    () => sortTokens((ring.data?.tokens ?? []).map((t) => ({ position: t.position, nodeId: t.nodeId }))),
    [ring.data],
  );
  const replicationFactor = ring.data?.replicationFactor ?? 0;
  const shares = useMemo(() => computeShares(tokens, replicationFactor), [tokens, replicationFactor]);

  const chartShares = useMemo(() => {
    const reported = new Map((ring.data?.shares ?? []).map((s) => [s.nodeId, s.share]));
    return shares.map((s) => ({ nodeId: s.nodeId, fraction: reported.get(s.nodeId) ?? s.coordinator }));
  }, [shares, ring.data]);

  const [keyText, setKeyText] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [located, setLocated] = useState<LocateResponse | undefined>(undefined);
  const [locateError, setLocateError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const locate = async (event: FormEvent) => {
    event.preventDefault();
    const bad = keyProblem(keyText);
    setProblem(bad);
    if (bad) return;
    setBusy(true);
    setLocateError(undefined);
    try {
      setLocated(await api.cluster.locate({ key: keyText }, { timeoutMs: UNARY_TIMEOUT_MS }));
    } catch (err) {
      setLocated(undefined);
      setLocateError(err);
    } finally {
      setBusy(false);
    }
  };

  const computedReplicas =
    located && tokens.length > 0 ? replicasFor(tokens, located.position, Math.max(located.replicas.length, 1)) : undefined;

  return (
    <div className="ring-panel">
      <div className="ring-figure">
        <ErrorMessage error={ring.error} action="Loading the ring" />
        {ring.loading && !ring.data && <p className="muted">Loading the ring…</p>}
        {ring.data && <RingChart tokens={tokens} shares={chartShares} colors={colors} located={located} />}
      </div>
      <div className="ring-side">
        <form className="locate-form" onSubmit={(event) => void locate(event)} noValidate>
          <label htmlFor="locate-key">Locate a key</label>
          <div className="input-row">
            <input
              id="locate-key"
              data-testid="locate-key"
              value={keyText}
              onChange={(event) => setKeyText(event.target.value)}
              placeholder="e.g. user/42"
              aria-invalid={problem !== undefined}
              aria-describedby={problem ? "locate-problem" : undefined}
              autoComplete="off"
              spellCheck={false}
            />
            <button type="submit" disabled={busy} data-testid="locate-submit">
              {busy ? "Locating…" : "Locate"}
            </button>
            {located && (
              <button type="button" className="secondary" onClick={() => setLocated(undefined)}>
                Clear
              </button>
            )}
          </div>
          {problem && (
            <p id="locate-problem" className="field-problem">
              {problem}
            </p>
          )}
        </form>
        <ErrorMessage error={locateError} action="Locating the key" />
        {located && <LocateResult located={located} computedReplicas={computedReplicas} colors={colors} />}
        {ring.data && (
          <RingLegend
            shares={shares}
            serverShares={ring.data.shares}
            replicationFactor={replicationFactor}
            colors={colors}
            located={located}
          />
        )}
        {ring.data && (
          <p className="muted small">
            {tokens.length} tokens · replication factor {replicationFactor} ·{" "}
            <button type="button" className="link" onClick={ring.reload}>
              reload ring
            </button>
          </p>
        )}
      </div>
    </div>
  );
}
