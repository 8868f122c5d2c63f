import { create, fromBinary, toBinary, type DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions, type Client } from "@connectrpc/connect";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { ForwardedCallSchema, type ForwardedCall, type PeerService } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";

/** A batch's size at most (calls, request bytes): far below a peer's message limit. */
const maxBatchCalls = 128;
const maxBatchBytes = 256 * 1024;

interface Pending {
  method: DescMethodUnary;
  call: ForwardedCall;
  options: CallOptions | undefined;
  settled: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * A KeyValueService client for one peer whose Get, Put and Delete calls made in the same
 * event-loop turn travel as one PeerService.ForwardBatch RPC. An entry node forwards two thirds
 * of its calls (three nodes), and on Node an RPC costs several times the work of serving the
 * call it carries; one stream for many amortizes that. Every call keeps its semantics: the peer
 * runs it with its own headers and deadline and answers for it alone; its error comes back as
 * code, message and metadata, re-created here as a fresh ConnectError (the forwarder then maps
 * it as any peer error); its signal rejects it at once. A turn with one call sends it plain,
 * and a peer without forward batches (Unimplemented) gets plain calls from then on.
 *
 * Why hand-written: the batch is this protocol's own RPC; no library batches Connect calls.
 */
export function createBatchingKvClient(single: Client<typeof KeyValueService>, peer: Client<typeof PeerService>): Client<typeof KeyValueService> {
  let queue: Pending[] | undefined;
  let batchesUnsupported = false;

  function enqueue(method: DescMethodUnary, request: unknown, options: CallOptions | undefined): Promise<unknown> {
    const signal = options?.signal;
    if (batchesUnsupported) return plain(method, request, options);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(ConnectError.from(signal.reason, Code.Canceled));
        return;
      }
      const onAbort = () => pending.reject(ConnectError.from(signal!.reason, Code.Canceled));
      const settle = <T>(fn: (v: T) => void) => (v: T) => {
        if (pending.settled) return;
        pending.settled = true;
        signal?.removeEventListener("abort", onAbort);
        fn(v);
      };
      const pending: Pending = {
        method,
        call: create(ForwardedCallSchema, {
          method: method.name,
          request: toBinary(method.input, create(method.input, request as never)),
          headers: headerRecord(options?.headers),
          timeoutMs: BigInt(Math.max(0, Math.floor(options?.timeoutMs ?? 0))),
        }),
        options,
        settled: false,
        resolve: settle(resolve),
        reject: settle(reject),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (queue === undefined) {
        queue = [];
        setImmediate(flush);
      }
      queue.push(pending);
    });
  }

  function flush(): void {
    const pending = (queue ?? []).filter((p) => !p.settled);
    queue = undefined;
    let group: Pending[] = [];
    let bytes = 0;
    for (const p of pending) {
      const size = p.call.request.byteLength + 256;
      if (group.length > 0 && (bytes + size > maxBatchBytes || group.length === maxBatchCalls)) {
        send(group);
        group = [];
        bytes = 0;
      }
      group.push(p);
      bytes += size;
    }
    if (group.length > 0) send(group);
  }

  function send(group: Pending[]): void {
    if (group.length === 1 || batchesUnsupported) {
      for (const p of group) plain(p.method, fromBinary(p.method.input, p.call.request), p.options).then(p.resolve, p.reject);
      return;
    }
    const timeoutMs = Math.max(...group.map((p) => Number(p.call.timeoutMs)));
    peer.forwardBatch({ calls: group.map((p) => p.call) }, timeoutMs > 0 ? { timeoutMs } : {}).then(
      (res) => {
        group.forEach((p, i) => {
          const result = res.results[i];
          if (result === undefined) p.reject(new ConnectError(`forward batch answer is missing item ${i}`, Code.Internal));
          else if (result.code === 0) p.resolve(fromBinary(p.method.output, result.response));
          else p.reject(new ConnectError(result.message, result.code as Code, new Headers(result.metadata)));
        });
      },
      (err: unknown) => {
        if (ConnectError.from(err).code === Code.Unimplemented) {
          batchesUnsupported = true;
          send(group);
          return;
        }
        for (const p of group) p.reject(err);
      },
    );
  }

  function plain(method: DescMethodUnary, request: unknown, options: CallOptions | undefined): Promise<unknown> {
    const fn = single[method.localName as keyof typeof single] as (req: unknown, options?: CallOptions) => Promise<unknown>;
    return fn(request, options);
  }

  const methods = KeyValueService.method;
  return {
    ...single,
    get: (request, options) => enqueue(methods.get, request, options) as never,
    put: (request, options) => enqueue(methods.put, request, options) as never,
    delete: (request, options) => enqueue(methods.delete, request, options) as never,
  };
}

/** CallOptions headers as a plain record (names lower-case, repeated values joined). */
function headerRecord(init: CallOptions["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (init instanceof Headers || Array.isArray(init)) {
    new Headers(init).forEach((value, key) => (out[key] = value));
    return out;
  }
  for (const name in init) out[name.toLowerCase()] = String(init[name]);
  return out;
}
