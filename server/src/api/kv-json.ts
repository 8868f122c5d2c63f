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
import { readStringMembers, registerJsonCodec, type JsonCodec } from "../net/json-codecs.js";
import { emptyBytes, plain } from "../net/proto-wire.js";

/**
 * Hand-written JSON codecs for KeyValueService's Get, Put and Delete (what `curl -d` and the
 * inspector send), on the terms of net/json-codecs.ts: requests of string members only (`key`,
 * and a Put's `value`) are read here, anything else (`valueBytes`, `expectedVersion`,
 * `consistency`, escapes, unknown members) by protobuf-es; answers are written member by member
 * in field order, default values omitted, uint64 as a decimal string and bytes as padded base64,
 * as protobuf-es writes them (kv-json.test.ts compares both ways).
 */

const keyOnly = ["key"] as const;
const keyAndValue = ["key", "value"] as const;

/** A uint64 in proto3 JSON: a decimal string. */
function uint64Json(value: bigint): string {
  return value.toString(10);
}

export const getRequestJson: JsonCodec<GetRequest> = {
  decode: (text) => readStringMembers(text, keyOnly, { $typeName: "kvstore.GetRequest", key: "", consistency: 0 }),
};

export const putRequestJson: JsonCodec<PutRequest> = {
  decode: (text) => readStringMembers(text, keyAndValue, { $typeName: "kvstore.PutRequest", key: "", value: "", valueBytes: emptyBytes }),
};

export const deleteRequestJson: JsonCodec<DeleteRequest> = {
  decode: (text) => readStringMembers(text, keyOnly, { $typeName: "kvstore.DeleteRequest", key: "" }),
};

export const getResponseJson: JsonCodec<GetResponse> = {
  encode(m) {
    plain(m);
    const out: Record<string, unknown> = {};
    if (m.value !== "") out.value = m.value;
    if (m.found) out.found = true;
    if (m.version !== 0n) out.version = uint64Json(m.version);
    if (m.valueBytes.byteLength > 0) out.valueBytes = Buffer.from(m.valueBytes.buffer, m.valueBytes.byteOffset, m.valueBytes.byteLength).toString("base64");
    if (m.binary) out.binary = true;
    return JSON.stringify(out);
  },
};

export const putResponseJson: JsonCodec<PutResponse> = {
  encode(m) {
    plain(m);
    const out: Record<string, unknown> = {};
    if (m.success) out.success = true;
    if (m.version !== 0n) out.version = uint64Json(m.version);
    return JSON.stringify(out);
  },
};

export const deleteResponseJson: JsonCodec<DeleteResponse> = {
  encode(m) {
    plain(m);
    const out: Record<string, unknown> = {};
    if (m.success) out.success = true;
    if (m.found) out.found = true;
    return JSON.stringify(out);
  },
};

/** Registers the codecs above (process-wide, at startup; see net/json-codecs.ts). */
export function installKvJsonCodecs(): void {
  registerJsonCodec(GetRequestSchema, getRequestJson);
  registerJsonCodec(PutRequestSchema, putRequestJson);
  registerJsonCodec(DeleteRequestSchema, deleteRequestJson);
  registerJsonCodec(GetResponseSchema, getResponseJson);
  registerJsonCodec(PutResponseSchema, putResponseJson);
  registerJsonCodec(DeleteResponseSchema, deleteResponseJson);
}
