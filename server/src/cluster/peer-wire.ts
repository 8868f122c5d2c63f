import {
  AcceptorBatchRequestSchema,
  AcceptorBatchResponseSchema,
  AcceptorRecordSchema,
  AcceptRequestSchema,
  AcceptResponseSchema,
  BallotSchema,
  PrepareRequestSchema,
  PrepareResponseSchema,
  ReadLocalRequestSchema,
  ReadLocalResponseSchema,
  type AcceptorBatchRequest,
  type AcceptorBatchResponse,
  type AcceptorCall,
  type AcceptorCallError,
  type AcceptorResult,
  type AcceptRequest,
  type AcceptResponse,
  type PrepareRequest,
  type PrepareResponse,
  type ReadLocalRequest,
  type ReadLocalResponse,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { registerWireCodec } from "../net/message-codecs.js";
import {
  delimitedSize,
  listSize,
  once,
  plain,
  putBool,
  putMessage,
  putString,
  readList,
  stringField,
  unhandled,
  wireCodec,
  writeList,
  type ProtoReader,
} from "../net/proto-wire.js";
import { acceptorRecordCodec, ballotCodec, ballotSize, readBallot, readState, stateSize, writeBallot, writeState } from "./register-wire.js";

/**
 * Hand-written protobuf codecs for the CASPaxos messages (peer.proto): what a proposer sends to
 * acceptors (AcceptorBatchRequest and the single Prepare/Accept/ReadLocal calls) and their
 * answers; the register they carry, and the AcceptorRecord every acceptor writes to storage,
 * are in register-wire.ts. Byte-identical to protobuf-es's `toBinary`, decoding to the same
 * messages as `fromBinary` (peer-wire.test.ts, on random messages); what they don't read
 * plainly (unknown fields, the deprecated `recent_ops`, a field twice, malformed bytes) they
 * leave to protobuf-es by throwing `unhandled`, and net/message-codecs.ts then decodes with
 * protobuf-es (same result, same errors).
 *
 * Why by hand: protobuf-es's reflective reader and writer cost ~13 µs per replicated write sent
 * to a peer (batch item encoded, decoded, answered, answer decoded) and ~4 µs per record
 * stored, and their per-field allocations were a fifth of an acceptor's garbage: together about
 * an eighth of a replica's main-thread time under replicated Puts (BENCHMARKS.md).
 */

// ---- Prepare, Accept, ReadLocal: requests ----

function prepareRequestSize(m: PrepareRequest): number {
  plain(m);
  return stringField(m.key) + (m.ballot ? delimitedSize(ballotSize(m.ballot)) : 0);
}

function writePrepareRequest(out: Buffer, at: number, m: PrepareRequest): number {
  at = putString(out, at, 0x0a, m.key);
  if (m.ballot) at = putMessage(out, at, 0x12, m.ballot, ballotSize, writeBallot);
  return at;
}

function readPrepareRequest(r: ProtoReader, end: number): PrepareRequest {
  const m: PrepareRequest = { $typeName: "ringkv.internal.v1.PrepareRequest", key: "" };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.key = r.string(); break;
      case 0x12: once(m.ballot); m.ballot = readBallot(r, r.delimitedEnd()); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function acceptRequestSize(m: AcceptRequest): number {
  plain(m);
  return stringField(m.key) + (m.ballot ? delimitedSize(ballotSize(m.ballot)) : 0) + (m.state ? delimitedSize(stateSize(m.state)) : 0)
    + (m.promiseNext ? delimitedSize(ballotSize(m.promiseNext)) : 0) + (m.forget ? 2 : 0);
}

function writeAcceptRequest(out: Buffer, at: number, m: AcceptRequest): number {
  at = putString(out, at, 0x0a, m.key);
  if (m.ballot) at = putMessage(out, at, 0x12, m.ballot, ballotSize, writeBallot);
  if (m.state) at = putMessage(out, at, 0x1a, m.state, stateSize, writeState);
  if (m.promiseNext) at = putMessage(out, at, 0x22, m.promiseNext, ballotSize, writeBallot);
  return putBool(out, at, 0x28, m.forget);
}

function readAcceptRequest(r: ProtoReader, end: number): AcceptRequest {
  const m: AcceptRequest = { $typeName: "ringkv.internal.v1.AcceptRequest", key: "", forget: false };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.key = r.string(); break;
      case 0x12: once(m.ballot); m.ballot = readBallot(r, r.delimitedEnd()); break;
      case 0x1a: once(m.state); m.state = readState(r, r.delimitedEnd()); break;
      case 0x22: once(m.promiseNext); m.promiseNext = readBallot(r, r.delimitedEnd()); break;
      case 0x28: m.forget = r.bool(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function readLocalRequestSize(m: ReadLocalRequest): number {
  plain(m);
  return stringField(m.key) + (m.ballotOnly ? 2 : 0);
}

function writeReadLocalRequest(out: Buffer, at: number, m: ReadLocalRequest): number {
  at = putString(out, at, 0x0a, m.key);
  return putBool(out, at, 0x10, m.ballotOnly);
}

function readReadLocalRequest(r: ProtoReader, end: number): ReadLocalRequest {
  const m: ReadLocalRequest = { $typeName: "ringkv.internal.v1.ReadLocalRequest", key: "", ballotOnly: false };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.key = r.string(); break;
      case 0x10: m.ballotOnly = r.bool(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

// ---- Prepare, Accept, ReadLocal: responses ----

function prepareResponseSize(m: PrepareResponse): number {
  plain(m);
  return (m.ok ? 2 : 0) + (m.promised ? delimitedSize(ballotSize(m.promised)) : 0) + (m.accepted ? delimitedSize(ballotSize(m.accepted)) : 0)
    + (m.state ? delimitedSize(stateSize(m.state)) : 0);
}

function writePrepareResponse(out: Buffer, at: number, m: PrepareResponse): number {
  at = putBool(out, at, 0x08, m.ok);
  if (m.promised) at = putMessage(out, at, 0x12, m.promised, ballotSize, writeBallot);
  if (m.accepted) at = putMessage(out, at, 0x1a, m.accepted, ballotSize, writeBallot);
  if (m.state) at = putMessage(out, at, 0x22, m.state, stateSize, writeState);
  return at;
}

function readPrepareResponse(r: ProtoReader, end: number): PrepareResponse {
  const m: PrepareResponse = { $typeName: "ringkv.internal.v1.PrepareResponse", ok: false };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x08: m.ok = r.bool(); break;
      case 0x12: once(m.promised); m.promised = readBallot(r, r.delimitedEnd()); break;
      case 0x1a: once(m.accepted); m.accepted = readBallot(r, r.delimitedEnd()); break;
      case 0x22: once(m.state); m.state = readState(r, r.delimitedEnd()); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function acceptResponseSize(m: AcceptResponse): number {
  plain(m);
  return (m.ok ? 2 : 0) + (m.promised ? delimitedSize(ballotSize(m.promised)) : 0);
}

function writeAcceptResponse(out: Buffer, at: number, m: AcceptResponse): number {
  at = putBool(out, at, 0x08, m.ok);
  if (m.promised) at = putMessage(out, at, 0x12, m.promised, ballotSize, writeBallot);
  return at;
}

function readAcceptResponse(r: ProtoReader, end: number): AcceptResponse {
  const m: AcceptResponse = { $typeName: "ringkv.internal.v1.AcceptResponse", ok: false };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x08: m.ok = r.bool(); break;
      case 0x12: once(m.promised); m.promised = readBallot(r, r.delimitedEnd()); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function readLocalResponseSize(m: ReadLocalResponse): number {
  plain(m);
  return (m.state ? delimitedSize(stateSize(m.state)) : 0) + (m.accepted ? delimitedSize(ballotSize(m.accepted)) : 0);
}

function writeReadLocalResponse(out: Buffer, at: number, m: ReadLocalResponse): number {
  if (m.state) at = putMessage(out, at, 0x0a, m.state, stateSize, writeState);
  if (m.accepted) at = putMessage(out, at, 0x12, m.accepted, ballotSize, writeBallot);
  return at;
}

function readReadLocalResponse(r: ProtoReader, end: number): ReadLocalResponse {
  const m: ReadLocalResponse = { $typeName: "ringkv.internal.v1.ReadLocalResponse" };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: once(m.state); m.state = readState(r, r.delimitedEnd()); break;
      case 0x12: once(m.accepted); m.accepted = readBallot(r, r.delimitedEnd()); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

// ---- batches ----

function callSize(m: AcceptorCall): number {
  plain(m);
  const call = m.call;
  switch (call.case) {
    case "prepare": return delimitedSize(prepareRequestSize(call.value));
    case "accept": return delimitedSize(acceptRequestSize(call.value));
    case "read": return delimitedSize(readLocalRequestSize(call.value));
    default: return 0;
  }
}

function writeCall(out: Buffer, at: number, m: AcceptorCall): number {
  const call = m.call;
  switch (call.case) {
    case "prepare": return putMessage(out, at, 0x0a, call.value, prepareRequestSize, writePrepareRequest);
    case "accept": return putMessage(out, at, 0x12, call.value, acceptRequestSize, writeAcceptRequest);
    case "read": return putMessage(out, at, 0x1a, call.value, readLocalRequestSize, writeReadLocalRequest);
    default: return at;
  }
}

function readCall(r: ProtoReader, end: number): AcceptorCall {
  const m: AcceptorCall = { $typeName: "ringkv.internal.v1.AcceptorCall", call: { case: undefined } };
  while (r.pos < end) {
    const tag = r.small();
    // One member, once: protobuf-es lets a later member replace an earlier one (left to it).
    if (m.call.case !== undefined) throw unhandled;
    switch (tag) {
      case 0x0a: m.call = { case: "prepare", value: readPrepareRequest(r, r.delimitedEnd()) }; break;
      case 0x12: m.call = { case: "accept", value: readAcceptRequest(r, r.delimitedEnd()) }; break;
      case 0x1a: m.call = { case: "read", value: readReadLocalRequest(r, r.delimitedEnd()) }; break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function callErrorSize(m: AcceptorCallError): number {
  plain(m);
  return stringField(m.reason) + stringField(m.message);
}

function writeCallError(out: Buffer, at: number, m: AcceptorCallError): number {
  at = putString(out, at, 0x0a, m.reason);
  return putString(out, at, 0x12, m.message);
}

function readCallError(r: ProtoReader, end: number): AcceptorCallError {
  const m: AcceptorCallError = { $typeName: "ringkv.internal.v1.AcceptorCallError", reason: "", message: "" };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.reason = r.string(); break;
      case 0x12: m.message = r.string(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function resultSize(m: AcceptorResult): number {
  plain(m);
  const result = m.result;
  switch (result.case) {
    case "prepare": return delimitedSize(prepareResponseSize(result.value));
    case "accept": return delimitedSize(acceptResponseSize(result.value));
    case "read": return delimitedSize(readLocalResponseSize(result.value));
    case "error": return delimitedSize(callErrorSize(result.value));
    default: return 0;
  }
}

function writeResult(out: Buffer, at: number, m: AcceptorResult): number {
  const result = m.result;
  switch (result.case) {
    case "prepare": return putMessage(out, at, 0x0a, result.value, prepareResponseSize, writePrepareResponse);
    case "accept": return putMessage(out, at, 0x12, result.value, acceptResponseSize, writeAcceptResponse);
    case "read": return putMessage(out, at, 0x1a, result.value, readLocalResponseSize, writeReadLocalResponse);
    case "error": return putMessage(out, at, 0x22, result.value, callErrorSize, writeCallError);
    default: return at;
  }
}

function readResult(r: ProtoReader, end: number): AcceptorResult {
  const m: AcceptorResult = { $typeName: "ringkv.internal.v1.AcceptorResult", result: { case: undefined } };
  while (r.pos < end) {
    const tag = r.small();
    if (m.result.case !== undefined) throw unhandled;
    switch (tag) {
      case 0x0a: m.result = { case: "prepare", value: readPrepareResponse(r, r.delimitedEnd()) }; break;
      case 0x12: m.result = { case: "accept", value: readAcceptResponse(r, r.delimitedEnd()) }; break;
      case 0x1a: m.result = { case: "read", value: readReadLocalResponse(r, r.delimitedEnd()) }; break;
      case 0x22: m.result = { case: "error", value: readCallError(r, r.delimitedEnd()) }; break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function batchRequestSize(m: AcceptorBatchRequest): number {
  plain(m);
  return listSize(m.calls, callSize);
}

function writeBatchRequest(out: Buffer, at: number, m: AcceptorBatchRequest): number {
  return writeList(out, at, m.calls, callSize, writeCall);
}

function readBatchRequest(r: ProtoReader, end: number): AcceptorBatchRequest {
  return { $typeName: "ringkv.internal.v1.AcceptorBatchRequest", calls: readList(r, end, readCall) };
}

function batchResponseSize(m: AcceptorBatchResponse): number {
  plain(m);
  return listSize(m.results, resultSize);
}

function writeBatchResponse(out: Buffer, at: number, m: AcceptorBatchResponse): number {
  return writeList(out, at, m.results, resultSize, writeResult);
}

function readBatchResponse(r: ProtoReader, end: number): AcceptorBatchResponse {
  return { $typeName: "ringkv.internal.v1.AcceptorBatchResponse", results: readList(r, end, readResult) };
}

// ---- the codecs ----

export const prepareRequestCodec = wireCodec("PrepareRequest", prepareRequestSize, writePrepareRequest, readPrepareRequest);
export const prepareResponseCodec = wireCodec("PrepareResponse", prepareResponseSize, writePrepareResponse, readPrepareResponse);
export const acceptRequestCodec = wireCodec("AcceptRequest", acceptRequestSize, writeAcceptRequest, readAcceptRequest);
export const acceptResponseCodec = wireCodec("AcceptResponse", acceptResponseSize, writeAcceptResponse, readAcceptResponse);
export const readLocalRequestCodec = wireCodec("ReadLocalRequest", readLocalRequestSize, writeReadLocalRequest, readReadLocalRequest);
export const readLocalResponseCodec = wireCodec("ReadLocalResponse", readLocalResponseSize, writeReadLocalResponse, readReadLocalResponse);
export const acceptorBatchRequestCodec = wireCodec("AcceptorBatchRequest", batchRequestSize, writeBatchRequest, readBatchRequest);
export const acceptorBatchResponseCodec = wireCodec("AcceptorBatchResponse", batchResponseSize, writeBatchResponse, readBatchResponse);

/** Makes protobuf encoding and decoding of these messages and the register's (net/message-codecs.ts) use the hand-written codecs. */
export function installPeerWireCodecs(): void {
  registerWireCodec(BallotSchema, ballotCodec);
  registerWireCodec(AcceptorRecordSchema, acceptorRecordCodec);
  registerWireCodec(PrepareRequestSchema, prepareRequestCodec);
  registerWireCodec(PrepareResponseSchema, prepareResponseCodec);
  registerWireCodec(AcceptRequestSchema, acceptRequestCodec);
  registerWireCodec(AcceptResponseSchema, acceptResponseCodec);
  registerWireCodec(ReadLocalRequestSchema, readLocalRequestCodec);
  registerWireCodec(ReadLocalResponseSchema, readLocalResponseCodec);
  registerWireCodec(AcceptorBatchRequestSchema, acceptorBatchRequestCodec);
  registerWireCodec(AcceptorBatchResponseSchema, acceptorBatchResponseCodec);
}
