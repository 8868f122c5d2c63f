import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ForwardBatchRequestSchema, ForwardBatchResponseSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
import { expectSameAsProtobufEs, randomBytes, randomText } from "../testing/wire-check.js";
import { encodeForwardBatch, forwardBatchRequestCodec, forwardBatchResponseCodec, type ForwardedCallFields } from "./forward-batch-wire.js";

/** protobuf-es's encoding of the same batch: the reference. */
function reference(calls: readonly ForwardedCallFields[]): Uint8Array {
  return toBinary(ForwardBatchRequestSchema, create(ForwardBatchRequestSchema, { calls: calls.map((c) => ({ ...c, timeoutMs: BigInt(c.timeoutMs) })) }));
}

describe("encodeForwardBatch()", () => {
  it("writes what protobuf-es writes, for random batches of any text, size and timeout", () => {
    const below = seededRandom(23);
    // ASCII, Latin-1, CJK, an astral character (a surrogate pair) and lone surrogates.
    const alphabet = ["a", "Z", "-", "0", "é", "ß", "中", "文", "😀", "\ud800", "\udfff"];
    const text = (max: number) => Array.from({ length: below(max + 1) }, () => alphabet[below(below(4) === 0 ? alphabet.length : 4)]).join("");
    const timeouts = [0, 1, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
    for (let run = 0; run < 300; run++) {
      const calls = Array.from({ length: 1 + below(6) }, (): ForwardedCallFields => {
        const headers: Record<string, string> = {};
        for (let h = below(7); h > 0; h--) headers[`h-${text(12)}`] = text(below(5) === 0 ? 200 : 20);
        return {
          method: text(8),
          request: Uint8Array.from({ length: below(5) === 0 ? 300 : below(40) }, () => below(256)),
          headers,
          timeoutMs: timeouts[below(timeouts.length)]!,
        };
      });
      expect(Buffer.from(encodeForwardBatch(calls)).toString("hex")).toBe(Buffer.from(reference(calls)).toString("hex"));
    }
  });

  it("writes an empty batch as no bytes, and an empty call as an empty entry", () => {
    expect(encodeForwardBatch([])).toHaveLength(0);
    const empty: ForwardedCallFields = { method: "", request: new Uint8Array(0), headers: {}, timeoutMs: 0 };
    expect(Array.from(encodeForwardBatch([empty]))).toEqual(Array.from(reference([empty])));
    expect(Array.from(encodeForwardBatch([empty]))).toEqual([0x0a, 0x00]);
  });

  it("refuses a timeout that is not a whole number of milliseconds rather than writing a wrong one", () => {
    for (const timeoutMs of [Number.POSITIVE_INFINITY, Number.NaN, -1, 1.5]) {
      expect(() => encodeForwardBatch([{ method: "Get", request: new Uint8Array(0), headers: {}, timeoutMs }])).toThrow(RangeError);
    }
  });

  it("decodes batches as protobuf-es does, and writes and reads their answers as protobuf-es does", () => {
    const below = seededRandom(29);
    const text = randomText(below);
    const bytes = randomBytes(below);
    const map = () => Object.fromEntries(Array.from({ length: below(5) }, () => [text(12), text(40)]));
    for (let run = 0; run < 200; run++) {
      const calls = Array.from({ length: below(6) }, (): ForwardedCallFields => ({ method: text(8), request: bytes(60), headers: map(), timeoutMs: below(3) === 0 ? 0 : below(100_000) }));
      const encoded = encodeForwardBatch(calls);
      expect(forwardBatchRequestCodec.decode(encoded)).toEqual(fromBinary(ForwardBatchRequestSchema, encoded));
      const response = create(ForwardBatchResponseSchema, {
        results: Array.from({ length: below(6) }, () => ({ code: below(3) === 0 ? below(17) : 0, response: bytes(80), message: text(40), metadata: map() })),
      });
      expectSameAsProtobufEs(ForwardBatchResponseSchema, forwardBatchResponseCodec, response);
    }
    // A map entry without its value, a key twice: what protobuf-es makes of them.
    const odd = Buffer.from([0x0a, 0x0a, 0x1a, 0x03, 0x0a, 0x01, 0x61, 0x1a, 0x03, 0x0a, 0x01, 0x61]);
    expect(forwardBatchRequestCodec.decode(odd)).toEqual(fromBinary(ForwardBatchRequestSchema, odd));
  });
});
