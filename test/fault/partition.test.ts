import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHistory, formatHistory } from "../linearizability/index.js";
import { keyCoordinatedBy } from "../harness/connect-json.js";
import { createKvTestClient } from "../harness/kv-clients.js";
import { startNetnsCluster, type NetnsCluster } from "../harness/netns.js";
import { runWorkload } from "./workload.js";

let cluster: NetnsCluster;

beforeAll(async () => {
  cluster = await startNetnsCluster({ size: 3 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("a 3-node cluster, one host per network namespace", () => {
  it("stays linearizable and available while a coordinator is cut off the network and healed", async () => {
    const [n1, n2, n3] = cluster.nodes;
    const keys = [
      await keyCoordinatedBy(n1!.url, "n1", "part-a"),
      await keyCoordinatedBy(n1!.url, "n3", "part-b"),
      await keyCoordinatedBy(n1!.url, "n3", "part-c"),
    ];
    const clients = [
      createKvTestClient("grpc", n1!.address),
      createKvTestClient("connect-json", n2!.address),
      createKvTestClient("grpc", n2!.address),
      createKvTestClient("grpc-web", n1!.address),
    ];
    const workload = runWorkload({ clients, keys, durationMs: 9_000, timeoutMs: 6_000, seed: 7 });
    await new Promise((r) => setTimeout(r, 2_000));
    // Packets to and from n3 now vanish: no refused connections, only silence.
    n3!.partition();
    await new Promise((r) => setTimeout(r, 4_000));
    n3!.heal();
    const result = await workload;
    clients.forEach((c) => c.close());

    // Every acknowledged write is visible through the healed node.
    const reader = createKvTestClient("grpc", n3!.address);
    for (const key of keys) {
      const got = await reader.get({ key }, { timeoutMs: 10_000 });
      const at = performance.now();
      result.history.push({ client: "final", key, op: { type: "get" }, result: got.found ? { type: "get", found: true, value: got.value, version: got.version } : { type: "get", found: false, version: got.version }, invokedAt: at, returnedAt: at });
    }
    reader.close();
    const verdict = checkHistory(result.history, { timeoutMs: 60_000 });
    console.log(`partition: ${JSON.stringify(result.counts)}, ${result.history.length} operations, verdict ${JSON.stringify(verdict.ok)}\n${result.failures.join("\n")}`);
    if (verdict.ok === false) expect.fail(`not linearizable on key ${verdict.key}: ${verdict.reason}\n${formatHistory(verdict.history.slice(-40))}`);
    expect(verdict.ok).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.counts.ok).toBeGreaterThan(50);
  });
});
