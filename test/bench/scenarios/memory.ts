import path from "node:path";
import { runJsonChild } from "../child.js";
import type { BenchOptions } from "../options.js";
import { benchDistDir } from "../paths.js";
import { onServerCore } from "../pin.js";
import { fmt, progress } from "../progress.js";
import type { Measurement, ScenarioResult } from "../results.js";

/** What memory-loader.ts prints. */
interface LoaderResult {
  engine: string;
  keys: number;
  loadS: number;
  keysPerSec: number;
  rssOpened: number;
  rssAfter: number;
  rssDelta: number;
  heapUsedDelta: number;
  externalDelta: number;
  arrayBuffersDelta: number;
  storeBytes: number;
  fileBytes: number;
  diskBytes: number;
}

/**
 * Scenario 5, memory: N keys loaded into each engine by memory-loader.ts in its own process on
 * the server core, with RSS, heap and disk per key. The load rate is a storage-layer throughput
 * (no network), reported against the h2load ceiling only for scale.
 */
export async function memory(options: BenchOptions): Promise<ScenarioResult> {
  const results: LoaderResult[] = [];
  const measurements: Measurement[] = [];
  for (const engine of ["memory", "lmdb"] as const) {
    progress(`memory: loading ${fmt(options.memoryKeys)} keys into ${engine}`);
    const [cmd, args] = onServerCore(process.execPath, ["--expose-gc", path.join(benchDistDir, "memory-loader.js"), JSON.stringify({ engine, keys: options.memoryKeys })]);
    const r = await runJsonChild<LoaderResult>(cmd, args, { echoStderr: true });
    results.push(r);
    measurements.push({ cells: { engine, what: "load through the record store (no network)" }, ceiling: "h2load", reqPerSec: r.keysPerSec, unit: "keys/s", errors: 0 });
  }
  const perKey = (bytes: number, r: LoaderResult) => fmt(bytes / r.keys);
  const mib = (bytes: number) => fmt(bytes / 1024 ** 2, 1);
  return {
    id: "memory",
    title: `Memory: ${fmt(options.memoryKeys)} keys (16-byte keys, 100-byte values)`,
    notes: [
      "Each engine loaded in a fresh process through `createRecordStore` (AcceptorRecord with the register state, as the single-replica backend writes it), in batches of 10,000 concurrent writes; figures after two forced GCs.",
      "lmdb's RSS includes the file pages it touched through its memory map (reclaimable page cache, not heap).",
      "Replicated records will add the promised and accepted ballots (a few dozen bytes per key).",
    ],
    measurements,
    tables: [{
      title: "Per key",
      columns: ["engine", "keys", "load s", "RSS after MiB", "RSS Δ MiB", "RSS Δ B/key", "heap Δ B/key", "external Δ B/key", "stored B/key (engine stats)", "disk B/key (allocated)"],
      rows: results.map((r) => [
        r.engine, fmt(r.keys), fmt(r.loadS, 1), mib(r.rssAfter), mib(r.rssDelta), perKey(r.rssDelta, r), perKey(r.heapUsedDelta, r), perKey(r.externalDelta, r), perKey(r.storeBytes, r),
        r.engine === "lmdb" ? perKey(r.diskBytes, r) : "—",
      ]),
    }],
    raw: results,
  };
}
