/**
 * The hash ring as an SVG circle: the outer band shows which node owns each stretch of the ring
 * (its virtual-node tokens, in the node's colour); the inner band shows each node's total share
 * as one slice. A located key gets a needle to its position, its owning token is marked, and
 * nodes that are not among its replicas are dimmed. Geometry lives in lib/ring-geometry.ts.
 */
import type { LocateResponse } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { useMemo } from "react";
import { colorOf } from "../lib/colors";
import { formatPercent } from "../lib/format";
import { arcPath, arcRuns, ownedArcs, pointAt, positionToAngle, shareSlices, type Token } from "../lib/ring-geometry";

interface Props {
  /** Sorted by position. */
  tokens: readonly Token[];
  /** Coordinator share per node, in display order. */
  shares: ReadonlyArray<{ nodeId: string; fraction: number }>;
  colors: ReadonlyMap<string, string>;
  located: LocateResponse | undefined;
}

const SIZE = 360;
const C = SIZE / 2;
const R = 140;
const BAND = 20;
const INNER_R = 100;
const INNER_BAND = 12;
/** Radius of the hub that carries the located key's name. */
const HUB_R = 66;
/** Runs narrower than this many degrees are below a pixel; they are not drawn. */
const MIN_SWEEP = 0.02;
/** Up to this many tokens each gets a tick outside the ring; beyond, ticks would be a smear. */
const MAX_TICKS = 360;

/** Draws the ring; memoises the geometry, which only changes with the tokens and shares. */
export function RingChart({ tokens, shares, colors, located }: Props) {
  const runs = useMemo(
    () =>
      arcRuns(ownedArcs(tokens))
        .filter((run) => run.endAngle - run.startAngle >= MIN_SWEEP)
        .map((run) => ({ ...run, d: arcPath(C, C, R, run.startAngle, run.endAngle) })),
    [tokens],
  );
  const slices = useMemo(
    () =>
      shareSlices(shares)
        .filter((s) => s.endAngle - s.startAngle >= MIN_SWEEP)
        .map((s) => ({
          ...s,
          d: arcPath(C, C, INNER_R, s.startAngle, s.endAngle),
          label: pointAt(C, C, INNER_R - INNER_BAND - 12, (s.startAngle + s.endAngle) / 2),
        })),
    [shares],
  );
  const replicas = new Set(located?.replicas ?? []);
  const dim = (nodeId: string) => (located && !replicas.has(nodeId) ? 0.2 : 1);
  const nodes = new Set(tokens.map((t) => t.nodeId)).size;

  return (
    <svg className="ring-chart" viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-labelledby="ring-title ring-desc" data-testid="ring-chart">
      <title id="ring-title">Hash ring</title>
      <desc id="ring-desc">
        {`${tokens.length} virtual-node tokens of ${nodes} nodes, clockwise from position 0 at the top. `}
        {shares.map((s) => `${s.nodeId} coordinates ${formatPercent(s.fraction)}.`).join(" ")}
        {located && ` Key “${located.key}” at position ${located.position}, coordinator ${located.coordinator}.`}
      </desc>
      <circle cx={C} cy={C} r={R} fill="none" stroke="#e5e7eb" strokeWidth={BAND} />
      <g fill="none" strokeWidth={BAND}>
        {runs.map((run, i) => (
          <path key={i} d={run.d} stroke={colorOf(colors, run.nodeId)} opacity={dim(run.nodeId)} />
        ))}
      </g>
      {tokens.length <= MAX_TICKS && (
        <g strokeWidth={1}>
          {tokens.map((t, i) => {
            const angle = positionToAngle(t.position);
            const a = pointAt(C, C, R + BAND / 2 + 2, angle);
            const b = pointAt(C, C, R + BAND / 2 + 8, angle);
            return <line key={i} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={colorOf(colors, t.nodeId)} opacity={dim(t.nodeId)} />;
          })}
        </g>
      )}
      <g fill="none" strokeWidth={INNER_BAND}>
        {slices.map((s) => (
          <path key={s.nodeId} d={s.d} stroke={colorOf(colors, s.nodeId)} opacity={dim(s.nodeId)}>
            <title>{`${s.nodeId} coordinates ${formatPercent(s.fraction)} of the keys`}</title>
          </path>
        ))}
      </g>
      {!located &&
        slices
          .filter((s) => s.fraction >= 0.05)
          .map((s) => (
            <text key={s.nodeId} x={s.label.x} y={s.label.y} textAnchor="middle" dominantBaseline="middle" className="ring-share-label">
              {formatPercent(s.fraction)}
            </text>
          ))}
      <text x={C} y={C - R - BAND / 2 - 8} textAnchor="middle" className="ring-label">
        0
      </text>
      <text x={C} y={C + R + BAND / 2 + 16} textAnchor="middle" className="ring-label">
        2³¹
      </text>
      {located ? (
        <KeyMarker located={located} color={colorOf(colors, located.coordinator)} />
      ) : (
        <text x={C} y={C} textAnchor="middle" dominantBaseline="middle" className="ring-center">
          {tokens.length} tokens
        </text>
      )}
    </svg>
  );
}

/** The key's marker: a needle from the centre to its position and a mark on its owning token. */
function KeyMarker({ located, color }: { located: LocateResponse; color: string }) {
  const keyAngle = positionToAngle(located.position);
  const tokenAngle = positionToAngle(located.token);
  const base = pointAt(C, C, HUB_R, keyAngle);
  const tip = pointAt(C, C, R - BAND / 2 - 4, keyAngle);
  const dot = pointAt(C, C, R, keyAngle);
  const t1 = pointAt(C, C, R - BAND / 2 - 2, tokenAngle);
  const t2 = pointAt(C, C, R + BAND / 2 + 12, tokenAngle);
  const label = located.key.length > 14 ? `${located.key.slice(0, 13)}…` : located.key;
  return (
    <g data-testid="ring-key-marker">
      <line x1={base.x} y1={base.y} x2={tip.x} y2={tip.y} stroke="#111827" strokeWidth={2} />
      <line x1={t1.x} y1={t1.y} x2={t2.x} y2={t2.y} stroke="#111827" strokeWidth={3} />
      <circle cx={dot.x} cy={dot.y} r={7} fill="#fff" stroke="#111827" strokeWidth={3} />
      <circle cx={C} cy={C} r={HUB_R} fill="#fff" stroke="#e5e7eb" />
      <text x={C} y={C - 8} textAnchor="middle" className="ring-center">
        {label}
      </text>
      <text x={C} y={C + 14} textAnchor="middle" className="ring-center-strong" fill={color}>
        → {located.coordinator}
      </text>
    </g>
  );
}
