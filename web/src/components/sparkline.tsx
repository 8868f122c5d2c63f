/**
 * A tiny live line chart (SVG), for requests/s and p99 over the last minute. Geometry lives in
 * lib/sparkline.ts; this only draws it and says in words what it shows.
 */
import { HISTORY_LENGTH } from "../lib/history";
import { sparklineShape } from "../lib/sparkline";

interface Props {
  values: readonly number[];
  /** Words for screen readers and the hover title: "n1 requests per second". */
  label: string;
  /** Formats the current and peak values for the label. */
  format(value: number): string;
  color: string;
  width?: number;
  height?: number;
  /** Smallest top of the scale, so near-zero noise stays near the bottom. */
  minMax?: number;
}

/** Draws `values` right-aligned in a box sized for HISTORY_LENGTH samples. */
export function Sparkline({ values, label, format, color, width = 160, height = 36, minMax }: Props) {
  const shape = sparklineShape(values, width, height, { capacity: HISTORY_LENGTH, ...(minMax !== undefined ? { minMax } : {}) });
  const current = values.at(-1);
  const description =
    current === undefined
      ? `${label}: no data yet`
      : `${label}: now ${format(current)}, peak ${format(Math.max(...values))} over the last ${values.length} s`;
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={description}
    >
      <title>{description}</title>
      <line x1={0} x2={width} y1={height - 1.5} y2={height - 1.5} className="sparkline-base" />
      {shape.area && <path d={shape.area} fill={color} opacity={0.12} />}
      {shape.line && <path d={shape.line} fill="none" stroke={color} strokeWidth={1.5} strokeLinejoin="round" />}
      {shape.last && <circle cx={shape.last.x} cy={shape.last.y} r={2.5} fill={color} />}
    </svg>
  );
}
