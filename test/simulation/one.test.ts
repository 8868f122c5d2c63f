import { it } from "vitest";
import { runSimulation } from "./run.js";
import { scenarioForSeed } from "./scenario.js";

it("one", async () => {
  const lines: string[] = [];
  const r = await runSimulation(scenarioForSeed(Number(process.env.S)), (l) => lines.push(l));
  console.log(JSON.stringify(r.scenario), r.problems.join("\n"));
  const k = process.env.K;
  console.log(lines.filter((l) => !k || l.includes(` ${k} `) || l.includes("CRASH") || l.includes("RESTART")).join("\n"));
});
