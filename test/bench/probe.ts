import http2 from "node:http2";

/** A raw response: status, headers (trailers merged in for HTTP/2) and body bytes. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One POST over HTTP/2 prior knowledge (h2c) on a fresh session. Used to check a target once
 * before it is loaded: h2load counts an HTTP 200 carrying `grpc-status: 13` as a success, so
 * a server answering errors would otherwise look fast.
 */
export function postH2c(url: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.once("error", reject);
    const req = session.request({ ":method": "POST", ":path": path, ...headers });
    const out: RawResponse = { status: 0, headers: {}, body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    const merge = (h: http2.IncomingHttpHeaders) => {
      for (const [k, v] of Object.entries(h)) if (v !== undefined) out.headers[k] = String(v);
    };
    req.on("response", (h) => {
      out.status = Number(h[":status"]);
      merge(h);
    });
    req.on("trailers", merge);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.once("error", (err) => {
      session.close();
      reject(err);
    });
    req.once("end", () => {
      out.body = Buffer.concat(chunks);
      session.close();
      resolve(out);
    });
    req.end(body);
  });
}

/** One POST over HTTP/1.1 with fetch. */
export async function postH1(url: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<RawResponse> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers, body: new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
  const out: RawResponse = { status: res.status, headers: {}, body: Buffer.from(await res.arrayBuffer()) };
  res.headers.forEach((v, k) => (out.headers[k] = v));
  return out;
}
