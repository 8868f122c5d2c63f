/**
 * Progress lines on stderr, so a multi-minute run shows which scenario and step it is in while
 * stdout stays free for the final report.
 */
export function progress(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${t}] ${message}\n`);
}

/** Formats a number with thousands separators and at most `digits` decimals. */
export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
