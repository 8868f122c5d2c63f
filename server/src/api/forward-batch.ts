import { create, type DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { decodeMessage, encodeMessage } from "../net/message-codecs.js";
import { ForwardedResultSchema, type ForwardBatchRequest, type ForwardedCall, type ForwardedResult, type PeerService } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/** Runs one unary call as if it had arrived on its own (LeanGrpcServer.runUnary). */
export type UnaryRunner = (path: string, message: unknown, headers: Record<string, string>, timeoutMs: number | undefined) => Promise<unknown>;

/** The KeyValueService methods a forward batch may carry, by name. */
const batchable: Record<string, DescMethodUnary> = {
  Get: KeyValueService.method.get,
  Put: KeyValueService.method.put,
  Delete: KeyValueService.method.delete,
};

/**
 * Serves PeerService.ForwardBatch: every call in the batch runs as the forwarded call it stands
 * for (the same interceptor, so its metrics, request id and error mapping; its own headers and
 * deadline), concurrently, and answers for itself: its response, or its error's code, message
 * and metadata for the entry node to re-create. Needs the lean path (`run`); without it the
 * RPC answers Unimplemented and entry nodes send single calls.
 */
export function createForwardBatchHandler(run: UnaryRunner | undefined): ServiceImpl<typeof PeerService>["forwardBatch"] {
  return async (req: ForwardBatchRequest) => {
    if (run === undefined) throw new ConnectError("forward batches need the lean path on this node (--lean-grpc)", Code.Unimplemented);
    const results = await Promise.all(req.calls.map((call) => runOne(run, call)));
    return { results };
  };
}

async function runOne(run: UnaryRunner, call: ForwardedCall): Promise<ForwardedResult> {
  const method = batchable[call.method];
  try {
    if (method === undefined) throw new ConnectError(`a forward batch cannot carry ${JSON.stringify(call.method)}: only Get, Put and Delete`, Code.InvalidArgument);
    let input: unknown;
    try {
      input = decodeMessage(method.input, call.request);
    } catch (e) {
      throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument);
    }
    const headers = { ...call.headers, "content-type": "application/grpc" };
    const output = await run(`/${KeyValueService.typeName}/${call.method}`, input, headers, call.timeoutMs > 0n ? Number(call.timeoutMs) : undefined);
    return create(ForwardedResultSchema, { code: 0, response: encodeMessage(method.output, output as never) });
  } catch (e) {
    const ce = ConnectError.from(e);
    const metadata: Record<string, string> = {};
    ce.metadata.forEach((value, key) => (metadata[key] = value));
    return create(ForwardedResultSchema, { code: ce.code, message: ce.rawMessage, metadata });
  }
}
