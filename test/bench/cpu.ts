import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const ticksPerSecond = clockTicks();

/**
 * CPU time (user + system, all threads) consumed so far by a set of processes, in ms, or
 * undefined where /proc is missing. Throughput on a shared core moves with whatever else runs
 * there; CPU time per call does not, so it is the steadier measure of the server's own cost.
 */
export function cpuMs(pids: readonly number[]): number | undefined {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  }
  return (ticks / ticksPerSecond) * 1000;
}

function clockTicks(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}
