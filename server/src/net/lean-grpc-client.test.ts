import http2 from "node:http2";
import type net from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { GetResponseSchema, KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { ClusterService } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createH2Session, type H2Session } from "./h2-client-session.js";
import { encodeEnvelope } from "./grpc-wire.js";
import { createLeanGrpcClient } from "./lean-grpc-client.js";

/** A gRPC server whose behaviour each test picks by key. */
let server: http2.Http2Server;
let url: string;
const seen: http2.IncomingHttpHeaders[] = [];

const answer = encodeEnvelope(toBinary(GetResponseSchema, create(GetResponseSchema, { found: true, value: "v", version: 3n })));
const ok = { ":status": 200, "content-type": "application/grpc+proto" };

beforeAll(async () => {
  server = http2.createServer();
  server.on("stream", (stream, headers) => {
    seen.push(headers);
    stream.on("error", () => {});
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const key = Buffer.concat(chunks).subarray(7).toString(); // GetRequest{key}: 5 + tag + length
      switch (key) {
        case "ok":
          stream.respond(ok, { waitForTrailers: true });
          stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
          stream.end(answer);
          return;
        case "cas":
          stream.respond({ ...ok, "x-request-id": "r1" }, { waitForTrailers: true });
          stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "9", "grpc-message": "current version is 2", "ringkv-reason": "version_mismatch", "ringkv-current-version": "2" }));
          stream.end();
          return;
        case "trailers-only":
          stream.respond({ ...ok, "grpc-status": "12", "grpc-message": "unknown%20method" }, { endStream: true });
          return;
        case "http-503":
          stream.respond({ ":status": 503, "content-type": "application/json" });
          stream.end("{}");
          return;
        case "reset":
          stream.close(http2.constants.NGHTTP2_CANCEL);
          return;
        case "two-messages":
          stream.respond(ok, { waitForTrailers: true });
          stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
          stream.end(Buffer.concat([answer, answer]));
          return;
        case "no-status":
          stream.respond(ok);
          stream.end(answer);
          return;
        default: // "slow": never answers
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function clients(baseUrl: string): { lean: Client<typeof KeyValueService>; stock: Client<typeof KeyValueService>; close(): void } {
  const manager = new Http2SessionManager(baseUrl);
  const stock = createClient(KeyValueService, createGrpcTransport({ baseUrl, sessionManager: manager }));
  const session: H2Session = createH2Session({ baseUrl });
  return { lean: createLeanGrpcClient(KeyValueService, session, stock), stock, close: () => (manager.abort(), session.close()) };
}

/** What a caller can see of an outcome: the answer, or the error's code, message and metadata. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (e) {
    if (!(e instanceof ConnectError)) return { raw: String(e) };
    const metadata = [...e.metadata].filter(([k]) => k !== "date");
    return { code: Code[e.code], message: e.rawMessage, metadata };
  }
}

describe("createLeanGrpcClient()", () => {
  const cases = ["ok", "cas", "trailers-only", "http-503", "reset", "two-messages", "no-status"];
  it.each(cases)("answers %s exactly as connect-node's client does", async (key) => {
    const c = clients(url);
    try {
      const lean = await outcome(c.lean.get({ key }, { timeoutMs: 5000 }));
      const stock = await outcome(c.stock.get({ key }, { timeoutMs: 5000 }));
      expect(lean).toEqual(stock);
    } finally {
      c.close();
    }
  });

  it("sends the caller's headers and the deadline as grpc-timeout", async () => {
    const c = clients(url);
    seen.length = 0;
    await c.lean.get({ key: "ok" }, { timeoutMs: 1234, headers: { "ringkv-hops": "1", "X-Request-Id": "abc" } });
    c.close();
    expect(seen[0]).toMatchObject({ ":method": "POST", ":path": "/kvstore.KeyValueService/Get", "content-type": "application/grpc+proto", te: "trailers", "grpc-timeout": "1234m", "ringkv-hops": "1", "x-request-id": "abc" });
  });

  it("ends a call at its deadline with DeadlineExceeded, as connect-node does", async () => {
    const c = clients(url);
    try {
      expect(await outcome(c.lean.get({ key: "slow" }, { timeoutMs: 50 }))).toEqual(await outcome(c.stock.get({ key: "slow" }, { timeoutMs: 50 })));
      expect(await outcome(c.lean.get({ key: "slow" }, { timeoutMs: 50 }))).toMatchObject({ code: "DeadlineExceeded", message: "the operation timed out" });
    } finally {
      c.close();
    }
  });

  it("cancels a call when its signal aborts, with the signal's reason", async () => {
    const c = clients(url);
    try {
      for (const reason of [undefined, new ConnectError("stop", Code.DeadlineExceeded), new Error("gone")]) {
        const run = async (client: Client<typeof KeyValueService>) => {
          const controller = new AbortController();
          const p = outcome(client.get({ key: "slow" }, { signal: controller.signal }));
          setTimeout(() => controller.abort(reason), 20);
          return p;
        };
        expect(await run(c.lean)).toEqual(await run(c.stock));
      }
      const aborted = AbortSignal.abort();
      expect(await outcome(c.lean.get({ key: "ok" }, { signal: aborted }))).toEqual(await outcome(c.stock.get({ key: "ok" }, { signal: aborted })));
    } finally {
      c.close();
    }
  });

  it("cancels a call through its options' own cancellation watch, without reading their signal", async () => {
    const c = clients(url);
    try {
      const watchers: Array<(reason: unknown) => void> = [];
      let signalRead = false;
      const options = {
        get signal(): AbortSignal {
          signalRead = true;
          return new AbortController().signal;
        },
        watchCancel(onCancel: (reason: unknown) => void) {
          watchers.push(onCancel);
          return () => watchers.splice(watchers.indexOf(onCancel), 1);
        },
      };
      const slow = outcome(c.lean.get({ key: "slow" }, options));
      setTimeout(() => watchers[0]?.(new Error("gone")), 20);
      const controller = new AbortController();
      const reference = outcome(c.stock.get({ key: "slow" }, { signal: controller.signal }));
      setTimeout(() => controller.abort(new Error("gone")), 20);
      expect(await slow).toEqual(await reference);
      expect(watchers).toHaveLength(0);
      expect(await outcome(c.lean.get({ key: "ok" }, options))).toMatchObject({ ok: { value: "v" } });
      expect(watchers).toHaveLength(0);
      expect(signalRead).toBe(false);
    } finally {
      c.close();
    }
  });

  it("fails with Unavailable when the peer refuses the connection, then reconnects when it is back", async () => {
    const probe = http2.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const c = clients(`http://127.0.0.1:${port}`);
    try {
      const lean = await outcome(c.lean.get({ key: "ok" }));
      expect(lean).toEqual(await outcome(c.stock.get({ key: "ok" })));
      expect(lean).toMatchObject({ code: "Unavailable" });
    } finally {
      c.close();
    }
  });

  it("keeps streaming methods on the fallback client", () => {
    const stock = createClient(ClusterService, createGrpcTransport({ baseUrl: url }));
    const session = createH2Session({ baseUrl: url });
    const lean = createLeanGrpcClient(ClusterService, session, stock);
    expect(lean.watchClusterStats).toBe(stock.watchClusterStats);
    expect(lean.locate).not.toBe(stock.locate);
    session.close();
  });
});
