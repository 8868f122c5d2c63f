import { cpuMs } from "./cpu.js";
import { runH2load } from "./h2load.js";
import type { LoadResult } from "./load-result.js";
import { driverDefaults, runLoadDriver } from "./load-driver-run.js";
import type { LoadDriverConfig } from "./load-driver-config.js";
import type { BenchOptions } from "./options.js";
import { fmt, progress } from "./progress.js";
import { callChecked, protocols, rpcPath, type Protocol } from "./protocols.js";
import type { Measurement } from "./results.js";
import { readServerCounts, serverDelta } from "./server-metrics.js";
import type { RequestSpec } from "./wire.js";

/** h2load concurrency: `-c 4 -m 16` on h2c; on HTTP/1.1 (no pipelining with -d) 16 connections. */
/**
 * h2load's connection shape. Paced runs (`--rps`) use 4 streams per client: h2load starts a
 * client's due requests together, up to its stream limit, so with 16 it offers bursts of 16 and
 * measures its own queueing (the bare ceiling server showed p99 6 ms at a sixth of its capacity
 * with 16, 1.2 ms with 4).
 */
export const h2loadShape = { clients: 4, streams: 16, pacedStreams: 4, h1Clients: 16 } as const;

/** Where an h2load run goes: base URL, protocol, the one request, and the expected Get value. */
export interface H2loadTarget {
  url: string;
  protocol: Protocol;
  spec: RequestSpec;
  expectValue?: string;
  /** A ringkv node whose /metrics confirm the answers (absent for the ceiling server). */
  checkServer?: boolean;
  /** Server-side processes whose CPU time is charged to the calls (every node of the cluster). */
  pids: readonly number[];
  /** Total offered load in requests/s, paced (h2load --rps per client); absent: full speed. */
  rate?: number;
}

/**
 * One h2load figure, checked three ways: a probe call before the load (decoded and compared),
 * h2load's own failure counts, and the node's `ringkv_requests_total` by code before and after.
 */
export async function measureH2load(options: BenchOptions, target: H2loadTarget, cells: Record<string, string>): Promise<Measurement> {
  await callChecked(target.protocol, target.url, target.spec, target.expectValue);
  const before = target.checkServer === false ? undefined : await readServerCounts(target.url);
  const cpuBefore = cpuMs(target.pids);
  const clients = target.protocol.h1 ? h2loadShape.h1Clients : h2loadShape.clients;
  const load = await runH2load({
    url: `${target.url}${rpcPath(target.spec)}`,
    body: target.protocol.body(target.spec),
    headers: target.protocol.headers,
    h1: target.protocol.h1,
    clients,
    streams: target.rate ? h2loadShape.pacedStreams : h2loadShape.streams,
    durationS: options.durationS,
    warmupS: options.warmupS,
    ...(target.rate ? { rps: target.rate / clients } : {}),
  });
  const cpu = cpuSpent(target.pids, cpuBefore);
  const inFlight = clients * (target.protocol.h1 ? 1 : target.rate ? h2loadShape.pacedStreams : h2loadShape.streams);
  const server = before ? serverDelta(before, await readServerCounts(target.url), inFlight) : undefined;
  // Warm-up calls are served too: h2load's status counts and the server's counter include them.
  return finish(cells, load, server, cpu, server?.ok ?? load.detail["2xx"]!);
}

/** Where a Node load-driver run goes; see {@link LoadDriverConfig}. */
export type DriverTarget = Partial<LoadDriverConfig> & Pick<LoadDriverConfig, "url" | "call" | "keyCount" | "keyPrefix"> & {
  pids: readonly number[];
  /** Read the entry node's /metrics around the run (false for the ceiling server). */
  checkServer?: boolean;
};

/** One Node load-driver figure, checked like {@link measureH2load} (minus the probe call). */
export async function measureDriver(options: BenchOptions, target: DriverTarget, cells: Record<string, string>): Promise<Measurement> {
  const { pids, checkServer = true, ...config } = target;
  const before = checkServer ? await readServerCounts(config.url) : undefined;
  const cpuBefore = cpuMs(pids);
  const load = await runLoadDriver({ ...driverDefaults, durationS: options.durationS, warmupS: options.warmupS, ...config });
  const cpu = cpuSpent(pids, cpuBefore);
  const inFlight = (config.sessions ?? driverDefaults.sessions) * (config.streams ?? driverDefaults.streams);
  const server = before ? serverDelta(before, await readServerCounts(config.url), inFlight) : undefined;
  return finish(cells, load, server, cpu, server?.ok ?? load.detail.total!);
}

function cpuSpent(pids: readonly number[], before: number | undefined): number | undefined {
  const after = cpuMs(pids);
  return before === undefined || after === undefined ? undefined : after - before;
}

function finish(cells: Record<string, string>, load: LoadResult, server: Measurement["server"], cpuMsSpent: number | undefined, served: number): Measurement {
  const cpuUsPerCall = cpuMsSpent !== undefined && served > 0 ? (cpuMsSpent * 1000) / served : undefined;
  const errors = load.failed + (server?.errors ?? 0) + (load.detail.notFound ?? 0);
  const label = Object.entries(cells).map(([k, v]) => `${k} ${v}`).join(", ");
  progress(`  ${label}: ${fmt(load.reqPerSec)} req/s, p50 ${fmt(load.p50Ms, 2)} ms, p99 ${fmt(load.p99Ms, 2)} ms, ${load.requests} requests, errors ${errors}${server?.errorCodes.length ? ` (${server.errorCodes.join(", ")})` : ""}${server?.canceled ? `, ${server.canceled} cancelled at the end` : ""}${cpuUsPerCall !== undefined ? `, server CPU ${fmt(cpuUsPerCall)} µs/call` : ""}`);
  return {
    cells,
    ceiling: load.driver,
    reqPerSec: load.reqPerSec,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    errors,
    ...(cpuUsPerCall !== undefined ? { cpuUsPerCall } : {}),
    load,
    ...(server ? { server } : {}),
  };
}

/**
 * Unmeasured load on a freshly started node, so the first measured run doesn't pay for JIT
 * compilation and cache warm-up that later runs get for free.
 */
export async function warmUp(options: BenchOptions, url: string, spec: RequestSpec): Promise<void> {
  for (const protocol of options.quick ? [protocols.grpc] : [protocols.grpc, protocols["connect-json-h1"]]) {
    await runH2load({
      url: `${url}${rpcPath(spec)}`,
      body: protocol.body(spec),
      headers: protocol.headers,
      h1: protocol.h1,
      clients: protocol.h1 ? h2loadShape.h1Clients : h2loadShape.clients,
      streams: h2loadShape.streams,
      durationS: options.quick ? 1 : 2,
      warmupS: 0.1,
    });
  }
}

/**
 * Unmeasured load of the call about to be measured through the Node driver, for the cluster and
 * etcd scenarios. The single-node scenario warms each node up for a few seconds with h2load;
 * three nodes sharing a core take longer: uniform RF 3 Gets through n1 cost 79–99 µs of the
 * cluster's CPU after 15 s of load (`roles.js`, same code), against 114 µs measured right after
 * the fill in the full run of 2026-11-24 22:04, as V8 was still optimizing the replication paths
 * of three processes. etcd gets the same warm-up, so both are compared warm.
 */
export async function warmUpDriver(options: BenchOptions, target: Partial<LoadDriverConfig> & Pick<LoadDriverConfig, "url" | "call" | "keyCount" | "keyPrefix">): Promise<void> {
  await runLoadDriver({ ...driverDefaults, ...target, durationS: driverWarmUpS(options), warmupS: 0 });
}

/** Seconds of {@link warmUpDriver}'s load. */
export function driverWarmUpS(options: BenchOptions): number {
  return options.quick ? 1 : 5;
}
