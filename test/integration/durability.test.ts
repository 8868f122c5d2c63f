import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { createKvTestClient } from "../harness/kv-clients.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ size: 3, storage: "lmdb", replicationFactor: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

describe("durability with lmdb", () => {
  it("keeps every acknowledged Put through kill -9 and restart of every node", async () => {
    const client = createKvTestClient("grpc", cluster.nodes[0]!.address);
    const acknowledged = new Map<string, string>();
    // Concurrent writes, so several share one lmdb commit (group commit) on each node.
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const key = `durable/${i}`;
        const value = `value-${i}-${"x".repeat(i % 50)}`;
        await client.put({ key, value });
        acknowledged.set(key, value);
      }),
    );
    client.close();
    // Kill right after the last acknowledgement: no graceful flush gets a chance to run.
    await Promise.all(cluster.nodes.map((n) => n.kill("SIGKILL")));
    await Promise.all(cluster.nodes.map((n) => n.start()));
    const reader = createKvTestClient("connect-json", cluster.nodes[2]!.address);
    for (const [key, value] of acknowledged) {
      expect(await reader.get({ key })).toMatchObject({ found: true, value });
    }
    reader.close();
    expect(acknowledged.size).toBe(300);
  });
});
