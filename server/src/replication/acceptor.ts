import { create } from "@bufbuild/protobuf";
import {
  AcceptorRecordSchema,
  AcceptResponseSchema,
  PrepareResponseSchema,
  type AcceptorRecord,
  type AcceptRequest,
  type AcceptResponse,
  type Ballot,
  type PrepareRequest,
  type PrepareResponse,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { ringkvError } from "../errors.js";
import type { AcceptorStore } from "./acceptor-store.js";
import type { AcceptedRead } from "./transport.js";
import { ballotEquals, compareBallots, isZeroBallot, maxBallot, zeroBallot } from "./ballot.js";
import { createKeyMutex } from "./key-mutex.js";
import { emptyRegister } from "./register.js";

/**
 * The acceptor side of CASPaxos: one per node, serving the key's proposers. For each key it
 * keeps the highest ballot it promised, the ballot it last accepted and the state accepted with
 * it, and it persists every change before it answers: an answer is a vote, and a vote a crash
 * could take back breaks Paxos.
 */
export interface Acceptor {
  /**
   * Phase 1. Promises the ballot unless a higher one was promised; the answer carries the
   * accepted ballot and state, from which the proposer picks the newest.
   */
  prepare(req: PrepareRequest): Promise<PrepareResponse>;
  /**
   * Phase 2. Accepts the state unless a higher ballot was promised. With `promiseNext` it also
   * promises that ballot (the fast path's piggybacked prepare). With `forget` it instead removes
   * the key's record when it holds the tombstone accepted at `ballot` (tombstone GC).
   */
  accept(req: AcceptRequest): Promise<AcceptResponse>;
  /** The state this acceptor last accepted for the key (empty if none): a possibly stale read. */
  read(key: string): Promise<RegisterState>;
  /** The same with the ballot it was accepted at (none when the acceptor holds nothing). */
  readAccepted(key: string): Promise<AcceptedRead>;
  /**
   * {@link Acceptor.readAccepted} without a promise, when the store reads synchronously
   * (undefined otherwise): a replica answers a batch of quorum reads in one pass.
   */
  readonly readAcceptedSync: ((key: string) => AcceptedRead) | undefined;
}

/** Options of {@link createAcceptor}. */
export interface AcceptorOptions {
  /** Durable record storage; the acceptor answers only after `store.write` resolved. */
  store: AcceptorStore;
}

/** What a record says for a quorum read. */
function acceptedRead(record: AcceptorRecord | undefined): AcceptedRead {
  return { state: record?.state ?? emptyRegister(), accepted: record?.accepted };
}

/** Creates an {@link Acceptor} over a store. */
export function createAcceptor(options: AcceptorOptions): Acceptor {
  const { store } = options;
  const readSync = store.readSync;
  const keys = createKeyMutex();
  const floorLock = createKeyMutex();
  let floorLoaded: Promise<unknown> | undefined;
  let floor: Ballot = zeroBallot();

  /** The current floor; the stored one is read once, later raises only happen here. */
  async function loadFloor(): Promise<Ballot> {
    floorLoaded ??= (store.readFloor?.() ?? Promise.resolve(undefined)).then((stored) => {
      floor = maxBallot(floor, stored);
      return floor;
    });
    await floorLoaded;
    return floor;
  }

  /** The key's record, or the record a forgotten key behaves as: promised = the floor. */
  async function load(key: string): Promise<{ record: AcceptorRecord; stored: boolean }> {
    const stored = await store.read(key);
    if (stored !== undefined) return { record: stored, stored: true };
    const promised = await loadFloor();
    return { record: create(AcceptorRecordSchema, { promised }), stored: false };
  }

  function requireBallot(ballot: Ballot | undefined, what: string): Ballot {
    if (ballot === undefined || isZeroBallot(ballot)) {
      throw ringkvError("invalid_argument", `${what} needs a non-zero ballot`);
    }
    return ballot;
  }

  async function forget(key: string, ballot: Ballot): Promise<AcceptResponse> {
    const { remove, writeFloor } = store;
    const { record, stored } = await load(key);
    if (!stored) return create(AcceptResponseSchema, { ok: true, promised: record.promised });
    const tombstone = record.state !== undefined && !record.state.exists;
    if (!ballotEquals(record.accepted, ballot) || !tombstone || remove === undefined || writeFloor === undefined) {
      return create(AcceptResponseSchema, { ok: false, promised: record.promised });
    }
    // Floor first, then removal: a crash in between leaves the record (harmless), never a
    // missing record with a floor below its promise.
    await floorLock.run("floor", async () => {
      const current = await loadFloor();
      if (compareBallots(record.promised, current) > 0) {
        const next = maxBallot(current, record.promised);
        await writeFloor.call(store, next);
        floor = next;
      }
    });
    await remove.call(store, key);
    return create(AcceptResponseSchema, { ok: true, promised: record.promised });
  }

  return {
    prepare(req) {
      const ballot = requireBallot(req.ballot, "prepare");
      return keys.run(req.key, async () => {
        const { record } = await load(req.key);
        const order = compareBallots(ballot, record.promised);
        if (order < 0) return create(PrepareResponseSchema, { ok: false, promised: record.promised });
        if (order > 0) {
          // Promising changes the record: persist first, answer second.
          await store.write(req.key, { ...record, promised: ballot });
        }
        return create(PrepareResponseSchema, {
          ok: true,
          promised: ballot,
          ...(record.accepted ? { accepted: record.accepted } : {}),
          ...(record.state ? { state: record.state } : {}),
        });
      });
    },

    // The record and the answer of an accept are written as literals: create() walks the schema
    // on every call, and every replicated write makes them on three nodes.
    accept(req) {
      const ballot = requireBallot(req.ballot, "accept");
      if (req.forget) return keys.run(req.key, () => forget(req.key, ballot));
      const state = req.state;
      if (state === undefined) throw ringkvError("invalid_argument", "accept needs a state");
      return keys.run(req.key, async () => {
        const { record } = await load(req.key);
        if (compareBallots(ballot, record.promised) < 0) {
          return create(AcceptResponseSchema, { ok: false, promised: record.promised });
        }
        const promised = maxBallot(ballot, req.promiseNext);
        const unchanged = ballotEquals(record.accepted, ballot) && ballotEquals(record.promised, promised);
        if (!unchanged) {
          await store.write(req.key, { $typeName: "ringkv.internal.v1.AcceptorRecord", promised, accepted: ballot, state, fullKey: "" });
        }
        return { $typeName: "ringkv.internal.v1.AcceptResponse", ok: true, promised };
      });
    },

    async read(key) {
      return (await store.read(key))?.state ?? emptyRegister();
    },

    // From the store's synchronous read when it has one: no async frame per quorum read.
    readAccepted(key) {
      if (readSync === undefined) return store.read(key).then(acceptedRead);
      try {
        return Promise.resolve(acceptedRead(readSync.call(store, key)));
      } catch (err) {
        return Promise.reject(err);
      }
    },

    readAcceptedSync: readSync === undefined ? undefined : (key) => acceptedRead(readSync.call(store, key)),
  };
}
