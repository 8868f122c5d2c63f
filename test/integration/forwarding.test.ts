import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { connectJson } from "../harness/connect-json.js";
import { createKvTestClient } from "../harness/kv-clients.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ size: 3, storage: "memory", replicationFactor: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

/** Which nodes hold a key in their own storage (PeerService.ReadLocal on each). */
async function holders(key: string): Promise<string[]> {
  const out: string[] = [];
  for (const node of cluster.nodes) {
    const res = await connectJson(node.url, "ringkv.internal.v1.PeerService/ReadLocal", { key });
    if ((res.body.state as { exists?: boolean } | undefined)?.exists) out.push(node.id);
  }
  return out;
}

describe("forwarding on a 3-node cluster", () => {
  it("writes through each node and reads through every other node", async () => {
    for (const writer of cluster.nodes) {
      const client = createKvTestClient("grpc", writer.address);
      const keys = Array.from({ length: 12 }, (_, i) => `fw/${writer.id}/${i}`);
      for (const key of keys) await client.put({ key, value: `from ${writer.id}` });
      client.close();
      for (const reader of cluster.nodes.filter((n) => n !== writer)) {
        const rc = createKvTestClient("grpc", reader.address);
        for (const key of keys) expect(await rc.get({ key })).toMatchObject({ found: true, value: `from ${writer.id}` });
        rc.close();
      }
    }
  });

  it("keeps each key exactly where locate says it lives", async () => {
    const owners = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const key = `fw/n1/${i}`;
      const located = await connectJson(cluster.nodes[1]!.url, "ringkv.cluster.v1.ClusterService/Locate", { key });
      expect(located.body.replicas).toEqual([located.body.coordinator]);
      expect(await holders(key)).toEqual([located.body.coordinator]);
      owners.add(String(located.body.coordinator));
    }
    expect(owners.size).toBeGreaterThan(1); // the keys really spread over several nodes
  });

  it("answers locate the same way on every node", async () => {
    const answers = await Promise.all(cluster.nodes.map((n) => connectJson(n.url, "ringkv.cluster.v1.ClusterService/Locate", { key: "same-everywhere" })));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
  });

  it("reports the members, each reachable, from every node", async () => {
    for (const node of cluster.nodes) {
      const res = await connectJson(node.url, "ringkv.cluster.v1.ClusterService/GetMembers", {});
      const members = res.body.members as Array<{ id: string; address: string; reachable: boolean; self?: boolean }>;
      expect(members.map((m) => m.id).sort()).toEqual(["n1", "n2", "n3"]);
      expect(members.every((m) => m.reachable)).toBe(true);
      expect(members.find((m) => m.self)?.id).toBe(node.id);
    }
  });
});
