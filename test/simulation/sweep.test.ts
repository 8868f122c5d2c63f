import { it } from "vitest";
import { runSimulation } from "./run.js";
import { scenarioForSeed } from "./scenario.js";

it("sweep", async () => {
  const from = Number(process.env.FROM ?? 1);
  const to = Number(process.env.TO ?? 100);
  const bad: number[] = [];
  const t0 = performance.now();
  for (let seed = from; seed <= to; seed++) {
    const sc = scenarioForSeed(seed);
    if (process.env.PROFILE && sc.profile !== process.env.PROFILE) continue;
    const r = await runSimulation(sc);
    if (r.problems.length) { bad.push(seed); if (bad.length <= 3) console.log(seed, r.scenario.profile, r.problems.join("\n").slice(0, 1500)); }
  }
  console.log("bad", bad.length, JSON.stringify(bad.slice(0, 50)), "ms", performance.now() - t0);
}, 3_600_000);
