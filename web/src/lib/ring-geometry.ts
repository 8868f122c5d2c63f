/**
 * Geometry and arithmetic of the hash ring, for drawing it and for checking the server's numbers.
 *
 * Ring positions are 0 .. 2^32-1 (cluster.proto RingToken.position). A key belongs to the first
 * token at or after its position, wrapping past the top (LocateResponse.token), so a token owns
 * the arc (previous token, token]. Angles are degrees clockwise from 12 o'clock, the way people
 * read a clock face; position 0 sits at the top.
 */

/** Number of positions on the ring. */
export const RING_SIZE = 2 ** 32;

/** A virtual-node token (structurally RingToken from cluster_pb). */
export interface Token {
  position: number;
  nodeId: string;
}

/** Degrees clockwise from the top for a ring position. */
export function positionToAngle(position: number): number {
  return (position / RING_SIZE) * 360;
}

/** SVG coordinates of the point at `angle` degrees (clockwise from the top) on a circle. */
export function pointAt(cx: number, cy: number, r: number, angle: number): { x: number; y: number } {
  const radians = ((angle - 90) * Math.PI) / 180;
  return { x: round(cx + r * Math.cos(radians)), y: round(cy + r * Math.sin(radians)) };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * An SVG path for the clockwise arc from `startAngle` to `endAngle` on a circle. An arc of a full
 * turn (or more) is drawn as two halves, since one SVG arc cannot start and end at the same point.
 */
export function arcPath(cx: number, cy: number, r: number, startAngle: number, endAngle: number): string {
  const sweep = endAngle - startAngle;
  if (sweep >= 360) {
    const a = pointAt(cx, cy, r, startAngle);
    const b = pointAt(cx, cy, r, startAngle + 180);
    return `M ${a.x} ${a.y} A ${r} ${r} 0 1 1 ${b.x} ${b.y} A ${r} ${r} 0 1 1 ${a.x} ${a.y}`;
  }
  const from = pointAt(cx, cy, r, startAngle);
  const to = pointAt(cx, cy, r, endAngle);
  const largeArc = sweep > 180 ? 1 : 0;
  return `M ${from.x} ${from.y} A ${r} ${r} 0 ${largeArc} 1 ${to.x} ${to.y}`;
}

/** Tokens sorted by position (the server sends them sorted; this makes sure). */
export function sortTokens<T extends Token>(tokens: readonly T[]): T[] {
  return [...tokens].sort((a, b) => a.position - b.position);
}

/** The part of the ring one token owns: positions (start, end], `length` positions long. */
export interface OwnedArc {
  nodeId: string;
  /** The previous token's position (exclusive); may be greater than `end` when it wraps. */
  start: number;
  /** This token's position (inclusive). */
  end: number;
  length: number;
  /** Index of the owning token in the sorted token list. */
  tokenIndex: number;
}

/** The arcs the sorted tokens own; the first token's arc wraps around from the last token. */
export function ownedArcs(sorted: readonly Token[]): OwnedArc[] {
  if (sorted.length === 0) return [];
  return sorted.map((token, i) => {
    const previous = sorted[i === 0 ? sorted.length - 1 : i - 1] as Token;
    let length = token.position - previous.position;
    if (i === 0) length += RING_SIZE;
    return { nodeId: token.nodeId, start: previous.position, end: token.position, length, tokenIndex: i };
  });
}

/** Index in `sorted` of the token that owns `position`: the first at or after it, wrapping. */
export function owningTokenIndex(sorted: readonly Token[], position: number): number {
  if (sorted.length === 0) return -1;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as Token).position < position) lo = mid + 1;
    else hi = mid;
  }
  return lo === sorted.length ? 0 : lo;
}

/**
 * The preference list for a position: the first `n` distinct nodes clockwise from it (the same
 * rule as LocateResponse.replicas). Used to cross-check the server and to compute replica shares.
 */
export function replicasFor(sorted: readonly Token[], position: number, n: number): string[] {
  const start = owningTokenIndex(sorted, position);
  return replicasFromIndex(sorted, start, n);
}

function replicasFromIndex(sorted: readonly Token[], start: number, n: number): string[] {
  const replicas: string[] = [];
  if (start < 0) return replicas;
  for (let step = 0; step < sorted.length && replicas.length < n; step++) {
    const nodeId = (sorted[(start + step) % sorted.length] as Token).nodeId;
    if (!replicas.includes(nodeId)) replicas.push(nodeId);
  }
  return replicas;
}

/** A node's part of the key space. */
export interface Share {
  nodeId: string;
  /** Fraction of the ring it coordinates (owns the first token of). */
  coordinator: number;
  /** Fraction of the ring it holds a replica of (is among the first n distinct nodes). */
  replica: number;
  /** How many virtual-node tokens it has. */
  tokenCount: number;
}

/** Computes every node's coordinator and replica share from the tokens, sorted by node id. */
export function computeShares(tokens: readonly Token[], replicationFactor: number): Share[] {
  const sorted = sortTokens(tokens);
  const byNode = new Map<string, Share>();
  const get = (nodeId: string): Share => {
    let share = byNode.get(nodeId);
    if (!share) {
      share = { nodeId, coordinator: 0, replica: 0, tokenCount: 0 };
      byNode.set(nodeId, share);
    }
    return share;
  };
  for (const token of sorted) get(token.nodeId).tokenCount++;
  const n = Math.max(1, replicationFactor);
  for (const arc of ownedArcs(sorted)) {
    const fraction = arc.length / RING_SIZE;
    get(arc.nodeId).coordinator += fraction;
    for (const nodeId of replicasFromIndex(sorted, arc.tokenIndex, n)) get(nodeId).replica += fraction;
  }
  return [...byNode.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

/** A run of consecutive arcs owned by the same node, in degrees (end may exceed 360). */
export interface ArcRun {
  nodeId: string;
  startAngle: number;
  endAngle: number;
  /** Positions covered. */
  length: number;
}

/**
 * Merges consecutive same-node arcs (also across the top) into runs, for drawing. With hundreds
 * of virtual nodes per node most arcs are a fraction of a pixel; fewer, longer paths draw faster
 * and avoid degenerate SVG arcs whose endpoints round to nearly the same point.
 */
export function arcRuns(arcs: readonly OwnedArc[]): ArcRun[] {
  const runs: ArcRun[] = [];
  for (const arc of arcs) {
    const last = runs[runs.length - 1];
    const endAngle = positionToAngle(arc.end);
    const startAngle = endAngle - (arc.length / RING_SIZE) * 360;
    if (last && last.nodeId === arc.nodeId) {
      last.endAngle = endAngle;
      last.length += arc.length;
    } else {
      runs.push({ nodeId: arc.nodeId, startAngle, endAngle, length: arc.length });
    }
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (runs.length > 1 && first && last && first.nodeId === last.nodeId) {
    // The last run continues over the top into the first one.
    first.startAngle = last.startAngle - 360;
    first.length += last.length;
    runs.pop();
  }
  return runs;
}

/** Consecutive slices of a circle, one per node, sized by `fraction`, starting at the top. */
export function shareSlices(
  shares: ReadonlyArray<{ nodeId: string; fraction: number }>,
): Array<{ nodeId: string; fraction: number; startAngle: number; endAngle: number }> {
  let angle = 0;
  return shares.map((s) => {
    const startAngle = angle;
    angle += Math.max(0, s.fraction) * 360;
    return { nodeId: s.nodeId, fraction: s.fraction, startAngle, endAngle: angle };
  });
}
