import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { createKvTestClient, KvCallError, protocols, type KvTestClient } from "../harness/kv-clients.js";
import { scrapeValue } from "../harness/metrics.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ size: 3, storage: "memory" });
});

afterAll(async () => {
  await cluster?.stop();
});

/** Runs `fn` and returns the KvCallError it must throw. */
async function callError(fn: () => Promise<unknown>): Promise<KvCallError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof KvCallError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe.each(protocols)("KeyValueService over %s", (protocol) => {
  const clients: KvTestClient[] = [];
  const key = (name: string) => `${protocol}/${name}`;
  const via = (i: number) => clients[i]!;

  beforeAll(() => {
    for (const node of cluster.nodes) clients.push(createKvTestClient(protocol, node.address));
  });
  afterAll(() => clients.forEach((c) => c.close()));

  it("puts a value and gets it back from every node", async () => {
    const put = await via(0).put({ key: key("greeting"), value: "hello" });
    expect(put.success).toBe(true);
    expect(put.version).toBe(1n);
    for (const c of clients) {
      const got = await c.get({ key: key("greeting") });
      expect(got).toMatchObject({ found: true, value: "hello", version: 1n, binary: false });
    }
  });

  it("answers found=false, version 0 for a missing key (not an error)", async () => {
    const got = await via(1).get({ key: key("never-written") });
    expect(got.found).toBe(false);
    expect(got.value).toBe("");
    expect(got.version).toBe(0n);
  });

  it("counts a version per write and replaces the value", async () => {
    await via(0).put({ key: key("counter"), value: "a" });
    const second = await via(1).put({ key: key("counter"), value: "b" });
    expect(second.version).toBe(2n);
    expect(await via(2).get({ key: key("counter") })).toMatchObject({ value: "b", version: 2n });
  });

  it("deletes a key, reports whether it existed, and keeps counting versions after re-creation", async () => {
    await via(0).put({ key: key("doomed"), value: "x" });
    expect(await via(1).delete({ key: key("doomed") })).toEqual({ success: true, found: true });
    expect((await via(2).get({ key: key("doomed") })).found).toBe(false);
    expect(await via(2).delete({ key: key("doomed") })).toEqual({ success: true, found: false });
    const again = await via(0).put({ key: key("doomed"), value: "y" });
    expect(again.version).toBe(3n);
  });

  it("round-trips arbitrary bytes exactly through value_bytes", async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    await via(0).put({ key: key("binary"), valueBytes: bytes });
    const got = await via(2).get({ key: key("binary") });
    expect(got.binary).toBe(true);
    expect(Buffer.from(got.valueBytes).equals(Buffer.from(bytes))).toBe(true);
    expect(got.value).toBe(""); // not valid UTF-8: old clients see an empty string, not mojibake
  });

  it("keeps Unicode keys and values intact", async () => {
    const k = key("ключ-🔑-鍵");
    await via(1).put({ key: k, value: "значение ✓ 値" });
    expect((await via(0).get({ key: k })).value).toBe("значение ✓ 値");
  });

  it("compares and sets: matching version writes, a stale one fails with the current version", async () => {
    const first = await via(0).put({ key: key("cas"), value: "v1" });
    const ok = await via(1).put({ key: key("cas"), value: "v2", expectedVersion: first.version });
    expect(ok.version).toBe(2n);
    const err = await callError(() => via(2).put({ key: key("cas"), value: "v3", expectedVersion: first.version }));
    expect(err.code).toBe("failed_precondition");
    expect(err.message).toMatch(/current version is 2/);
    expect(err.metadata["ringkv-current-version"]).toBe("2");
    expect((await via(0).get({ key: key("cas") })).value).toBe("v2");
  });

  it("puts only if absent with expected version 0", async () => {
    const created = await via(0).put({ key: key("absent"), value: "first", expectedVersion: 0n });
    expect(created.version).toBe(1n);
    const err = await callError(() => via(1).put({ key: key("absent"), value: "second", expectedVersion: 0n }));
    expect(err.code).toBe("failed_precondition");
    expect((await via(2).get({ key: key("absent") })).value).toBe("first");
  });

  it("deletes only at the expected version", async () => {
    await via(0).put({ key: key("cas-del"), value: "x" });
    const err = await callError(() => via(1).delete({ key: key("cas-del"), expectedVersion: 7n }));
    expect(err.code).toBe("failed_precondition");
    expect(await via(2).delete({ key: key("cas-del"), expectedVersion: 1n })).toEqual({ success: true, found: true });
  });

  it("fails CAS on a missing key with the current version 0", async () => {
    const err = await callError(() => via(0).put({ key: key("cas-missing"), value: "x", expectedVersion: 3n }));
    expect(err.code).toBe("failed_precondition");
    expect(err.metadata["ringkv-current-version"]).toBe("0");
  });

  it("lists keys by prefix, in order, across the cluster, a page at a time", async () => {
    const names = Array.from({ length: 25 }, (_, i) => key(`list/${String(i).padStart(2, "0")}`));
    await Promise.all(names.map((k, i) => via(i % 3).put({ key: k, value: `v${i}` })));
    await via(0).delete({ key: names[3]! });
    const expected = names.filter((_, i) => i !== 3);
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await via(pages % 3).list({ prefix: key("list/"), pageToken, limit: 7 });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((i) => i.key));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "" && pages < 20);
    expect(seen).toEqual(expected);
    expect(pages).toBe(4);
    const one = await via(1).list({ prefix: key("list/1"), limit: 100 });
    expect(one.items.map((i) => [i.key, i.value])).toEqual(names.slice(10, 20).map((k) => [k, `v${Number(k.slice(-2))}`]));
    expect(one.nextPageToken).toBe("");
  });

  it("rejects bad input with InvalidArgument and keeps serving", async () => {
    expect((await callError(() => via(0).put({ key: "", value: "x" }))).code).toBe("invalid_argument");
    const longKey = "k".repeat(4097);
    const tooLong = await callError(() => via(1).put({ key: longKey, value: "x" }));
    expect(tooLong.code).toBe("invalid_argument");
    expect(tooLong.message).toMatch(/4097 bytes; the limit is 4096/);
    await via(1).put({ key: key("x".repeat(4096 - key("").length)), value: "at the limit" });
    const bigValue = await callError(() => via(2).put({ key: key("big"), value: "v".repeat(1024 * 1024 + 1) }));
    expect(bigValue.code).toBe("invalid_argument");
    expect(bigValue.message).toMatch(/limit is 1048576 bytes/);
    expect((await callError(() => via(0).get({ key: "" }))).code).toBe("invalid_argument");
    expect((await callError(() => via(0).list({ pageToken: "not-a-token!" }))).code).toBe("invalid_argument");
    expect((await via(0).get({ key: key("greeting") })).value).toBe("hello");
  });

  it("serves a cheaper local read when asked", async () => {
    await via(0).put({ key: key("local"), value: "nearby" });
    // LOCAL reads one replica's copy, which may trail the majority that acknowledged the write
    // (its accept can still be on the way): it must catch up, not answer right away.
    const deadline = Date.now() + 5_000;
    let got = await via(2).get({ key: key("local"), consistency: "LOCAL" });
    while (!got.found && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      got = await via(2).get({ key: key("local"), consistency: "LOCAL" });
    }
    expect(got).toMatchObject({ found: true, value: "nearby" });
  });
});

describe("linearizable reads", () => {
  const metric = async (url: string, name: string): Promise<number> => (await scrapeValue(url, name)) ?? 0;

  it("answer a settled key with a quorum read (no Paxos round), counted in the metrics", async () => {
    const [n1, n2, n3] = cluster.nodes;
    const client = createKvTestClient("grpc", n1!.address);
    try {
      await client.put({ key: "settled", value: "v1" });
      // Wait until all three replicas hold the write (the third may get it a moment later).
      const versions = async () => Promise.all([n1!, n2!, n3!].map(async (n) => {
        const res = await fetch(`${n.url}/ringkv.internal.v1.PeerService/ReadLocal`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "settled" }) });
        return ((await res.json()) as { accepted?: unknown }).accepted;
      }));
      for (let i = 0; i < 50 && new Set((await versions()).map((v) => JSON.stringify(v))).size > 1; i++) await new Promise((r) => setTimeout(r, 50));
      const reads = await metric(n1!.url, "ringkv_quorum_reads_total");
      const misses = await metric(n1!.url, "ringkv_quorum_read_misses_total");
      const got = await client.get({ key: "settled" });
      expect(got).toMatchObject({ found: true, value: "v1", version: 1n });
      expect(await metric(n1!.url, "ringkv_quorum_reads_total")).toBe(reads + 1);
      expect(await metric(n1!.url, "ringkv_quorum_read_misses_total")).toBe(misses);
      expect(await metric(n1!.url, "ringkv_paxos_operations_total")).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });
});
