import { openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { progress } from "./progress.js";

const lockFile = path.join(os.tmpdir(), "ringkv-bench.lock");

/**
 * Waits until no other bench run (or profile) holds the machine-wide lock, then takes it until
 * this process exits. Two benches at once pin their servers to the same core and their drivers
 * to the other, and each then measures the other's load: numbers from overlapping runs are
 * worthless, and they are easy to start by accident on a shared machine.
 */
export async function acquireBenchLock(): Promise<void> {
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.once("exit", () => rmSync(lockFile, { force: true }));
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
      return;
    } catch {
      const holder = Number(readFileSafe(lockFile));
      if (!alive(holder)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (!announced) progress(`another bench (pid ${holder}) is running; waiting for it to finish (${lockFile})`);
      announced = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
