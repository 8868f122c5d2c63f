/**
 * Which node the page talks to. Every node serves the page and the API on one port, so by
 * default the page talks to the node that served it (same origin); switching nodes means
 * `http://<member address>` (the server allows CORS).
 */

/** The base URL for a member's advertised "host:port" (kept as is if it already has a scheme). */
export function memberBaseUrl(address: string): string {
  const trimmed = address.trim().replace(/\/+$/, "");
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/**
 * The base URL the page starts with: `VITE_RINGKV_URL` when the build or dev server sets it,
 * otherwise the page's own origin.
 */
export function defaultBaseUrl(envUrl: string | undefined, origin: string): string {
  const chosen = envUrl !== undefined && envUrl.trim() !== "" ? envUrl : origin;
  return chosen.trim().replace(/\/+$/, "");
}

/** "127.0.0.1:50051" for "http://127.0.0.1:50051", for labels. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
