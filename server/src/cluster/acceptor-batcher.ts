import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AcceptorCallSchema,
  ReadLocalRequestSchema,
  type AcceptorCall,
  type AcceptorResult,
  type AcceptRequest,
  type AcceptResponse,
  type PrepareRequest,
  type PrepareResponse,
  type ReadLocalResponse,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { errorCodes, ringkvError, type ErrorReason } from "../errors.js";
import type { PeerClients } from "./peer-clients.js";

/** Acceptor calls to peers, sent in batches (see {@link createAcceptorBatcher}). */
export interface AcceptorBatcher {
  prepare(peer: string, req: PrepareRequest, signal: AbortSignal): Promise<PrepareResponse>;
  accept(peer: string, req: AcceptRequest, signal: AbortSignal): Promise<AcceptResponse>;
  read(peer: string, key: string, signal: AbortSignal): Promise<ReadLocalResponse>;
}

/** How long a batch may take before all its calls fail (each call's own signal acts sooner). */
const batchTimeoutMs = 5_000;
/**
 * A batch's size at most, in estimated bytes and in calls, far below the peer's message limit
 * (sized for one largest value); a larger call goes alone.
 */
const maxBatchBytes = 256 * 1024;
const maxBatchCalls = 128;

/** About what a call adds to a batch: its value and recent op ids (accepts), else a little. */
function callBytes(call: AcceptorCall): number {
  if (call.call.case !== "accept") return 128;
  const state = call.call.value.state;
  return 256 + (state?.value.byteLength ?? 0) + (state?.recentOpsPacked.byteLength ?? 0);
}

interface Pending {
  call: AcceptorCall;
  signal: AbortSignal;
  settled: boolean;
  resolve(result: AcceptorResult["result"]): void;
  reject(err: unknown): void;
  onAbort(): void;
}

/**
 * Groups the acceptor calls (Prepare, Accept, ReadLocal) this node makes to one peer within one
 * event-loop turn into a single AcceptorBatch RPC. Under load a node sends many such calls to
 * each peer at once (one or two per client request), and on Node each RPC costs far more in
 * HTTP/2 stream handling than the acceptor work it carries; one stream for the lot amortizes
 * that. A turn with one call sends the plain RPC. Each call keeps its own semantics: its own
 * result or error (re-created here from the reason and message the peer sent), and its own
 * signal, which rejects it at once without disturbing the others. A peer that does not know the
 * batch RPC (an older node during an upgrade) gets single calls from then on.
 *
 * Why hand-written: batching is about this protocol's calls and their shapes; no library does it.
 */
export function createAcceptorBatcher(peers: PeerClients): AcceptorBatcher {
  const queues = new Map<string, Pending[]>();
  const noBatch = new Set<string>();

  function enqueue(peer: string, call: AcceptorCall, signal: AbortSignal): Promise<AcceptorResult["result"]> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(ConnectError.from(signal.reason, Code.Canceled));
        return;
      }
      const pending: Pending = {
        call,
        signal,
        settled: false,
        resolve: (result) => {
          if (pending.settled) return;
          pending.settled = true;
          signal.removeEventListener("abort", pending.onAbort);
          resolve(result);
        },
        reject: (err) => {
          if (pending.settled) return;
          pending.settled = true;
          signal.removeEventListener("abort", pending.onAbort);
          reject(err);
        },
        onAbort: () => pending.reject(ConnectError.from(signal.reason, Code.Canceled)),
      };
      signal.addEventListener("abort", pending.onAbort, { once: true });
      let queue = queues.get(peer);
      if (queue === undefined) {
        queue = [];
        queues.set(peer, queue);
        setImmediate(() => flush(peer));
      }
      queue.push(pending);
    });
  }

  function flush(peer: string): void {
    const queue = (queues.get(peer) ?? []).filter((p) => !p.settled);
    queues.delete(peer);
    if (noBatch.has(peer)) {
      for (const p of queue) sendOne(peer, p);
      return;
    }
    let group: Pending[] = [];
    let bytes = 0;
    for (const p of queue) {
      const size = callBytes(p.call);
      if (group.length > 0 && (bytes + size > maxBatchBytes || group.length === maxBatchCalls)) {
        sendGroup(peer, group);
        group = [];
        bytes = 0;
      }
      group.push(p);
      bytes += size;
    }
    if (group.length > 0) sendGroup(peer, group);
  }

  function sendGroup(peer: string, queue: Pending[]): void {
    if (queue.length === 1) {
      sendOne(peer, queue[0]!);
      return;
    }
    const client = peers.get(peer).peer;
    client.acceptorBatch({ calls: queue.map((p) => p.call) }, { timeoutMs: batchTimeoutMs }).then(
      (res) => {
        queue.forEach((p, i) => {
          const result = res.results[i]?.result;
          if (result === undefined || result.case === undefined) p.reject(new ConnectError(`acceptor batch answer from ${peer} is missing item ${i}`, Code.Internal));
          else if (result.case === "error") p.reject(ringkvError(knownReason(result.value.reason), result.value.message, { nodeId: peer }));
          else p.resolve(result);
        });
      },
      (err: unknown) => {
        if (ConnectError.from(err).code === Code.Unimplemented) {
          noBatch.add(peer);
          for (const p of queue) sendOne(peer, p);
          return;
        }
        for (const p of queue) p.reject(err);
      },
    );
  }

  /** The plain RPC for one call; its signal is passed on (a lone call may be reset). */
  function sendOne(peer: string, p: Pending): void {
    if (p.settled) return;
    const client = peers.get(peer).peer;
    const options = { signal: p.signal };
    const call = p.call.call;
    let sent: Promise<AcceptorResult["result"]>;
    switch (call.case) {
      case "prepare":
        sent = client.prepare(call.value, options).then((value) => ({ case: "prepare", value }));
        break;
      case "accept":
        sent = client.accept(call.value, options).then((value) => ({ case: "accept", value }));
        break;
      case "read":
        sent = client.readLocal(call.value, options).then((value) => ({ case: "read", value }));
        break;
      default:
        p.reject(new ConnectError("acceptor batch item names no call", Code.Internal));
        return;
    }
    sent.then(p.resolve, p.reject);
  }

  return {
    async prepare(peer, req, signal) {
      const result = await enqueue(peer, create(AcceptorCallSchema, { call: { case: "prepare", value: req } }), signal);
      if (result.case !== "prepare") throw unexpected(result.case, "prepare", peer);
      return result.value;
    },
    async accept(peer, req, signal) {
      const result = await enqueue(peer, create(AcceptorCallSchema, { call: { case: "accept", value: req } }), signal);
      if (result.case !== "accept") throw unexpected(result.case, "accept", peer);
      return result.value;
    },
    async read(peer, key, signal) {
      const result = await enqueue(peer, create(AcceptorCallSchema, { call: { case: "read", value: create(ReadLocalRequestSchema, { key }) } }), signal);
      if (result.case !== "read") throw unexpected(result.case, "read", peer);
      return result.value;
    },
  };
}

/** A peer answered an item with the wrong kind of result. */
function unexpected(got: string | undefined, kind: string, peer: string): ConnectError {
  return new ConnectError(`acceptor batch answer from ${peer}: expected ${kind}, got ${String(got)}`, Code.Internal);
}

function knownReason(reason: string): ErrorReason {
  return reason in errorCodes ? (reason as ErrorReason) : "internal";
}

