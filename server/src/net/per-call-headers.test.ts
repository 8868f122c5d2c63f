import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { perCallHeaderMarker } from "./per-call-headers.js";

let server: http2.Http2Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Answers one request with `headers` (after the marker ran) and returns what the client read. */
async function roundTrip(headers: http2.OutgoingHttpHeaders, names: readonly string[] | undefined): Promise<http2.IncomingHttpHeaders> {
  const mark = perCallHeaderMarker(names);
  server = http2.createServer((_req, res) => {
    const out = { ...headers };
    mark(out);
    res.stream.respond({ ":status": 200, ...out }, { endStream: true });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ":path": "/" });
      req.on("response", resolve);
      req.on("error", reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

/** The names Node read as never-indexed (its `http2.sensitiveHeaders` list), [] if none. */
function neverIndexed(headers: http2.IncomingHttpHeaders): unknown {
  return (headers as Record<symbol, unknown>)[http2.sensitiveHeaders] ?? [];
}

describe("perCallHeaderMarker()", () => {
  it("sends the named headers never-indexed, with their values unchanged", async () => {
    const got = await roundTrip({ "x-request-id": "abc-1", "content-type": "application/grpc" }, ["x-request-id"]);
    expect(got["x-request-id"]).toBe("abc-1");
    expect(got["content-type"]).toBe("application/grpc");
    expect(neverIndexed(got)).toEqual(["x-request-id"]);
  });

  it("leaves every header indexable when none of the named ones is present", async () => {
    const got = await roundTrip({ "content-type": "application/grpc" }, ["x-request-id"]);
    expect(neverIndexed(got)).toEqual([]);
  });

  it("does nothing without names", async () => {
    const got = await roundTrip({ "x-request-id": "abc-2" }, undefined);
    expect(got["x-request-id"]).toBe("abc-2");
    expect(neverIndexed(got)).toEqual([]);
  });
});
