import { execFile } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, startCluster, type TestCluster } from "../harness/cluster.js";

let cluster: TestCluster;
let addr: string;

beforeAll(async () => {
  cluster = await startCluster({ size: 3, storage: "memory" });
  addr = cluster.nodes[1]!.address;
});

afterAll(async () => {
  await cluster?.stop();
});

/** Runs the ringkv CLI; resolves with its exit code and output (never rejects). */
function ringkv(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, encoding: "buffer", timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: stdout.toString("latin1"), stderr: stderr.toString() });
    });
  });
}

describe("ringkv CLI", () => {
  it("puts, gets, lists and deletes with exit codes a script can use", async () => {
    expect(await ringkv(["--addr", addr, "put", "cli/a", "apple"])).toMatchObject({ code: 0, stdout: "OK version 1\n" });
    await ringkv(["--addr", addr, "put", "cli/b", "banana"]);
    expect(await ringkv(["--addr", cluster.nodes[2]!.address, "get", "cli/a"])).toMatchObject({ code: 0, stdout: "apple\n" });
    const list = await ringkv(["--addr", addr, "list", "cli/"]);
    expect(list.stdout).toBe("cli/a\t1\tapple\ncli/b\t1\tbanana\n");
    expect(await ringkv(["--addr", addr, "del", "cli/a"])).toMatchObject({ code: 0, stdout: "deleted\n" });
    const missing = await ringkv(["--addr", addr, "get", "cli/a"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
  });

  it("takes the node address from RINGKV_ADDR", async () => {
    await ringkv(["--addr", addr, "put", "cli/env", "from-env"]);
    expect(await ringkv(["get", "cli/env"], { RINGKV_ADDR: cluster.nodes[0]!.address })).toMatchObject({ code: 0, stdout: "from-env\n" });
  });

  it("exits 3 with the current version when compare-and-set fails", async () => {
    await ringkv(["--addr", addr, "put", "cli/cas", "one"]);
    const res = await ringkv(["--addr", addr, "put", "cli/cas", "two", "--expected-version", "5"]);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/current version 1/);
    expect((await ringkv(["--addr", addr, "put", "cli/cas", "two", "--expected-version", "1"])).stdout).toBe("OK version 2\n");
    expect((await ringkv(["--addr", addr, "put", "cli/new", "x", "--if-absent"])).code).toBe(0);
    expect((await ringkv(["--addr", addr, "put", "cli/new", "y", "--if-absent"])).code).toBe(3);
  });

  it("stores a file as bytes and writes them back unchanged", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ringkv-cli-"));
    const file = path.join(dir, "blob.bin");
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    writeFileSync(file, bytes);
    expect((await ringkv(["--addr", addr, "put", "cli/blob", "--file", file])).code).toBe(0);
    const got = await ringkv(["--addr", addr, "get", "cli/blob"]);
    expect(Buffer.from(got.stdout, "latin1").equals(bytes)).toBe(true);
  });

  it("explains where a key lives", async () => {
    const res = await ringkv(["--addr", addr, "locate", "cli/a"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/replicas: +n\d, n\d, n\d/);
    expect(res.stdout).toMatch(/coordinator: +n\d/);
    expect(res.stdout).toMatch(/why: +key hashes to \d+/);
  });

  it("exits 2 on bad input and bad usage, 4 when the node is down", async () => {
    const empty = await ringkv(["--addr", addr, "put", "", "x"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/key must not be empty/);
    expect((await ringkv(["--addr", addr, "frobnicate"])).code).toBe(2);
    const down = await ringkv(["--addr", "127.0.0.1:1", "get", "x"]);
    expect(down.code).toBe(4);
  });

  it("prints help for every command", async () => {
    const help = await ringkv(["--help"]);
    expect(help.code).toBe(0);
    for (const cmd of ["serve", "dev", "put", "get", "del", "list", "locate"]) expect(help.stdout).toContain(cmd);
    expect((await ringkv(["serve", "--help"])).stdout).toContain("--members");
  });

  it("refuses an invalid serve configuration with a clear message and exit code 2", async () => {
    const res = await ringkv(["serve", "--node-id", "n1", "--port", "99999", "--storage", "floppy", "--members", "n2=127.0.0.1:1"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/port must be a whole number from 0 to 65535/);
    expect(res.stderr).toMatch(/storage must be "lmdb" or "memory"/);
    expect(res.stderr).toMatch(/does not include this node's id "n1"/);
    const missing = await ringkv(["serve"]);
    expect(missing.stderr).toMatch(/node id is required/);
  });
});
