import http from "node:http";
import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { GetRequestSchema, PutRequestSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestNode } from "../harness/cluster.js";
import { startLeanPair, type LeanPair } from "../harness/lean-pair.js";

/**
 * Unary calls of the Connect protocol on the lean path (server/src/net/lean-connect.ts) must
 * answer exactly as Connect does. Two single-node processes, --lean-grpc and --no-lean-grpc,
 * get the same requests in the same order over HTTP/1.1 and h2c; status, headers (but `date`)
 * and body bytes must match.
 */
let lean: TestNode;
let stock: TestNode;
let pair: LeanPair | undefined;

beforeAll(async () => {
  pair = await startLeanPair("lean-connect");
  ({ lean, stock } = pair);
});

afterAll(async () => {
  await pair?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

type Transport = "h1" | "h2c";
interface Request {
  path: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  method?: string;
}

const json = (body: unknown): string => JSON.stringify(body);

/** A raw HTTP/1.1 request (its own connection); `date`, `connection` and `keep-alive` dropped. */
function callH1(node: TestNode, r: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${node.url}${r.path}`, {
      method: r.method ?? "POST",
      agent: false,
      headers: { "content-type": "application/json", "x-request-id": "fixed-id", ...r.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const { date: _d, connection: _c, "keep-alive": _k, ...headers } = res.headers;
        resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks).toString("hex") });
      });
    });
    req.on("error", reject);
    req.end(r.body);
  });
}

/** The same over h2c. */
function callH2(node: TestNode, r: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(node.url);
    session.on("error", reject);
    const body = Buffer.from(r.body);
    const isGet = r.method === "GET";
    const req = session.request({
      ":method": r.method ?? "POST", ":path": r.path, "content-type": "application/json", "x-request-id": "fixed-id",
      ...(isGet ? {} : { "content-length": String(body.length) }), ...r.headers,
    }, { endStream: isGet });
    const chunks: Buffer[] = [];
    let head: Record<string, unknown> = {};
    req.on("response", (h) => (head = Object.fromEntries(Object.entries(h))));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      session.destroy();
      const { date: _d, ":status": status, ...headers } = head;
      resolve({ status: Number(status), headers, body: Buffer.concat(chunks).toString("hex") });
    });
    req.on("error", reject);
    if (!isGet) req.end(body);
  });
}

/** Sends the same request to both nodes over `transport`, expects the same answer, returns it. */
async function same(transport: Transport, r: Request): Promise<Answer> {
  const call = transport === "h1" ? callH1 : callH2;
  const a = await call(lean, r);
  const b = await call(stock, r);
  expect(a).toEqual(b);
  return a;
}

const text = (a: Answer) => Buffer.from(a.body, "hex").toString("utf8");

async function metric(node: TestNode, pattern: RegExp): Promise<number> {
  const body = await (await fetch(`${node.url}/metrics`)).text();
  const m = pattern.exec(body);
  return m ? Number(m[1]) : 0;
}

const leanConnect = /^ringkv_lean_requests_total\{protocol="connect"\} (\d+)/m;

describe.each<Transport>(["h1", "h2c"])("the lean Connect path over %s", (transport) => {
  const k = (name: string) => `${transport}/${name}`;

  it("answers JSON and binary calls byte for byte as Connect does", async () => {
    const before = await metric(lean, leanConnect);
    const put = await same(transport, { path: "/kvstore.KeyValueService/Put", body: json({ key: k("a"), value: "v".repeat(100) }) });
    expect(put.status).toBe(200);
    expect(put.headers["content-type"]).toBe("application/json");
    expect(put.headers["x-request-id"]).toBe("fixed-id");
    expect(JSON.parse(text(put))).toEqual({ success: true, version: "1" });
    expect(JSON.parse(text(await same(transport, { path: "/kvstore.KeyValueService/Get", body: json({ key: k("a") }) })))).toMatchObject({ found: true, version: "1" });
    await same(transport, { path: "/kvstore.KeyValueService/Get", body: json({ key: k("missing") }), headers: { "content-type": "application/json; charset=utf-8" } });
    await same(transport, { path: "/kvstore.KeyValueService/Get", body: json({ key: k("a"), unknownField: 1 }) });
    // Escapes and non-ASCII text: read by protobuf-es or by our JSON codecs, written the same.
    await same(transport, { path: "/kvstore.KeyValueService/Put", body: ` {"value" : "é中😀", "key":"${k("text")}"} ` });
    await same(transport, { path: "/kvstore.KeyValueService/Put", body: json({ key: k("text"), value: 'q"\\\n\u0001' }) });
    expect(JSON.parse(text(await same(transport, { path: "/kvstore.KeyValueService/Get", body: json({ key: k("text") }) })))).toMatchObject({ value: 'q"\\\n\u0001', version: "2" });
    await same(transport, { path: "/kvstore.KeyValueService/List", body: json({ prefix: transport, limit: 5 }) });
    await same(transport, { path: "/ringkv.cluster.v1.ClusterService/Locate", body: json({ key: k("a") }) });
    const binary = toBinary(PutRequestSchema, create(PutRequestSchema, { key: k("bin"), valueBytes: new Uint8Array([0, 1, 255]) }));
    const proto = await same(transport, { path: "/kvstore.KeyValueService/Put", body: Buffer.from(binary), headers: { "content-type": "application/proto" } });
    expect(proto.headers["content-type"]).toBe("application/proto");
    await same(transport, { path: "/kvstore.KeyValueService/Get", body: Buffer.from(toBinary(GetRequestSchema, create(GetRequestSchema, { key: k("bin") }))), headers: { "content-type": "application/proto" } });
    await same(transport, { path: "/kvstore.KeyValueService/Delete", body: json({ key: k("a") }) });
    expect(await metric(lean, leanConnect)).toBe(before + 12);
    expect(await metric(stock, leanConnect)).toBe(0);
  });

  it("answers errors with the same HTTP status, JSON error and metadata headers", async () => {
    await same(transport, { path: "/kvstore.KeyValueService/Put", body: json({ key: k("cas"), value: "a" }) });
    const cas = await same(transport, { path: "/kvstore.KeyValueService/Put", body: json({ key: k("cas"), value: "b", expectedVersion: "7" }) });
    expect(cas.status).toBe(400);
    expect(cas.headers).toMatchObject({ "ringkv-reason": "version_mismatch", "ringkv-current-version": "1", "content-type": "application/json" });
    expect(JSON.parse(text(cas))).toMatchObject({ code: "failed_precondition" });
    const cases: Request[] = [
      { path: "/kvstore.KeyValueService/Put", body: json({ key: "", value: "x" }) },
      { path: "/kvstore.KeyValueService/Get", body: "{not json" },
      { path: "/kvstore.KeyValueService/Get", body: json({ key: 5 }) },
      { path: "/kvstore.KeyValueService/Get", body: "" },
      { path: "/kvstore.KeyValueService/Get", body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), headers: { "content-type": "application/proto" } },
      { path: "/kvstore.KeyValueService/Get", body: json({ key: "ключ%".repeat(900) }) },
    ];
    const codes: string[] = [];
    for (const c of cases) {
      const answer = await same(transport, c);
      codes.push(`${answer.status} ${(JSON.parse(text(answer)) as { code: string }).code}`);
    }
    expect(codes).toEqual(Array(cases.length).fill("400 invalid_argument"));
  });

  it("refuses a body over the read limit with ResourceExhausted", async () => {
    const huge = await same(transport, { path: "/kvstore.KeyValueService/Put", body: json({ key: k("huge"), value: "v".repeat(1024 * 1024 + 64 * 1024) }) });
    expect(huge.status).toBe(429);
    expect(text(huge)).toMatch(/larger than configured readMaxBytes 1114112/);
  });

  it("honours connect-timeout-ms and leaves a malformed one to Connect", async () => {
    const body = json({ key: k("t") });
    const expired = await same(transport, { path: "/kvstore.KeyValueService/Get", body, headers: { "connect-timeout-ms": "0" } });
    expect(JSON.parse(text(expired))).toMatchObject({ code: "deadline_exceeded" });
    expect((await same(transport, { path: "/kvstore.KeyValueService/Get", body, headers: { "connect-timeout-ms": "2000" } })).status).toBe(200);
    expect((await same(transport, { path: "/kvstore.KeyValueService/Get", body, headers: { "connect-timeout-ms": "soon" } })).status).toBe(400);
  });

  it("compresses large answers for a client that accepts gzip", async () => {
    for (let i = 0; i < 20; i++) await same(transport, { path: "/kvstore.KeyValueService/Put", body: json({ key: k(`list/${i}`), value: "x".repeat(100) }) });
    const list = await same(transport, { path: "/kvstore.KeyValueService/List", body: json({ prefix: k("list/"), limit: 100 }), headers: { "accept-encoding": "gzip" } });
    expect(list.headers["content-encoding"]).toBe("gzip");
  });

  it("leaves compressed requests, GETs, CORS requests and unknown methods to Connect", async () => {
    const before = await metric(lean, leanConnect);
    const gz = await same(transport, { path: "/kvstore.KeyValueService/Get", body: gzipSync(json({ key: k("list/1") })), headers: { "content-encoding": "gzip" } });
    expect(gz.status).toBe(200);
    await same(transport, { path: `/kvstore.KeyValueService/Get?encoding=json&message=${encodeURIComponent(json({ key: "x" }))}`, body: "", method: "GET" });
    const cors = await same(transport, { path: "/kvstore.KeyValueService/Get", body: json({ key: k("list/1") }), headers: { origin: "http://example.com" } });
    expect(cors.status).toBe(200);
    expect((await same(transport, { path: "/kvstore.KeyValueService/Explode", body: "{}" })).status).toBe(404);
    expect(await metric(lean, leanConnect)).toBe(before);
  });

  it("counts requests in the metrics with protocol=\"connect\" on both paths", async () => {
    const pattern = /^ringkv_requests_total\{service="kvstore.KeyValueService",method="Get",protocol="connect",code="ok"\} (\d+)/m;
    const a0 = await metric(lean, pattern);
    const b0 = await metric(stock, pattern);
    expect(a0).toBe(b0);
    for (let i = 0; i < 3; i++) await same(transport, { path: "/kvstore.KeyValueService/Get", body: json({ key: "x" }) });
    expect(await metric(lean, pattern)).toBe(a0 + 3);
    expect(await metric(stock, pattern)).toBe(b0 + 3);
  });
});
