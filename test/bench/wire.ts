import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  GetRequestSchema,
  GetResponseSchema,
  PutRequestSchema,
  PutResponseSchema,
  type GetResponse,
} from "@ringkv/gen/kvstore/kvstore_pb.js";

/** The two calls every scenario drives. */
export type Call = "Get" | "Put";

/** Consistency enum values of GetRequest field 2 (see kvstore.proto). */
export const consistency = { default: 0, linearizable: 1, local: 2 } as const;

/** What one request carries: the key, the value for Put, the consistency for Get. */
export interface RequestSpec {
  call: Call;
  key: string;
  value?: string;
  consistency?: number;
}

/** The protobuf bytes of a request (no framing): Connect binary bodies, and the gRPC payload. */
export function requestBytes(spec: RequestSpec): Uint8Array {
  return spec.call === "Get"
    ? toBinary(GetRequestSchema, create(GetRequestSchema, { key: spec.key, consistency: spec.consistency ?? 0 }))
    : toBinary(PutRequestSchema, create(PutRequestSchema, { key: spec.key, value: spec.value ?? "" }));
}

/** The JSON body of a Connect request, as `curl -d` would send it. */
export function requestJson(spec: RequestSpec): string {
  if (spec.call === "Put") return JSON.stringify({ key: spec.key, value: spec.value ?? "" });
  return JSON.stringify(spec.consistency ? { key: spec.key, consistency: spec.consistency } : { key: spec.key });
}

/** Wraps a message in gRPC's 5-byte length prefix (uncompressed). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** The first message of a gRPC response body, unframed; throws on a short or compressed body. */
export function grpcUnframe(body: Uint8Array): Uint8Array {
  if (body.byteLength < 5) throw new Error(`gRPC body too short (${body.byteLength} bytes)`);
  if (body[0] !== 0) throw new Error("compressed gRPC response: the bench asks for none");
  const length = Buffer.from(body.buffer, body.byteOffset, body.byteLength).readUInt32BE(1);
  return body.subarray(5, 5 + length);
}

/** Decodes a response message of a call. */
export function decodeResponse(call: Call, message: Uint8Array): MessageShape<DescMessage> {
  return call === "Get" ? fromBinary(GetResponseSchema, message) : fromBinary(PutResponseSchema, message);
}

/** The canned GetResponse the ceiling server answers with: the same shape a real Get returns. */
export function cannedGetResponse(value: string): Uint8Array {
  const res: GetResponse = create(GetResponseSchema, { value, found: true, version: 1n });
  return toBinary(GetResponseSchema, res);
}

/** A printable value of `bytes` length, so every scenario stores the same 100-byte values. */
export function valueOf(bytes: number, seed = 0): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let i = 0; i < bytes; i++) out += alphabet[(i * 7 + seed) % alphabet.length];
  return out;
}
