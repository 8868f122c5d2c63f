/**
 * Plain-fetch Connect JSON calls, independent of the page and of our generated code: the test's
 * own view of the server, used to check what the page shows and to change data behind its back.
 */

/** A failed Connect call: HTTP status, Connect code and message, and the response headers. */
export class ConnectJsonError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Headers,
  ) {
    super(`${code} (HTTP ${status}): ${message}`);
  }
}

/** POSTs `body` as JSON to `<baseUrl>/<service>/<method>` and returns the parsed answer. */
export async function callJson<T>(baseUrl: string, service: string, method: string, body: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/${service}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  if (!res.ok) {
    throw new ConnectJsonError(res.status, String(json.code ?? "unknown"), String(json.message ?? text), res.headers);
  }
  return json as T;
}

const kv = "kvstore.KeyValueService";
const cluster = "ringkv.cluster.v1.ClusterService";

/** The JSON shape of LocateResponse (proto3 JSON: defaults omitted, uint32 as numbers). */
export interface LocateJson {
  key?: string;
  position?: number;
  token?: number;
  replicas?: string[];
  coordinator?: string;
}

/** The JSON shape of GetResponse (uint64 as a string). */
export interface GetJson {
  value?: string;
  found?: boolean;
  version?: string;
}

export const connectJson = {
  locate: (baseUrl: string, key: string) => callJson<LocateJson>(baseUrl, cluster, "Locate", { key }),
  get: (baseUrl: string, key: string) => callJson<GetJson>(baseUrl, kv, "Get", { key }),
  put: (baseUrl: string, key: string, value: string) =>
    callJson<{ success?: boolean; version?: string }>(baseUrl, kv, "Put", { key, value }),
};
