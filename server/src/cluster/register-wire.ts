import type { AcceptorRecord, Ballot, RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import {
  bytesField,
  delimitedSize,
  emptyBytes,
  int64Field,
  once,
  plain,
  putBool,
  putMessage,
  putString,
  putUint64,
  stringField,
  uint64Field,
  unhandled,
  wireCodec,
  writeBytes,
  type ProtoReader,
} from "../net/proto-wire.js";

/**
 * Hand-written protobuf codecs for a key's replicated register (peer.proto): the Ballot and
 * RegisterState that the CASPaxos messages carry (peer-wire.ts), and the AcceptorRecord every
 * acceptor writes to storage (storage/record-store.ts). Same contract and reasons as
 * peer-wire.ts: byte-identical to protobuf-es, and what they don't read plainly goes to
 * protobuf-es by throwing `unhandled`.
 */

// ---- Ballot ----

/**
 * The incarnation field (key and varint) of the last ballot sized or written, encoded. A
 * proposer's incarnation is 64 random bits, so its varint takes BigInt work every time, and a
 * batch answer sizes each of its ballots four times (once per enclosing message) and writes it
 * once; yet a node sees a handful of incarnations (one per proposer process), usually the same
 * one many times in a row.
 */
let lastIncarnation = 0n;
let lastIncarnationField: Buffer = Buffer.alloc(0);

function incarnationField(incarnation: bigint): Buffer {
  if (incarnation === lastIncarnation) return lastIncarnationField;
  const field = Buffer.alloc(uint64Field(incarnation));
  putUint64(field, 0, 0x18, incarnation);
  lastIncarnation = incarnation;
  lastIncarnationField = field;
  return field;
}

/** Encoded size of a Ballot; the messages that carry one (peer-wire.ts) size it with this. */
export function ballotSize(b: Ballot): number {
  plain(b);
  return uint64Field(b.counter) + stringField(b.nodeId) + incarnationField(b.incarnation).byteLength;
}

/** Writes a Ballot's fields at `at` (no tag or length: the caller frames it). */
export function writeBallot(out: Buffer, at: number, b: Ballot): number {
  at = putUint64(out, at, 0x08, b.counter);
  at = putString(out, at, 0x12, b.nodeId);
  const field = incarnationField(b.incarnation);
  for (let i = 0; i < field.length; i++) out[at + i] = field[i]!;
  return at + field.length;
}

/** Reads a Ballot's fields up to `end`. */
export function readBallot(r: ProtoReader, end: number): Ballot {
  const b: Ballot = { $typeName: "ringkv.internal.v1.Ballot", counter: 0n, nodeId: "", incarnation: 0n };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x08: b.counter = r.uint64(); break;
      case 0x12: b.nodeId = r.string(); break;
      case 0x18: b.incarnation = r.uint64(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return b;
}

// ---- RegisterState ----

/** Encoded size of a RegisterState (an accept carries one, so does every record). */
export function stateSize(s: RegisterState): number {
  plain(s);
  if (s.recentOps.length > 0) throw unhandled;
  return (s.exists ? 2 : 0) + bytesField(s.value) + (s.binary ? 2 : 0) + uint64Field(s.version) + int64Field(s.deletedAtMs)
    + uint64Field(s.opsForgottenThrough) + bytesField(s.recentOpsPacked);
}

/** Writes a RegisterState's fields at `at` (no tag or length). */
export function writeState(out: Buffer, at: number, s: RegisterState): number {
  at = putBool(out, at, 0x08, s.exists);
  if (s.value.byteLength > 0) at = writeBytes(out, at, 0x12, s.value);
  at = putBool(out, at, 0x18, s.binary);
  at = putUint64(out, at, 0x20, s.version);
  at = putUint64(out, at, 0x28, s.deletedAtMs);
  at = putUint64(out, at, 0x38, s.opsForgottenThrough);
  if (s.recentOpsPacked.byteLength > 0) at = writeBytes(out, at, 0x42, s.recentOpsPacked);
  return at;
}

/** Reads a RegisterState's fields up to `end`; unset bytes fields share one empty array. */
export function readState(r: ProtoReader, end: number): RegisterState {
  const s: RegisterState = {
    $typeName: "ringkv.internal.v1.RegisterState",
    exists: false,
    value: emptyBytes,
    binary: false,
    version: 0n,
    deletedAtMs: 0n,
    recentOps: [],
    opsForgottenThrough: 0n,
    recentOpsPacked: emptyBytes,
  };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x08: s.exists = r.bool(); break;
      case 0x12: s.value = r.bytes(); break;
      case 0x18: s.binary = r.bool(); break;
      case 0x20: s.version = r.uint64(); break;
      case 0x28: s.deletedAtMs = r.int64(); break;
      case 0x38: s.opsForgottenThrough = r.uint64(); break;
      case 0x42: s.recentOpsPacked = r.bytes(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return s;
}

// ---- AcceptorRecord (storage) ----

function recordSize(m: AcceptorRecord): number {
  plain(m);
  return (m.promised ? delimitedSize(ballotSize(m.promised)) : 0) + (m.accepted ? delimitedSize(ballotSize(m.accepted)) : 0)
    + (m.state ? delimitedSize(stateSize(m.state)) : 0) + stringField(m.fullKey);
}

function writeRecord(out: Buffer, at: number, m: AcceptorRecord): number {
  if (m.promised) at = putMessage(out, at, 0x0a, m.promised, ballotSize, writeBallot);
  if (m.accepted) at = putMessage(out, at, 0x12, m.accepted, ballotSize, writeBallot);
  if (m.state) at = putMessage(out, at, 0x1a, m.state, stateSize, writeState);
  return putString(out, at, 0x7a, m.fullKey);
}

function readRecord(r: ProtoReader, end: number): AcceptorRecord {
  const m: AcceptorRecord = { $typeName: "ringkv.internal.v1.AcceptorRecord", fullKey: "" };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: once(m.promised); m.promised = readBallot(r, r.delimitedEnd()); break;
      case 0x12: once(m.accepted); m.accepted = readBallot(r, r.delimitedEnd()); break;
      case 0x1a: once(m.state); m.state = readState(r, r.delimitedEnd()); break;
      case 0x7a: m.fullKey = r.string(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

// ---- the codecs ----

/** Ballot on its own (the acceptor's stored floor). */
export const ballotCodec = wireCodec("Ballot", ballotSize, writeBallot, readBallot);
/** What an acceptor stores per key: promise, accepted ballot, accepted state. */
export const acceptorRecordCodec = wireCodec("AcceptorRecord", recordSize, writeRecord, readRecord);
