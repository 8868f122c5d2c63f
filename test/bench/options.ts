import { parseArgs } from "node:util";

/** Scenario ids, in run order (the ceiling always runs, first and last). */
export const scenarioIds = ["single-node", "forwarded", "cluster", "etcd", "memory", "ring"] as const;
/** One of {@link scenarioIds}. */
export type ScenarioId = (typeof scenarioIds)[number];

/** Settings of one bench run. */
export interface BenchOptions {
  quick: boolean;
  only: ScenarioId[];
  /** Seconds of measured load per run, after `warmupS` of unmeasured load. */
  durationS: number;
  warmupS: number;
  /** Replication factors the 3-node cluster scenario runs with (>1 adds LOCAL vs linearizable Get). */
  replicationFactors: number[];
  /** Keys loaded per engine by the memory scenario. */
  memoryKeys: number;
  /** Regenerate BENCHMARKS.md's results section (default: only for full runs). */
  writeDoc: boolean;
  /** Extra `ringkv serve` flags for every node (e.g. to compare a server option in one run). */
  nodeArgs: string[];
  /** Re-render BENCHMARKS.md from this saved bench-results JSON instead of measuring. */
  render?: string;
}

/** The help text, printed on a bad flag or --help. */
export const usage = `usage: node test/dist/bench/main.js [options]
  --quick                      ~1.5 minutes: 2 s runs, gRPC and Connect JSON HTTP/1.1 only, 100k keys in the memory scenario
  --only <ids>                 comma-separated scenarios: ${scenarioIds.join(", ")}
  --duration <s>               seconds of measured load per run (default 5, quick 2)
  --replication-factor <list>  replication factors of the 3-node cluster scenario (default 1,3; quick 3)
  --keys <n>                   keys loaded per engine by the memory scenario (default 1000000)
  --node-args=<flags>          extra \`ringkv serve\` flags for every node, e.g. --node-args=--no-lean-grpc
  --doc / --no-doc             regenerate BENCHMARKS.md (default: only for full runs)
  --render <file.json>         regenerate BENCHMARKS.md from a saved run, measure nothing`;

/** Parses the command line; throws with the usage on a bad flag. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      duration: { type: "string" },
      "replication-factor": { type: "string" },
      keys: { type: "string" },
      doc: { type: "boolean" },
      "no-doc": { type: "boolean" },
      "node-args": { type: "string" },
      render: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new Error(usage);
  const only = values.only === undefined ? [...scenarioIds] : values.only.split(",").map((s) => s.trim());
  for (const id of only) if (!(scenarioIds as readonly string[]).includes(id)) throw new Error(`unknown scenario "${id}"\n${usage}`);
  const quick = values.quick ?? false;
  const durationS = values.duration !== undefined ? Number(values.duration) : quick ? 2 : 5;
  const replicationFactors = (values["replication-factor"] ?? (quick ? "3" : "1,3")).split(",").map(Number);
  const memoryKeys = values.keys !== undefined ? Number(values.keys) : quick ? 100_000 : 1_000_000;
  if (!(durationS > 0) || replicationFactors.some((n) => !Number.isInteger(n) || n < 1 || n > 3) || !(memoryKeys > 0)) throw new Error(`bad number\n${usage}`);
  const full = !quick && values.only === undefined && values.duration === undefined;
  return {
    quick,
    only: only as ScenarioId[],
    durationS,
    warmupS: quick ? 0.5 : 1,
    replicationFactors,
    memoryKeys,
    writeDoc: values["no-doc"] ? false : (values.doc ?? full),
    nodeArgs: (values["node-args"] ?? "").split(" ").filter(Boolean),
    ...(values.render !== undefined ? { render: values.render } : {}),
  };
}
