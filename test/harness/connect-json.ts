/** A Connect JSON call with plain fetch, as `curl -d` makes it. Returns status, headers and body. */
export async function connectJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: json };
}

/** Finds a key whose coordinator is `nodeId`, asking ClusterService.Locate on `baseUrl`. */
export async function keyCoordinatedBy(baseUrl: string, nodeId: string, prefix = "key"): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const key = `${prefix}-${i}`;
    const res = await connectJson(baseUrl, "ringkv.cluster.v1.ClusterService/Locate", { key });
    if (res.body.coordinator === nodeId) return key;
  }
  throw new Error(`no key coordinated by ${nodeId} among 1000 candidates`);
}
