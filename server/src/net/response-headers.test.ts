import { describe, expect, it } from "vitest";
import { ResponseHeaders } from "./response-headers.js";

/** Applies the same operations to a ResponseHeaders and a fetch Headers. */
function both(ops: (h: Headers) => void): [Headers, Headers] {
  const ours = new ResponseHeaders();
  const theirs = new Headers();
  ops(ours);
  ops(theirs);
  return [ours, theirs];
}

const sorted = (h: Headers) => [...h].sort(([a], [b]) => (a < b ? -1 : 1));

describe("ResponseHeaders", () => {
  it("answers get, has and iteration as fetch Headers does", () => {
    const [ours, theirs] = both((h) => {
      h.set("Content-Type", "application/grpc");
      h.append("x-a", " one ");
      h.append("X-A", "two");
      h.set("x-lead", "\t lead");
      h.set("x-trail", "trail \r\n");
      h.set("x-inner", "in ner");
      h.set("x-blank", " ");
      h.set("grpc-status", "0");
      h.append("set-cookie", "a=1");
      h.append("set-cookie", "b=2");
      h.set("grpc-status", "5");
      h.delete("nothing");
    });
    for (const name of ["content-type", "CONTENT-TYPE", "x-a", "x-lead", "x-trail", "x-inner", "x-blank", "grpc-status", "set-cookie", "missing"]) {
      expect(ours.get(name), name).toBe(theirs.get(name));
      expect(ours.has(name), name).toBe(theirs.has(name));
    }
    expect(ours.getSetCookie()).toEqual(theirs.getSetCookie());
    expect(sorted(ours)).toEqual(sorted(theirs));
    const seen: string[] = [];
    ours.forEach((value, key) => seen.push(`${key}=${value}`));
    expect(seen.sort()).toEqual(sorted(theirs).map(([k, v]) => `${k}=${v}`));
  });

  it("replaces every earlier value on set and removes all on delete", () => {
    const [ours, theirs] = both((h) => {
      h.append("x", "1");
      h.append("x", "2");
      h.set("x", "3");
      h.append("y", "1");
      h.append("y", "2");
      h.delete("Y");
    });
    expect(sorted(ours)).toEqual(sorted(theirs));
    expect([...ours.keys()]).toEqual(["x"]);
    expect([...ours.values()]).toEqual(["3"]);
  });

  it("refuses what fetch Headers refuses", () => {
    for (const [name, value] of [["bad name", "v"], ["x", "a\nb"], ["x", "a\rb"], ["", "v"]] as const) {
      expect(() => new Headers().set(name, value)).toThrow(TypeError);
      expect(() => new ResponseHeaders().set(name, value)).toThrow(TypeError);
    }
  });

  it("can seed a fetch Headers (Connect's trailerMux does)", () => {
    const ours = new ResponseHeaders({ "content-type": "application/json", "x-request-id": "r" });
    expect(sorted(new Headers(ours))).toEqual([["content-type", "application/json"], ["x-request-id", "r"]]);
  });
});
