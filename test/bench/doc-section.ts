import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./paths.js";

/**
 * Replaces one generated section of BENCHMARKS.md, between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->`, leaving the hand-written text around it alone; appends the
 * section under `heading` when the markers are missing. Returns the file's path.
 */
export function replaceDocSection(name: string, heading: string, markdown: string): string {
  const file = path.join(repoRoot, "BENCHMARKS.md");
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n${markdown}\n${end}`;
  const doc = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  writeFileSync(file, i >= 0 && j > i ? `${doc.slice(0, i)}${section}${doc.slice(j + end.length)}` : `${doc.trimEnd()}\n\n## ${heading}\n\n${section}\n`);
  return file;
}
