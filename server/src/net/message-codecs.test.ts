import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BallotSchema, type Ballot } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { codecFailures, decodeMessage, encodeMessage, registerWireCodec } from "./message-codecs.js";
import { unhandled } from "./proto-wire.js";

describe("message codecs", () => {
  it("hand a message to protobuf-es when a codec declines it or breaks, and count only the breaks", () => {
    const ballot = create(BallotSchema, { counter: 3n, nodeId: "n1", incarnation: 7n });
    const bytes = toBinary(BallotSchema, ballot);
    let behaviour: "decline" | "break" = "decline";
    registerWireCodec(BallotSchema, {
      encode(): Uint8Array {
        if (behaviour === "decline") throw unhandled;
        throw new TypeError("a bug");
      },
      decode(): Ballot {
        if (behaviour === "decline") throw unhandled;
        throw new TypeError("a bug");
      },
    });
    const before = codecFailures.count;
    expect(encodeMessage(BallotSchema, ballot)).toEqual(bytes);
    expect(decodeMessage(BallotSchema, bytes)).toEqual(fromBinary(BallotSchema, bytes));
    expect(codecFailures.count).toBe(before);
    behaviour = "break";
    expect(encodeMessage(BallotSchema, ballot)).toEqual(bytes);
    expect(decodeMessage(BallotSchema, bytes)).toEqual(fromBinary(BallotSchema, bytes));
    expect(codecFailures.count).toBe(before + 2);
  });
});
