import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { connectJson } from "../harness/connect-json.js";
import { createKvTestClient } from "../harness/kv-clients.js";

let cluster: TestCluster;

beforeAll(async () => {
  // A short GC age (and a max deadline well under half of it) so collection happens during the test.
  cluster = await startCluster({ size: 3, storage: "lmdb", extraArgs: ["--max-timeout-ms", "1000", "--default-timeout-ms", "1000", "--tombstone-gc-age-ms", "2500"] });
});

afterAll(async () => {
  await cluster?.stop();
});

async function recordVersions(key: string): Promise<string[]> {
  return Promise.all(
    cluster.nodes.map(async (n) => {
      const res = await connectJson(n.url, "ringkv.internal.v1.PeerService/ReadLocal", { key });
      return String((res.body.state as { version?: string } | undefined)?.version ?? "0");
    }),
  );
}

describe("tombstone garbage collection", () => {
  it("removes a deleted key from every replica after the grace period, without bringing it back", async () => {
    const client = createKvTestClient("grpc", cluster.nodes[0]!.address);
    await client.put({ key: "gc/doomed", value: "old" });
    await client.put({ key: "gc/doomed", value: "older-not" });
    await client.delete({ key: "gc/doomed" });
    await client.put({ key: "gc/kept", value: "stays" });
    expect(await recordVersions("gc/doomed")).toEqual(["3", "3", "3"]);

    const deadline = Date.now() + 20_000;
    let versions = await recordVersions("gc/doomed");
    while (Date.now() < deadline && versions.some((v) => v !== "0")) {
      await new Promise((r) => setTimeout(r, 250));
      versions = await recordVersions("gc/doomed");
    }
    expect(versions).toEqual(["0", "0", "0"]);

    for (const node of cluster.nodes) {
      const reader = createKvTestClient("connect-json", node.address);
      expect((await reader.get({ key: "gc/doomed" })).found).toBe(false);
      expect((await reader.get({ key: "gc/kept" })).value).toBe("stays");
      reader.close();
    }
    // A collected key starts over, like a key never written.
    expect((await client.put({ key: "gc/doomed", value: "new" })).version).toBe(1n);
    expect((await client.get({ key: "gc/doomed" })).value).toBe("new");
    client.close();
  });
});
