import { Code, ConnectError } from "@connectrpc/connect";
import { parseTimeout } from "@connectrpc/connect/protocol-grpc";
import { describe, expect, it } from "vitest";
import { encodeEnvelope, EnvelopeReader, formatGrpcTimeout, parseGrpcTimeout } from "./grpc-wire.js";

describe("parseGrpcTimeout()", () => {
  const valid = ["1m", "0m", "0S", "10S", "5M", "2H", "1500u", "3u", "999999n", "99999999H", "00000007m", "12345678S"];
  it.each(valid)("reads %s as Connect's parseTimeout does", (value) => {
    expect(parseGrpcTimeout(value)).toBe(parseTimeout(value, Number.MAX_SAFE_INTEGER).timeoutMs);
  });

  const invalid = ["", "m", "1", "123456789m", "1x", "-1m", "1.5m", " 1m", "1m ", "１m", "1 m", "1ms"];
  it.each(invalid)("rejects %j, which Connect answers with an error", (value) => {
    expect(parseGrpcTimeout(value)).toBeNull();
    expect(parseTimeout(value, Number.MAX_SAFE_INTEGER).error).toBeInstanceOf(ConnectError);
  });

  it("returns undefined without a header", () => {
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
  });

  it("formats a deadline as connect-es clients do", () => {
    expect(formatGrpcTimeout(250)).toBe("250m");
    expect(parseGrpcTimeout(formatGrpcTimeout(250))).toBe(250);
  });
});

describe("EnvelopeReader", () => {
  const msg = (n: number) => Buffer.alloc(n, 7);

  it("reads one envelope delivered in one chunk", () => {
    const reader = new EnvelopeReader(100);
    const [env, ...rest] = reader.push(encodeEnvelope(msg(10)));
    expect(rest).toEqual([]);
    expect(env!.flags).toBe(0);
    expect(Buffer.from(env!.data).equals(msg(10))).toBe(true);
    expect(() => reader.end()).not.toThrow();
  });

  it("reads an envelope split at every byte, header included", () => {
    const bytes = encodeEnvelope(msg(9), 1);
    const reader = new EnvelopeReader(100);
    const seen = [];
    for (let i = 0; i < bytes.length; i++) seen.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.flags).toBe(1);
    expect(Buffer.from(seen[0]!.data).equals(msg(9))).toBe(true);
  });

  it("reads two envelopes from one chunk and an empty message", () => {
    const reader = new EnvelopeReader(100);
    const envs = reader.push(Buffer.concat([encodeEnvelope(msg(3)), encodeEnvelope(new Uint8Array(0))]));
    expect(envs.map((e) => e.data.byteLength)).toEqual([3, 0]);
  });

  it("refuses a declared length over readMaxBytes as soon as the header arrives (ResourceExhausted)", () => {
    const reader = new EnvelopeReader(100);
    const header = encodeEnvelope(msg(101)).subarray(0, 5);
    const err = (() => {
      try {
        reader.push(header);
      } catch (e) {
        return e as ConnectError;
      }
      return undefined;
    })();
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.rawMessage).toBe("message size 101 is larger than configured readMaxBytes 100");
  });

  it("accepts a message of exactly readMaxBytes", () => {
    expect(new EnvelopeReader(100).push(encodeEnvelope(msg(100)))).toHaveLength(1);
  });

  it("reports a truncated envelope at the end (InvalidArgument)", () => {
    const reader = new EnvelopeReader(100);
    expect(reader.push(encodeEnvelope(msg(10)).subarray(0, 8))).toEqual([]);
    expect(() => reader.end()).toThrow(expect.objectContaining({ code: Code.InvalidArgument, rawMessage: "protocol error: incomplete envelope" }) as Error);
  });
});

describe("encodeEnvelope()", () => {
  it("writes flags and a big-endian length before the message", () => {
    expect(encodeEnvelope(Buffer.from([0xaa, 0xbb]), 1).toString("hex")).toBe("0100000002aabb");
  });
});
