import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";
import { connectJson, keyCoordinatedBy } from "../harness/connect-json.js";
import { createKvTestClient } from "../harness/kv-clients.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ size: 2, storage: "memory", replicationFactor: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return res.text();
}

describe("observability", () => {
  it("exposes Prometheus metrics for requests by protocol and code, forwarding, storage and the ring", async () => {
    const [n1, n2] = cluster.nodes;
    const remoteKey = await keyCoordinatedBy(n1!.url, "n2", "metrics");
    for (const protocol of ["grpc", "connect-json", "grpc-web"] as const) {
      const client = createKvTestClient(protocol, n1!.address);
      await client.put({ key: remoteKey, value: "v" });
      await client.put({ key: "", value: "v" }).catch(() => undefined);
      client.close();
    }
    const text = await metricsText(n1!.url);
    for (const protocol of ["grpc", "grpc-web", "connect"]) {
      expect(text).toMatch(new RegExp(`ringkv_requests_total\\{service="kvstore.KeyValueService",method="Put",protocol="${protocol}",code="ok"\\} [1-9]`));
      expect(text).toMatch(new RegExp(`ringkv_requests_total\\{service="kvstore.KeyValueService",method="Put",protocol="${protocol}",code="InvalidArgument"\\} 1`));
    }
    expect(text).toMatch(/ringkv_request_duration_seconds_bucket\{le="0.005",service="kvstore.KeyValueService",method="Put",protocol="grpc"\}/);
    expect(text).toMatch(/ringkv_forwarded_requests_total\{peer="n2",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/ringkv_ring_members 2/);
    expect(text).toMatch(/ringkv_member_reachable\{member="n2"\} 1/);
    expect(text).toMatch(/process_cpu_seconds_total/);
    expect(text).not.toContain(remoteKey); // keys never become labels
    const ownerText = await metricsText(n2!.url);
    expect(ownerText).toMatch(/ringkv_storage_keys\{engine="memory"\} [1-9]/);
  });

  it("follows a request id across the forwarding hop", async () => {
    const [n1] = cluster.nodes;
    const remoteKey = await keyCoordinatedBy(n1!.url, "n2", "reqid");
    const res = await connectJson(n1!.url, "kvstore.KeyValueService/Get", { key: remoteKey }, { "x-request-id": "trace-me-123" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("trace-me-123");
    // Without one, the entry node makes one: its process prefix and a counter, never reused.
    const fresh = await connectJson(n1!.url, "kvstore.KeyValueService/Get", { key: remoteKey });
    const again = await connectJson(n1!.url, "kvstore.KeyValueService/Get", { key: remoteKey });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(again.headers.get("x-request-id")).not.toBe(fresh.headers.get("x-request-id"));
  });

  it("answers /healthz and /readyz", async () => {
    const health = await fetch(`${cluster.nodes[0]!.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${cluster.nodes[0]!.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, node: "n1" });
  });
});
