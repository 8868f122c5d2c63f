import { it } from "vitest";
import { runSimulation } from "./run.js";
import { scenarioForSeed } from "./scenario.js";

it("try", async () => {
  const t0 = performance.now();
  const agg: Record<string, Record<string, number>> = {};
  let bad = 0;
  const n = Number(process.env.N ?? 50);
  for (let seed = 1; seed <= n; seed++) {
    const r = await runSimulation(scenarioForSeed(seed));
    const a = (agg[r.scenario.profile] ??= {});
    a.runs = (a.runs ?? 0) + 1;
    for (const [k, v] of Object.entries(r.counts)) a[k] = (a[k] ?? 0) + v;
    a.minRate = Math.min(a.minRate ?? 1, r.counts.succeeded / Math.max(1, r.counts.ops));
    if (r.problems.length) { bad++; if (bad < 8) console.log(seed, r.scenario.profile, r.problems.join("\n").slice(0, 3000)); }
  }
  for (const [p, a] of Object.entries(agg)) console.log(p, JSON.stringify(a), "rate", (a.succeeded! / a.ops!).toFixed(3));
  console.log("bad", bad, "ms", performance.now() - t0);
  const x = await runSimulation(scenarioForSeed(5));
  const y = await runSimulation(scenarioForSeed(5));
  const j = (h: unknown) => JSON.stringify(h, (_k, v) => typeof v === "bigint" ? v.toString() : v);
  console.log("deterministic", j(x.history) === j(y.history) && j(x.counts) === j(y.counts));
});
