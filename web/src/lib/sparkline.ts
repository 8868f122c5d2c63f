/**
 * Geometry of a sparkline: a small line chart drawn as an SVG path. Hand-drawn rather than a chart
 * library, because the page needs a few dozen tiny lines and nothing else.
 */

/** What the sparkline component draws. */
export interface SparklineShape {
  /** The line, as SVG path data; empty with fewer than one sample. */
  line: string;
  /** The same line closed down to the baseline, for a light fill. */
  area: string;
  /** The largest value on the vertical scale. */
  max: number;
  /** Where the last sample is drawn. */
  last: { x: number; y: number } | undefined;
}

/**
 * Scales `values` into a `width` x `height` box (y grows downwards in SVG). The vertical scale
 * starts at 0 and ends at the largest sample, or `minMax` if larger, so a flat low line stays
 * low instead of filling the box. Samples are spaced for `capacity` slots, right-aligned, so a
 * young history grows from the right like a live chart.
 */
export function sparklineShape(
  values: readonly number[],
  width: number,
  height: number,
  options: { capacity?: number; minMax?: number; padding?: number } = {},
): SparklineShape {
  const padding = options.padding ?? 2;
  const capacity = Math.max(options.capacity ?? values.length, values.length, 2);
  const max = Math.max(options.minMax ?? 0, ...values.map((v) => (Number.isFinite(v) ? v : 0)), Number.MIN_VALUE);
  if (values.length === 0) return { line: "", area: "", max, last: undefined };
  const step = (width - 2 * padding) / (capacity - 1);
  const offset = capacity - values.length;
  const points = values.map((v, i) => ({
    x: round(padding + (offset + i) * step),
    y: round(height - padding - ((Number.isFinite(v) ? Math.max(0, v) : 0) / max) * (height - 2 * padding)),
  }));
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x} ${p.y}`).join(" ");
  const first = points[0] as { x: number; y: number };
  const last = points[points.length - 1] as { x: number; y: number };
  const base = round(height - padding);
  const area = `${line} L ${last.x} ${base} L ${first.x} ${base} Z`;
  return { line, area, max, last };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
