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
import { CancelCallOptions, type Cancellation } from "../net/cancel-watch.js";
import type { PeerClients } from "./peer-clients.js";
import { createTurnBatcher, type BatchOutcome } from "./turn-batcher.js";

/** Acceptor calls to peers, sent in batches (see {@link createAcceptorBatcher}). */
export interface AcceptorBatcher {
  prepare(peer: string, req: PrepareRequest, cancel: Cancellation): Promise<PrepareResponse>;
  accept(peer: string, req: AcceptRequest, cancel: Cancellation): Promise<AcceptResponse>;
  /** With `ballotOnly`, the peer answers with the accepted ballot only (quorum reads). */
  read(peer: string, key: string, cancel: Cancellation, ballotOnly?: boolean): Promise<ReadLocalResponse>;
}

/** How long a batch may take before all its calls fail (each call's own cancellation acts sooner). */
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

/**
 * Groups the acceptor calls (Prepare, Accept, ReadLocal) this node makes to one peer within one
 * event-loop turn into a single AcceptorBatch RPC (turn-batcher.ts), one to three per client
 * request under load. Each call's result or error comes back on its own; an error is
 * re-created here from the reason and message the peer sent.
 */
export function createAcceptorBatcher(peers: PeerClients): AcceptorBatcher {
  const perPeer = new Map<string, (call: AcceptorCall, cancel?: Cancellation) => Promise<AcceptorResult["result"]>>();

  function enqueue(peer: string, call: AcceptorCall, cancel: Cancellation): Promise<AcceptorResult["result"]> {
    let send = perPeer.get(peer);
    if (send === undefined) {
      send = createTurnBatcher<AcceptorCall, AcceptorResult["result"], Cancellation>({
        maxCalls: maxBatchCalls,
        maxBytes: maxBatchBytes,
        size: callBytes,
        sendBatch: async (calls) => {
          const res = await peers.get(peer).peer.acceptorBatch({ calls: [...calls] }, { timeoutMs: batchTimeoutMs });
          return calls.map((_, i): BatchOutcome<AcceptorResult["result"]> => {
            const result = res.results[i]?.result;
            if (result === undefined || result.case === undefined) return { ok: false, error: new ConnectError(`acceptor batch answer from ${peer} is missing item ${i}`, Code.Internal) };
            if (result.case === "error") return { ok: false, error: ringkvError(knownReason(result.value.reason), result.value.message, { nodeId: peer }) };
            return { ok: true, value: result };
          });
        },
        sendOne: (call, cancel) => sendOne(peer, call, cancel),
      });
      perPeer.set(peer, send);
    }
    return send(call, cancel);
  }

  /**
   * The plain RPC for one call; its cancellation is passed on (a lone call may be reset), as a
   * watch to the lean client, as a signal made on demand to connect-node's.
   */
  function sendOne(peer: string, item: AcceptorCall, cancel: Cancellation | undefined): Promise<AcceptorResult["result"]> {
    const client = peers.get(peer).peer;
    const options = cancel ? new CancelCallOptions(cancel) : {};
    const call = item.call;
    switch (call.case) {
      case "prepare":
        return client.prepare(call.value, options).then((value) => ({ case: "prepare", value }));
      case "accept":
        return client.accept(call.value, options).then((value) => ({ case: "accept", value }));
      case "read":
        return client.readLocal(call.value, options).then((value) => ({ case: "read", value }));
      default:
        return Promise.reject(new ConnectError("acceptor batch item names no call", Code.Internal));
    }
  }

  return {
    // Plain `then`s, not async functions: one promise fewer per call (each Get makes one).
    prepare: (peer, req, cancel) =>
      enqueue(peer, create(AcceptorCallSchema, { call: { case: "prepare", value: req } }), cancel).then((result) => {
        if (result.case !== "prepare") throw unexpected(result.case, "prepare", peer);
        return result.value;
      }),
    accept: (peer, req, cancel) =>
      enqueue(peer, create(AcceptorCallSchema, { call: { case: "accept", value: req } }), cancel).then((result) => {
        if (result.case !== "accept") throw unexpected(result.case, "accept", peer);
        return result.value;
      }),
    read: (peer, key, cancel, ballotOnly) =>
      enqueue(peer, create(AcceptorCallSchema, { call: { case: "read", value: create(ReadLocalRequestSchema, { key, ballotOnly: ballotOnly === true }) } }), cancel).then((result) => {
        if (result.case !== "read") throw unexpected(result.case, "read", peer);
        return result.value;
      }),
  };
}

/** A peer answered an item with the wrong kind of result. */
function unexpected(got: string | undefined, kind: string, peer: string): ConnectError {
  return new ConnectError(`acceptor batch answer from ${peer}: expected ${kind}, got ${String(got)}`, Code.Internal);
}

function knownReason(reason: string): ErrorReason {
  return reason in errorCodes ? (reason as ErrorReason) : "internal";
}

