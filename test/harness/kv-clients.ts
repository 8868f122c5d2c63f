import path from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";

/** The three wire protocols every KeyValueService behaviour is tested over. */
export type Protocol = "grpc" | "connect-json" | "grpc-web";
export const protocols: Protocol[] = ["grpc", "connect-json", "grpc-web"];

export interface PutArgs { key: string; value?: string; valueBytes?: Uint8Array; expectedVersion?: bigint }
export interface GetArgs { key: string; consistency?: "LINEARIZABLE" | "LOCAL" }
export interface DeleteArgs { key: string; expectedVersion?: bigint }
export interface ListArgs { prefix?: string; pageToken?: string; limit?: number; keysOnly?: boolean }
export interface GetResult { value: string; found: boolean; version: bigint; valueBytes: Uint8Array; binary: boolean }
export interface ListItem { key: string; value: string; version: bigint; binary: boolean; valueBytes: Uint8Array }

/** A failed call, normalized across protocols: Connect code name ("invalid_argument"), message, metadata. */
export class KvCallError extends Error {
  constructor(readonly code: string, message: string, readonly metadata: Record<string, string> = {}) {
    super(`${code}: ${message}`);
  }
}

/** KeyValueService over one protocol, through a client that is independent of our server code. */
export interface KvTestClient {
  protocol: Protocol;
  put(args: PutArgs, options?: { timeoutMs?: number }): Promise<{ success: boolean; version: bigint }>;
  get(args: GetArgs, options?: { timeoutMs?: number }): Promise<GetResult>;
  delete(args: DeleteArgs, options?: { timeoutMs?: number }): Promise<{ success: boolean; found: boolean }>;
  list(args: ListArgs, options?: { timeoutMs?: number }): Promise<{ items: ListItem[]; nextPageToken: string }>;
  close(): void;
}

const protoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../proto");

/** Creates a client for `address` ("127.0.0.1:port") over `protocol`. */
export function createKvTestClient(protocol: Protocol, address: string): KvTestClient {
  switch (protocol) {
    case "grpc":
      return createGrpcJsClient(address);
    case "connect-json":
      return createFetchJsonClient(address);
    case "grpc-web":
      return createGrpcWebClient(address);
  }
}

const grpcCodeNames: Record<number, string> = Object.fromEntries(
  Object.entries(grpc.status).filter(([, v]) => typeof v === "number").map(([k, v]) => [v as number, k.toLowerCase()]),
);

/** @grpc/grpc-js + @grpc/proto-loader on proto/kvstore/kvstore.proto: an independent gRPC client. */
function createGrpcJsClient(address: string): KvTestClient {
  const def = protoLoader.loadSync(path.join(protoDir, "kvstore/kvstore.proto"), { longs: String, defaults: true, bytes: Buffer, enums: String });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { kvstore: { KeyValueService: grpc.ServiceClientConstructor } };
  const client = new pkg.kvstore.KeyValueService(address, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: object, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, (r: object, m: grpc.Metadata, o: grpc.CallOptions, cb: grpc.requestCallback<T>) => void>)[method]!;
      fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) {
          const md: Record<string, string> = {};
          for (const [k, v] of Object.entries(err.metadata?.getMap() ?? {})) md[k] = String(v);
          reject(new KvCallError(grpcCodeNames[err.code] ?? String(err.code), err.details, md));
        } else resolve(res as T);
      });
    });
  type R = Record<string, unknown>;
  return {
    protocol: "grpc",
    async put(a, o) {
      const res = await call<R>("Put", { key: a.key, value: a.value ?? "", valueBytes: a.valueBytes ? Buffer.from(a.valueBytes) : Buffer.alloc(0), ...(a.expectedVersion !== undefined ? { expectedVersion: a.expectedVersion.toString() } : {}) }, o?.timeoutMs);
      return { success: res.success as boolean, version: BigInt(res.version as string) };
    },
    async get(a, o) {
      const res = await call<R>("Get", { key: a.key, consistency: a.consistency ? `CONSISTENCY_${a.consistency}` : "CONSISTENCY_UNSPECIFIED" }, o?.timeoutMs);
      return { value: res.value as string, found: res.found as boolean, version: BigInt(res.version as string), valueBytes: new Uint8Array(res.valueBytes as Buffer), binary: res.binary as boolean };
    },
    async delete(a, o) {
      const res = await call<R>("Delete", { key: a.key, ...(a.expectedVersion !== undefined ? { expectedVersion: a.expectedVersion.toString() } : {}) }, o?.timeoutMs);
      return { success: res.success as boolean, found: res.found as boolean };
    },
    async list(a, o) {
      const res = await call<R>("List", { prefix: a.prefix ?? "", pageToken: a.pageToken ?? "", limit: a.limit ?? 0, keysOnly: a.keysOnly ?? false }, o?.timeoutMs);
      const items = (res.items as R[]).map((i) => ({ key: i.key as string, value: i.value as string, version: BigInt(i.version as string), binary: i.binary as boolean, valueBytes: new Uint8Array(i.valueBytes as Buffer) }));
      return { items, nextPageToken: res.nextPageToken as string };
    },
    close: () => client.close(),
  };
}

/** Plain fetch with Connect JSON over HTTP/1.1: what `curl -d` does. */
function createFetchJsonClient(address: string): KvTestClient {
  async function call(method: string, body: object, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const res = await fetch(`http://${address}/kvstore.KeyValueService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-timeout-ms": String(timeoutMs) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) {
      const md: Record<string, string> = {};
      res.headers.forEach((v, k) => (md[k] = v));
      throw new KvCallError(String(json.code), String(json.message ?? ""), md);
    }
    return json;
  }
  const b64 = (u?: Uint8Array) => (u && u.length ? Buffer.from(u).toString("base64") : undefined);
  const unb64 = (s: unknown) => new Uint8Array(typeof s === "string" ? Buffer.from(s, "base64") : []);
  return {
    protocol: "connect-json",
    async put(a, o) {
      const res = await call("Put", { key: a.key, ...(a.value !== undefined ? { value: a.value } : {}), ...(b64(a.valueBytes) ? { valueBytes: b64(a.valueBytes) } : {}), ...(a.expectedVersion !== undefined ? { expectedVersion: a.expectedVersion.toString() } : {}) }, o?.timeoutMs);
      return { success: res.success === true, version: BigInt((res.version as string | undefined) ?? "0") };
    },
    async get(a, o) {
      const res = await call("Get", { key: a.key, ...(a.consistency ? { consistency: `CONSISTENCY_${a.consistency}` } : {}) }, o?.timeoutMs);
      return { value: (res.value as string | undefined) ?? "", found: res.found === true, version: BigInt((res.version as string | undefined) ?? "0"), valueBytes: unb64(res.valueBytes), binary: res.binary === true };
    },
    async delete(a, o) {
      const res = await call("Delete", { key: a.key, ...(a.expectedVersion !== undefined ? { expectedVersion: a.expectedVersion.toString() } : {}) }, o?.timeoutMs);
      return { success: res.success === true, found: res.found === true };
    },
    async list(a, o) {
      const res = await call("List", { ...(a.prefix ? { prefix: a.prefix } : {}), ...(a.pageToken ? { pageToken: a.pageToken } : {}), ...(a.limit ? { limit: a.limit } : {}), ...(a.keysOnly ? { keysOnly: true } : {}) }, o?.timeoutMs);
      const items = ((res.items as Array<Record<string, unknown>> | undefined) ?? []).map((i) => ({ key: i.key as string, value: (i.value as string | undefined) ?? "", version: BigInt((i.version as string | undefined) ?? "0"), binary: i.binary === true, valueBytes: unb64(i.valueBytes) }));
      return { items, nextPageToken: (res.nextPageToken as string | undefined) ?? "" };
    },
    close: () => undefined,
  };
}

/** connect-web's gRPC-Web transport, as a browser uses it. */
function createGrpcWebClient(address: string): KvTestClient {
  const client = createClient(KeyValueService, createGrpcWebTransport({ baseUrl: `http://${address}` }));
  const wrap = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      const ce = ConnectError.from(err);
      const md: Record<string, string> = {};
      ce.metadata.forEach((v, k) => (md[k] = v));
      throw new KvCallError(Code[ce.code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase(), ce.rawMessage, md);
    }
  };
  return {
    protocol: "grpc-web",
    async put(a, o) {
      const res = await wrap(client.put({ key: a.key, value: a.value ?? "", valueBytes: a.valueBytes ?? new Uint8Array(), ...(a.expectedVersion !== undefined ? { expectedVersion: a.expectedVersion } : {}) }, { timeoutMs: o?.timeoutMs ?? 10_000 }));
      return { success: res.success, version: res.version };
    },
    async get(a, o) {
      const res = await wrap(client.get({ key: a.key, consistency: a.consistency === "LOCAL" ? 2 : a.consistency === "LINEARIZABLE" ? 1 : 0 }, { timeoutMs: o?.timeoutMs ?? 10_000 }));
      return { value: res.value, found: res.found, version: res.version, valueBytes: res.valueBytes, binary: res.binary };
    },
    async delete(a, o) {
      const res = await wrap(client.delete({ key: a.key, ...(a.expectedVersion !== undefined ? { expectedVersion: a.expectedVersion } : {}) }, { timeoutMs: o?.timeoutMs ?? 10_000 }));
      return { success: res.success, found: res.found };
    },
    async list(a, o) {
      const res = await wrap(client.list({ prefix: a.prefix ?? "", pageToken: a.pageToken ?? "", limit: a.limit ?? 0, keysOnly: a.keysOnly ?? false }, { timeoutMs: o?.timeoutMs ?? 10_000 }));
      return { items: res.items.map((i) => ({ key: i.key, value: i.value, version: i.version, binary: i.binary, valueBytes: i.valueBytes })), nextPageToken: res.nextPageToken };
    },
    close: () => undefined,
  };
}
