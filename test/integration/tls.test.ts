import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, freePorts, type TestNode } from "../harness/cluster.js";

let node: TestNode;
let root: string;
let ca: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), "ringkv-tls-"));
  const cert = path.join(root, "cert.pem");
  const key = path.join(root, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stdio: "ignore" });
  ca = readFileSync(cert, "utf8");
  const [port] = await freePorts(1);
  node = createTestNode({ id: "n1", port: port!, dataDir: path.join(root, "n1"), tlsCa: ca, args: ["--storage", "memory", "--tls-cert", cert, "--tls-key", key] });
  await node.start();
});

afterAll(async () => {
  await node?.stop();
  rmSync(root, { recursive: true, force: true });
});

function postJson(body: object, pathName: string): Promise<{ status: number; alpn: string | false; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${node.url}/${pathName}`, { method: "POST", ca, agent: false, ...({ ALPNProtocols: ["http/1.1"] } as object), headers: { "content-type": "application/json" } }, (res) => {
      const alpn = (res.socket as unknown as { alpnProtocol: string | false }).alpnProtocol;
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, alpn, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("TLS on the same port", () => {
  it("serves Connect JSON over HTTP/1.1 (ALPN http/1.1)", async () => {
    const res = await postJson({ key: "tls", value: "secret" }, "kvstore.KeyValueService/Put");
    expect(res.status).toBe(200);
    expect(res.alpn).toBe("http/1.1");
  });

  it("serves HTTP/2 (ALPN h2)", async () => {
    const session = http2.connect(node.url, { ca });
    const alpn = await new Promise<string | undefined>((resolve) => session.once("connect", () => resolve(session.alpnProtocol)));
    expect(alpn).toBe("h2");
    session.close();
  });

  it("serves gRPC to a grpc-js client with TLS credentials", async () => {
    const def = protoLoader.loadSync(path.resolve("proto/kvstore/kvstore.proto"), { longs: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { kvstore: { KeyValueService: grpc.ServiceClientConstructor } };
    const client = new pkg.kvstore.KeyValueService(`localhost:${node.port}`, grpc.credentials.createSsl(Buffer.from(ca)));
    const got = await new Promise<Record<string, unknown>>((resolve, reject) =>
      (client as unknown as { Get: (r: object, cb: (e: Error | null, r: Record<string, unknown>) => void) => void }).Get({ key: "tls" }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    client.close();
    expect(got).toMatchObject({ value: "secret", found: true });
  });
});
