import { create, toBinary } from "@bufbuild/protobuf";
import { ForwardBatchRequestSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
import { encodeForwardBatch, type ForwardedCallFields } from "./forward-batch-wire.js";

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
});
