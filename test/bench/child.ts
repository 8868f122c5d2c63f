import { spawn } from "node:child_process";

/** What a finished child process left behind. */
export interface ChildOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion. Load is always driven from a separate process, so every driver
 * and micro-benchmark goes through here; the child's stderr lines are echoed as progress when
 * `echoStderr` is set (e.g. the 1M-key loader's counts).
 */
export function runChild(command: string, args: string[], options: { echoStderr?: boolean; cwd?: string } = {}): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (options.echoStderr) process.stderr.write(c);
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs a bench child script that prints its result as one JSON line last on stdout, and parses
 * that line; fails with the child's output when it exits non-zero or prints no JSON.
 */
export async function runJsonChild<T>(command: string, args: string[], options: { echoStderr?: boolean } = {}): Promise<T> {
  const out = await runChild(command, args, options);
  const last = out.stdout.trim().split("\n").pop() ?? "";
  if (out.code !== 0 || !last.startsWith("{")) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${out.code})\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-2000)}`);
  }
  return JSON.parse(last) as T;
}
