import { spawnSync } from "node:child_process";
import os from "node:os";

/**
 * CPU pinning. On a 2-core machine the only fair split is one core for the server side (every
 * node process, the ceiling server, the storage and ring micro-benchmarks) and one for the load
 * driver, so the driver never steals the server's CPU and ratios compare CPU cost per request.
 * Without `taskset` (or with one core) nothing is pinned and the report says so.
 */
export const pinning: { enabled: boolean; serverCore: number; driverCore: number } = {
  enabled: os.cpus().length >= 2 && spawnSync("taskset", ["--version"]).status === 0,
  serverCore: 1,
  driverCore: 0,
};

/** The command line that runs `command args` on the server's core (or unpinned). */
export function onServerCore(command: string, args: string[]): [string, string[]] {
  return pinned(pinning.serverCore, command, args);
}

/** The command line that runs `command args` on the driver's core (or unpinned). */
export function onDriverCore(command: string, args: string[]): [string, string[]] {
  return pinned(pinning.driverCore, command, args);
}

function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return pinning.enabled ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}
