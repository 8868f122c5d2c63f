import { createRing } from "@ringkv/server/ring/ring";

/**
 * Ring micro-benchmark, run as its own process on the server core: `replicas(key, 3)` lookups
 * per second on a 3-node ring (over 100k distinct keys, and over a hot set of 1k keys), and how
 * evenly 100k keys spread over 3 and 10 nodes. argv[2] is `{"seconds"}`; prints one JSON line.
 */
const { seconds } = JSON.parse(process.argv[2] ?? "{}") as { seconds: number };
const keys = Array.from({ length: 100_000 }, (_, i) => `user:${i}:profile`);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

function lookupsPerSec(keyCount: number): number {
  const ring = createRing({ nodeIds: ids(3) });
  let n = 0;
  let sink = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) sink += ring.replicas(keys[(n + i) % keyCount]!, 3).length;
    n += 1000;
  }
  if (sink === 0) throw new Error("no lookups");
  return n / seconds;
}

function spread(nodes: number) {
  const ring = createRing({ nodeIds: ids(nodes) });
  const counts = new Map<string, number>(ring.nodeIds.map((id) => [id, 0]));
  for (const k of keys) {
    const owner = ring.replicas(k, 1)[0]!;
    counts.set(owner, counts.get(owner)! + 1);
  }
  const mean = keys.length / nodes;
  const values = [...counts.values()];
  const shares = [...ring.shares().values()];
  return {
    nodes,
    keys: keys.length,
    maxOverMean: Math.max(...values) / mean,
    minOverMean: Math.min(...values) / mean,
    shareMaxOverMean: Math.max(...shares) * nodes,
    tokens: ring.tokens().length,
  };
}

process.stdout.write(`${JSON.stringify({
  distinct: lookupsPerSec(keys.length),
  hotSet: lookupsPerSec(1000),
  spread: [spread(3), spread(10)],
})}\n`);
