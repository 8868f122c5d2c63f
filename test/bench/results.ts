import type { DriverKind, LoadResult } from "./load-result.js";
import type { MachineInfo } from "./machine.js";
import type { ServerDelta } from "./server-metrics.js";

/**
 * One measured throughput figure. `ceiling` names the ceiling it is divided by: the ceiling
 * measured with the same driver, because the Node driver saturates below h2load and a ratio
 * against the wrong ceiling would blame the server for the driver.
 */
export interface Measurement {
  /** Descriptive columns, e.g. { storage: "lmdb", protocol: "gRPC h2c", call: "Get" }. */
  cells: Record<string, string>;
  ceiling: DriverKind;
  reqPerSec: number;
  /** Unit of reqPerSec when it is not requests (e.g. "lookups/s"). */
  unit?: string;
  p50Ms?: number;
  p99Ms?: number;
  /** Server-side CPU time (every node process, all threads) per call served, warm-up included. */
  cpuUsPerCall?: number;
  /** Failed requests seen by the driver plus non-OK answers counted by the server. */
  errors: number;
  /** The driver's raw result and the server-side counts, for the JSON file. */
  load?: LoadResult;
  server?: ServerDelta;
  note?: string;
}

/** A table of figures that are not throughput (memory per key, key spread). */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

/** What a scenario hands to the report. */
export interface ScenarioResult {
  id: string;
  title: string;
  /** How it was measured, one line each. */
  notes: string[];
  measurements: Measurement[];
  tables: Table[];
  /** Anything else worth keeping in the JSON. */
  raw?: unknown;
}

/** The ceilings of a run: measured first and again last, ratios use the mean. */
export interface Ceilings {
  before: Record<DriverKind, Measurement>;
  after?: Record<DriverKind, Measurement>;
  /** The first ceiling again, h2load paced at half its max: the latency floor of the paced rows. */
  paced?: Measurement;
}

/** Everything one bench run produced; written as JSON and rendered into BENCHMARKS.md. */
export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  command: string;
  /** Extra `ringkv serve` flags every node ran with. */
  nodeArgs?: string[];
  machine: MachineInfo;
  ceilings: Ceilings;
  scenarios: ScenarioResult[];
}

/** The ceiling of a driver: the mean of the before and after runs (or the before run alone). */
export function ceilingOf(ceilings: Ceilings, driver: DriverKind): number {
  return mean(ceilings.before[driver].reqPerSec, ceilings.after?.[driver].reqPerSec)!;
}

/** The ceiling server's CPU µs per call with a driver (mean of both runs), if measured. */
export function ceilingCpuOf(ceilings: Ceilings, driver: DriverKind): number | undefined {
  return mean(ceilings.before[driver].cpuUsPerCall, ceilings.after?.[driver].cpuUsPerCall);
}

function mean(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : (a + b) / 2;
}
