import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { expect } from "vitest";
import type { WireCodec } from "../net/message-codecs.js";

/**
 * Asserts that a hand-written codec writes protobuf-es's bytes for `message` (pooled or not) and
 * reads those bytes back to protobuf-es's message (for tests of the *-wire.ts codecs).
 */
export function expectSameAsProtobufEs<D extends DescMessage>(schema: D, codec: Required<WireCodec<MessageShape<D>>>, message: MessageShape<D>): void {
  const reference = toBinary(schema, message);
  for (const pooled of [true, false]) {
    expect(Buffer.from(codec.encode(message, pooled)).toString("hex")).toBe(Buffer.from(reference).toString("hex"));
  }
  expect(codec.decode(reference)).toEqual(fromBinary(schema, reference));
}

/** Random text over ASCII, Latin-1, CJK, an astral character (a surrogate pair) and lone surrogates. */
export function randomText(below: (n: number) => number): (max: number) => string {
  const alphabet = ["a", "Z", "-", "0", "é", "ß", "中", "😀", "\ud800", "\udfff"];
  return (max) => Array.from({ length: below(max + 1) }, () => alphabet[below(below(4) === 0 ? alphabet.length : 3)]).join("");
}

/** Random bytes, up to `max`. */
export function randomBytes(below: (n: number) => number): (max: number) => Uint8Array {
  return (max) => Uint8Array.from({ length: below(max + 1) }, () => below(256));
}

/** uint64 values at every varint length boundary that matters, up to 2^64 - 1. */
export const uint64Samples = [0n, 1n, 127n, 128n, 2n ** 32n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
