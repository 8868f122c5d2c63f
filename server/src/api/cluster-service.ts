import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  ClusterService,
  NodeStatsSchema,
  type NodeStats,
} from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { callInfoFrom, withCallInfo, type Deadlines } from "../cluster/call-context.js";
import type { Forwarder } from "../cluster/forwarder.js";
import type { Membership } from "../cluster/membership.js";
import { ringkvError } from "../errors.js";
import { validateKey } from "../kv/validate.js";

/** Options of {@link createClusterService}. */
export interface ClusterServiceOptions {
  membership: Membership;
  forwarder: Forwarder;
  /** This node's own figures. */
  localStats: () => NodeStats;
  deadlines: Deadlines;
}

/**
 * Public introspection: members and their reachability, the ring, where a key lives, and
 * per-node stats (gathered from every member for the cluster-wide calls).
 */
export function createClusterService(options: ClusterServiceOptions): ServiceImpl<typeof ClusterService> {
  const { membership, forwarder, localStats } = options;

  async function statsOf(id: string, ctx: HandlerContext): Promise<NodeStats> {
    if (id === membership.selfId) return localStats();
    const info = withCallInfo(callInfoFrom(ctx, options.deadlines), { deadlineAt: Date.now() + 1000 });
    try {
      const res = await forwarder.call(id, info, (peer, callOptions) => peer.cluster.getNodeStats({ nodeId: id }, callOptions));
      const stats = res.stats ?? create(NodeStatsSchema, { nodeId: id });
      return { ...stats, reachableSinceMs: BigInt(membership.member(id)?.reachableSinceMs ?? 0) };
    } catch (err) {
      return create(NodeStatsSchema, {
        nodeId: id,
        address: membership.address(id),
        reachable: false,
        reachableSinceMs: BigInt(membership.member(id)?.reachableSinceMs ?? 0),
        error: (err as Error).message,
        timestampMs: BigInt(Date.now()),
      });
    }
  }

  async function clusterStats(ctx: HandlerContext) {
    const nodes = await Promise.all(membership.members().map((m) => statsOf(m.id, ctx)));
    return { nodes, servedBy: membership.selfId };
  }

  return {
    getMembers: () => ({
      nodeId: membership.selfId,
      replicationFactor: membership.replicationFactor,
      membersHash: membership.membersHash,
      members: membership.members().map((m) => ({
        id: m.id,
        address: m.address,
        reachable: m.reachable,
        reachableSinceMs: BigInt(m.reachableSinceMs),
        self: m.self,
      })),
    }),
    getRing: () => ({
      tokens: membership.ring.tokens().map((t) => ({ position: t.position, nodeId: t.nodeId })),
      shares: [...membership.ring.shares()].map(([nodeId, share]) => ({
        nodeId,
        share,
        tokenCount: membership.ring.tokens().filter((t) => t.nodeId === nodeId).length,
      })),
      replicationFactor: membership.replicationFactor,
    }),
    locate(req) {
      validateKey(req.key);
      const placement = membership.ring.place(req.key, membership.replicationFactor);
      const coordinator = membership.coordinator(req.key);
      const down = placement.replicas.filter((id) => !membership.isReachable(id));
      const explanation =
        `key hashes to ${placement.position} on the ring; the next token clockwise (${placement.token.position}) belongs to ${placement.token.nodeId}; ` +
        `the first ${placement.replicas.length} distinct node(s) clockwise are its replicas; ` +
        (down.length === 0
          ? `${coordinator} coordinates it as the first replica`
          : `${down.join(", ")} unreachable, so ${coordinator} coordinates it as the first reachable replica`);
      return {
        key: req.key,
        position: placement.position,
        token: placement.token.position,
        replicas: placement.replicas,
        coordinator,
        explanation,
      };
    },
    async getNodeStats(req, ctx) {
      const id = req.nodeId || membership.selfId;
      if (!membership.member(id)) throw ringkvError("not_found", `no member with id "${id}"; members: ${membership.members().map((m) => m.id).join(", ")}`);
      return { stats: await statsOf(id, ctx) };
    },
    getClusterStats: (_req, ctx) => clusterStats(ctx),
    async *watchClusterStats(req, ctx) {
      const interval = Math.max(req.intervalMs || 1000, 250);
      while (!ctx.signal.aborted) {
        yield await clusterStats(ctx);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, interval);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });
      }
    },
  };
}
