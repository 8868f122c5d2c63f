import type { ServiceImpl } from "@connectrpc/connect";
import { Consistency, KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { callInfoFrom, withCallInfo, type CallInfo, type Deadlines } from "../cluster/call-context.js";
import type { KvRouter } from "../cluster/kv-router.js";
import type { Lister } from "../cluster/lister.js";
import type { KvBackend } from "../kv/backend.js";
import { deleteChange, putChange, readChange, type Change } from "../replication/register.js";
import type { OpEntry } from "../kv/op-log.js";
import { idempotent, keepingOpLog, newOpId } from "../kv/idempotent.js";
import { validateKey, validateTextValue, validateValueSize } from "../kv/validate.js";
import { deleteResponse, getResponse, putResponse } from "./kv-answers.js";

/** Options of {@link createKvService}. */
export interface KvServiceOptions {
  router: KvRouter;
  backend: KvBackend;
  lister: Lister;
  maxValueBytes: number;
  deadlines: Deadlines;
  /** Counts op ids dropped from a key's log for room while their writes could still be retried. */
  opLog?: OpLogStats;
}

/** What {@link KvServiceOptions.opLog} counts (read by the metrics at scrape time). */
export interface OpLogStats {
  droppedEarly: number;
}

/**
 * The KeyValueService handlers: thin. They validate input, build the change (Put, Delete, Get,
 * CAS) and let the router run it on the key's coordinator. Errors are thrown as RingkvError and
 * become ConnectErrors in the error interceptor.
 */
export function createKvService(options: KvServiceOptions): ServiceImpl<typeof KeyValueService> {
  const { router, backend, maxValueBytes, deadlines } = options;

  /**
   * Whether a write run here records its op id in the register (idempotent.ts), so that running
   * it again can tell it was applied: when it was forwarded here or retried (the entry node may
   * send it again), and whenever the backend may repeat it. A single-replica write that its
   * entry node runs itself runs once; the op-id log would only make its record larger (up to
   * 96 ids rewritten with every write of the key).
   */
  function recordsOpId(info: CallInfo, retried: boolean): info is CallInfo & { opId: string } {
    return info.opId !== undefined && (info.hops > 0 || retried || backend.repeatsWrites);
  }

  /**
   * Runs a write's change on the key's replicas, recording its op id when it must (see
   * recordsOpId), and counts the ids the key's log dropped early. Returns the committed state and,
   * for a retry that found its own earlier application, that application.
   */
  async function runWrite(key: string, replicas: readonly string[], info: CallInfo, retried: boolean, change: Change): Promise<{ state: RegisterState; earlier: OpEntry | undefined }> {
    const once = recordsOpId(info, retried) ? idempotent(info.opId, Date.now(), change, info.opDeadlineAt) : undefined;
    const state = await backend.execute(key, replicas, once?.change ?? keepingOpLog(Date.now(), change), withCallInfo(info, once ? { appliedIn: once.appliedIn } : {}));
    if (once !== undefined && options.opLog !== undefined) options.opLog.droppedEarly += once.droppedEarly();
    return { state, earlier: once?.alreadyApplied() };
  }

  return {
    async put(req, ctx) {
      validateKey(req.key);
      const binary = req.valueBytes.byteLength > 0;
      if (!binary) validateTextValue(req.value);
      const value = binary ? req.valueBytes : Buffer.from(req.value, "utf8");
      validateValueSize(value.byteLength, maxValueBytes);
      const info = writeInfo(callInfoFrom(ctx, deadlines));
      const change = putChange({ value, binary, ...(req.expectedVersion !== undefined ? { expectedVersion: req.expectedVersion } : {}) });
      return router.route(
        req.key,
        info,
        async (replicas, retried) => {
          const { state, earlier } = await runWrite(req.key, replicas, info, retried, change);
          return putResponse(earlier?.version ?? state.version);
        },
        (peer, callOptions) => peer.kv.put(req, callOptions),
      );
    },

    async get(req, ctx) {
      validateKey(req.key);
      const info = callInfoFrom(ctx, deadlines);
      if (req.consistency === Consistency.LOCAL) {
        return router.routeToAnyReplica(
          req.key,
          info,
          () => Promise.resolve(getResponse(backend.readLocal(req.key))),
          (peer, callOptions) => peer.kv.get(req, callOptions),
        );
      }
      // A linearizable Get first tries a quorum read (no round, no write; see quorum-read.ts),
      // right here when this node holds a replica: no forwarding to the coordinator. Only when
      // the replicas disagree does it take a round, on the coordinator as any operation does.
      let triedHere = false;
      const quick = backend.quorumRead;
      if (quick !== undefined && info.hops === 0) {
        const replicas = router.replicasHere(req.key);
        if (replicas !== undefined) {
          triedHere = true;
          // Leave most of the time to the round that follows if the replicas do not answer.
          const remaining = info.deadlineAt - Date.now();
          const deadlineAt = Date.now() + Math.min(remaining, Math.max(remaining * 0.4, 500));
          const state = await quick.call(backend, req.key, replicas, withCallInfo(info, { deadlineAt }));
          if (state !== undefined) return getResponse(state);
        }
      }
      return router.route(
        req.key,
        info,
        async (replicas) => {
          const state = quick !== undefined && !triedHere ? await quick.call(backend, req.key, replicas, info) : undefined;
          return getResponse(state ?? (await backend.execute(req.key, replicas, readChange, info)));
        },
        (peer, callOptions) => peer.kv.get(req, callOptions),
      );
    },

    async delete(req, ctx) {
      validateKey(req.key);
      const info = writeInfo(callInfoFrom(ctx, deadlines));
      const change = deleteChange({ nowMs: Date.now(), ...(req.expectedVersion !== undefined ? { expectedVersion: req.expectedVersion } : {}) });
      return router.route(
        req.key,
        info,
        async (replicas, retried) => {
          let found = false;
          const seeing: typeof change = (current) => {
            found = current.exists;
            return change(current);
          };
          const { earlier } = await runWrite(req.key, replicas, info, retried, seeing);
          // A retry that finds its own earlier delete: the key existed then.
          return deleteResponse(earlier !== undefined ? true : found);
        },
        (peer, callOptions) => peer.kv.delete(req, callOptions),
      );
    },

    async list(req, ctx) {
      return options.lister.list(req, callInfoFrom(ctx, deadlines));
    },
  };
}

/**
 * A write's call info: the entry node names the write with a fresh op id, good until its own
 * deadline for the call (see idempotent.ts).
 */
function writeInfo(info: CallInfo): CallInfo {
  return info.hops === 0 ? withCallInfo(info, { opId: newOpId(), opDeadlineAt: info.deadlineAt }) : info;
}
