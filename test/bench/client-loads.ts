/**
 * The client loads the cluster and etcd scenarios run, labelled as their "clients" column shows
 * them: the same two for both, so that their rows compare.
 */

/** The driver's usual load: 4 sessions x 16 streams, 64 calls in flight. */
export const manyClients = { label: "4 x 16", driver: {} } as const;

/**
 * One call at a time, on one connection: the latency a lone client sees, where nothing is
 * batched and every message between nodes costs its full wake-up. Its ratios are not goals.
 */
export const oneClient = { label: "1", driver: { sessions: 1, streams: 1 } } as const;
