import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
import { ProtoReader, varint64Size, writeVarint64 } from "./proto-wire.js";

describe("64-bit varints", () => {
  it("are written, sized and read as protobuf-es does, at every bit length and below zero", () => {
    const below = seededRandom(5);
    const values: bigint[] = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, -1n, -(2n ** 63n)];
    for (let bits = 1; bits <= 64; bits++) {
      for (let k = 0; k < 8; k++) {
        let v = 1n << BigInt(bits - 1);
        for (let b = 0; b < bits - 1; b++) if (below(2) === 1) v |= 1n << BigInt(b);
        values.push(v, -v);
      }
    }
    for (const value of values.filter((v) => v >= -(2n ** 63n) && v < 2n ** 64n)) {
      const signed = value >= -(2n ** 63n) && value < 2n ** 63n;
      const reference = signed ? new BinaryWriter().int64(value).finish() : new BinaryWriter().uint64(value).finish();
      const out = Buffer.alloc(10);
      const end = writeVarint64(out, 0, value);
      expect(out.subarray(0, end).toString("hex")).toBe(Buffer.from(reference).toString("hex"));
      expect(varint64Size(value)).toBe(reference.byteLength);
      const reader = new ProtoReader(reference);
      expect(signed ? reader.int64() : reader.uint64()).toBe(value);
      expect(reader.pos).toBe(reference.byteLength);
    }
  });
});
