import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runChild } from "./child.js";
import { percentile, type LoadResult } from "./load-result.js";
import { onDriverCore } from "./pin.js";

/** Options of {@link runH2load}. */
export interface H2loadOptions {
  /** Full URL including the RPC path. */
  url: string;
  body: Uint8Array;
  headers: Record<string, string>;
  /** Force HTTP/1.1. h2load then pipelines nothing when posting (-d), so in-flight = clients. */
  h1: boolean;
  clients: number;
  /** Streams per connection (h2c only). */
  streams: number;
  durationS: number;
  warmupS: number;
  /** Requests per second per client (h2load --rps): a paced load instead of a closed loop. */
  rps?: number;
}

/**
 * Runs Debian's h2load (nghttp2-client) on the driver core: the fastest driver available here,
 * so it can saturate one server core. Throughput comes from h2load's summary; p50/p99 from its
 * `--log-file` (one line per measured request: start µs, status, duration µs).
 */
export async function runH2load(options: H2loadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ringkv-h2load-"));
  try {
    const bodyFile = path.join(dir, "body");
    const logFile = path.join(dir, "log.tsv");
    writeFileSync(bodyFile, options.body);
    const args = [
      "-c", String(options.clients), "-m", String(options.h1 ? 1 : options.streams),
      "-D", `${Math.round(options.durationS * 1000)}ms`, "--warm-up-time", `${Math.round(options.warmupS * 1000)}ms`,
      "-d", bodyFile, "--log-file", logFile,
      ...Object.entries(options.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
      ...(options.h1 ? ["--h1"] : []),
      ...(options.rps ? ["--rps", String(Math.max(1, Math.round(options.rps)))] : []),
      options.url,
    ];
    const [cmd, cmdArgs] = onDriverCore("h2load", args);
    const out = await runChild(cmd, cmdArgs);
    if (out.code !== 0) throw new Error(`h2load failed (exit ${out.code}): ${out.stdout.slice(-1500)}${out.stderr.slice(-1500)}`);
    return parse(out.stdout, readFileSync(logFile, "utf8"), options.durationS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(stdout: string, log: string, durationS: number): LoadResult {
  const num = (re: RegExp): number => Number(re.exec(stdout)?.[1] ?? Number.NaN);
  const reqPerSec = num(/finished in [\d.]+\w+, ([\d.]+) req\/s/);
  const succeeded = num(/(\d+) succeeded/);
  const failed = num(/(\d+) failed/) + num(/(\d+) errored/) + num(/(\d+) timeout/);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  if (!codes || Number.isNaN(reqPerSec)) throw new Error(`unexpected h2load output:\n${stdout}`);
  const durationsMs: number[] = [];
  for (const line of log.split("\n")) {
    const [, status, micros] = line.split("\t");
    // -1 marks a failed stream; h2c gRPC responses log status 0 (the trailers carry no :status).
    if (micros !== undefined && status !== "-1") durationsMs.push(Number(micros) / 1000);
  }
  durationsMs.sort((a, b) => a - b);
  return {
    driver: "h2load",
    requests: succeeded + failed,
    succeeded,
    failed,
    durationS,
    reqPerSec,
    p50Ms: percentile(durationsMs, 50),
    p99Ms: percentile(durationsMs, 99),
    detail: { "2xx": Number(codes[1]), "3xx": Number(codes[2]), "4xx": Number(codes[3]), "5xx": Number(codes[4]) },
  };
}
