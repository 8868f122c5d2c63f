import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http2 from "node:http2";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interceptStreams } from "./h2-stream-hook.js";

let tls: { cert: string; key: string };
let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "ringkv-hook-"));
  const cert = path.join(root, "cert.pem");
  const key = path.join(root, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  tls = { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A server whose request handler answers "compat" and whose hook takes /taken with "raw". */
async function start(secure: boolean): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    requests.push(req.url);
    res.end("compat");
  };
  const server = secure ? http2.createSecureServer({ ...tls, allowHTTP1: true }, handler) : http2.createServer(handler);
  interceptStreams(server, (stream, headers) => {
    if (headers[":path"] !== "/taken") return false;
    stream.respond({ ":status": 200 });
    stream.end("raw");
    return true;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${secure ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function get(url: string, pathName: string, headers: http2.OutgoingHttpHeaders = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { ca: tls.cert });
    session.on("error", reject);
    const req = session.request({ ":path": pathName, ...headers });
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      session.close();
      resolve(body);
    });
    req.on("error", reject);
    req.end();
  });
}

describe.each([false, true])("interceptStreams() (TLS: %s)", (secure) => {
  it("serves taken streams raw; they never become compat requests", async () => {
    const server = await start(secure);
    try {
      expect(await get(server.url, "/taken")).toBe("raw");
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("hands every other stream to Node's compatibility layer unchanged", async () => {
    const server = await start(secure);
    try {
      expect(await get(server.url, "/other?x=1")).toBe("compat");
      // The compat layer's own behaviour still applies, e.g. its Expect handling.
      expect(await get(server.url, "/expect", { expect: "100-continue" })).toBe("compat");
      expect(server.requests).toEqual(["/other?x=1", "/expect"]);
    } finally {
      await server.close();
    }
  });
});

it("refuses a server without Node's compatibility listener", () => {
  expect(() => interceptStreams(http2.createServer(), () => false)).toThrow(/found 0/);
});

it("still serves HTTP/1.1 on a TLS server with allowHTTP1 (never a stream)", async () => {
  const server = await start(true);
  try {
    const https = await import("node:https");
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${server.url}/h1`, { ca: tls.cert, agent: false }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    expect(body).toBe("compat");
    expect(server.requests).toEqual(["/h1"]);
  } finally {
    await server.close();
  }
});
