import { decodeResponse, grpcFrame, grpcUnframe, requestBytes, requestJson, type RequestSpec } from "./wire.js";
import { postH1, postH2c, type RawResponse } from "./probe.js";

/** The wire protocols the single-node scenario compares. */
export type ProtocolId = "grpc" | "connect-json-h1" | "connect-json-h2c" | "connect-proto-h1";

/** How to drive one protocol with h2load and how to check an answer. */
export interface Protocol {
  id: ProtocolId;
  /** For the report, e.g. "gRPC h2c". */
  label: string;
  /** HTTP/1.1 (h2load --h1) instead of h2c. */
  h1: boolean;
  headers: Record<string, string>;
  /** The request body h2load posts. */
  body(spec: RequestSpec): Uint8Array;
  /** The decoded answer as plain JSON-ish data; throws when the call failed. */
  parse(spec: RequestSpec, res: RawResponse): Record<string, unknown>;
}

const grpc: Protocol = {
  id: "grpc",
  label: "gRPC h2c",
  h1: false,
  headers: { "content-type": "application/grpc", te: "trailers" },
  body: (spec) => grpcFrame(requestBytes(spec)),
  parse(spec, res) {
    const status = res.headers["grpc-status"];
    if (res.status !== 200 || status !== "0") throw new Error(`gRPC ${spec.call}: HTTP ${res.status}, grpc-status ${status}, ${res.headers["grpc-message"] ?? ""}`);
    return decodeResponse(spec.call, grpcUnframe(res.body)) as unknown as Record<string, unknown>;
  },
};

function connectJson(id: ProtocolId, label: string, h1: boolean): Protocol {
  return {
    id,
    label,
    h1,
    headers: { "content-type": "application/json" },
    body: (spec) => Buffer.from(requestJson(spec)),
    parse(spec, res) {
      const text = res.body.toString();
      if (res.status !== 200) throw new Error(`Connect ${spec.call}: HTTP ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    },
  };
}

const connectProto: Protocol = {
  id: "connect-proto-h1",
  label: "Connect binary HTTP/1.1",
  h1: true,
  headers: { "content-type": "application/proto" },
  body: (spec) => requestBytes(spec),
  parse(spec, res) {
    if (res.status !== 200) throw new Error(`Connect ${spec.call}: HTTP ${res.status} ${res.body.toString()}`);
    return decodeResponse(spec.call, res.body) as unknown as Record<string, unknown>;
  },
};

/** Every protocol, in report order. */
export const protocols: Record<ProtocolId, Protocol> = {
  grpc,
  "connect-json-h1": connectJson("connect-json-h1", "Connect JSON HTTP/1.1", true),
  "connect-json-h2c": connectJson("connect-json-h2c", "Connect JSON h2c", false),
  "connect-proto-h1": connectProto,
};

/** The RPC path of a call. */
export function rpcPath(spec: RequestSpec): string {
  return `/kvstore.KeyValueService/${spec.call}`;
}

/**
 * Makes one call and checks that it really succeeded (and, for Get, that it found the value
 * that was written). Run before every load so a failing target can't pass as a fast one.
 */
export async function callChecked(protocol: Protocol, url: string, spec: RequestSpec, expectValue?: string): Promise<Record<string, unknown>> {
  const post = protocol.h1 ? postH1 : postH2c;
  const res = await post(url, rpcPath(spec), protocol.headers, protocol.body(spec));
  const answer = protocol.parse(spec, res);
  if (spec.call === "Get" && expectValue !== undefined && (answer.found !== true || answer.value !== expectValue)) {
    throw new Error(`${protocol.label} Get ${spec.key}: expected the stored value, got ${show(answer)}`);
  }
  if (spec.call === "Put" && answer.success !== true) throw new Error(`${protocol.label} Put ${spec.key}: ${show(answer)}`);
  return answer;
}

/** JSON for messages that may hold bigint fields (versions). */
function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).slice(0, 300);
}
