import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  AcceptorBatchRequestSchema,
  type AcceptRequest,
  type AcceptorBatchRequest,
  type Ballot,
  type RegisterState,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { installPeerWireCodecs } from "@ringkv/server/cluster/peer-wire";
import { decodeMessage, encodeMessage } from "@ringkv/server/net/message-codecs";
import { createAcceptor } from "@ringkv/server/replication/acceptor";
import { createLmdbEngine } from "@ringkv/server/storage/lmdb-engine";
import { createMemoryEngine } from "@ringkv/server/storage/memory-engine";
import { createRecordStore } from "@ringkv/server/storage/record-store";

/**
 * One engine's half of acceptor-cost.ts, run in its own process on the server core: what an
 * acceptor spends per accept with no network, for each batch size. A batch is what one
 * AcceptorBatch RPC hands a node: its bytes are decoded (the hand-written codec a node installs),
 * every accept runs through a real acceptor and record store, and the batch ends when all are
 * durable, which on lmdb is one commit (the record store commits a turn's writes together).
 * Keys are random among `keys`, so a batch touches about as many distinct pages as it has
 * accepts, as under uniform RF 3 Puts; each state carries `logBytes` of op-id log besides its
 * 100-byte value (the log a key written every second or so carries).
 *
 * argv[2] is `{"engine","batches","keys","logBytes","accepts"}`; prints one JSON line.
 */
export interface AcceptorCostJob {
  engine: "memory" | "lmdb";
  batches: number[];
  keys: number;
  logBytes: number;
  /** Accepts measured per batch size (after as many again of warm-up). */
  accepts: number;
}

/** What one batch size cost, per accept. */
export interface AcceptorCostRow {
  engine: "memory" | "lmdb";
  batch: number;
  /** Process CPU (all threads: lmdb commits on libuv's pool), user and system, µs per accept. */
  userUs: number;
  systemUs: number;
  wallUs: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as AcceptorCostJob;
if (args.batches.some((b) => b > args.keys)) throw new Error(`a batch of more than ${args.keys} distinct keys is impossible`);
installPeerWireCodecs();
const dir = mkdtempSync(path.join(os.tmpdir(), "ringkv-bench-acceptor-"));
const store = createRecordStore(args.engine === "lmdb" ? createLmdbEngine({ path: dir }) : createMemoryEngine());
const acceptor = createAcceptor({ store });
const value = new Uint8Array(100).fill(120);
const log = new Uint8Array(args.logBytes).fill(7);
let counter = 1n;

function ballot(c: bigint): Ballot {
  return { $typeName: "ringkv.internal.v1.Ballot", counter: c, nodeId: "n1", incarnation: 0xf123456789abcden };
}

/** One AcceptorBatch's bytes: `size` fast-path accepts (ballot, and the next promised) to random keys. */
function batchBytes(size: number): Uint8Array {
  counter += 2n;
  const calls: AcceptorBatchRequest["calls"] = [];
  // Distinct keys: a key's rounds run one at a time, so one batch never holds a key twice.
  const keys = new Set<string>();
  while (keys.size < size) keys.add(`key-${Math.floor(Math.random() * args.keys)}`);
  for (const key of keys) {
    const state: RegisterState = {
      $typeName: "ringkv.internal.v1.RegisterState", exists: true, value, binary: false, version: counter, deletedAtMs: 0n,
      recentOps: [], opsForgottenThrough: 0n, recentOpsPacked: log,
    };
    const accept: AcceptRequest = {
      $typeName: "ringkv.internal.v1.AcceptRequest", key, ballot: ballot(counter),
      state, promiseNext: ballot(counter + 1n), forget: false,
    };
    calls.push({ $typeName: "ringkv.internal.v1.AcceptorCall", call: { case: "accept", value: accept } });
  }
  return encodeMessage(AcceptorBatchRequestSchema, { $typeName: "ringkv.internal.v1.AcceptorBatchRequest", calls }, false);
}

/** Runs the batches one after another, as a node that gets one RPC per wake-up. */
async function run(batches: Uint8Array[]): Promise<void> {
  for (const bytes of batches) {
    const request = decodeMessage(AcceptorBatchRequestSchema, bytes);
    const answers = await Promise.all(request.calls.map((c) => (c.call.case === "accept" ? acceptor.accept(c.call.value) : undefined)));
    // Every accept must have been taken: the ballots only grow.
    if (!answers.every((a) => a?.ok === true)) throw new Error(`an accept of a batch of ${request.calls.length} was refused`);
  }
}

const rows: AcceptorCostRow[] = [];
try {
  for (const size of args.batches) {
    const count = Math.max(1, Math.round(args.accepts / size));
    await run(Array.from({ length: count }, () => batchBytes(size)));
    const batches = Array.from({ length: count }, () => batchBytes(size));
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await run(batches);
    const wallMs = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const accepts = count * size;
    rows.push({ engine: args.engine, batch: size, userUs: used.user / accepts, systemUs: used.system / accepts, wallUs: (wallMs * 1000) / accepts });
    process.stderr.write(`[acceptor] ${args.engine}, batches of ${size}: ${((used.user + used.system) / accepts).toFixed(1)} µs of CPU per accept\n`);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
