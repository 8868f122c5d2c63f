import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { installPeerWireCodecs } from "../../server/src/cluster/peer-wire.js";
import { rejectIfCancelled, watchCancellation, type Cancellation } from "../../server/src/net/cancel-watch.js";
import { decodeMessage, encodeMessage } from "../../server/src/net/message-codecs.js";
import {
  AcceptRequestSchema,
  AcceptResponseSchema,
  PrepareRequestSchema,
  PrepareResponseSchema,
  ReadLocalRequestSchema,
  ReadLocalResponseSchema,
} from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import type { Acceptor, ProposerTransport } from "../../server/src/replication/index.js";
import type { Prng } from "./prng.js";
import { formatMessage } from "./trace.js";
import type { Scheduler } from "./scheduler.js";

/** Fault knobs of the simulated network; all may change while a run is going on. */
export interface NetworkFaults {
  /** Probability that one message (request or response) is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice (each copy with its own delay). */
  duplicateRate: number;
  /** Fixed part of a message's latency, ms. */
  minLatencyMs: number;
  /** Mean of the exponential extra latency, ms (reorders messages). */
  jitterMs: number;
  /** Probability of a long delay (a slow link, a GC pause) of up to `slowMs`. */
  slowRate: number;
  slowMs: number;
}

/** What the network needs to know about a node. */
export interface NetworkNode {
  readonly id: string;
  /** False while crashed. */
  readonly up: boolean;
  /** Changes on every crash: messages addressed to an earlier incarnation are lost. */
  readonly incarnation: number;
  /** The node's current acceptor. */
  readonly acceptor: Acceptor;
}

/** Options of {@link createNetwork}. */
export interface NetworkOptions {
  scheduler: Scheduler;
  prng: Prng;
  faults: NetworkFaults;
  node(id: string): NetworkNode;
  /** A call without answer fails after this long (the transport's RPC timeout), ms. */
  rpcTimeoutMs: number;
  /** Called with one line per request an acceptor answered (debugging a seed). */
  trace?: (line: string) => void;
}

/**
 * A simulated network between nodes, carrying the real protobuf encoding of PeerService
 * messages. A request or response may be dropped, duplicated, delayed or reordered; a cut link
 * (partition) silently loses messages; a crashed node refuses connections at once. The
 * transport a proposer gets behaves like the production one: it rejects when a node cannot be
 * reached or does not answer within the RPC timeout.
 */
export interface Network {
  readonly faults: NetworkFaults;
  /** The transport used by the proposer on node `from`. */
  transport(from: string): ProposerTransport;
  /** Cuts (or restores) the link between two nodes, both directions. */
  setLink(a: string, b: string, connected: boolean): void;
  /** Restores every link. */
  healAll(): void;
  readonly counters: { sent: number; dropped: number; duplicated: number };
  /** Errors thrown by acceptors (always a bug: the test fails on any). */
  readonly serverErrors: unknown[];
}

/**
 * Creates a {@link Network}. Messages cross it as protobuf bytes, encoded and decoded the way a
 * node does (the hand-written codecs of cluster/peer-wire.ts and register-wire.ts, as startNode installs them).
 */
export function createNetwork(options: NetworkOptions): Network {
  installPeerWireCodecs();
  const { scheduler, prng, faults, node, rpcTimeoutMs, trace } = options;
  const cut = new Set<string>();
  const counters = { sent: 0, dropped: 0, duplicated: 0 };
  const serverErrors: unknown[] = [];
  const linkId = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const connected = (a: string, b: string) => a === b || !cut.has(linkId(a, b));

  function latency(): number {
    const slow = prng.chance(faults.slowRate) ? prng.next() * faults.slowMs : 0;
    return faults.minLatencyMs + prng.exponential(faults.jitterMs) + slow;
  }

  /**
   * Sends bytes from `from` to `to`; `deliver` runs at arrival if the link is up then and the
   * receiver is still the incarnation the message was addressed to.
   */
  function send(from: string, to: string, bytes: Uint8Array, deliver: (bytes: Uint8Array) => void): void {
    counters.sent++;
    const target = node(to);
    const incarnation = target.incarnation;
    const copies = prng.chance(faults.duplicateRate) ? 2 : 1;
    if (copies === 2) counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (from !== to && prng.chance(faults.dropRate)) {
        counters.dropped++;
        continue;
      }
      scheduler.after(from === to ? 0 : latency(), () => {
        const now = node(to);
        if (!now.up || now.incarnation !== incarnation || !connected(from, to)) return;
        deliver(bytes);
      });
    }
  }

  function rpc<I extends DescMessage, O extends DescMessage>(
    from: string,
    to: string,
    inSchema: I,
    outSchema: O,
    handle: (acceptor: Acceptor, req: MessageShape<I>) => Promise<MessageShape<O>>,
    req: MessageShape<I>,
    key: string,
    cancel: Cancellation,
  ): Promise<MessageShape<O>> {
    const cancelled = rejectIfCancelled(cancel);
    if (cancelled !== undefined) return cancelled;
    const caller = node(from);
    const callerIncarnation = caller.incarnation;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        cancelTimeout();
        unwatch();
        settle();
      };
      const unwatch = watchCancellation(cancel, (reason) => finish(() => reject(reason)));
      const cancelTimeout = scheduler.after(rpcTimeoutMs, () => finish(() => reject(new Error(`${to}: timeout`))));

      if (!node(to).up) {
        // A crashed node's port is closed: the connection fails fast.
        scheduler.after(faults.minLatencyMs, () => finish(() => reject(new Error(`${to}: connection refused`))));
        return;
      }
      send(from, to, encodeMessage(inSchema, req), (bytes) => {
        const server = node(to);
        const serverIncarnation = server.incarnation;
        const decoded = decodeMessage(inSchema, bytes);
        handle(server.acceptor, decoded).then(
          (res) => {
            trace?.(`${scheduler.now().toFixed(3)} ${from}->${to} ${key} `
              + `${inSchema.typeName.split(".").pop()} ${formatMessage(decoded)} => ${formatMessage(res)}`);
            // An answer computed by a node that crashed meanwhile is never sent.
            if (!node(to).up || node(to).incarnation !== serverIncarnation) return;
            send(to, from, encodeMessage(outSchema, res), (answer) => {
              if (node(from).incarnation !== callerIncarnation) return;
              finish(() => resolve(decodeMessage(outSchema, answer)));
            });
          },
          (error: unknown) => {
            serverErrors.push(error);
            finish(() => reject(error instanceof Error ? error : new Error(String(error))));
          },
        );
      });
    });
  }

  return {
    faults,
    counters,
    serverErrors,
    transport(from) {
      return {
        prepare: (to, req, cancel) =>
          rpc(from, to, PrepareRequestSchema, PrepareResponseSchema, (a, r) => a.prepare(r), req, req.key, cancel),
        accept: (to, req, cancel) =>
          rpc(from, to, AcceptRequestSchema, AcceptResponseSchema, (a, r) => a.accept(r), req, req.key, cancel),
        read: (to, key, cancel, ballotOnly) =>
          rpc(from, to, ReadLocalRequestSchema, ReadLocalResponseSchema, async (a, r) => {
            // As PeerService.ReadLocal answers: the ballot alone when asked for.
            const { state, accepted } = await a.readAccepted(r.key);
            return create(ReadLocalResponseSchema, { ...(state && !r.ballotOnly ? { state } : {}), ...(accepted ? { accepted } : {}) });
          }, create(ReadLocalRequestSchema, { key, ballotOnly: ballotOnly === true }), key, cancel),
      };
    },
    setLink(a, b, isConnected) {
      if (isConnected) cut.delete(linkId(a, b));
      else cut.add(linkId(a, b));
    },
    healAll() {
      cut.clear();
    },
  };
}
