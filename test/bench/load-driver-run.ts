import path from "node:path";
import { runJsonChild } from "./child.js";
import type { LoadResult } from "./load-result.js";
import type { LoadDriverConfig } from "./load-driver-config.js";
import { benchDistDir } from "./paths.js";
import { onDriverCore } from "./pin.js";

/** Defaults that mirror h2load's `-c 4 -m 16`, so both drivers offer the same concurrency. */
export const driverDefaults = { sessions: 4, streams: 16, valueBytes: 100, consistency: 0, fill: false, rate: 0 } as const;

/** Runs the Node load driver in its own process on the driver core and returns its result. */
export function runLoadDriver(config: LoadDriverConfig): Promise<LoadResult> {
  const [cmd, args] = onDriverCore(process.execPath, [path.join(benchDistDir, "load-driver.js"), JSON.stringify(config)]);
  return runJsonChild<LoadResult>(cmd, args);
}
