import type http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { RequestHeaders } from "./request-headers.js";

/** What connect-node builds for the same headers (nodeHeaderToWebHeader). */
function reference(raw: http2.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(":") || v === undefined) continue;
    if (typeof v === "string") out.append(k, v);
    else for (const e of v) out.append(k, e);
  }
  return out;
}

const raw: http2.IncomingHttpHeaders = Object.assign(Object.create(null) as http2.IncomingHttpHeaders, {
  ":method": "POST",
  ":path": "/kvstore.KeyValueService/Get",
  "content-type": "application/grpc",
  "x-request-id": " spaced\t",
  "set-cookie": ["a=1", "b=2"],
  cookie: "c=1; d=2",
  "grpc-timeout": "100m",
});

describe("RequestHeaders", () => {
  const names = ["content-type", "Content-Type", "x-request-id", "set-cookie", "cookie", "grpc-timeout", "missing", "constructor", "__proto__", ":path"];
  it.each(names)("answers get(%j) and has() as a fetch Headers would", (name) => {
    const ref = reference(raw);
    const lean = new RequestHeaders(raw);
    let expected: unknown;
    try {
      expected = [ref.get(name), ref.has(name)];
    } catch (e) {
      expected = (e as Error).constructor;
    }
    let actual: unknown;
    try {
      actual = [lean.get(name), lean.has(name)];
    } catch (e) {
      actual = (e as Error).constructor;
    }
    expect(actual).toEqual(expected);
  });

  it("iterates, copies and changes like a fetch Headers", () => {
    const lean = new RequestHeaders(raw);
    expect([...lean]).toEqual([...reference(raw)]);
    expect([...new Headers(lean)]).toEqual([...reference(raw)]);
    expect(lean.getSetCookie()).toEqual(["a=1", "b=2"]);
    lean.set("x-request-id", "new");
    lean.delete("cookie");
    expect(lean.get("x-request-id")).toBe("new");
    expect(lean.has("cookie")).toBe(false);
    const seen: string[] = [];
    lean.forEach((_v, k, parent) => {
      expect(parent).toBe(lean);
      seen.push(k);
    });
    expect(seen).toEqual([...lean.keys()]);
  });
});
