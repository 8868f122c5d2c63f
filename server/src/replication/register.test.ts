import { create } from "@bufbuild/protobuf";
import { RegisterStateSchema } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { encodeMessage } from "../net/message-codecs.js";
import { RingkvError } from "../errors.js";
import { deleteChange, emptyRegister, isTombstone, putChange, readChange, registerState, visibleVersion } from "./register.js";

const bytes = (s: string) => new TextEncoder().encode(s);

function mismatch(fn: () => unknown): RingkvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RingkvError) return error;
    throw error;
  }
  throw new Error("expected a version mismatch");
}

describe("registerState()", () => {
  it("builds the message protobuf-es's create() builds, field for field and byte for byte", () => {
    const cases = [
      { exists: true, value: bytes("v"), binary: false, version: 7n, deletedAtMs: 0n },
      { exists: false, value: new Uint8Array(0), binary: false, version: 8n, deletedAtMs: 1_700_000_000_000n },
      { exists: true, value: Uint8Array.of(0, 255), binary: true, version: 2n ** 64n - 1n, deletedAtMs: 0n },
    ];
    for (const fields of cases) {
      const literal = registerState(fields);
      const reflective = create(RegisterStateSchema, fields);
      expect(literal).toEqual(reflective);
      expect(Object.keys(literal).sort()).toEqual(Object.keys(reflective).sort());
      expect(encodeMessage(RegisterStateSchema, literal, false)).toEqual(encodeMessage(RegisterStateSchema, reflective, false));
    }
    expect(emptyRegister()).toEqual(create(RegisterStateSchema));
  });
});

describe("putChange()", () => {
  it("writes the value at version + 1", () => {
    const v1 = putChange({ value: bytes("a") })(emptyRegister());
    expect(v1).toMatchObject({ exists: true, version: 1n, binary: false });
    const v2 = putChange({ value: bytes("b"), binary: true })(v1);
    expect(v2).toMatchObject({ exists: true, version: 2n, binary: true, value: bytes("b") });
  });

  it("fails a compare-and-set with version_mismatch naming the current version", () => {
    const v1 = putChange({ value: bytes("a") })(emptyRegister());
    const error = mismatch(() => putChange({ value: bytes("b"), expectedVersion: 3n })(v1));
    expect(error.reason).toBe("version_mismatch");
    expect(error.details.currentVersion).toBe(1n);
    expect(error.message).toContain("current version is 1");
  });

  it("treats expected version 0 as put-if-absent, also over a tombstone", () => {
    const v1 = putChange({ value: bytes("a") })(emptyRegister());
    expect(mismatch(() => putChange({ value: bytes("b"), expectedVersion: 0n })(v1)).details.currentVersion).toBe(1n);
    const tomb = deleteChange({ nowMs: 5 })(v1);
    const again = putChange({ value: bytes("c"), expectedVersion: 0n })(tomb);
    expect(again).toMatchObject({ exists: true, version: 3n });
  });
});

describe("deleteChange()", () => {
  it("leaves a tombstone at version + 1 that remembers when", () => {
    const v1 = putChange({ value: bytes("a") })(emptyRegister());
    const tomb = deleteChange({ nowMs: 1234 })(v1);
    expect(tomb).toMatchObject({ exists: false, version: 2n, deletedAtMs: 1234n });
    expect(isTombstone(tomb)).toBe(true);
    expect(visibleVersion(tomb)).toBe(0n);
  });

  it("leaves a missing key unchanged", () => {
    const empty = emptyRegister();
    expect(deleteChange({ nowMs: 1 })(empty)).toBe(empty);
    const tomb = deleteChange({ nowMs: 1 })(putChange({ value: bytes("a") })(empty));
    expect(deleteChange({ nowMs: 2 })(tomb)).toBe(tomb);
  });

  it("checks the expected version", () => {
    const v1 = putChange({ value: bytes("a") })(emptyRegister());
    expect(mismatch(() => deleteChange({ nowMs: 1, expectedVersion: 2n })(v1)).details.currentVersion).toBe(1n);
    expect(deleteChange({ nowMs: 1, expectedVersion: 1n })(v1).exists).toBe(false);
  });
});

describe("readChange", () => {
  it("is the identity", () => {
    const s = putChange({ value: bytes("a") })(emptyRegister());
    expect(readChange(s)).toBe(s);
  });
});
