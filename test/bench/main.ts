import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { acquireBenchLock } from "./bench-lock.js";
import { machineInfo, serverBuildTime } from "./machine.js";
import { parseOptions, type BenchOptions, type ScenarioId } from "./options.js";
import { cliPath, repoRoot } from "./paths.js";
import { progress } from "./progress.js";
import { renderRun, updateBenchmarksDoc, writeJson } from "./report.js";
import type { BenchRun, Ceilings, ScenarioResult } from "./results.js";
import { measureCeiling } from "./scenarios/ceiling.js";
import { cluster } from "./scenarios/cluster.js";
import { etcd } from "./scenarios/etcd.js";
import { forwarded } from "./scenarios/forwarded.js";
import { memory } from "./scenarios/memory.js";
import { ring } from "./scenarios/ring.js";
import { singleNode } from "./scenarios/single-node.js";

/**
 * `pnpm bench`: measures ringkv against a bare node:http2 ceiling in one run (ceiling first and
 * last, scenarios between), writes bench-results/<date>.json and, for full runs, the results
 * section of BENCHMARKS.md. Absolute numbers on a shared 2-core machine are noise; the ratios
 * to the same run's ceiling are the figures to compare across runs.
 */
const scenarios: Record<ScenarioId, (options: BenchOptions) => Promise<ScenarioResult>> = {
  "single-node": singleNode,
  forwarded,
  cluster,
  etcd,
  memory,
  ring,
};

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    const help = process.argv.includes("--help") || process.argv.includes("-h");
    (help ? console.log : console.error)((err as Error).message);
    process.exit(help ? 0 : 2);
  }
  if (options.render !== undefined) {
    const run = JSON.parse(readFileSync(options.render, "utf8")) as BenchRun;
    progress(`updated ${updateBenchmarksDoc(run)} from ${options.render}`);
    return;
  }
  await acquireBenchLock();
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`pnpm run build:server\` first`);
  const machine = machineInfo();
  if (machine.h2load === "not installed") throw new Error("h2load is missing: `apt-get install -y nghttp2-client` (Debian)");
  const startedAt = new Date().toISOString();
  progress(`${machine.cpu}, ${machine.cores} cores, ${machine.node}, ${machine.pinned}; scenarios: ${options.only.join(", ")}; ${options.durationS} s per run`);

  let paced: Ceilings["paced"] = undefined as Ceilings["paced"];
  const ceilings: Ceilings = { before: await measureCeiling(options, "first", (m) => (paced = m)) };
  if (paced !== undefined) ceilings.paced = paced;
  // The server build the nodes will load: read now, just before the first node starts.
  machine.revision = machineInfo().revision;
  const builtAt = serverBuildTime();
  const results: ScenarioResult[] = [];
  for (const id of options.only) {
    try {
      results.push(await scenarios[id](options));
    } catch (err) {
      progress(`${id} FAILED: ${(err as Error).stack ?? String(err)}`);
      results.push({ id, title: `${id} (failed)`, notes: [`failed: ${(err as Error).message.split("\n")[0]}`], measurements: [], tables: [] });
    }
  }
  ceilings.after = await measureCeiling(options, "last");
  machine.loadAverage.end = os.loadavg()[0]!;
  if (serverBuildTime() !== builtAt) {
    // Someone rebuilt the server mid-run: the figures may mix two builds; the report says so.
    machine.revision = `${machine.revision} — REBUILT during the run at ${serverBuildTime()}`;
    progress(`warning: server/dist was rebuilt during the run (${serverBuildTime()})`);
  }

  const run: BenchRun = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `node test/dist/bench/main.js ${process.argv.slice(2).map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`.trim(),
    nodeArgs: options.nodeArgs,
    machine,
    ceilings,
    scenarios: results,
  };
  const json = writeJson(repoRoot, run);
  progress(`wrote ${json}`);
  if (options.writeDoc) progress(`updated ${updateBenchmarksDoc(run)}`);
  process.stdout.write(`${renderRun(run)}\n`);
  if (results.some((r) => r.measurements.length === 0 && r.title.endsWith("(failed)"))) process.exitCode = 1;
}

await main();
