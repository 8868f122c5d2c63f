import { beforeAll, describe, expect, it } from "vitest";
import { runSimulation, type RunReport } from "./run.js";
import { scenarioForSeed, type Scenario } from "./scenario.js";

/**
 * Deterministic simulation of CASPaxos (DESIGN.md section 7): thousands of short seeded runs,
 * each a few nodes with crash-prone disks, a lossy, duplicating, reordering network, crashes,
 * restarts, partitions and (in some runs) tombstone collection, checked for linearizability and
 * for lost acknowledged writes.
 *
 * Environment:
 * - `SIM_SEED=123 pnpm exec vitest run test/simulation` replays exactly seed 123
 *   (add `SIM_TRACE=1` to print every message an acceptor answered, and the crashes);
 * - `SIM_RUNS` (default 2000) and `SIM_FIRST_SEED` (default 1) choose the seeds of a full run,
 *   e.g. `SIM_FIRST_SEED=100000 SIM_RUNS=20000` to search further.
 */
const replay = process.env.SIM_SEED;
const runs = Number(process.env.SIM_RUNS ?? 2000);
const firstSeed = Number(process.env.SIM_FIRST_SEED ?? 1);

describe("CASPaxos under simulation", () => {
  if (replay !== undefined) {
    it(`replays seed ${replay}`, async () => {
      const trace = process.env.SIM_TRACE ? (line: string) => console.log(line) : undefined;
      const report = await runSimulation(scenarioForSeed(Number(replay)), trace);
      console.log(summarize(report));
      expect(report.problems, failureMessage(report)).toEqual([]);
    });
    return;
  }

  const reports: RunReport[] = [];
  beforeAll(async () => {
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      const report = await runSimulation(scenarioForSeed(seed));
      // Keep histories only where needed: failures print them.
      reports.push(report.problems.length > 0 ? report : { ...report, history: [] });
    }
  }, 600_000);

  it(`keeps every history linearizable and every acknowledged write (${runs} seeded runs)`, () => {
    const failed = reports.filter((r) => r.problems.length > 0);
    expect(failed.map((r) => r.scenario.seed), failed.length > 0 ? failureMessage(failed[0]!) : "").toEqual([]);
  });

  it("makes progress: most operations succeed while faults are light", () => {
    for (const profile of ["calm", "light", "partitions"] as const) {
      const mine = reports.filter((r) => r.scenario.profile === profile);
      const ops = sum(mine, (r) => r.counts.ops);
      const succeeded = sum(mine, (r) => r.counts.succeeded);
      expect(succeeded / ops, `${profile}: ${succeeded} of ${ops} operations succeeded`).toBeGreaterThan(0.8);
    }
    for (const r of reports.filter((x) => x.scenario.profile === "calm")) {
      expect(r.counts.succeeded / r.counts.ops, `${summarize(r)}\nreplay: SIM_SEED=${r.scenario.seed}`).toBeGreaterThan(0.5);
    }
  });

  it("exercises the fast path, every kind of fault and tombstone collection", () => {
    const total = (f: (r: RunReport) => number) => sum(reports, f);
    const calm = reports.filter((r) => r.scenario.profile === "calm");
    // With one coordinator per key most operations should take the one-round-trip path.
    expect(sum(calm, (r) => r.counts.fastPathAttempts) / sum(calm, (r) => r.counts.ops)).toBeGreaterThan(0.5);
    expect(total((r) => r.counts.crashes)).toBeGreaterThan(runs / 10);
    expect(total((r) => r.counts.partitions)).toBeGreaterThan(runs / 10);
    expect(total((r) => r.counts.dropped)).toBeGreaterThan(runs);
    expect(total((r) => r.counts.duplicated)).toBeGreaterThan(runs);
    expect(total((r) => r.counts.unknown)).toBeGreaterThan(runs / 10);
    expect(total((r) => r.counts.casFailed)).toBeGreaterThan(runs);
    expect(total((r) => r.counts.gcCollected)).toBeGreaterThan(runs / 40);
    // Op ids: rivals' states that told whether a write was in them, and retries that found theirs.
    expect(total((r) => r.counts.opIdDecisions)).toBeGreaterThan(runs / 10);
    expect(total((r) => r.counts.retriesFoundApplied)).toBeGreaterThan(runs / 10);
    // Gets answered by a quorum read (no round): a share of all gets in runs that use them.
    expect(total((r) => r.counts.quorumReads)).toBeGreaterThan(runs);
    // Writes that waited for their key and rode the next round on it (shared-round.ts).
    expect(total((r) => r.counts.carried)).toBeGreaterThan(runs);
    expect(new Set(reports.map((r) => `${r.scenario.nodes}/${r.scenario.replicas}`))).toEqual(new Set(["3/3", "5/3", "5/5"]));
  });

  it("replays a seed exactly", async () => {
    const seed = firstSeed + 4;
    const a = await runSimulation(scenarioForSeed(seed));
    const b = await runSimulation(scenarioForSeed(seed));
    expect(stringify(b.history)).toBe(stringify(a.history));
    expect(b.counts).toEqual(a.counts);
  });
});

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((acc, item) => acc + f(item), 0);
}

function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

function describeScenario(s: Scenario): string {
  return `${s.profile}, ${s.nodes} nodes, N=${s.replicas}, ${s.keys} key(s), ${s.clients} clients x ${s.opsPerClient} ops`;
}

function summarize(r: RunReport): string {
  const c = r.counts;
  return `seed ${r.scenario.seed} (${describeScenario(r.scenario)}): ${c.ops} ops, ${c.succeeded} succeeded `
    + `(${c.casFailed} cas-failed), ${c.unknown} unknown, ${c.failedClean} failed cleanly; fast path ${c.fastPathAttempts}, `
    + `full rounds ${c.fullRounds}, ${c.carried} carried; ${c.crashes} crashes, ${c.partitions} partitions, ${c.dropped} dropped, `
    + `${c.duplicated} duplicated; ${c.gcCollected} tombstones collected; ${c.virtualMs.toFixed(0)} virtual ms`;
}

function failureMessage(r: RunReport): string {
  const problems = r.problems.join("\n\n");
  const shown = problems.length > 12_000 ? `${problems.slice(0, 12_000)}\n...` : problems;
  return `seed ${r.scenario.seed} failed (${describeScenario(r.scenario)}).\n`
    + `Replay: SIM_SEED=${r.scenario.seed} pnpm exec vitest run test/simulation   (SIM_TRACE=1 prints every message)\n\n${shown}\n`;
}
