/**
 * Where a key lives, in words: its ring position, the owning token, the coordinator and the
 * replicas in preference order, and the server's explanation. Also cross-checks the server's
 * replica list against the ring drawn on the page, and says so if they differ (a stale ring or a
 * placement bug, either worth seeing).
 */
import type { LocateResponse } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { colorOf } from "../lib/colors";
import { formatCount } from "../lib/format";
import { RING_SIZE, positionToAngle } from "../lib/ring-geometry";

interface Props {
  located: LocateResponse;
  /** Replicas computed from the page's copy of the ring, for the cross-check. */
  computedReplicas: readonly string[] | undefined;
  colors: ReadonlyMap<string, string>;
}

/** The located key's placement as a definition list. */
export function LocateResult({ located, computedReplicas, colors }: Props) {
  const disagrees =
    computedReplicas !== undefined && computedReplicas.join(",") !== located.replicas.join(",");
  const first = located.replicas[0];
  return (
    <div className="locate-result" data-testid="locate-result" aria-live="polite">
      <dl>
        <dt>Key</dt>
        <dd data-testid="locate-key-echo">
          <code>{located.key}</code>
        </dd>
        <dt>Position</dt>
        <dd data-testid="locate-position">
          {formatCount(located.position)} of {formatCount(RING_SIZE)} ({positionToAngle(located.position).toFixed(1)}°)
        </dd>
        <dt>Owning token</dt>
        <dd>{formatCount(located.token)}</dd>
        <dt>Coordinator</dt>
        <dd>
          <span className="node-chip" style={{ borderColor: colorOf(colors, located.coordinator) }} data-testid="locate-coordinator">
            {located.coordinator}
          </span>
          {first !== undefined && first !== located.coordinator && (
            <span className="muted"> ({first} is first in the list but unreachable)</span>
          )}
        </dd>
        <dt>Replicas</dt>
        <dd>
          <ol className="replica-list" data-testid="locate-replicas">
            {located.replicas.map((id) => (
              <li key={id} className="node-chip" style={{ borderColor: colorOf(colors, id) }}>
                {id}
              </li>
            ))}
          </ol>
        </dd>
      </dl>
      {located.explanation && <p className="explanation">{located.explanation}</p>}
      {disagrees && (
        <p className="warning" role="note">
          The ring drawn here puts this key on {computedReplicas.join(", ")}, but the server says{" "}
          {located.replicas.join(", ")}. The page's copy of the ring may be stale; reload the ring.
        </p>
      )}
    </div>
  );
}
