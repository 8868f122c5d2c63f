/**
 * Formatting of the numbers the inspector shows. Kept apart from the components so the exact
 * wording (units, rounding, "ago") is decided once and unit-tested without a DOM.
 *
 * Counters arrive as `bigint` (protobuf uint64/int64), rates and latencies as `number`; every
 * function accepts both where it makes sense.
 */

const byteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** Converts a protobuf 64-bit counter to a number; exact below 2^53, close enough above. */
export function toNumber(value: number | bigint): number {
  return typeof value === "bigint" ? Number(value) : value;
}

/** Rounds to `digits` significant-looking decimals, dropping a trailing ".0". */
function trimmed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A byte size in binary units: "0 B", "512 B", "1.5 KiB", "12.3 MiB". */
export function formatBytes(value: number | bigint): string {
  let n = Math.max(0, toNumber(value));
  let unit = 0;
  while (n >= 1024 && unit < byteUnits.length - 1) {
    n /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : n < 10 ? 2 : n < 100 ? 1 : 0;
  return `${trimmed(n, digits)} ${byteUnits[unit]}`;
}

/** A whole count with thousands separators, independent of the browser's locale: "1,234,567". */
export function formatCount(value: number | bigint): string {
  const text = (typeof value === "bigint" ? value : BigInt(Math.round(value))).toString();
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return negative ? `-${grouped}` : grouped;
}

/** Requests per second: "0", "0.25", "12.5", "1.2k". No unit: the column header carries it. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "0";
  if (perSecond >= 1000) return `${trimmed(perSecond / 1000, 1)}k`;
  if (perSecond >= 100) return trimmed(perSecond, 0);
  if (perSecond >= 10) return trimmed(perSecond, 1);
  return trimmed(perSecond, 2);
}

/** A latency in milliseconds: "–" for no data, "0.42 ms", "12.5 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return "–";
  if (ms >= 1000) return `${trimmed(ms / 1000, 2)} s`;
  if (ms >= 100) return `${trimmed(ms, 0)} ms`;
  if (ms >= 10) return `${trimmed(ms, 1)} ms`;
  return `${trimmed(ms, 2)} ms`;
}

/** A fraction 0..1 as a percentage with one decimal: "33.3%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "–";
  return `${(fraction * 100).toFixed(1)}%`;
}

/** An uptime: "45s", "12m 5s", "3h 4m", "2d 5h". */
export function formatDuration(seconds: number | bigint): string {
  const s = Math.max(0, Math.floor(toNumber(seconds)));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${rest}s`;
  return `${rest}s`;
}

/** How long ago a moment was, for people: "just now", "12 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function formatAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - thenMs) / 1000);
  if (seconds < 2) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** A wall-clock time of day, zero-padded, in the viewer's time zone: "09:03:07". */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => n.toString().padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * When a member's reachability last changed: "since 09:03:07 (12 s ago)", or "since its start"
 * when the server reports 0 (never changed since the answering node started).
 */
export function formatSince(sinceMs: number | bigint, nowMs: number): string {
  const since = toNumber(sinceMs);
  if (since <= 0) return "since node start";
  return `since ${formatClock(since)} (${formatAgo(since, nowMs)})`;
}
