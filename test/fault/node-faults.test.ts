import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHistory, formatHistory } from "../linearizability/index.js";
import { startCluster, type TestCluster, type TestNode } from "../harness/cluster.js";
import { connectJson, keyCoordinatedBy } from "../harness/connect-json.js";
import { createKvTestClient, type KvTestClient } from "../harness/kv-clients.js";
import { scrapeValue } from "../harness/metrics.js";
import { runWorkload } from "./workload.js";

let cluster: TestCluster;
let keys: string[];

beforeAll(async () => {
  cluster = await startCluster({ size: 3, storage: "lmdb", replicationFactor: 3 });
}, 60_000);

/** Fresh hot keys for a run (the checker starts from absent keys), some coordinated by each node. */
async function hotKeys(run: string): Promise<string[]> {
  const url = cluster.nodes[0]!.url;
  return [
    await keyCoordinatedBy(url, "n1", `${run}-a`),
    await keyCoordinatedBy(url, "n2", `${run}-b`),
    await keyCoordinatedBy(url, "n3", `${run}-c`),
    await keyCoordinatedBy(url, "n3", `${run}-d`),
  ];
}

afterAll(async () => {
  await cluster?.stop();
});

/** Clients on the nodes that stay up (a client of the faulty node would fail by definition). */
function clientsOn(nodes: TestNode[]): KvTestClient[] {
  const protocols = ["grpc", "connect-json", "grpc", "grpc-web", "grpc", "connect-json"] as const;
  return protocols.map((p, i) => createKvTestClient(p, nodes[i % nodes.length]!.address));
}

async function expectConverged(): Promise<void> {
  // Every replica's own copy catches up (repair rounds + anti-entropy), so a later failure of
  // another node loses nothing.
  const deadline = Date.now() + 20_000;
  let last = "";
  while (Date.now() < deadline) {
    const states = await Promise.all(
      keys.map(async (key) => {
        const copies = await Promise.all(cluster.nodes.map((n) => connectJson(n.url, "ringkv.internal.v1.PeerService/ReadLocal", { key })));
        return copies.map((c) => JSON.stringify((c.body.state as { version?: string } | undefined)?.version ?? "0"));
      }),
    );
    last = JSON.stringify(states);
    if (states.every((copies) => copies.every((v) => v === copies[0]))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`replicas did not converge: ${last}`);
}

async function faultRun(name: string, fault: (victim: TestNode) => Promise<void>, heal: (victim: TestNode) => Promise<void>, seed: number) {
  keys = await hotKeys(`hot${seed}`);
  const victim = cluster.nodes[2]!;
  const clients = clientsOn(cluster.nodes.slice(0, 2));
  const workload = runWorkload({ clients, keys, durationMs: 9_000, timeoutMs: 6_000, seed });
  await new Promise((r) => setTimeout(r, 2_000));
  await fault(victim);
  await new Promise((r) => setTimeout(r, 3_000));
  await heal(victim);
  const result = await workload;
  // Final reads through the healed node join the history: every acknowledged write is visible.
  const reader = createKvTestClient("grpc", victim.address);
  for (const key of keys) {
    const got = await reader.get({ key });
    const at = performance.now();
    result.history.push({ client: "final", key, op: { type: "get" }, result: got.found ? { type: "get", found: true, value: got.value, version: got.version } : { type: "get", found: false, version: got.version }, invokedAt: at, returnedAt: at });
  }
  [...clients, reader].forEach((c) => c.close());
  const verdict = checkHistory(result.history, { timeoutMs: 60_000 });
  console.log(`${name}: ${JSON.stringify(result.counts)}, ${result.history.length} operations, verdict ${JSON.stringify(verdict.ok)}`);
  if (verdict.ok === false) {
    expect.fail(`${name}: not linearizable on key ${verdict.key}: ${verdict.reason}\n${formatHistory(verdict.history.slice(-40))}`);
  }
  expect(verdict.ok).toBe(true);
  console.log(result.failures.join("\n"));
  expect(result.failures, `${name}: operations that failed`).toEqual([]);
  expect(result.counts.ok).toBeGreaterThan(100);
  await expectConverged();
}

describe("a 3-node cluster under node faults", () => {
  it("stays linearizable and available while a coordinator is killed -9 and restarted", async () => {
    await faultRun("kill -9", (v) => v.kill("SIGKILL"), (v) => v.start(), 1);
  });

  it("stays linearizable and available while a coordinator is paused (SIGSTOP) and resumed", async () => {
    // n2 asks n3 first for quorum reads: while n3 is paused (and before n2's failure detector
    // puts it last), n2's reads wait out the hedge and ask n1 too, which the counter shows.
    const n2 = cluster.nodes[1]!;
    const hedgesBefore = await scrapeValue(n2.url, "ringkv_quorum_read_hedges_total");
    expect(hedgesBefore).toBeDefined();
    await faultRun("SIGSTOP", (v) => v.kill("SIGSTOP"), (v) => v.kill("SIGCONT"), 2);
    expect(await scrapeValue(n2.url, "ringkv_quorum_read_hedges_total")).toBeGreaterThan(hedgesBefore!);
  });
});
