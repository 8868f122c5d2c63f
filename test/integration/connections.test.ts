import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestNode, freePorts, type TestNode } from "../harness/cluster.js";

let node: TestNode | undefined;
let root: string | undefined;

afterEach(async () => {
  await node?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
  node = undefined;
});

async function startOne(extra: string[] = []): Promise<TestNode> {
  const [port] = await freePorts(1);
  root = mkdtempSync(path.join(os.tmpdir(), "ringkv-conn-"));
  node = createTestNode({ id: "n1", port: port!, dataDir: path.join(root, "n1"), args: ["--storage", "memory", ...extra] });
  await node.start();
  return node;
}

function h1KeepAliveGet(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(`${url}/healthz`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    }).on("error", reject);
  });
}

function h2Get(session: http2.ClientHttp2Session): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ":path": "/healthz" });
    let status = 0;
    req.on("response", (h) => (status = Number(h[":status"])));
    req.on("data", () => undefined);
    req.on("end", () => resolve(status));
    req.on("error", reject);
    req.end();
  });
}

describe("one port, HTTP/1.1 and HTTP/2", () => {
  it("serves HTTP/1.1 keep-alive and h2c on the same port", async () => {
    const n = await startOne();
    const agent = new http.Agent({ keepAlive: true });
    expect(await h1KeepAliveGet(n.url, agent)).toBe(200);
    const session = http2.connect(n.url);
    expect(await h2Get(session)).toBe(200);
    session.close();
    agent.destroy();
  });

  it("shuts down cleanly and promptly on SIGTERM while keep-alive and h2 clients stay connected", async () => {
    const n = await startOne();
    const agent = new http.Agent({ keepAlive: true });
    await h1KeepAliveGet(n.url, agent);
    const session = http2.connect(n.url);
    session.on("error", () => undefined);
    await h2Get(session);
    const goaway = new Promise<void>((resolve) => session.once("goaway", () => resolve()));
    await n.kill("SIGTERM");
    await goaway;
    // Exit code 0 means app.close() finished; the 10 s safety net would exit with 1.
    expect(n.lastExit).toEqual({ code: 0, signal: null });
    agent.destroy();
    session.destroy();
  });

  it("drops a connection that never sends a byte, and idle keep-alive connections", async () => {
    const n = await startOne(["--idle-timeout-ms", "1000"]);
    const silent = net.connect(n.port, "127.0.0.1");
    const silentClosed = new Promise<void>((resolve) => silent.once("close", () => resolve()));
    const idle = net.connect(n.port, "127.0.0.1");
    const idleClosed = new Promise<string>((resolve) => {
      let data = "";
      idle.on("data", (d) => (data += d.toString()));
      idle.once("close", () => resolve(data));
    });
    idle.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    await silentClosed;
    expect(await idleClosed).toMatch(/^HTTP\/1\.1 200/);
    const session = http2.connect(n.url);
    session.on("error", () => undefined);
    await h2Get(session);
    await new Promise<void>((resolve) => session.once("close", () => resolve()));
    expect(session.destroyed || session.closed).toBe(true);
  });
});
