import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const buf = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/.bin/buf");

let cluster: TestCluster;
let base: string;

beforeAll(async () => {
  cluster = await startCluster({ size: 2, storage: "memory" });
  base = cluster.nodes[0]!.url;
});

afterAll(async () => {
  await cluster?.stop();
});

/** `buf curl` over gRPC h2c, schema from server reflection only (no proto files given). */
async function bufCurl(args: string[]): Promise<string> {
  const { stdout } = await run(buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { timeout: 30_000 });
  return stdout;
}

describe("server reflection", () => {
  it.each(["grpc-v1", "grpc-v1alpha"])("lists the public services over %s", async (reflectProtocol) => {
    const out = await bufCurl(["--reflect-protocol", reflectProtocol, "--list-services", base]);
    const services = out.trim().split("\n");
    expect(services).toContain("kvstore.KeyValueService");
    expect(services).toContain("ringkv.cluster.v1.ClusterService");
    expect(services).toContain("grpc.health.v1.Health");
    expect(services).not.toContain("ringkv.internal.v1.PeerService");
  });

  it("lists methods with their schemas", async () => {
    const out = await bufCurl(["--list-methods", base]);
    expect(out).toContain("kvstore.KeyValueService/Put");
    expect(out).toContain("kvstore.KeyValueService/List");
  });

  it.each(["grpc-v1", "grpc-v1alpha"])("makes a call knowing only what reflection says (%s)", async (reflectProtocol) => {
    const put = JSON.parse(await bufCurl(["--reflect-protocol", reflectProtocol, "-d", '{"key":"reflected","value":"yes"}', `${base}/kvstore.KeyValueService/Put`]));
    expect(put.success).toBe(true);
    const get = JSON.parse(await bufCurl(["--reflect-protocol", reflectProtocol, "-d", '{"key":"reflected"}', `${cluster.nodes[1]!.url}/kvstore.KeyValueService/Get`]));
    expect(get).toMatchObject({ value: "yes", found: true });
  });

  it("answers health checks", async () => {
    const out = JSON.parse(await bufCurl(["-d", "{}", `${base}/grpc.health.v1.Health/Check`]));
    expect(out.status).toBe("SERVING");
  });
});
