import type { IncomingHttpHeaders } from "node:http";

const formType = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * `curl -d '{"key":"k"}' http://host:port/kvstore.KeyValueService/Get` labels its body
 * `application/x-www-form-urlencoded`, which Connect refuses (415). The body is what the user
 * typed: JSON. So a POST with that content type is relabelled `application/json` — but only
 * when no browser could have sent it: browsers add `Origin` to every POST and `Sec-Fetch-Site`
 * to every request (Node's fetch sends neither), and an HTML form may post this content type cross-site
 * without a CORS preflight; refusing those keeps a web page from writing to the store through
 * a visitor's browser. Done before any routing, so every path (lean or Connect, HTTP/1.1 or
 * HTTP/2) sees the same request. Returns whether it relabelled.
 */
export function relabelCurlForm(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  if (method !== "POST") return false;
  const type = headers["content-type"];
  if (type === undefined || !formType.test(type)) return false;
  if (headers.origin !== undefined || headers["sec-fetch-site"] !== undefined) return false;
  headers["content-type"] = "application/json";
  return true;
}
