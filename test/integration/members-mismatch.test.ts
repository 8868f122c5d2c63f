import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, freePorts, type TestNode } from "../harness/cluster.js";
import { keyCoordinatedBy } from "../harness/connect-json.js";
import { createKvTestClient, KvCallError } from "../harness/kv-clients.js";

let nodes: TestNode[];
let root: string;

beforeAll(async () => {
  const [p1, p2, p3] = await freePorts(3);
  root = mkdtempSync(path.join(os.tmpdir(), "ringkv-mismatch-"));
  const full = `n1=127.0.0.1:${p1},n2=127.0.0.1:${p2},n3=127.0.0.1:${p3}`;
  // n2 believes the cluster has n1 and n2 only.
  const partial = `n1=127.0.0.1:${p1},n2=127.0.0.1:${p2}`;
  const common = ["--storage", "memory", "--replication-factor", "1", "--log-level", "warn"];
  nodes = [
    createTestNode({ id: "n1", port: p1!, dataDir: path.join(root, "n1"), args: ["--members", full, ...common] }),
    createTestNode({ id: "n2", port: p2!, dataDir: path.join(root, "n2"), args: ["--members", partial, ...common] }),
    createTestNode({ id: "n3", port: p3!, dataDir: path.join(root, "n3"), args: ["--members", full, ...common] }),
  ];
  await Promise.all(nodes.map((n) => n.start()));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe("nodes started with different member lists", () => {
  it("fail forwarded calls with FailedPrecondition that says so, instead of bouncing them", async () => {
    const key = await keyCoordinatedBy(nodes[0]!.url, "n2", "mismatch");
    const client = createKvTestClient("connect-json", nodes[0]!.address);
    const err = await client.put({ key, value: "v" }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KvCallError);
    expect((err as KvCallError).code).toBe("failed_precondition");
    expect((err as KvCallError).message).toMatch(/member list mismatch/);
  });

  it("log the mismatch", async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !nodes[0]!.logs().includes("member list mismatch")) await new Promise((r) => setTimeout(r, 200));
    expect(nodes[0]!.logs()).toContain("member list mismatch");
  });
});
