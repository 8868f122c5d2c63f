import { create, toBinary } from "@bufbuild/protobuf";
import { ForwardedCallSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
import { encodeShortAscii, installShortStringUtf8 } from "./short-utf8.js";

const reference = new TextEncoder();

/** Random strings of up to `maxLength` characters, some plain ASCII, some with controls, Latin-1, CJK and astral characters. */
function randomStrings(count: number, seed: number, maxLength = 80): string[] {
  const below = seededRandom(seed);
  const pools: Array<[number, number]> = [[0x20, 0x7f], [0x00, 0x80], [0x80, 0x800], [0x4e00, 0x9fff], [0x1f600, 0x1f64f]];
  return Array.from({ length: count }, () => {
    const ascii = below(2) === 0;
    let text = "";
    for (let n = below(maxLength + 1); n > 0; n--) {
      const [lo, hi] = ascii ? pools[below(2)]! : pools[below(pools.length)]!;
      text += String.fromCodePoint(lo + below(hi - lo));
    }
    return text;
  });
}

describe("encodeShortAscii()", () => {
  it("gives TextEncoder's bytes for short ASCII and declines everything else", () => {
    let encoded = 0;
    for (const text of randomStrings(2_000, 7)) {
      const bytes = encodeShortAscii(text);
      const ascii = [...text].every((c) => c.charCodeAt(0) < 0x80);
      if (ascii && text.length <= 64) {
        expect(bytes).toEqual(reference.encode(text));
        encoded++;
      } else {
        expect(bytes).toBeUndefined();
      }
    }
    expect(encoded).toBeGreaterThan(500);
  });

  it("handles the edges: empty, 64 and 65 characters, DEL and the first non-ASCII character", () => {
    expect(encodeShortAscii("")).toEqual(new Uint8Array(0));
    expect(encodeShortAscii("a".repeat(64))).toEqual(reference.encode("a".repeat(64)));
    expect(encodeShortAscii("a".repeat(65))).toBeUndefined();
    expect(encodeShortAscii("\x7f")).toEqual(new Uint8Array([0x7f]));
    expect(encodeShortAscii("a\x80")).toBeUndefined();
  });
});

describe("installShortStringUtf8()", () => {
  it("leaves protobuf-es's binary output unchanged for any string, short, pooled or long", () => {
    const messages = randomStrings(300, 11, 1_300).map((text, i) =>
      create(ForwardedCallSchema, { method: text, headers: { [`h-${i}`]: text, [text]: "v" }, timeoutMs: BigInt(i) }),
    );
    const before = messages.map((m) => toBinary(ForwardedCallSchema, m));
    installShortStringUtf8();
    const after = messages.map((m) => toBinary(ForwardedCallSchema, m));
    expect(after).toEqual(before);
  });
});
