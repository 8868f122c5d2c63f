import { create, toBinary } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { createMethodSerializationLookup } from "@connectrpc/connect/protocol";
import { GetResponseSchema, KeyValueService, PutRequestSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { beforeAll, describe, expect, it } from "vitest";
import { installKvJsonCodecs } from "../api/kv-json.js";
import { installKvWireCodecs } from "../api/kv-wire.js";
import { createLeanSerialization } from "./lean-serialization.js";

const readMaxBytes = 1024;
const put = KeyValueService.method.put;
const get = KeyValueService.method.get;
const connectPut = createMethodSerializationLookup(put, undefined, undefined, { readMaxBytes, writeMaxBytes: 0xffffffff });
const connectGet = createMethodSerializationLookup(get, undefined, undefined, { readMaxBytes, writeMaxBytes: 0xffffffff });

/** The outcome of a parse: the message, or the ConnectError's code and message. */
function outcome(parse: () => unknown): unknown {
  try {
    return parse();
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.message };
  }
}

describe("createLeanSerialization()", () => {
  beforeAll(() => {
    installKvWireCodecs();
    installKvJsonCodecs();
  });
  const lean = createLeanSerialization(readMaxBytes);
  const text = (s: string) => new TextEncoder().encode(s);

  it("reads requests as Connect does, through the codecs or not", () => {
    const bodies = [
      { binary: false, bytes: text('{"key":"k","value":"v"}') }, // a codec reads it
      { binary: false, bytes: text('{"key":"k","expectedVersion":"7"}') }, // declined: protobuf-es
      { binary: true, bytes: toBinary(PutRequestSchema, create(PutRequestSchema, { key: "k", value: "v", expectedVersion: 0n })) },
    ];
    for (const { binary, bytes } of bodies) {
      expect(lean.parse(put, binary, bytes)).toEqual(connectPut.getI(binary).parse(bytes));
    }
  });

  it("rejects malformed bodies with Connect's errors", () => {
    const bodies = [
      { binary: false, bytes: text('{"key":"k","key":"j"}') },
      { binary: false, bytes: text('{"key":') },
      { binary: false, bytes: text('{"key":"k","value":5}') },
      { binary: true, bytes: Uint8Array.of(0x0a, 0x05, 0x6b) }, // a string longer than the body
      { binary: false, bytes: new Uint8Array(readMaxBytes + 1).fill(0x20) }, // over the read limit
    ];
    for (const { binary, bytes } of bodies) {
      const expected = outcome(() => connectPut.getI(binary).parse(bytes));
      expect(expected).toHaveProperty("code");
      expect(outcome(() => lean.parse(put, binary, bytes))).toEqual(expected);
    }
  });

  it("writes answers as Connect does", () => {
    const answers = [
      create(GetResponseSchema, { value: "v", found: true, version: 3n }),
      create(GetResponseSchema, { valueBytes: Uint8Array.of(0, 1, 255), binary: true, found: true, version: 2n ** 64n - 1n }),
      create(GetResponseSchema, {}),
    ];
    for (const answer of answers) {
      for (const binary of [false, true]) {
        const expected = Buffer.from(connectGet.getO(binary).serialize(answer)).toString("hex");
        expect(Buffer.from(lean.serialize(get, binary, answer)).toString("hex")).toBe(expected);
      }
    }
  });
});
