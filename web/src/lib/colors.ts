/**
 * One colour per node, the same on every panel (ring, cluster, metrics), chosen by the node's
 * place in the sorted member list so it does not change when the page switches nodes.
 */

/** Distinguishable colours with at least 3:1 contrast on white (for lines and swatches). */
export const palette = [
  "#2563eb",
  "#d97706",
  "#059669",
  "#db2777",
  "#7c3aed",
  "#0891b2",
  "#65a30d",
  "#dc2626",
  "#4b5563",
  "#c026d3",
] as const;

/** Maps node ids to colours: sorted ids take palette entries in order, wrapping past the end. */
export function nodeColors(nodeIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(nodeIds)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return new Map(ids.map((id, i) => [id, palette[i % palette.length] as string]));
}

/** The colour of a node, grey for one not in the map (e.g. a node that just left). */
export function colorOf(colors: ReadonlyMap<string, string>, nodeId: string): string {
  return colors.get(nodeId) ?? "#9ca3af";
}
