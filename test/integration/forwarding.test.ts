import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { connectJson, keyCoordinatedBy } from "../harness/connect-json.js";
import { maxRecentOps, opClockMarginMs, opMemoryMs } from "../../server/src/kv/idempotent.js";
import { unpackOps } from "../../server/src/kv/op-log.js";
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

  it("carries concurrent forwarded calls in forward batches, each answered as its own call", async () => {
    const [n1, n2] = cluster.nodes;
    const keys: string[] = [];
    for (let i = 0; keys.length < 40; i++) {
      const key = `batch/${i}`;
      const where = await connectJson(n1!.url, "ringkv.cluster.v1.ClusterService/Locate", { key });
      if ((where.body.replicas as string[])[0] === "n2") keys.push(key);
    }
    const metric = async (pattern: RegExp) => Number(pattern.exec(await (await fetch(`${n2!.url}/metrics`)).text())?.[1] ?? 0);
    const batches = /^ringkv_requests_total\{service="ringkv.internal.v1.PeerService",method="ForwardBatch",protocol="grpc",code="ok"\} (\d+)/m;
    const puts = /^ringkv_requests_total\{service="kvstore.KeyValueService",method="Put",protocol="grpc",code="ok"\} (\d+)/m;
    const [batches0, puts0] = [await metric(batches), await metric(puts)];
    const client = createKvTestClient("grpc", n1!.address);
    try {
      await Promise.all(keys.map((key) => client.put({ key, value: `v-${key}` })));
      const got = await Promise.all(keys.map((key) => client.get({ key })));
      expect(got.map((g) => g.value)).toEqual(keys.map((key) => `v-${key}`));
      // A bad write in the middle of a batch fails alone, with its own code.
      const mixed = await Promise.allSettled([client.put({ key: keys[0]!, value: "x", expectedVersion: 99n }), client.get({ key: keys[1]! })]);
      expect(mixed[0].status).toBe("rejected");
      expect(mixed[1]).toMatchObject({ status: "fulfilled", value: { value: `v-${keys[1]}` } });
    } finally {
      client.close();
    }
    expect(await metric(batches)).toBeGreaterThan(batches0);
    // Every Put ran on n2 as its own call: counted once each, with its own method label.
    expect(await metric(puts)).toBe(puts0 + keys.length);
  });

  it("keeps a forwarded write's op id for as long as the entry node may retry it, not longer", async () => {
    const [n1, n2] = cluster.nodes;
    const key = await keyCoordinatedBy(n1!.url, "n2", "op-life");
    const timeoutMs = 7_000;
    const before = Date.now();
    const res = await connectJson(n1!.url, "kvstore.KeyValueService/Put", { key, value: "v" }, { "connect-timeout-ms": String(timeoutMs) });
    const after = Date.now();
    expect(res.status).toBe(200);
    const local = await connectJson(n2!.url, "ringkv.internal.v1.PeerService/ReadLocal", { key });
    const packed = Buffer.from((local.body.state as { recentOpsPacked: string }).recentOpsPacked, "base64");
    const ops = unpackOps(packed);
    expect(ops).toHaveLength(1);
    // Dropped opMemoryMs after at_ms: that is, the entry node's deadline plus the clock margin.
    const dropAt = ops[0]!.atMs + opMemoryMs;
    expect(dropAt).toBeGreaterThanOrEqual(before + timeoutMs + opClockMarginMs - 1);
    expect(dropAt).toBeLessThanOrEqual(after + timeoutMs + opClockMarginMs);
  });

  it("counts op ids a hot key's log drops while their writes could still be retried", async () => {
    const [n1, n2] = cluster.nodes;
    const key = await keyCoordinatedBy(n1!.url, "n2", "op-full");
    const dropped = async () => Number(/^ringkv_op_ids_dropped_early_total (\d+)/m.exec(await (await fetch(`${n2!.url}/metrics`)).text())?.[1] ?? "NaN");
    const before = await dropped();
    expect(before).toBeGreaterThanOrEqual(0);
    const client = createKvTestClient("grpc", n1!.address);
    try {
      // Forwarded to n2, each recording its op id: the log keeps maxRecentOps, so the rest push
      // out ids whose writes' deadlines (10 s) have not passed.
      for (let i = 0; i < maxRecentOps + 4; i++) await client.put({ key, value: `v${i}` });
    } finally {
      client.close();
    }
    expect(await dropped()).toBe(before + 4);
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
