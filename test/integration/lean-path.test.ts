import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GetRequestSchema, ListRequestSchema, PutRequestSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { LocateRequestSchema } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { PingRequestSchema, ReadLocalRequestSchema, ReadLocalResponseSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { HealthCheckRequestSchema } from "@ringkv/gen/grpc/health/v1/health_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestNode } from "../harness/cluster.js";
import { startLeanPair, type LeanPair } from "../harness/lean-pair.js";
import { unpackOps } from "../../server/src/kv/op-log.js";

/**
 * The lean unary gRPC path (server/src/net/lean-grpc-server.ts) must answer exactly as Connect
 * does. Two single-node processes, one with --lean-grpc and one with --no-lean-grpc, get the
 * same requests in the same order; status, headers, trailers and body bytes must match (only
 * `date` differs, and the request id is fixed by sending one).
 */
let lean: TestNode;
let stock: TestNode;
let pair: LeanPair | undefined;

beforeAll(async () => {
  pair = await startLeanPair("lean");
  ({ lean, stock } = pair);
});

afterAll(async () => {
  await pair?.stop();
});

interface Answer {
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  body: string;
}

/** A raw gRPC call over h2c; `date` dropped from the answer. */
function call(node: TestNode, pathName: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(node.url);
    session.on("error", reject);
    const req = session.request({
      ":method": "POST", ":path": pathName, "content-type": "application/grpc", te: "trailers", "x-request-id": "fixed-id", ...headers,
    });
    const answer: Answer = { headers: {}, trailers: {}, body: "" };
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      const { date: _date, ...rest } = Object.fromEntries(Object.entries(h));
      answer.headers = rest;
    });
    req.on("trailers", (t) => (answer.trailers = Object.fromEntries(Object.entries(t))));
    req.on("data", (c: Buffer) => chunks.push(c));
    // The answer is complete at the end of the response. (After an early error such as an
    // oversized message Connect leaves the request stream open until the client resets it,
    // the lean path drains it; either way the client has its answer here.)
    req.on("end", () => {
      session.destroy();
      answer.body = Buffer.concat(chunks).toString("hex");
      resolve(answer);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function frame(payload: Uint8Array, flags = 0): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flags;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** Sends the same call to both nodes and expects the same answer; returns it. */
async function same(pathName: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
  const a = await call(lean, pathName, body, headers);
  const b = await call(stock, pathName, body, headers);
  expect(a).toEqual(b);
  return a;
}

async function metric(node: TestNode, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

const put = (key: string, value: string, expectedVersion?: bigint) =>
  frame(toBinary(PutRequestSchema, create(PutRequestSchema, { key, value, ...(expectedVersion !== undefined ? { expectedVersion } : {}) })));
const get = (key: string) => frame(toBinary(GetRequestSchema, create(GetRequestSchema, { key })));

describe("the lean gRPC path", () => {
  it("answers successful calls byte for byte as Connect does", async () => {
    const lean0 = await metric(lean, /^ringkv_lean_requests_total\{protocol="grpc"\} (\d+)/m);
    const ok = await same("/kvstore.KeyValueService/Put", put("k1", "v".repeat(100)));
    expect(ok.trailers).toEqual({ "grpc-status": "0" });
    expect(ok.headers["x-request-id"]).toBe("fixed-id");
    await same("/kvstore.KeyValueService/Get", get("k1"));
    await same("/kvstore.KeyValueService/Get", get("missing"));
    await same("/kvstore.KeyValueService/Put", frame(toBinary(PutRequestSchema, create(PutRequestSchema, { key: "bin", valueBytes: new Uint8Array([0, 1, 255]) }))));
    await same("/kvstore.KeyValueService/Get", get("bin"));
    await same("/kvstore.KeyValueService/Delete", get("k1"));
    await same("/kvstore.KeyValueService/List", frame(toBinary(ListRequestSchema, create(ListRequestSchema, { prefix: "", limit: 10 }))));
    await same("/ringkv.cluster.v1.ClusterService/Locate", frame(toBinary(LocateRequestSchema, create(LocateRequestSchema, { key: "k1" }))));
    // ReadLocal shows the register. A single-replica write that its entry node serves runs once
    // and records no op id (kv-service.ts), so both registers are the same, op-id log (empty) too.
    const readLocal = frame(toBinary(ReadLocalRequestSchema, create(ReadLocalRequestSchema, { key: "bin" })));
    const [ra, rb] = await Promise.all([call(lean, "/ringkv.internal.v1.PeerService/ReadLocal", readLocal), call(stock, "/ringkv.internal.v1.PeerService/ReadLocal", readLocal)]);
    expect(ra.headers).toEqual(rb.headers);
    expect(ra.trailers).toEqual(rb.trailers);
    const stateOf = (body: string) => fromBinary(ReadLocalResponseSchema, Buffer.from(body, "hex").subarray(5)).state!;
    expect(unpackOps(stateOf(ra.body).recentOpsPacked)).toHaveLength(0);
    expect(stateOf(ra.body)).toEqual(stateOf(rb.body));
    await same("/grpc.health.v1.Health/Check", frame(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, {}))));
    // Ping answers the node's clock: same shape, not the same bytes.
    const ping = frame(toBinary(PingRequestSchema, create(PingRequestSchema, { fromNodeId: "x" })));
    const [a, b] = await Promise.all([call(lean, "/ringkv.internal.v1.PeerService/Ping", ping), call(stock, "/ringkv.internal.v1.PeerService/Ping", ping)]);
    expect(a.headers).toEqual(b.headers);
    expect(a.trailers).toEqual(b.trailers);
    // Every call above went through the lean path on the lean node.
    expect(await metric(lean, /^ringkv_lean_requests_total\{protocol="grpc"\} (\d+)/m)).toBe(lean0 + 11);
    expect(await metric(stock, /^ringkv_lean_requests_total\{protocol="grpc"\} (\d+)/m)).toBe(0);
  });

  it("answers errors with the same status, message and metadata trailers", async () => {
    await same("/kvstore.KeyValueService/Put", put("cas", "a"));
    const cas = await same("/kvstore.KeyValueService/Put", put("cas", "b", 7n));
    expect(cas.trailers).toMatchObject({ "grpc-status": "9", "ringkv-reason": "version_mismatch", "ringkv-current-version": "1", "x-request-id": "fixed-id" });
    const invalid = await same("/kvstore.KeyValueService/Put", put("", "x"));
    expect(invalid.trailers["grpc-status"]).toBe("3");
    // A message with characters the gRPC spec percent-encodes (non-ASCII, '%').
    const big = await same("/kvstore.KeyValueService/Get", get("ключ%".repeat(900)));
    expect(big.trailers["grpc-status"]).toBe("3");
  });

  it("answers malformed requests before any interceptor, as Connect does", async () => {
    const cases: Array<[string, Buffer]> = [
      ["malformed protobuf", frame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))],
      ["invalid UTF-8", frame(Buffer.from([0x0a, 0x02, 0xc3, 0x28]))],
      ["empty body", Buffer.alloc(0)],
      ["two messages", Buffer.concat([get("a"), get("b")])],
      ["truncated envelope", get("abc").subarray(0, 6)],
      ["compressed flag without grpc-encoding", frame(toBinary(GetRequestSchema, create(GetRequestSchema, { key: "a" })), 1)],
    ];
    const codes: Record<string, unknown> = {};
    for (const [name, body] of cases) codes[name] = (await same("/kvstore.KeyValueService/Get", body)).trailers["grpc-status"];
    expect(codes).toEqual({
      "malformed protobuf": "3",
      "invalid UTF-8": "3",
      "empty body": "12",
      "two messages": "12",
      "truncated envelope": "3",
      "compressed flag without grpc-encoding": "13",
    });
  });

  it("refuses a message over the size limit with ResourceExhausted", async () => {
    const huge = put("huge", "v".repeat(1024 * 1024 + 64 * 1024 + 1));
    const answer = await same("/kvstore.KeyValueService/Put", huge);
    expect(answer.trailers["grpc-status"]).toBe("8");
    expect(String(answer.trailers["grpc-message"])).toMatch(/larger than configured readMaxBytes 1114112/);
    // Just under the read limit it reaches the handler, which applies the value limit.
    const under = await same("/kvstore.KeyValueService/Put", put("big", "v".repeat(1024 * 1024 + 1)));
    expect(under.trailers).toMatchObject({ "grpc-status": "3", "ringkv-reason": "invalid_value" });
  });

  it("sends the per-call request id never-indexed (HPACK), its value unchanged", async () => {
    // Both nodes get the call (the metrics test below expects equal counts); Connect's own path
    // leaves the header to HPACK's default, so only the lean node's marking is asserted.
    const answers = await Promise.all([lean, stock].map(async (node) => {
      const session = http2.connect(node.url);
      try {
        return await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
          const req = session.request({ ":method": "POST", ":path": "/kvstore.KeyValueService/Get", "content-type": "application/grpc", te: "trailers" });
          req.on("response", resolve);
          req.on("error", reject);
          req.resume();
          req.end(get("k-hpack"));
        });
      } finally {
        session.close();
      }
    }));
    for (const headers of answers) expect(headers["x-request-id"]).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect((answers[0] as Record<symbol, unknown>)[http2.sensitiveHeaders]).toEqual(["x-request-id"]);
  });

  it("honours grpc-timeout", async () => {
    const expired = await same("/kvstore.KeyValueService/Get", get("k"), { "grpc-timeout": "1n" });
    expect(expired.trailers["grpc-status"]).toBe("4");
    expect((await same("/kvstore.KeyValueService/Get", get("k"), { "grpc-timeout": "2S" })).trailers["grpc-status"]).toBe("0");
    // A malformed one is Connect's to answer (it falls through).
    expect((await same("/kvstore.KeyValueService/Get", get("k"), { "grpc-timeout": "soon" })).trailers["grpc-status"]).toBe("3");
  });

  it("compresses large answers when the client accepts gzip, as Connect does", async () => {
    for (let i = 0; i < 20; i++) await same("/kvstore.KeyValueService/Put", put(`list/${i}`, "x".repeat(100)));
    const list = frame(toBinary(ListRequestSchema, create(ListRequestSchema, { prefix: "list/", limit: 100 })));
    const answer = await same("/kvstore.KeyValueService/List", list, { "grpc-accept-encoding": "identity,deflate,gzip" });
    expect(answer.headers["grpc-encoding"]).toBe("gzip");
    expect(answer.body.slice(0, 2)).toBe("01"); // compressed flag
  });

  it("leaves a gzip-compressed request to Connect, which serves it", async () => {
    const payload = gzipSync(toBinary(GetRequestSchema, create(GetRequestSchema, { key: "list/1" })));
    const before = await metric(lean, /^ringkv_lean_requests_total\{protocol="grpc"\} (\d+)/m);
    const answer = await same("/kvstore.KeyValueService/Get", frame(payload, 1), { "grpc-encoding": "gzip" });
    expect(answer.trailers["grpc-status"]).toBe("0");
    expect(await metric(lean, /^ringkv_lean_requests_total\{protocol="grpc"\} (\d+)/m)).toBe(before);
    // So are unknown methods, gRPC-Web and calls from a browser origin.
    expect((await same("/kvstore.KeyValueService/Explode", get("k"))).headers["grpc-status"]).toBe("12");
    await same("/kvstore.KeyValueService/Get", get("list/1"), { "content-type": "application/grpc-web+proto" });
    await same("/kvstore.KeyValueService/Get", get("list/1"), { origin: "http://example.com" });
    expect(await metric(lean, /^ringkv_lean_requests_total\{protocol="grpc"\} (\d+)/m)).toBe(before);
  });

  it("counts requests in the metrics with protocol=\"grpc\" on both paths", async () => {
    const pattern = /^ringkv_requests_total\{service="kvstore.KeyValueService",method="Get",protocol="grpc",code="ok"\} (\d+)/m;
    const a0 = await metric(lean, pattern);
    const b0 = await metric(stock, pattern);
    for (let i = 0; i < 3; i++) await same("/kvstore.KeyValueService/Get", get("k"));
    expect(await metric(lean, pattern)).toBe(a0 + 3);
    expect(await metric(stock, pattern)).toBe(b0 + 3);
    expect(a0).toBe(b0);
    const failed = /^ringkv_requests_total\{service="kvstore.KeyValueService",method="Put",protocol="grpc",code="InvalidArgument"\} (\d+)/m;
    expect(await metric(lean, failed)).toBe(await metric(stock, failed));
  });
});
