import type { DeleteResponse, GetResponse, PutResponse } from "@ringkv/gen/kvstore/kvstore_pb.js";
import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { decodeUtf8OrEmpty } from "../kv/text.js";
import { emptyBytes } from "../net/proto-wire.js";

/**
 * The KeyValueService's answers, written as literals. protobuf-es's `create()` builds a message
 * by reflection (a zero value for each field of the descriptor, then the initializer copied
 * in); for GetResponse that was 2–3% of a single-node Get's CPU in a V8 profile, more than the
 * rest of the handler. Each type names every field of its message, so a field added to the proto
 * does not compile here until it is given a value; kv-answers.test.ts compares every answer with
 * what `create()` builds.
 */

/** The public answer for a register state: absent and deleted keys are "not found", version 0. */
export function getResponse(state: RegisterState): GetResponse {
  if (!state.exists) return { $typeName: "kvstore.GetResponse", value: "", found: false, version: 0n, valueBytes: emptyBytes, binary: false };
  const text = state.binary ? decodeUtf8OrEmpty(state.value) : Buffer.from(state.value).toString("utf8");
  return {
    $typeName: "kvstore.GetResponse",
    value: text,
    found: true,
    version: state.version,
    valueBytes: state.binary ? state.value : emptyBytes,
    binary: state.binary,
  };
}

/** A Put's answer: the version it wrote (or found written, for a retried write). */
export function putResponse(version: bigint): PutResponse {
  return { $typeName: "kvstore.PutResponse", success: true, version };
}

/** A Delete's answer: whether the key existed. */
export function deleteResponse(found: boolean): DeleteResponse {
  return { $typeName: "kvstore.DeleteResponse", success: true, found };
}
