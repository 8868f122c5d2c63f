import http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

const h2 = http2.constants;

/**
 * The ConnectError for an HTTP/2 stream that closed with `rstCode`, or undefined for a normal
 * close (NO_ERROR, STREAM_CLOSED). A copy of connect-node's `connectErrorFromH2ResetCode`
 * (node-error.ts), which the package does not export: the lean client and the lean server must
 * report a reset exactly as connect-node does, because the forwarder decides on the code
 * (Canceled/Aborted from a peer that died mid-call → retry on the next replica).
 */
export function h2ResetError(rstCode: number | undefined): ConnectError | undefined {
  const code = resetCodes[rstCode ?? h2.NGHTTP2_NO_ERROR];
  if (code === undefined) return undefined;
  return new ConnectError(`http/2 stream closed with error code ${resetNames[rstCode!]} (0x${rstCode!.toString(16)})`, code);
}

const resetCodes: Record<number, Code> = {
  [h2.NGHTTP2_PROTOCOL_ERROR]: Code.Internal,
  [h2.NGHTTP2_INTERNAL_ERROR]: Code.Internal,
  [h2.NGHTTP2_FLOW_CONTROL_ERROR]: Code.Internal,
  [h2.NGHTTP2_SETTINGS_TIMEOUT]: Code.Internal,
  [h2.NGHTTP2_FRAME_SIZE_ERROR]: Code.Internal,
  [h2.NGHTTP2_COMPRESSION_ERROR]: Code.Internal,
  [h2.NGHTTP2_CONNECT_ERROR]: Code.Internal,
  [h2.NGHTTP2_REFUSED_STREAM]: Code.Unavailable,
  [h2.NGHTTP2_CANCEL]: Code.Canceled,
  [h2.NGHTTP2_ENHANCE_YOUR_CALM]: Code.ResourceExhausted,
  [h2.NGHTTP2_INADEQUATE_SECURITY]: Code.PermissionDenied,
  [h2.NGHTTP2_HTTP_1_1_REQUIRED]: Code.PermissionDenied,
};

const resetNames: Record<number, string> = {
  1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR", 4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED",
  6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM", 8: "CANCEL", 9: "COMPRESSION_ERROR", 10: "CONNECT_ERROR",
  11: "ENHANCE_YOUR_CALM", 12: "INADEQUATE_SECURITY", 13: "HTTP_1_1_REQUIRED",
};

/**
 * Any error a Node HTTP/2 client raised, as a ConnectError with the code connect-node picks
 * (a copy of its `connectErrorFromNodeReason`): a refused or unreachable peer is Unavailable, a
 * destroyed stream or reset connection Aborted, anything else Internal; a ConnectError stays
 * as it is.
 */
export function nodeReasonError(reason: unknown): ConnectError {
  let code = Code.Internal;
  const codes = errorChainCodes(reason);
  if (codes.includes("ERR_STREAM_WRITE_AFTER_END")) code = Code.Aborted;
  else if (codes.some((c) => c === "ERR_STREAM_DESTROYED" || c === "ERR_HTTP2_INVALID_STREAM" || c === "ECONNRESET")) code = Code.Aborted;
  else if (codes.some((c) => c === "ETIMEDOUT" || c === "ENOTFOUND" || c === "EAI_AGAIN" || c === "ECONNREFUSED")) code = Code.Unavailable;
  const ce = ConnectError.from(reason, code);
  if (ce !== reason) ce.cause = reason;
  return ce;
}

/** The `code` of every error in the `cause` chain. */
function errorChainCodes(reason: unknown): string[] {
  const seen: unknown[] = [];
  const codes: string[] = [];
  while (reason instanceof Error && !seen.includes(reason)) {
    seen.push(reason);
    const code = (reason as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    if (!("cause" in reason)) break;
    reason = reason.cause;
  }
  return codes;
}
