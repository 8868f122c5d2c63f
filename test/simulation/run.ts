import {
  checkHistory,
  formatHistory,
  type HistoryEntry,
  type RegisterOp,
  type RegisterResult,
} from "../linearizability/index.js";
import { RingkvError } from "../../server/src/errors.js";
import {
  deleteChange,
  putChange,
  readChange,
  visibleVersion,
  type Change,
} from "../../server/src/replication/index.js";
import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { idempotent } from "../../server/src/kv/idempotent.js";
import { createCluster, type Cluster, type SimNode } from "./cluster.js";
import { createPrng, type Prng } from "./prng.js";
import type { Scenario } from "./scenario.js";
import { createScheduler, type Scheduler } from "./scheduler.js";
import { checkValueHistory } from "./value-check.js";

/** What one run did and whether it was correct. */
export interface RunReport {
  scenario: Scenario;
  /** Empty when the run is correct; otherwise what went wrong, each a paragraph. */
  problems: string[];
  history: HistoryEntry[];
  counts: {
    /** Client operations invoked. */
    ops: number;
    /** Completed with a definite answer (including cas-failed). */
    succeeded: number;
    /** Outcome unknown (timeout after a write was sent, or the node crashed). */
    unknown: number;
    /** Failed with nothing written (deadline, no quorum, canceled): left out of the history. */
    failedClean: number;
    casFailed: number;
    fastPathAttempts: number;
    fullRounds: number;
    /** Writes carried by another write's round on the same key (proposer stats). */
    carried: number;
    gcCollected: number;
    /** Collections that stopped part-way (replica unreachable, competing write). */
    gcIncomplete: number;
    crashes: number;
    partitions: number;
    /** Rounds where a rival's state told whether this operation's write was in it (op ids). */
    opIdDecisions: number;
    /** Retried writes that found their first attempt already applied. */
    retriesFoundApplied: number;
    /** Gets answered by a quorum read, without a round. */
    quorumReads: number;
    /** Messages lost and delivered twice by the network. */
    dropped: number;
    duplicated: number;
    events: number;
    virtualMs: number;
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Virtual ms after which a run that has not finished counts as stuck. */
const STUCK_AFTER_MS = 60_000;

/**
 * Runs one seeded scenario: clients issue operations on a few hot keys through proposers on
 * random nodes while faults are injected; then the network heals, every node restarts, one
 * final read per key runs, and the history is checked. Deterministic for a scenario.
 */
export async function runSimulation(scenario: Scenario, trace?: (line: string) => void): Promise<RunReport> {
  const master = createPrng(scenario.seed);
  const scheduler = createScheduler();
  const nodeIds = Array.from({ length: scenario.nodes }, (_, i) => `n${i + 1}`);
  const faults = { ...scenario.faults };
  const cluster = createCluster({
    nodeIds,
    scheduler,
    prng: master.fork(),
    faults,
    rpcTimeoutMs: scenario.rpcTimeoutMs,
    meanWriteMs: scenario.meanWriteMs,
    fastPathKeys: scenario.fastPathKeys,
    ...(trace ? { trace } : {}),
  });
  const keys = Array.from({ length: scenario.keys }, (_, i) => `k${i}`);
  // Preference lists: key i is held by N consecutive nodes starting at node i (a tiny ring).
  const replicasOf = new Map(keys.map((k, i) => [k, Array.from({ length: scenario.replicas }, (_, j) => nodeIds[(i + j) % nodeIds.length]!)]));
  const history: HistoryEntry[] = [];
  const problems: string[] = [];
  const counts: RunReport["counts"] = {
    ops: 0, succeeded: 0, unknown: 0, failedClean: 0, casFailed: 0, fastPathAttempts: 0, fullRounds: 0, carried: 0,
    gcCollected: 0, gcIncomplete: 0, crashes: 0, partitions: 0, opIdDecisions: 0, retriesFoundApplied: 0, quorumReads: 0, dropped: 0, duplicated: 0, events: 0, virtualMs: 0,
  };
  const state = { workload: true };
  const ops = { scenario, scheduler, cluster, replicasOf, history, problems, counts };

  // Workload, faults and (in gc runs) tombstone collection, all on virtual time.
  const workloadPrng = master.fork();
  const clients = Array.from({ length: scenario.clients }, (_, i) =>
    runClient(`c${i + 1}`, scenario, workloadPrng.fork(), keys, ops));
  const faultPrng = master.fork();
  const drivers = [
    runCrashes(scenario, faultPrng.fork(), cluster, scheduler, state, counts),
    runPartitions(scenario, faultPrng.fork(), cluster, scheduler, state, counts),
    scenario.gc ? runCollector(scenario, faultPrng.fork(), cluster, scheduler, keys, replicasOf, state, counts) : Promise.resolve(),
  ];
  await drive(scheduler, Promise.all(clients).then(() => { state.workload = false; }), problems, "the workload");
  await drive(scheduler, Promise.all(drivers), problems, "the fault drivers");

  // Heal: no more faults, every link up, every node (re)started; then one read per key.
  Object.assign(faults, { dropRate: 0, duplicateRate: 0, slowRate: 0 });
  cluster.network.healAll();
  for (const n of cluster.nodes.values()) cluster.restart(n.id);
  const finals = keys.map((key) => finalRead(key, ops));
  await drive(scheduler, Promise.all(finals), problems, "the final reads");
  counts.events += await scheduler.run(scheduler.now() + 1_000);
  for (const p of cluster.proposers) {
    counts.fastPathAttempts += p.stats.fastPathAttempts;
    counts.fullRounds += p.stats.fullRounds;
    counts.carried += p.stats.carried;
  }
  counts.virtualMs = scheduler.now();
  counts.dropped = cluster.network.counters.dropped;
  counts.duplicated = cluster.network.counters.duplicated;

  for (const error of cluster.network.serverErrors) problems.push(`an acceptor threw: ${String(error)}`);
  problems.push(...checkZeroLoss(history, keys, scenario.gc));
  if (problems.length === 0) {
    if (scenario.gc) {
      const verdict = checkValueHistory(history);
      if (!verdict.ok) problems.push(verdict.reason);
    } else {
      const verdict = checkHistory(history, { timeoutMs: 20_000 });
      if (verdict.ok === "timeout") problems.push(`linearizability check timed out on key ${verdict.key}`);
      else if (!verdict.ok) problems.push(`not linearizable: ${verdict.reason}\n${formatHistory(verdict.history)}`);
    }
  }
  return { scenario, problems, history, counts };

  async function drive(s: Scheduler, done: Promise<unknown>, out: string[], what: string): Promise<void> {
    let finished = false;
    void done.then(() => { finished = true; }, (error: unknown) => {
      finished = true;
      out.push(`${what} failed: ${error instanceof Error ? error.stack : String(error)}`);
    });
    counts.events += await s.run(STUCK_AFTER_MS, () => finished);
    if (!finished) await new Promise<void>((r) => setImmediate(r));
    if (!finished) out.push(`${what} did not finish (virtual time ${s.now().toFixed(1)} ms, ${s.pending} events left): operations are stuck`);
  }
}

interface Ops {
  scenario: Scenario;
  scheduler: Scheduler;
  cluster: Cluster;
  replicasOf: Map<string, string[]>;
  history: HistoryEntry[];
  problems: string[];
  counts: RunReport["counts"];
}

/** One client: operations one after another, each on the key's coordinator or a random node. */
async function runClient(name: string, scenario: Scenario, prng: Prng, keys: string[], ops: Ops): Promise<void> {
  const { scheduler, cluster, replicasOf } = ops;
  const seen = new Map<string, bigint>();
  for (let i = 0; i < scenario.opsPerClient; i++) {
    // Now and then a long pause, so that keys go quiet (tombstones age, caches go stale).
    await scheduler.clock.sleep(prng.exponential(scenario.thinkMs) + (prng.chance(0.1) ? prng.next() * 100 : 0));
    const phase = scheduler.now() % scenario.quietEveryMs;
    if (phase >= scenario.quietEveryMs / 2) await scheduler.clock.sleep(scenario.quietEveryMs - phase + prng.next());
    const key = prng.pick(keys);
    const replicas = replicasOf.get(key)!;
    const up = cluster.upNodes();
    if (up.length === 0) {
      await scheduler.clock.sleep(20);
      continue;
    }
    // The coordinator is the first live replica; some clients go elsewhere (forwarding races).
    const coordinator = replicas.map((id) => cluster.node(id)).find((n) => n.up);
    const node = coordinator !== undefined && prng.chance(scenario.coordinatorBias) ? coordinator : prng.pick(up);
    const expected = (): bigint | undefined => {
      if (scenario.gc || prng.chance(0.5)) return undefined;
      return prng.chance(0.75) ? (seen.get(key) ?? 0n) : BigInt(prng.int(0, 4));
    };
    const roll = prng.next();
    let op: RegisterOp;
    if (roll < scenario.mix.get) op = { type: "get" };
    else if (roll < scenario.mix.get + scenario.mix.put) {
      const expectedVersion = expected();
      op = { type: "put", value: `${name}.${i}`, ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
    } else {
      const expectedVersion = expected();
      op = { type: "delete", ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
    }
    const result = await invoke(name, node, key, op, scenario.opTimeoutMs, ops);
    if (result?.type === "get") seen.set(key, result.version);
    if (result?.type === "put") seen.set(key, result.version);
    if (result?.type === "cas-failed") seen.set(key, result.currentVersion);
  }
}

/**
 * Runs one operation on `node` and records it. Returns what the client saw, or undefined when
 * the operation failed without effect (it is then left out of the history: the checker thereby
 * also verifies that such failures really had no effect).
 */
async function invoke(client: string, node: SimNode, key: string, op: RegisterOp, timeoutMs: number, ops: Ops): Promise<RegisterResult | undefined> {
  const { scheduler, history, counts, replicasOf } = ops;
  counts.ops++;
  const entry: HistoryEntry = { client, key, op, result: { type: "unknown" }, invokedAt: scheduler.now(), returnedAt: Infinity };
  history.push(entry);
  let found = false;
  let change: Change;
  switch (op.type) {
    case "get":
      change = readChange;
      break;
    case "put":
      change = putChange({ value: encoder.encode(op.value), ...(op.expectedVersion !== undefined ? { expectedVersion: op.expectedVersion } : {}) });
      break;
    case "delete": {
      const del = deleteChange({ nowMs: scheduler.now(), ...(op.expectedVersion !== undefined ? { expectedVersion: op.expectedVersion } : {}) });
      change = (current) => {
        found = current.exists;
        return del(current);
      };
    }
  }
  const incarnation = node.incarnation;
  let result: RegisterResult | undefined;
  // Writes carry an op id (recent_ops must tell a rival's state built on this write from one
  // that never saw it) and, in fault profiles, like the entry node's router, get one retry on
  // another live replica after half the deadline: a late message of the first attempt may
  // still land, and the write must not be applied twice.
  const opId = op.type === "get" || ops.scenario.gc ? undefined : `${client}/${counts.ops}`;
  const targets = opId === undefined || !ops.scenario.retryWrites ? [node] : [node, ...ops.replicasOf.get(key)!.map((id) => ops.cluster.node(id)).filter((n) => n.id !== node.id)];
  const started = scheduler.now();
  let maybeWritten = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const coordinator = attempt === 0 ? node : targets.slice(1).find((n) => n.up);
    if (coordinator === undefined) break;
    const last = targets.length === 1 || attempt === 1;
    const once = opId !== undefined ? idempotent(opId, scheduler.now(), change) : undefined;
    try {
      const quick = op.type === "get" && ops.scenario.quorumReads
        ? await coordinator.proposer.read(key, replicasOf.get(key)!, { signal: coordinator.lifetime.signal, deadlineAt: started + timeoutMs / 2 })
        : undefined;
      if (quick !== undefined) counts.quorumReads++;
      const state = quick ?? await coordinator.proposer.execute(key, replicasOf.get(key)!, once?.change ?? change, {
        signal: coordinator.lifetime.signal,
        deadlineAt: started + (last ? timeoutMs : timeoutMs / 2),
        ...(once ? { appliedIn: (current: RegisterState, writtenAt: bigint) => {
          const known = once.appliedIn(current, writtenAt);
          if (known !== undefined) counts.opIdDecisions++;
          return known;
        } } : {}),
      });
      const earlier = once?.alreadyApplied();
      if (earlier !== undefined && attempt === 1) counts.retriesFoundApplied++;
      result = op.type === "get"
        ? { type: "get", found: state.exists, version: visibleVersion(state), ...(state.exists ? { value: decoder.decode(state.value) } : {}) }
        : op.type === "put" ? { type: "put", version: earlier?.version ?? state.version } : { type: "delete", found: earlier !== undefined || found };
      break;
    } catch (error) {
      const reason = error instanceof RingkvError ? error.reason : undefined;
      if (reason === "version_mismatch" && error instanceof RingkvError && error.details.currentVersion !== undefined) {
        result = { type: "cas-failed", currentVersion: error.details.currentVersion };
        break;
      } else if (reason === "outcome_unknown") {
        maybeWritten = true;
        result = { type: "unknown" };
      } else if (reason === "deadline_exceeded" || reason === "no_quorum" || reason === "canceled") {
        result = maybeWritten ? { type: "unknown" } : undefined;
      } else {
        ops.problems.push(`${client} ${op.type} on ${key} failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
        result = { type: "unknown" };
        break;
      }
      if (last || node.incarnation !== incarnation) break;
    }
  }
  if (node.incarnation !== incarnation) {
    // The node crashed under the call: the client never heard back.
    counts.unknown++;
    return { type: "unknown" };
  }
  if (result === undefined) {
    counts.failedClean++;
    history.splice(history.indexOf(entry), 1);
    return undefined;
  }
  if (result.type === "unknown") {
    counts.unknown++;
    return result;
  }
  counts.succeeded++;
  if (result.type === "cas-failed") counts.casFailed++;
  entry.result = result;
  entry.returnedAt = scheduler.now();
  return result;
}

/** After healing: a read on the key's coordinator, retried until it answers. */
async function finalRead(key: string, ops: Ops): Promise<void> {
  const { cluster, replicasOf, scheduler } = ops;
  for (let attempt = 0; attempt < 20; attempt++) {
    const node = cluster.node(replicasOf.get(key)![attempt % replicasOf.get(key)!.length]!);
    const result = await invoke("final", node, key, { type: "get" }, 500, ops);
    if (result !== undefined && result.type !== "unknown") return;
    await scheduler.clock.sleep(10);
  }
  ops.problems.push(`no progress: the final read of ${key} failed 20 times on a healed cluster`);
}

/** Crashes nodes at random and restarts them after a while. */
async function runCrashes(scenario: Scenario, prng: Prng, cluster: Cluster, scheduler: Scheduler, state: { workload: boolean }, counts: RunReport["counts"]): Promise<void> {
  if (!Number.isFinite(scenario.crashEveryMs)) return;
  const tolerated = Math.floor((scenario.replicas - 1) / 2);
  while (state.workload) {
    await scheduler.clock.sleep(prng.exponential(scenario.crashEveryMs));
    if (!state.workload) return;
    const down = [...cluster.nodes.values()].filter((n) => !n.up).length;
    const up = cluster.upNodes();
    if (up.length === 0 || (!scenario.crashMajority && down >= tolerated)) continue;
    const victim = prng.pick(up);
    cluster.crash(victim.id);
    counts.crashes++;
    const downtime = prng.exponential(scenario.crashEveryMs / 2);
    void scheduler.clock.sleep(downtime).then(() => {
      if (state.workload) cluster.restart(victim.id);
    });
  }
}

/** Cuts links at random (one node isolated, or one link) and restores them after a while. */
async function runPartitions(scenario: Scenario, prng: Prng, cluster: Cluster, scheduler: Scheduler, state: { workload: boolean }, counts: RunReport["counts"]): Promise<void> {
  if (!Number.isFinite(scenario.partitionEveryMs)) return;
  const ids = [...cluster.nodes.keys()];
  while (state.workload) {
    await scheduler.clock.sleep(prng.exponential(scenario.partitionEveryMs));
    if (!state.workload) return;
    const a = prng.pick(ids);
    const links = prng.chance(0.5) ? ids.filter((b) => b !== a).map((b) => [a, b] as const) : [[a, prng.pick(ids.filter((b) => b !== a))] as const];
    for (const [x, y] of links) cluster.network.setLink(x, y, false);
    counts.partitions++;
    void scheduler.clock.sleep(prng.exponential(scenario.partitionEveryMs / 2)).then(() => {
      for (const [x, y] of links) cluster.network.setLink(x, y, true);
    });
  }
}

/** Tombstone garbage collection on random keys from random nodes while clients run. */
async function runCollector(scenario: Scenario, prng: Prng, cluster: Cluster, scheduler: Scheduler, keys: string[], replicasOf: Map<string, string[]>, state: { workload: boolean }, counts: RunReport["counts"]): Promise<void> {
  while (state.workload) {
    await scheduler.clock.sleep(prng.exponential(5));
    const up = cluster.upNodes();
    if (!state.workload || up.length === 0) return;
    const node = prng.pick(up);
    const key = prng.pick(keys);
    try {
      const result = await node.proposer.collectTombstone(key, replicasOf.get(key)!, {
        // The grace period must outlast any operation that may still be retrying (see
        // tombstone-gc.ts); with 0, a retrying delete can report "not found" for its own
        // tombstone, collected under it.
        minAgeMs: scenario.opTimeoutMs + 5,
        deadlineAt: scheduler.now() + 50,
        signal: node.lifetime.signal,
      });
      if (result.status === "collected") counts.gcCollected++;
      if (result.status === "incomplete") counts.gcIncomplete++;
    } catch {
      // Deadline or crash: collection is retried later anyway.
    }
  }
}

/** Every acknowledged write is visible in (or superseded before) the final read of its key. */
function checkZeroLoss(history: readonly HistoryEntry[], keys: readonly string[], collected: boolean): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    const final = history.filter((e) => e.key === key && e.client === "final" && e.result.type === "get").at(-1);
    if (final === undefined || final.result.type !== "get") continue; // reported as no progress
    const acked = history.filter((e) => e.key === key && e.result.type === "put");
    const highest = acked.reduce((m, e) => (e.result.type === "put" && e.result.version > m ? e.result.version : m), 0n);
    const deletes = history.some((e) => e.key === key && e.op.type === "delete" && (e.result.type === "unknown" || (e.result.type === "delete" && e.result.found)));
    // Collection restarts versions (tombstone-gc.ts), so gc runs only check presence.
    if (!collected && final.result.found && final.result.version < highest) {
      problems.push(`lost write on ${key}: a put was acknowledged at version ${highest}, the final read returned version ${final.result.version}`);
    }
    if (!final.result.found && acked.length > 0 && !deletes) {
      problems.push(`lost write on ${key}: puts were acknowledged and nothing deleted the key, yet the final read found nothing`);
    }
  }
  return problems;
}
