import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  AcceptorBatchRequestSchema,
  AcceptorBatchResponseSchema,
  AcceptorRecordSchema,
  AcceptorResultSchema,
  AcceptRequestSchema,
  AcceptResponseSchema,
  BallotSchema,
  PrepareRequestSchema,
  PrepareResponseSchema,
  ReadLocalRequestSchema,
  ReadLocalResponseSchema,
  RegisterStateSchema,
  type AcceptorCall,
  type AcceptorResult,
  type Ballot,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../net/message-codecs.js";
import { seededRandom } from "../testing/seeded-random.js";
import { expectSameAsProtobufEs as check, randomBytes, randomText, uint64Samples as uint64s } from "../testing/wire-check.js";
import {
  acceptorBatchRequestCodec,
  acceptorBatchResponseCodec,
  acceptRequestCodec,
  acceptResponseCodec,
  installPeerWireCodecs,
  prepareRequestCodec,
  prepareResponseCodec,
  readLocalRequestCodec,
  readLocalResponseCodec,
} from "./peer-wire.js";
import { acceptorRecordCodec, ballotCodec } from "./register-wire.js";

const below = seededRandom(41);
const text = randomText(below);
const bytes = randomBytes(below);
const int64s = [0n, 1n, 1_700_000_000_000n, -1n, -(2n ** 63n), 2n ** 63n - 1n];
const pick = <T>(values: readonly T[]): T => values[below(values.length)]!;
const maybe = <T>(make: () => T): T | undefined => (below(3) === 0 ? undefined : make());

function ballot(): Ballot {
  return create(BallotSchema, { counter: pick(uint64s), nodeId: text(6), incarnation: pick(uint64s) });
}

function state(): RegisterState {
  return create(RegisterStateSchema, {
    exists: below(2) === 1,
    value: bytes(below(6) === 0 ? 5000 : 120),
    binary: below(2) === 1,
    version: pick(uint64s),
    deletedAtMs: pick(int64s),
    opsForgottenThrough: pick(uint64s),
    recentOpsPacked: bytes(below(4) === 0 ? 0 : 300),
  });
}

function call(): AcceptorCall {
  switch (below(4)) {
    case 0: return create(AcceptorBatchRequestSchema.field.calls.message!, { call: { case: "prepare", value: { key: text(20), ...(maybe(ballot) ? { ballot: ballot() } : {}) } } }) as AcceptorCall;
    case 1: return create(AcceptorBatchRequestSchema.field.calls.message!, {
      call: { case: "accept", value: { key: text(20), forget: below(4) === 0, ...(maybe(ballot) ? { ballot: ballot() } : {}), ...(maybe(state) ? { state: state() } : {}), ...(maybe(ballot) ? { promiseNext: ballot() } : {}) } },
    }) as AcceptorCall;
    case 2: return create(AcceptorBatchRequestSchema.field.calls.message!, { call: { case: "read", value: { key: text(20), ballotOnly: below(2) === 1 } } }) as AcceptorCall;
    default: return create(AcceptorBatchRequestSchema.field.calls.message!, {}) as AcceptorCall;
  }
}

function result(): AcceptorResult {
  const schema = AcceptorBatchResponseSchema.field.results.message!;
  const opt = <K extends string, T>(k: K, make: () => T) => (below(3) === 0 ? {} : { [k]: make() });
  switch (below(5)) {
    case 0: return create(schema, { result: { case: "prepare", value: { ok: below(2) === 1, ...opt("promised", ballot), ...opt("accepted", ballot), ...opt("state", state) } } }) as AcceptorResult;
    case 1: return create(schema, { result: { case: "accept", value: { ok: below(2) === 1, ...opt("promised", ballot) } } }) as AcceptorResult;
    case 2: return create(schema, { result: { case: "read", value: { ...opt("state", state), ...opt("accepted", ballot) } } }) as AcceptorResult;
    case 3: return create(schema, { result: { case: "error", value: { reason: text(10), message: text(60) } } }) as AcceptorResult;
    default: return create(schema, {}) as AcceptorResult;
  }
}

describe("peer-wire codecs", () => {
  it("match protobuf-es on random messages of every kind", () => {
    for (let run = 0; run < 150; run++) {
      check(BallotSchema, ballotCodec, ballot());
      check(AcceptorRecordSchema, acceptorRecordCodec, create(AcceptorRecordSchema, { fullKey: below(3) === 0 ? text(30) : "", ...(maybe(ballot) ? { promised: ballot() } : {}), ...(maybe(ballot) ? { accepted: ballot() } : {}), ...(maybe(state) ? { state: state() } : {}) }));
      const c = call();
      if (c.call.case === "prepare") check(PrepareRequestSchema, prepareRequestCodec, c.call.value);
      if (c.call.case === "accept") check(AcceptRequestSchema, acceptRequestCodec, c.call.value);
      if (c.call.case === "read") check(ReadLocalRequestSchema, readLocalRequestCodec, c.call.value);
      const r = result();
      if (r.result.case === "prepare") check(PrepareResponseSchema, prepareResponseCodec, r.result.value);
      if (r.result.case === "accept") check(AcceptResponseSchema, acceptResponseCodec, r.result.value);
      if (r.result.case === "read") check(ReadLocalResponseSchema, readLocalResponseCodec, r.result.value);
      check(AcceptorBatchRequestSchema, acceptorBatchRequestCodec, create(AcceptorBatchRequestSchema, { calls: Array.from({ length: below(8) }, call) }));
      check(AcceptorBatchResponseSchema, acceptorBatchResponseCodec, create(AcceptorBatchResponseSchema, { results: Array.from({ length: below(8) }, result) }));
    }
  });

  it("encode ballots right whether their incarnation is the one encoded last or another (the codec remembers the last)", () => {
    // Hit, miss, hit, zero (no field), and a value below 2^53, in one batch and across calls.
    const incarnations = [0xf123456789abcden, 0xf123456789abcden, 7n, 0xf123456789abcden, 0n, 2n ** 64n - 1n, 2n ** 64n - 1n, 300n];
    const results = incarnations.map((incarnation, i): AcceptorResult =>
      create(AcceptorResultSchema, { result: { case: "accept", value: create(AcceptResponseSchema, { ok: true, promised: create(BallotSchema, { counter: BigInt(i), nodeId: "n1", incarnation }) }) } }));
    check(AcceptorBatchResponseSchema, acceptorBatchResponseCodec, create(AcceptorBatchResponseSchema, { results }));
    for (const incarnation of [...incarnations, ...[...incarnations].reverse()]) {
      check(BallotSchema, ballotCodec, create(BallotSchema, { counter: 3n, nodeId: "n2", incarnation }));
      check(AcceptorRecordSchema, acceptorRecordCodec, create(AcceptorRecordSchema, { promised: create(BallotSchema, { counter: 4n, nodeId: "n2", incarnation }), accepted: create(BallotSchema, { counter: 3n, nodeId: "n3", incarnation: 5n }) }));
    }
  });

  it("leave to protobuf-es what they do not read plainly, which then gives its own answer or error", () => {
    installPeerWireCodecs();
    const plain = create(AcceptorRecordSchema, { fullKey: "k", promised: ballot(), state: state() });
    const bytesOf = toBinary(AcceptorRecordSchema, plain);
    // An unknown field (99, varint), a field twice (promised merged), a bool written as 2.
    const unknown = Buffer.concat([bytesOf, Buffer.from([0x98, 0x06, 0x05])]);
    const twice = Buffer.concat([bytesOf, toBinary(AcceptorRecordSchema, create(AcceptorRecordSchema, { promised: { incarnation: 9n } }))]);
    const oddBool = Buffer.from([0x1a, 0x02, 0x08, 0x02]); // state { exists: 2 }
    for (const input of [unknown, twice, oddBool]) {
      expect(() => acceptorRecordCodec.decode(input)).toThrow();
      expect(decodeMessage(AcceptorRecordSchema, input)).toEqual(fromBinary(AcceptorRecordSchema, input));
    }
    // What protobuf-es keeps (unknown fields, the deprecated op list) it also writes back.
    const withUnknown = fromBinary(AcceptorRecordSchema, unknown);
    expect(() => acceptorRecordCodec.encode(withUnknown, true)).toThrow();
    expect(Buffer.from(encodeMessage(AcceptorRecordSchema, withUnknown)).equals(unknown)).toBe(true);
    const oldOps = create(RegisterStateSchema, { recentOps: [{ id: "op", version: 3n, atMs: 5n }] });
    const record = create(AcceptorRecordSchema, { state: oldOps });
    expect(Buffer.from(encodeMessage(AcceptorRecordSchema, record)).toString("hex")).toBe(Buffer.from(toBinary(AcceptorRecordSchema, record)).toString("hex"));
    // Truncated bytes and invalid UTF-8: protobuf-es's errors.
    for (const bad of [bytesOf.subarray(0, bytesOf.length - 1), Buffer.from([0x7a, 0x02, 0xc3, 0x28])]) {
      expect(() => decodeMessage(AcceptorRecordSchema, bad)).toThrow();
      let expected: unknown;
      try {
        fromBinary(AcceptorRecordSchema, bad);
      } catch (err) {
        expected = err;
      }
      expect(() => decodeMessage(AcceptorRecordSchema, bad)).toThrow((expected as Error).message);
    }
    // A uint64 out of range: protobuf-es's error.
    const negative = create(BallotSchema, { counter: -1n });
    expect(() => encodeMessage(BallotSchema, negative)).toThrow(/invalid uint64/);
  });
});
