import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { connectJson, keyCoordinatedBy } from "../harness/connect-json.js";
import { createKvTestClient, KvCallError, protocols } from "../harness/kv-clients.js";

let cluster: TestCluster;
let url: string;

beforeAll(async () => {
  cluster = await startCluster({ size: 3, storage: "memory", replicationFactor: 1 });
  url = cluster.nodes[0]!.url;
});

afterAll(async () => {
  await cluster?.stop();
});

/** A raw HTTP/2 (h2c) request with a text body; answers status and body text. */
function rawH2(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": path, ...headers });
    let status = 0;
    let text = "";
    req.on("response", (h) => (status = Number(h[":status"])));
    req.setEncoding("utf8");
    req.on("data", (d: string) => (text += d));
    req.on("end", () => {
      session.close();
      resolve({ status, body: text });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A raw gRPC call over h2c with a hand-made body, to send what no well-behaved client sends. */
function rawGrpc(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: string | undefined; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    let status: string | undefined;
    let message: string | undefined;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
      if (h["grpc-message"] !== undefined) message = decodeURIComponent(String(h["grpc-message"]));
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", () => undefined);
    req.on("end", () => {
      session.close();
      resolve({ status, message });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function grpcFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

async function stillServing(): Promise<void> {
  const res = await connectJson(url, "kvstore.KeyValueService/Put", { key: "alive", value: "yes" });
  expect(res.status).toBe(200);
}

describe("bad input", () => {
  it("answers malformed JSON with invalid_argument (HTTP 400)", async () => {
    const res = await connectJson(url, "kvstore.KeyValueService/Put", '{"key": "k", "value": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_argument");
    await stillServing();
  });

  it("answers a JSON field of the wrong type with invalid_argument", async () => {
    const res = await connectJson(url, "kvstore.KeyValueService/Put", { key: 42, value: "v" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_argument");
  });

  it("answers a lone surrogate in a JSON key with invalid_argument naming UTF-8", async () => {
    const res = await connectJson(url, "kvstore.KeyValueService/Put", '{"key": "bad\\ud800key", "value": "v"}');
    expect(res.body.code).toBe("invalid_argument");
    expect(String(res.body.message)).toMatch(/UTF-?8/i);
  });

  it("answers malformed protobuf with InvalidArgument (grpc-status 3)", async () => {
    const res = await rawGrpc("/kvstore.KeyValueService/Put", grpcFrame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])));
    expect(res.status).toBe("3");
    await stillServing();
  });

  it("answers invalid UTF-8 in a protobuf key with InvalidArgument", async () => {
    // field 1 (key), length 2, bytes C3 28: not UTF-8.
    const res = await rawGrpc("/kvstore.KeyValueService/Put", grpcFrame(Buffer.from([0x0a, 0x02, 0xc3, 0x28, 0x12, 0x01, 0x76])));
    expect(res.status).toBe("3");
    await stillServing();
  });

  it("answers a wrong content type with 415 Unsupported Media Type", async () => {
    const res = await fetch(`${url}/kvstore.KeyValueService/Get`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"key":"k"}' });
    expect(res.status).toBe(415);
    const xml = await fetch(`${url}/kvstore.KeyValueService/Get`, { method: "POST", headers: { "content-type": "application/xml" }, body: "<key/>" });
    expect(xml.status).toBe(415);
    await stillServing();
  });

  it("takes `curl -d` JSON (form content type, no Origin) as JSON, but not from a browser", async () => {
    // What `curl -d '{...}' URL` sends: a form content type on a JSON body.
    const curlHeaders = { "content-type": "application/x-www-form-urlencoded", "user-agent": "curl/7.88.1", accept: "*/*" };
    const put = await fetch(`${url}/kvstore.KeyValueService/Put`, { method: "POST", headers: curlHeaders, body: '{"key":"curl-form","value":"v1"}' });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ success: true });
    const get = await fetch(`${url}/kvstore.KeyValueService/Get`, { method: "POST", headers: curlHeaders, body: '{"key":"curl-form"}' });
    expect(await get.json()).toMatchObject({ found: true, value: "v1" });
    // Over HTTP/2 too (curl --http2-prior-knowledge -d).
    const h2 = await rawH2(`/kvstore.KeyValueService/Get`, '{"key":"curl-form"}', { "content-type": "application/x-www-form-urlencoded" });
    expect(h2.status).toBe(200);
    expect(JSON.parse(h2.body)).toMatchObject({ found: true, value: "v1" });
    // A browser form posting cross-site carries Origin (and Sec-Fetch-Site): refused as before.
    for (const extra of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }] as Record<string, string>[]) {
      const res = await fetch(`${url}/kvstore.KeyValueService/Put`, { method: "POST", headers: { ...curlHeaders, ...extra }, body: '{"key":"curl-form","value":"evil"}' });
      expect(res.status).toBe(415);
    }
    const after = await connectJson(url, "kvstore.KeyValueService/Get", { key: "curl-form" });
    expect(after.body).toMatchObject({ value: "v1" });
    await stillServing();
  });

  it("answers an unknown method with 404 (Connect) and Unimplemented (gRPC)", async () => {
    const res = await connectJson(url, "kvstore.KeyValueService/Explode", { key: "k" });
    expect(res.status).toBe(404);
    const grpc = await rawGrpc("/kvstore.KeyValueService/Explode", grpcFrame(Buffer.alloc(0)));
    expect(grpc.status).toBe("12");
    await stillServing();
  });

  describe.each(protocols)("over %s", (protocol) => {
    it("answers a request for a key on a down peer with Unavailable naming the node, quickly", async () => {
      const down = cluster.nodes[2]!;
      const key = await keyCoordinatedBy(url, down.id, `down-${protocol}`);
      await down.kill("SIGKILL");
      try {
        const client = createKvTestClient(protocol, cluster.nodes[0]!.address);
        const err = await client.get({ key }, { timeoutMs: 5000 }).then(() => undefined, (e: unknown) => e);
        client.close();
        expect(err).toBeInstanceOf(KvCallError);
        expect((err as KvCallError).code).toBe("unavailable");
        expect((err as KvCallError).message).toContain(down.id);
      } finally {
        await down.start();
      }
      await stillServing();
    });

    it("ends a call with a 1 ms deadline in DeadlineExceeded", async () => {
      const stuck = cluster.nodes[1]!;
      const key = await keyCoordinatedBy(url, stuck.id, `deadline-${protocol}`);
      // A paused owner can't answer, so the deadline, not the speed of loopback, decides.
      await stuck.kill("SIGSTOP");
      try {
        const client = createKvTestClient(protocol, cluster.nodes[0]!.address);
        const err = await client.put({ key, value: "v" }, { timeoutMs: 1 }).then(() => undefined, (e: unknown) => e);
        client.close();
        expect(err).toBeInstanceOf(KvCallError);
        expect((err as KvCallError).code).toBe("deadline_exceeded");
      } finally {
        await stuck.kill("SIGCONT");
      }
      await stillServing();
    });
  });
});
