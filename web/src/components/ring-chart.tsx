/**
 * The hash ring as an SVG circle: each token's arc in its node's colour, a tick per token, and
 * the located key (if any) as a marker with its owning token highlighted and non-replica arcs
 * dimmed. Geometry comes from lib/ring-geometry.ts.
 */
import type { LocateResponse } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { useMemo } from "react";
import { colorOf } from "../lib/colors";
import { formatCount, formatPercent } from "../lib/format";
import { RING_SIZE, arcPath, ownedArcs, pointAt, positionToAngle, type Token } from "../lib/ring-geometry";

interface Props {
  /** Sorted by position. */
  tokens: readonly Token[];
  colors: ReadonlyMap<string, string>;
  located: LocateResponse | undefined;
}

const SIZE = 360;
const C = SIZE / 2;
const R = 130;
const BAND = 22;

/** Draws the ring; memoises the arcs, which only change with the tokens. */
export function RingChart({ tokens, colors, located }: Props) {
  const arcs = useMemo(
    () =>
      ownedArcs(tokens).map((arc) => {
        const end = positionToAngle(arc.end);
        const start = end - (arc.length / RING_SIZE) * 360;
        return { ...arc, d: arcPath(C, C, R, start, end) };
      }),
    [tokens],
  );
  const replicas = new Set(located?.replicas ?? []);
  const keyAngle = located ? positionToAngle(located.position) : undefined;
  const tokenAngle = located ? positionToAngle(located.token) : undefined;
  const nodes = new Set(tokens.map((t) => t.nodeId)).size;

  return (
    <svg
      className="ring-chart"
      viewBox={`0 0 ${SIZE} ${SIZE}`}
      role="img"
      aria-labelledby="ring-title ring-desc"
      data-testid="ring-chart"
    >
      <title id="ring-title">Hash ring</title>
      <desc id="ring-desc">
        {`${tokens.length} virtual-node tokens of ${nodes} nodes, clockwise from position 0 at the top.`}
        {located && ` Key “${located.key}” at position ${located.position}, coordinator ${located.coordinator}.`}
      </desc>
      <circle cx={C} cy={C} r={R} fill="none" stroke="#e5e7eb" strokeWidth={BAND} />
      <g fill="none" strokeWidth={BAND}>
        {arcs.map((arc) => (
          <path
            key={arc.tokenIndex}
            d={arc.d}
            stroke={colorOf(colors, arc.nodeId)}
            opacity={located && !replicas.has(arc.nodeId) ? 0.2 : 1}
          >
            <title>{`${arc.nodeId}: token ${formatCount(arc.end)}, owns ${formatPercent(arc.length / RING_SIZE)} of the ring`}</title>
          </path>
        ))}
      </g>
      <g strokeWidth={1}>
        {tokens.map((t, i) => {
          const angle = positionToAngle(t.position);
          const a = pointAt(C, C, R + BAND / 2 + 2, angle);
          const b = pointAt(C, C, R + BAND / 2 + 8, angle);
          return <line key={i} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={colorOf(colors, t.nodeId)} />;
        })}
      </g>
      <text x={C} y={C - R - BAND / 2 - 14} textAnchor="middle" className="ring-label">
        0
      </text>
      <text x={C} y={C + R + BAND / 2 + 22} textAnchor="middle" className="ring-label">
        2³¹
      </text>
      {located && keyAngle !== undefined && tokenAngle !== undefined ? (
        <KeyMarker keyAngle={keyAngle} tokenAngle={tokenAngle} color={colorOf(colors, located.coordinator)} located={located} />
      ) : (
        <text x={C} y={C} textAnchor="middle" dominantBaseline="middle" className="ring-center">
          {tokens.length} tokens
        </text>
      )}
    </svg>
  );
}

/** The key's marker: a needle from the centre to its position and a highlight on its token. */
function KeyMarker({
  keyAngle,
  tokenAngle,
  color,
  located,
}: {
  keyAngle: number;
  tokenAngle: number;
  color: string;
  located: LocateResponse;
}) {
  const tip = pointAt(C, C, R - BAND / 2 - 4, keyAngle);
  const dot = pointAt(C, C, R, keyAngle);
  const t1 = pointAt(C, C, R - BAND / 2 - 2, tokenAngle);
  const t2 = pointAt(C, C, R + BAND / 2 + 12, tokenAngle);
  const label = located.key.length > 18 ? `${located.key.slice(0, 17)}…` : located.key;
  return (
    <g data-testid="ring-key-marker">
      <line x1={C} y1={C} x2={tip.x} y2={tip.y} stroke="#111827" strokeWidth={2} />
      <line x1={t1.x} y1={t1.y} x2={t2.x} y2={t2.y} stroke="#111827" strokeWidth={3} />
      <circle cx={dot.x} cy={dot.y} r={7} fill="#fff" stroke="#111827" strokeWidth={3} />
      <text x={C} y={C - 8} textAnchor="middle" className="ring-center">
        {label}
      </text>
      <text x={C} y={C + 14} textAnchor="middle" className="ring-center-strong" fill={color}>
        → {located.coordinator}
      </text>
    </g>
  );
}
