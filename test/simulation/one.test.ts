import { it } from "vitest";
import { runSimulation } from "./run.js";
import { scenarioForSeed } from "./scenario.js";

it("one", async () => {
  const r = await runSimulation(scenarioForSeed(Number(process.env.S)));
  console.log(JSON.stringify(r.scenario), r.problems.join("\n"));
});
