import { create } from "@bufbuild/protobuf";
import { DeleteResponseSchema, GetResponseSchema, PutResponseSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { describe, expect, it } from "vitest";
import { encodeMessage } from "../net/message-codecs.js";
import { registerState } from "../replication/register.js";
import { deleteResponse, getResponse, putResponse } from "./kv-answers.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("getResponse()", () => {
  it("answers what create() builds, for text, binary, absent and deleted keys", () => {
    const cases = [
      [registerState({ exists: true, value: utf8("héllo"), binary: false, version: 3n, deletedAtMs: 0n }), { found: true, value: "héllo", version: 3n }],
      [registerState({ exists: true, value: Uint8Array.of(0, 255, 7), binary: true, version: 9n, deletedAtMs: 0n }), { found: true, value: "", version: 9n, binary: true, valueBytes: Uint8Array.of(0, 255, 7) }],
      [registerState({ exists: true, value: utf8("as bytes"), binary: true, version: 1n, deletedAtMs: 0n }), { found: true, value: "as bytes", version: 1n, binary: true, valueBytes: utf8("as bytes") }],
      [registerState({ exists: false, value: new Uint8Array(0), binary: false, version: 4n, deletedAtMs: 17n }), { found: false, version: 0n }],
      [registerState({ exists: false, value: new Uint8Array(0), binary: false, version: 0n, deletedAtMs: 0n }), { found: false, version: 0n }],
    ] as const;
    for (const [state, init] of cases) {
      const answer = getResponse(state);
      const reflective = create(GetResponseSchema, init);
      expect(answer).toEqual(reflective);
      expect(Object.keys(answer).sort()).toEqual(Object.keys(reflective).sort());
      expect(encodeMessage(GetResponseSchema, answer, false)).toEqual(encodeMessage(GetResponseSchema, reflective, false));
    }
  });
});

describe("putResponse() and deleteResponse()", () => {
  it("answer what create() builds", () => {
    expect(putResponse(12n)).toEqual(create(PutResponseSchema, { success: true, version: 12n }));
    expect(deleteResponse(true)).toEqual(create(DeleteResponseSchema, { success: true, found: true }));
    expect(deleteResponse(false)).toEqual(create(DeleteResponseSchema, { success: true, found: false }));
  });
});
