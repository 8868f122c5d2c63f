import { createHash } from "node:crypto";
import type { MemberConfig } from "../config.js";
import { createRing, type Ring } from "../ring/ring.js";

/** A member and what this node currently believes about it. */
export interface MemberView extends MemberConfig {
  reachable: boolean;
  /** Epoch ms of the last reachability change (0: unchanged since start). */
  reachableSinceMs: number;
  self: boolean;
}

/** Options of {@link createMembership}. */
export interface MembershipOptions {
  selfId: string;
  members: readonly MemberConfig[];
  /** Requested replicas per key; capped at the member count. */
  replicationFactor: number;
  /** Called when a member's reachability changes (for logs and metrics). */
  onReachabilityChange?: (member: MemberView) => void;
}

/**
 * The static member list, the ring built from it, and this node's view of who is reachable.
 * Placement (replicas) depends only on the member list; the coordinator of a key is the first
 * replica this node believes reachable, so a dead node is routed around with no election.
 */
export interface Membership {
  readonly selfId: string;
  readonly ring: Ring;
  /** Replicas per key, after capping at the member count. */
  readonly replicationFactor: number;
  /**
   * A digest of the sorted member list and replication factor. Nodes started with different
   * member lists have different hashes, which forwarded calls and pings compare.
   */
  readonly membersHash: string;
  members(): MemberView[];
  member(id: string): MemberView | undefined;
  address(id: string): string;
  isReachable(id: string): boolean;
  setReachable(id: string, reachable: boolean): void;
  /** The key's preference list (N distinct nodes). */
  replicas(key: string): string[];
  /** The first reachable replica of the key, or the first replica when none is known reachable. */
  coordinator(key: string): string;
}

/** Builds the {@link Membership} of this node. */
export function createMembership(options: MembershipOptions): Membership {
  const views = new Map<string, MemberView>();
  for (const m of options.members) {
    views.set(m.id, { ...m, reachable: true, reachableSinceMs: 0, self: m.id === options.selfId });
  }
  if (!views.has(options.selfId)) throw new Error(`member list does not contain this node (${options.selfId})`);
  const ring = createRing({ nodeIds: [...views.keys()] });
  const replicationFactor = Math.min(options.replicationFactor, views.size);
  const sorted = [...options.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const membersHash = createHash("sha256")
    .update(JSON.stringify({ members: sorted.map((m) => `${m.id}=${m.address}`), replicationFactor }))
    .digest("hex")
    .slice(0, 16);

  function replicas(key: string): string[] {
    return ring.replicas(key, replicationFactor);
  }

  return {
    selfId: options.selfId,
    ring,
    replicationFactor,
    membersHash,
    members: () => [...views.values()].map((v) => ({ ...v })),
    member: (id) => {
      const v = views.get(id);
      return v ? { ...v } : undefined;
    },
    address(id) {
      const v = views.get(id);
      if (!v) throw new Error(`unknown member ${id}`);
      return v.address;
    },
    isReachable: (id) => views.get(id)?.reachable ?? false,
    setReachable(id, reachable) {
      const v = views.get(id);
      if (!v || v.self || v.reachable === reachable) return;
      v.reachable = reachable;
      v.reachableSinceMs = Date.now();
      options.onReachabilityChange?.({ ...v });
    },
    replicas,
    coordinator(key) {
      const list = replicas(key);
      return list.find((id) => views.get(id)!.reachable) ?? list[0]!;
    },
  };
}
