import path from "node:path";
import { runJsonChild } from "../child.js";
import type { BenchOptions } from "../options.js";
import { benchDistDir } from "../paths.js";
import { onServerCore } from "../pin.js";
import { fmt, progress } from "../progress.js";
import type { ScenarioResult } from "../results.js";

interface RingWorkerResult {
  distinct: number;
  hotSet: number;
  spread: Array<{ nodes: number; keys: number; maxOverMean: number; minOverMean: number; shareMaxOverMean: number; tokens: number }>;
}

/**
 * Scenario 6, the ring: placement cost and balance (ring-worker.ts, own process, server core).
 * Lookups per second are divided by the h2load ceiling only for scale: how many placements fit
 * in the CPU time of one bare HTTP/2 request.
 */
export async function ring(options: BenchOptions): Promise<ScenarioResult> {
  progress("ring: replicas(key, 3) lookups and key spread");
  const [cmd, args] = onServerCore(process.execPath, [path.join(benchDistDir, "ring-worker.js"), JSON.stringify({ seconds: options.quick ? 1 : 3 })]);
  const r = await runJsonChild<RingWorkerResult>(cmd, args);
  return {
    id: "ring",
    title: "Ring",
    notes: ["`createRing` with its defaults (256 vnode hashes x 4 points per node, md5). `replicas` keeps the last 16,384 answers (keys up to 256 bytes; hashring's own cache serves only `get`, and its `range` hashes the key on every call): 100k distinct keys mostly miss and pay the md5, a 1k hot set is served from the cache."],
    measurements: [
      { cells: { lookup: "replicas(key, 3), 3 nodes, 100k distinct keys" }, ceiling: "h2load", reqPerSec: r.distinct, unit: "lookups/s", errors: 0 },
      { cells: { lookup: "replicas(key, 3), 3 nodes, 1k keys (hot set)" }, ceiling: "h2load", reqPerSec: r.hotSet, unit: "lookups/s", errors: 0 },
    ],
    tables: [{
      title: "Key spread (first replica of 100k keys)",
      columns: ["nodes", "tokens", "max ÷ mean keys", "min ÷ mean keys", "largest token share ÷ fair share"],
      rows: r.spread.map((s) => [String(s.nodes), fmt(s.tokens), fmt(s.maxOverMean, 3), fmt(s.minOverMean, 3), fmt(s.shareMaxOverMean, 3)]),
    }],
    raw: r,
  };
}
