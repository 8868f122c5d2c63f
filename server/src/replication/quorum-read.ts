import type { RegisterState } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { ballotEquals } from "./ballot.js";
import type { Clock } from "./clock.js";
import { majority } from "./phases.js";
import { emptyRegister } from "./register.js";
import type { AcceptedRead, ProposerTransport } from "./transport.js";

/** Options of {@link quorumRead}. */
export interface QuorumReadOptions {
  signal?: AbortSignal;
  /** When to stop waiting, in the clock's milliseconds. */
  deadlineAt: number;
}

/**
 * A linearizable read in one round trip that writes nothing: asks every replica's acceptor for
 * the ballot and state it last accepted; when the first majority to answer all name the same
 * ballot, that ballot's state is the answer. Otherwise (they differ, too few answer before the
 * deadline, the transport cannot read) it returns undefined and the caller runs a full round.
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
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) return Promise.resolve(undefined);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  return new Promise<RegisterState | undefined>((resolve) => {
    const answers: AcceptedRead[] = [];
    let failed = 0;
    let done = false;
    const finish = (state: RegisterState | undefined) => {
      if (done) return;
      done = true;
      options.signal?.removeEventListener("abort", onAbort);
      stop.abort();
      resolve(state);
    };
    stop.signal.addEventListener("abort", () => finish(undefined), { once: true });
    clock.sleep(options.deadlineAt - clock.now(), stop.signal).then(() => finish(undefined), () => {});
    for (const id of replicas) {
      read.call(transport, id, key, stop.signal).then(
        (answer) => {
          if (done) return;
          answers.push(answer);
          if (answers.length < needed) return;
          const ballot = answers[0]!.accepted;
          const agreed = answers.every((a) => ballotEquals(a.accepted, ballot));
          finish(agreed ? (answers[0]!.state ?? emptyRegister()) : undefined);
        },
        () => {
          failed++;
          if (replicas.length - failed < needed) finish(undefined);
        },
      );
    }
  });
}
