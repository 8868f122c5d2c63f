import HashRing from "hashring";

/** Options of {@link createRing}. */
export interface RingOptions {
  /** Node ids of every member. Order does not matter: the ring is the same for any order. */
  nodeIds: readonly string[];
  /**
   * Virtual-node hashes per node (default 256). hashring derives 4 ring points from each hash,
   * so a node owns 4 x vnodes tokens; 256 keeps max/mean keys per node under 1.10 for 3-10 nodes.
   */
  vnodes?: number;
}

/** One point of the ring and the node it belongs to. */
export interface RingToken {
  position: number;
  nodeId: string;
}

/** Where a key sits on the ring. */
export interface KeyPlacement {
  /** The key's hash, 0 .. 2^32-1. */
  position: number;
  /** The first token clockwise at or after the key's position: its owner. */
  token: RingToken;
  /** The preference list: the first n distinct nodes clockwise. */
  replicas: string[];
}

/**
 * The consistent-hash ring of the cluster, built on npm `hashring` (ketama-style, md5). Node
 * identity is the node id, never an address, so `localhost:1` and `127.0.0.1:1` can't be two
 * nodes, and every node builds the same ring from the same members.
 */
export interface Ring {
  readonly nodeIds: readonly string[];
  /** The first n distinct nodes clockwise from the key (n is capped at the member count). */
  replicas(key: string, n: number): string[];
  /** Position, owning token and replicas of a key. */
  place(key: string, n: number): KeyPlacement;
  /** Every token, sorted by position. */
  tokens(): readonly RingToken[];
  /** The fraction of the 2^32 key space each node owns as first replica. */
  shares(): Map<string, number>;
}

const ringSize = 2 ** 32;
/** Replica lists kept per ring, and the longest key kept (longer keys are hashed every time). */
const cacheEntries = 16_384;
const cacheKeyMaxLength = 256;

/** Builds a {@link Ring}; throws on an empty or duplicated member list. */
export function createRing(options: RingOptions): Ring {
  const nodeIds = [...new Set(options.nodeIds)].sort();
  if (nodeIds.length === 0) throw new Error("a ring needs at least one node");
  if (nodeIds.length !== options.nodeIds.length) throw new Error(`duplicate node ids in ${options.nodeIds.join(",")}`);
  const vnodes = options.vnodes ?? 256;
  // Sorted input: hashring breaks ties between equal points by insertion order.
  const ring = new HashRing(nodeIds, "md5", { "vnode count": vnodes, replicas: 4, "max cache size": 10_000 });
  const internal = ring as unknown as { ring: Array<{ value: number; server: string }>; hashValue(key: string): number; find(h: number): number };
  const tokens: RingToken[] = internal.ring.map((n) => ({ position: n.value, nodeId: n.server }));

  // hashring's range() hashes the key (md5) on every call, and every request asks once or
  // twice; the ring never changes (membership builds a new one), so answers can be kept. Bounded
  // in entries (cleared when full: cheaper on a miss than evicting one by one) and key length,
  // one map per replica count; callers get copies.
  const cached = new Map<number, Map<string, string[]>>();
  function replicas(key: string, n: number): string[] {
    const count = Math.min(n, nodeIds.length);
    if (key.length > cacheKeyMaxLength) return ring.range(key, count, true);
    let byKey = cached.get(count);
    if (byKey === undefined) cached.set(count, (byKey = new Map()));
    let list = byKey.get(key);
    if (list === undefined) {
      list = ring.range(key, count, true);
      if (byKey.size >= cacheEntries) byKey.clear();
      byKey.set(key, list);
    }
    return list.slice();
  }

  return {
    nodeIds,
    replicas,
    place(key, n) {
      const position = internal.hashValue(key);
      const token = tokens[internal.find(position)] ?? tokens[0]!;
      return { position, token, replicas: replicas(key, n) };
    },
    tokens: () => tokens,
    shares() {
      const shares = new Map<string, number>(nodeIds.map((id) => [id, 0]));
      // A token owns the arc from the previous token (exclusive) up to itself (inclusive).
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i]!;
        const prev = i === 0 ? tokens[tokens.length - 1]!.position - ringSize : tokens[i - 1]!.position;
        shares.set(token.nodeId, shares.get(token.nodeId)! + (token.position - prev) / ringSize);
      }
      return shares;
    },
  };
}
