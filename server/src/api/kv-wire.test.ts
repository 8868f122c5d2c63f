import { create, fromBinary } from "@bufbuild/protobuf";
import {
  DeleteRequestSchema,
  DeleteResponseSchema,
  GetRequestSchema,
  GetResponseSchema,
  PutRequestSchema,
  PutResponseSchema,
  type Consistency,
} from "@ringkv/gen/kvstore/kvstore_pb.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random.js";
import { expectSameAsProtobufEs, randomBytes, randomText, uint64Samples } from "../testing/wire-check.js";
import {
  deleteRequestCodec,
  deleteResponseCodec,
  getRequestCodec,
  getResponseCodec,
  putRequestCodec,
  putResponseCodec,
} from "./kv-wire.js";

describe("kv-wire codecs", () => {
  it("match protobuf-es on random Get, Put and Delete messages", () => {
    const below = seededRandom(7);
    const text = randomText(below);
    const bytes = randomBytes(below);
    const version = () => uint64Samples[below(uint64Samples.length)]!;
    const expected = () => (below(3) === 0 ? {} : { expectedVersion: version() });
    for (let run = 0; run < 300; run++) {
      expectSameAsProtobufEs(GetRequestSchema, getRequestCodec, create(GetRequestSchema, { key: text(30), consistency: below(4) }));
      expectSameAsProtobufEs(GetResponseSchema, getResponseCodec, create(GetResponseSchema, { value: text(below(5) === 0 ? 3000 : 100), found: below(2) === 1, version: version(), valueBytes: bytes(below(3) === 0 ? 200 : 0), binary: below(2) === 1 }));
      expectSameAsProtobufEs(PutRequestSchema, putRequestCodec, create(PutRequestSchema, { key: text(30), value: text(120), valueBytes: bytes(below(3) === 0 ? 200 : 0), ...expected() }));
      expectSameAsProtobufEs(PutResponseSchema, putResponseCodec, create(PutResponseSchema, { success: below(2) === 1, version: version() }));
      expectSameAsProtobufEs(DeleteRequestSchema, deleteRequestCodec, create(DeleteRequestSchema, { key: text(30), ...expected() }));
      expectSameAsProtobufEs(DeleteResponseSchema, deleteResponseCodec, create(DeleteResponseSchema, { success: below(2) === 1, found: below(2) === 1 }));
    }
  });

  it("keeps an explicitly set expected_version of 0 apart from none", () => {
    const zero = putRequestCodec.decode(putRequestCodec.encode(create(PutRequestSchema, { key: "k", expectedVersion: 0n }), true));
    expect(zero.expectedVersion).toBe(0n);
    const none = putRequestCodec.decode(putRequestCodec.encode(create(PutRequestSchema, { key: "k" }), true));
    expect("expectedVersion" in none).toBe(false);
  });

  it("leaves negative enum values and unknown fields to protobuf-es", () => {
    const negative = create(GetRequestSchema, { key: "k", consistency: -1 as Consistency });
    expect(() => getRequestCodec.encode(negative, true)).toThrow();
    const unknownField = Buffer.from([0x0a, 0x01, 0x6b, 0x30, 0x01]); // key "k", field 6 = 1
    expect(() => getRequestCodec.decode(unknownField)).toThrow();
    expect(fromBinary(GetRequestSchema, unknownField).key).toBe("k");
  });
});
