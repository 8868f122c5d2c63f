import { create } from "@bufbuild/protobuf";
import { BallotSchema, type Ballot } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { decodeJsonWithCodec, encodeJsonWithCodec, readStringMembers, registerJsonCodec } from "./json-codecs.js";
import { codecFailures } from "./message-codecs.js";
import { unhandled } from "./proto-wire.js";

describe("JSON codecs", () => {
  it("leave a message to Connect when a codec declines it or breaks, and count only the breaks", () => {
    const ballot = create(BallotSchema, { counter: 3n, nodeId: "n1" });
    let behaviour: "read" | "decline" | "break" = "read";
    registerJsonCodec(BallotSchema, {
      encode(): string {
        if (behaviour === "read") return '{"nodeId":"n1"}';
        if (behaviour === "decline") throw unhandled;
        throw new TypeError("a bug");
      },
      decode(): Ballot {
        if (behaviour === "read") return ballot;
        if (behaviour === "decline") throw unhandled;
        throw new TypeError("a bug");
      },
    });
    const before = codecFailures.count;
    expect(encodeJsonWithCodec(BallotSchema, ballot)).toBe('{"nodeId":"n1"}');
    expect(decodeJsonWithCodec(BallotSchema, "{}")).toBe(ballot);
    behaviour = "decline";
    expect(encodeJsonWithCodec(BallotSchema, ballot)).toBeUndefined();
    expect(decodeJsonWithCodec(BallotSchema, "{}")).toBeUndefined();
    expect(codecFailures.count).toBe(before);
    behaviour = "break";
    expect(encodeJsonWithCodec(BallotSchema, ballot)).toBeUndefined();
    expect(decodeJsonWithCodec(BallotSchema, "{}")).toBeUndefined();
    expect(codecFailures.count).toBe(before + 2);
  });
});

describe("readStringMembers()", () => {
  const read = (text: string) => readStringMembers(text, ["key", "value"], {} as Record<string, string>);

  it("reads up to two named string members, in any order, with JSON's whitespace", () => {
    expect(read("{}")).toEqual({});
    expect(read(' {\t"value" :\r\n"v" , "key":"k"}\n')).toEqual({ key: "k", value: "v" });
    expect(read('{"key":""}')).toEqual({ key: "" });
  });

  it("declines everything else", () => {
    for (const text of ['{"key":"k","key":"j"}', '{"other":"x"}', '{"key":"a\\"b"}', '{"key":"a\u0001"}', '{"key":1}', "[]", '{"key":"k"', '{"key":"k","value":"v","x":"y"}', '\u00a0{"key":"k"}']) {
      expect(() => read(text), text).toThrow(unhandled);
    }
  });
});
