import {
  DeleteRequestSchema,
  DeleteResponseSchema,
  GetRequestSchema,
  GetResponseSchema,
  PutRequestSchema,
  PutResponseSchema,
  type DeleteRequest,
  type DeleteResponse,
  type GetRequest,
  type GetResponse,
  type PutRequest,
  type PutResponse,
} from "@ringkv/gen/kvstore/kvstore_pb.js";
import { registerWireCodec } from "../net/message-codecs.js";
import {
  bytesField,
  plain,
  putBool,
  putString,
  putUint64,
  stringField,
  uint64Field,
  unhandled,
  varint64Size,
  varintSize,
  wireCodec,
  writeBytes,
  writeVarint,
  writeVarint64,
  type ProtoReader,
} from "../net/proto-wire.js";

/**
 * Hand-written protobuf codecs for KeyValueService's Get, Put and Delete messages (the public
 * API's hot path, and what a forward batch carries), on the same terms as cluster/peer-wire.ts:
 * byte-identical to protobuf-es, equal messages when decoded, anything unusual (unknown fields,
 * a field twice, negative enum values, malformed bytes) left to protobuf-es (kv-wire.test.ts).
 *
 * Why by hand: protobuf-es's reflective decode of a GetRequest and encode of a GetResponse cost
 * ~2 µs per Get (of ~32 µs on one node), most of it allocation; see BENCHMARKS.md.
 */

/** An explicitly present uint64 (proto3 `optional`): written whenever set, zero included. */
function optionalUint64Size(value: bigint | undefined): number {
  if (value === undefined) return 0;
  if (value < 0n || value > 0xffffffffffffffffn) throw unhandled;
  return 1 + varint64Size(value);
}

function putOptionalUint64(out: Buffer, at: number, tag: number, value: bigint | undefined): number {
  if (value === undefined) return at;
  out[at] = tag;
  return writeVarint64(out, at + 1, value);
}

// ---- Get ----

function getRequestSize(m: GetRequest): number {
  plain(m);
  if (m.consistency < 0 || !Number.isInteger(m.consistency) || m.consistency > 0x7fffffff) throw unhandled;
  return stringField(m.key) + (m.consistency === 0 ? 0 : 1 + varintSize(m.consistency));
}

function writeGetRequest(out: Buffer, at: number, m: GetRequest): number {
  at = putString(out, at, 0x0a, m.key);
  if (m.consistency !== 0) {
    out[at++] = 0x10;
    at = writeVarint(out, at, m.consistency);
  }
  return at;
}

function readGetRequest(r: ProtoReader, end: number): GetRequest {
  const m: GetRequest = { $typeName: "kvstore.GetRequest", key: "", consistency: 0 };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.key = r.string(); break;
      case 0x10: m.consistency = r.small(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function getResponseSize(m: GetResponse): number {
  plain(m);
  return stringField(m.value) + (m.found ? 2 : 0) + uint64Field(m.version) + bytesField(m.valueBytes) + (m.binary ? 2 : 0);
}

function writeGetResponse(out: Buffer, at: number, m: GetResponse): number {
  at = putString(out, at, 0x0a, m.value);
  at = putBool(out, at, 0x10, m.found);
  at = putUint64(out, at, 0x18, m.version);
  if (m.valueBytes.byteLength > 0) at = writeBytes(out, at, 0x22, m.valueBytes);
  return putBool(out, at, 0x28, m.binary);
}

function readGetResponse(r: ProtoReader, end: number): GetResponse {
  const m: GetResponse = { $typeName: "kvstore.GetResponse", value: "", found: false, version: 0n, valueBytes: new Uint8Array(0), binary: false };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.value = r.string(); break;
      case 0x10: m.found = r.bool(); break;
      case 0x18: m.version = r.uint64(); break;
      case 0x22: m.valueBytes = r.bytes(); break;
      case 0x28: m.binary = r.bool(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

// ---- Put ----

function putRequestSize(m: PutRequest): number {
  plain(m);
  return stringField(m.key) + stringField(m.value) + bytesField(m.valueBytes) + optionalUint64Size(m.expectedVersion);
}

function writePutRequest(out: Buffer, at: number, m: PutRequest): number {
  at = putString(out, at, 0x0a, m.key);
  at = putString(out, at, 0x12, m.value);
  if (m.valueBytes.byteLength > 0) at = writeBytes(out, at, 0x1a, m.valueBytes);
  return putOptionalUint64(out, at, 0x20, m.expectedVersion);
}

function readPutRequest(r: ProtoReader, end: number): PutRequest {
  const m: PutRequest = { $typeName: "kvstore.PutRequest", key: "", value: "", valueBytes: new Uint8Array(0) };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.key = r.string(); break;
      case 0x12: m.value = r.string(); break;
      case 0x1a: m.valueBytes = r.bytes(); break;
      case 0x20: m.expectedVersion = r.uint64(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function putResponseSize(m: PutResponse): number {
  plain(m);
  return (m.success ? 2 : 0) + uint64Field(m.version);
}

function writePutResponse(out: Buffer, at: number, m: PutResponse): number {
  at = putBool(out, at, 0x08, m.success);
  return putUint64(out, at, 0x10, m.version);
}

function readPutResponse(r: ProtoReader, end: number): PutResponse {
  const m: PutResponse = { $typeName: "kvstore.PutResponse", success: false, version: 0n };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x08: m.success = r.bool(); break;
      case 0x10: m.version = r.uint64(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

// ---- Delete ----

function deleteRequestSize(m: DeleteRequest): number {
  plain(m);
  return stringField(m.key) + optionalUint64Size(m.expectedVersion);
}

function writeDeleteRequest(out: Buffer, at: number, m: DeleteRequest): number {
  at = putString(out, at, 0x0a, m.key);
  return putOptionalUint64(out, at, 0x10, m.expectedVersion);
}

function readDeleteRequest(r: ProtoReader, end: number): DeleteRequest {
  const m: DeleteRequest = { $typeName: "kvstore.DeleteRequest", key: "" };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x0a: m.key = r.string(); break;
      case 0x10: m.expectedVersion = r.uint64(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

function deleteResponseSize(m: DeleteResponse): number {
  plain(m);
  return (m.success ? 2 : 0) + (m.found ? 2 : 0);
}

function writeDeleteResponse(out: Buffer, at: number, m: DeleteResponse): number {
  at = putBool(out, at, 0x08, m.success);
  return putBool(out, at, 0x10, m.found);
}

function readDeleteResponse(r: ProtoReader, end: number): DeleteResponse {
  const m: DeleteResponse = { $typeName: "kvstore.DeleteResponse", success: false, found: false };
  while (r.pos < end) {
    switch (r.small()) {
      case 0x08: m.success = r.bool(); break;
      case 0x10: m.found = r.bool(); break;
      default: throw unhandled;
    }
  }
  r.endAt(end);
  return m;
}

export const getRequestCodec = wireCodec("GetRequest", getRequestSize, writeGetRequest, readGetRequest);
export const getResponseCodec = wireCodec("GetResponse", getResponseSize, writeGetResponse, readGetResponse);
export const putRequestCodec = wireCodec("PutRequest", putRequestSize, writePutRequest, readPutRequest);
export const putResponseCodec = wireCodec("PutResponse", putResponseSize, writePutResponse, readPutResponse);
export const deleteRequestCodec = wireCodec("DeleteRequest", deleteRequestSize, writeDeleteRequest, readDeleteRequest);
export const deleteResponseCodec = wireCodec("DeleteResponse", deleteResponseSize, writeDeleteResponse, readDeleteResponse);

/** Makes protobuf encoding and decoding of these messages (net/message-codecs.ts) use the codecs above. */
export function installKvWireCodecs(): void {
  registerWireCodec(GetRequestSchema, getRequestCodec);
  registerWireCodec(GetResponseSchema, getResponseCodec);
  registerWireCodec(PutRequestSchema, putRequestCodec);
  registerWireCodec(PutResponseSchema, putResponseCodec);
  registerWireCodec(DeleteRequestSchema, deleteRequestCodec);
  registerWireCodec(DeleteResponseSchema, deleteResponseCodec);
}
