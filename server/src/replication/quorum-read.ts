import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { createStopper, watchCancellation, type Cancellation, type Stopper } from "../net/cancel-watch.js";
import { ballotEquals } from "./ballot.js";
import type { Clock } from "./clock.js";
import { stragglerGraceMs } from "./operation.js";
import { majority } from "./phases.js";
import { emptyRegister } from "./register.js";
import type { AcceptedRead, ProposerTransport } from "./transport.js";

/** The abort reason of a finished read's timers and calls (no DOMException per read). */
const readEnded = new Error("quorum read ended");

/** Options of {@link quorumRead}. */
export interface QuorumReadOptions {
  /** The caller's cancellation: its signal, or a CancelWatch (no AbortSignal made for it). */
  signal?: Cancellation;
  /** When to stop waiting, in the clock's milliseconds. */
  deadlineAt: number;
  /** This node's id: its own acceptor is always asked first. */
  self?: string;
  /**
   * The other members in the order this node asks them (see {@link readPreference}); replicas
   * not in it come after, in replica order.
   */
  preferred?: readonly string[];
  /** Called when the read's first majority was not decided within {@link hedgeMs} and it asks the rest. */
  onHedge?: () => void;
}

/**
 * The order in which a node asks its peers for quorum reads: the members after itself in sorted
 * id order, wrapping around (n1 asks n2 first, n2 asks n3, n3 asks n1). A read needs only one peer
 * besides the node's own acceptor, and a peer costs per message it is woken for, not per read in
 * it: asking the key's next replica in ring order, as before, split every node's reads over two
 * peers, each woken for half-size batches. One fixed first choice per node batches twice as many
 * reads per message, and with clients spread over the nodes every node still serves its share.
 * Measured (three lmdb nodes on one core, uniform RF 3 Gets through n1, four alternating pairs):
 * 7.9–8.8k → 9.5–11.2k Gets/s, the third node then idle. Which peer is asked never affects what
 * the read returns (any majority works); a slow or failed one is passed over as before. What
 * changes: reads no longer come across a third replica that lags (they used to, for some keys,
 * and repaired it with a full round); writes and anti-entropy still catch it up, and a read that
 * has to use it meanwhile finds the disagreement and takes the full round then.
 */
export function readPreference(self: string, memberIds: readonly string[]): string[] {
  const sorted = [...memberIds].filter((id) => id !== self).sort();
  const after = sorted.findIndex((id) => id > self);
  return after < 0 ? sorted : [...sorted.slice(after), ...sorted.slice(0, after)];
}

/**
 * `preference` with the peers believed down moved last (the same array when all are up, the
 * common case: this runs for every read). A partitioned first choice would otherwise cost every
 * read the hedge (20 ms) before it asks the next.
 */
export function reachableFirst(preference: readonly string[], isReachable: (id: string) => boolean): readonly string[] {
  if (preference.every(isReachable)) return preference;
  return [...preference.filter(isReachable), ...preference.filter((id) => !isReachable(id))];
}

/** The replicas in the order a read asks them: this node's own acceptor, then `preferred`, then the rest. */
function askOrder(replicas: readonly string[], self: string | undefined, preferred: readonly string[] | undefined): string[] {
  const order: string[] = self !== undefined ? [self] : [];
  if (preferred !== undefined) for (const id of preferred) if (id !== self && replicas.includes(id)) order.push(id);
  for (const id of replicas) if (!order.includes(id)) order.push(id);
  return order;
}

/** How long a read waits on its first majority before asking the remaining replicas too. */
export const hedgeMs = 20;

const noop = (): void => {};

/** Reads that started in the same millisecond of one clock, waiting on one hedge timer. */
interface HedgeGroup {
  startedAt: number;
  waiting: Set<() => void>;
  timer: Stopper;
}

/** Per clock, the group that reads starting now join. */
const openHedgeGroups = new WeakMap<Clock, HedgeGroup>();

/**
 * Calls `onHedge` about {@link hedgeMs} from now (up to a millisecond sooner) unless the returned
 * function is called first. Reads that start in the same millisecond share one timer: a timer of
 * its own (a Timeout, a promise and their watchers, made and cleared) cost every quorum read, and
 * nearly every read is decided long before its hedge. The timer is cleared when its last read
 * leaves.
 */
function joinHedge(clock: Clock, onHedge: () => void): () => void {
  const now = clock.now();
  let group = openHedgeGroups.get(clock);
  if (group === undefined || group.startedAt !== now) {
    const fresh: HedgeGroup = { startedAt: now, waiting: new Set(), timer: createStopper() };
    openHedgeGroups.set(clock, fresh);
    clock.sleep(hedgeMs, fresh.timer).then(() => {
      if (openHedgeGroups.get(clock) === fresh) openHedgeGroups.delete(clock);
      for (const hedge of fresh.waiting) {
        // One read's failure must not keep the others from hedging; re-thrown asynchronously,
        // as the Stopper does with its watchers (net/cancel-watch.ts).
        try {
          hedge();
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    }, () => {});
    group = fresh;
  }
  const joined = group;
  joined.waiting.add(onHedge);
  return () => {
    if (!joined.waiting.delete(onHedge) || joined.waiting.size > 0) return;
    joined.timer.stop(readEnded);
    if (openHedgeGroups.get(clock) === joined) openHedgeGroups.delete(clock);
  };
}

/**
 * A linearizable read in one round trip that writes nothing: asks a majority of the replicas'
 * acceptors (more if one fails or is slow) for the ballot and state each last accepted; when the
 * first majority to answer all name the same ballot, that ballot's state is the answer. Otherwise (they differ, too few answer before the
 * deadline, the transport cannot read) it returns undefined and the caller runs a full round.
 *
 * Only this node's own acceptor is asked for the state; the others are asked for their ballot
 * alone (a Get ships its value once, whatever its size). The state of the agreed ballot is then
 * the own acceptor's answer, which is one of the majority; if that answer is not among them (the
 * own acceptor failed or was slower than two others), the read takes the full round.
 *
 * Why this is linearizable. A ballot carries one state, so a majority holding ballot b holds the
 * same state and that state is chosen. Every answer was given after the read began, so the
 * state was chosen by then. No newer state was chosen when each of those acceptors answered:
 * a newer choice needs a majority accepting a higher ballot, which overlaps ours, and each of
 * ours still held b when it answered. A write acknowledged before the read began was chosen
 * before it, so some acceptor of our majority holds its ballot or a later one and the answers
 * disagree. So the state is the latest chosen one at some instant inside the read. Acceptors
 * answer from their persisted record, so a crash cannot take an answer back; nothing is
 * promised, so proposers (and the fast path) are undisturbed. Reads whose majority disagrees,
 * e.g. while a write is half-way or a replica is catching up, take the full round, which also
 * repairs the register.
 */
export function quorumRead(transport: ProposerTransport, clock: Clock, key: string, replicas: readonly string[], options: QuorumReadOptions): Promise<RegisterState | undefined> {
  const read = transport.read;
  if (read === undefined) return Promise.resolve(undefined);
  const needed = majority(replicas.length);
  // Ends the read's calls and waits; no AbortController (see net/cancel-watch.ts).
  const stop = createStopper();
  const unwatch = watchCancellation(options.signal, (reason) => stop.stop(reason));
  if (stop.stopped) return Promise.resolve(undefined);
  return new Promise<RegisterState | undefined>((resolve) => {
    const answers: AcceptedRead[] = [];
    let failed = 0;
    let done = false;
    // The deadline's timer: once the hedge has passed (rarely: a slow or paused replica), or from
    // the start when there is no hedge (no replica left to ask, or the deadline comes first).
    let deadlineTimer: Stopper | undefined;
    let leaveHedge = noop;
    const finish = (state: RegisterState | undefined) => {
      if (done) return;
      done = true;
      unwatch();
      leaveHedge();
      deadlineTimer?.stop(readEnded);
      resolve(state);
      // The replica not needed for the majority may still answer: aborting its call would
      // cost a reset and error objects (see operation.ts); a paused one is cut off after a grace.
      // With no call out (the common case) there is nothing to cut off, and no timer to keep.
      if (!stop.stopped && answers.length + failed < sent) clock.sleep(stragglerGraceMs).then(() => stop.stop(readEnded), () => {});
    };
    stop.watchCancel(() => finish(undefined));
    // A majority first, this node's own acceptor among them (no network); the others only
    // when one of those fails, or after hedgeMs without a decision (a slow or paused replica).
    const self = options.self !== undefined && replicas.includes(options.self) ? options.self : undefined;
    const order = askOrder(replicas, self, options.preferred);
    // The answer that carries the state: the own acceptor's, or any when it is not a replica.
    let full: AcceptedRead | undefined;
    let sent = 0;
    const ask = (id: string) => {
      sent++;
      const ballotOnly = self !== undefined && id !== self;
      let answer: Promise<AcceptedRead>;
      try {
        answer = read.call(transport, id, key, stop, ballotOnly);
      } catch (error) {
        // A transport that throws instead of rejecting counts as that replica failing.
        answer = Promise.reject(error);
      }
      answer.then(
        (answer) => {
          if (done) return;
          answers.push(answer);
          if (!ballotOnly) full ??= answer;
          if (answers.length < needed) return;
          const ballot = answers[0]!.accepted;
          const agreed = answers.every((a) => ballotEquals(a.accepted, ballot));
          finish(agreed && full !== undefined ? (full.state ?? emptyRegister()) : undefined);
        },
        () => {
          failed++;
          if (replicas.length - failed < needed) finish(undefined);
          else if (!done && sent < order.length) ask(order[sent]!);
        },
      );
    };
    while (sent < needed) ask(order[sent]!);
    if (done) return;
    const untilDeadline = () => options.deadlineAt - clock.now();
    const awaitDeadline = () => {
      deadlineTimer = createStopper();
      clock.sleep(untilDeadline(), deadlineTimer).then(() => stop.stop(readEnded), () => {});
    };
    // Decided now, not by reading the clock when the timer fires: a timer may fire a little
    // before the millisecond clock reaches the deadline, and must not then count as the hedge.
    if (sent < order.length && hedgeMs < untilDeadline()) {
      leaveHedge = joinHedge(clock, () => {
        leaveHedge = noop;
        // Failures may already have asked every replica: then this is no hedge.
        const hedged = !done && sent < order.length;
        while (!done && sent < order.length) ask(order[sent]!);
        if (!done) awaitDeadline();
        if (hedged) options.onHedge?.();
      });
    } else {
      awaitDeadline();
    }
  });
}
