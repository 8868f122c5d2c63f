import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found by walking up to `pnpm-workspace.yaml` rather than by a fixed
 * number of `..`: this file runs from `test/dist/bench/`, not from `test/bench/`, and a fixed
 * relative path breaks as soon as the output layout differs from the source layout.
 */
export const repoRoot: string = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The built `ringkv` CLI every benchmark node runs. */
export const cliPath = path.join(repoRoot, "server/dist/cli/main.js");

/** Where the compiled bench scripts live (child processes are started from here). */
export const benchDistDir = path.dirname(fileURLToPath(import.meta.url));

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${start}`);
  }
}
