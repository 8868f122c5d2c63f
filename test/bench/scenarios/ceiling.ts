import { startCeilingServer } from "../ceiling-process.js";
import type { DriverKind } from "../load-result.js";
import type { Measurement } from "../results.js";
import { measureDriver, measureH2load } from "../measure.js";
import type { BenchOptions } from "../options.js";
import { progress } from "../progress.js";
import { protocols } from "../protocols.js";
import { valueOf } from "../wire.js";

/**
 * Scenario 1, the ceiling: the bare `node:http2` server (ceiling-server.ts) loaded by both
 * drivers. It runs first and again last; every other figure is divided by the mean of the two
 * runs of the same driver, which keeps ratios meaningful on a machine shared with other work.
 */
export async function measureCeiling(options: BenchOptions, when: string, paced?: (m: Measurement) => void): Promise<Record<DriverKind, Measurement>> {
  progress(`ceiling (${when}): bare node:http2 server, canned GetResponse`);
  const server = await startCeilingServer();
  try {
    const target = { url: server.url, protocol: protocols.grpc, spec: { call: "Get", key: "ceiling" }, expectValue: valueOf(100), checkServer: false, pids: [server.pid] } as const;
    const h2load = await measureH2load(options, target, { server: "ceiling", driver: "h2load" });
    if (paced !== undefined && !options.quick) {
      paced(await measureH2load(options, { ...target, rate: h2load.reqPerSec / 2 }, { server: "ceiling", driver: "h2load, paced at half its max" }));
    }
    const driver = await measureDriver(options, { url: server.url, call: "Get", keyCount: 10_000, keyPrefix: "ceiling-", pids: [server.pid], checkServer: false }, { server: "ceiling", driver: "load-driver" });
    return { h2load, "load-driver": driver };
  } finally {
    await server.stop();
  }
}
