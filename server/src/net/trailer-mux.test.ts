import { trailerMux } from "@connectrpc/connect/protocol-connect";
import { describe, expect, it } from "vitest";
import { ResponseHeaders } from "./response-headers.js";
import { muxTrailers } from "./trailer-mux.js";

const sorted = (h: Headers) => [...h].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));

/** Fills a header set the same way whichever class it is. */
function fill(h: Headers, ops: Array<[string, string, "set" | "append"]>): Headers {
  for (const [name, value, how] of ops) h[how](name, value);
  return h;
}

const headerOps: Array<[string, string, "set" | "append"]> = [
  ["Content-Type", "application/json", "set"],
  ["x-request-id", "abc-1", "set"],
  ["X-Multi", "one", "append"],
  ["x-multi", "two", "append"],
  ["set-cookie", "a=1", "append"],
  ["set-cookie", "b=2", "append"],
  ["content-type", "application/proto", "set"],
];
const trailerOps: Array<[string, string, "set" | "append"]> = [
  ["ringkv-reason", "version_mismatch", "set"],
  ["X-T", "1", "append"],
  ["x-t", "2", "append"],
];

describe("muxTrailers()", () => {
  it("answers the names and values Connect's trailerMux answers", () => {
    for (const make of [() => new ResponseHeaders(), () => new Headers()]) {
      const header = fill(make(), headerOps);
      const trailer = fill(make(), trailerOps);
      const ours = muxTrailers(header, trailer);
      const theirs = trailerMux(header, trailer);
      expect(sorted(ours)).toEqual(sorted(theirs));
      for (const name of ["content-type", "x-multi", "set-cookie", "trailer-x-t", "trailer-ringkv-reason", "missing"]) expect(ours.get(name), name).toBe(theirs.get(name));
      expect(ours.getSetCookie()).toEqual(theirs.getSetCookie());
    }
  });

  it("answers the headers alone when there are no trailers, and leaves both inputs as they were", () => {
    const header = fill(new ResponseHeaders(), headerOps);
    const trailer = new ResponseHeaders();
    const before = sorted(header);
    const ours = muxTrailers(header, trailer);
    ours.set("content-length", "3");
    expect(sorted(ours)).toEqual(sorted(trailerMux(header, trailer)).concat([["content-length", "3"]]).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(sorted(header)).toEqual(before);
    expect([...trailer]).toEqual([]);
  });
});
