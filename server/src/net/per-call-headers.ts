import http2 from "node:http2";

/**
 * Returns a function that marks, in an outgoing HTTP/2 header object, the headers whose value is
 * new on every call (the request id) to be sent never-indexed.
 *
 * Why: HPACK (RFC 7541) adds a literal header to the connection's dynamic table unless told not
 * to. A value that never repeats gains nothing there and evicts the entries that do repeat (the
 * content type, the CORS headers), so both ends encode, insert and evict on every call and the
 * repeating headers fall back to literals. Node sends a header never-indexed (§6.2.3) when its
 * name is listed under `http2.sensitiveHeaders`; the value on the wire and as the client reads it
 * is unchanged. A bare HTTP/2 server adding a per-call request id paid ~3 µs per call for it;
 * on one node (memory engine, h2load Gets, alternating pairs) the marking measured 1.7–2.5% less
 * CPU per call on average, inside this machine's noise (BENCHMARKS.md, "A slower machine").
 */
export function perCallHeaderMarker(names: readonly string[] | undefined): (out: http2.OutgoingHttpHeaders) => void {
  if (names === undefined || names.length === 0) return () => {};
  const list = [...names];
  return (out) => {
    for (const name of list) {
      if (out[name] === undefined) continue;
      // Node reads the list once per response; the same array is shared by every response.
      (out as Record<symbol, unknown>)[http2.sensitiveHeaders] = list;
      return;
    }
  };
}
