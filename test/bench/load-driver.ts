import http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { GetResponseSchema } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { percentile, type LoadResult } from "./load-result.js";
import { benchKey, type LoadDriverConfig } from "./load-driver-config.js";
import { grpcFrame, grpcUnframe, requestBytes, valueOf } from "./wire.js";

/**
 * The Node load driver, run as its own process on the driver core: N HTTP/2 sessions with M
 * concurrent gRPC streams each, over pre-encoded frames of a key set picked uniformly at random,
 * for a fixed duration, as fast as answers come or paced at a fixed rate; latency per request
 * from process.hrtime. Config is JSON in argv[2]; the
 * result (a LoadResult) is one JSON line on stdout.
 */
const config = JSON.parse(process.argv[2] ?? "{}") as LoadDriverConfig;
const etcd = config.target === "etcd";
const path = etcd ? `/etcdserverpb.KV/${config.call === "Get" ? "Range" : "Put"}` : `/kvstore.KeyValueService/${config.call}`;
const headers = { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" };
const keys = config.keys ?? Array.from({ length: config.keyCount }, (_, i) => benchKey(config.keyPrefix, i));
const frames = keys.map((key, i) => grpcFrame(requestBytes({ call: config.call, key, value: valueOf(config.valueBytes, i), consistency: config.consistency })));

const latencies: number[] = [];
const codes: Record<string, number> = {};
let sampled = 0;
let notFound = 0;
let measuring = config.fill;
let stopped = false;
let fillNext = 0;
/** Fill mode: keys whose Put failed, written again (up to fillAttempts times) at the end. */
const fillRetries: number[] = [];
const fillFailures = new Map<number, number>();
const fillAttempts = 3;
let retried = 0;
let completed = 0;
let scheduled = 0;
let total = 0;
const loadStartMs = performance.now();

interface Answer {
  status: string;
  body: Buffer | undefined;
}

/** One unary call; keeps the body only when asked (1 in 64 Gets are decoded as a check). */
function call(session: http2.ClientHttp2Session, frame: Buffer, keepBody: boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const req = session.request(headers);
    let status: string | undefined;
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      if (h[":status"] !== 200) status = `http-${h[":status"]}`;
      else if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
    });
    req.on("trailers", (h) => (status ??= String(h["grpc-status"])));
    req.on("data", (c: Buffer) => keepBody && chunks.push(c));
    req.on("error", () => (status ??= "stream-error"));
    req.on("close", () => resolve({ status: status ?? "no-status", body: keepBody ? Buffer.concat(chunks) : undefined }));
    req.end(frame);
  });
}

/** Whether a protobuf message has a top-level field (etcd's RangeResponse.kvs is field 2). */
function hasField(message: Uint8Array, field: number): boolean {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = message[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < message.length) {
    const tag = varint();
    if (Math.floor(tag / 8) === field) return true;
    const wireType = tag & 7;
    if (wireType === 0) varint();
    else if (wireType === 2) {
      const length = varint(); // read first: `at += varint()` would add to the old `at`
      at += length;
    }
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else return false;
  }
  return false;
}

function nextIndex(): number {
  if (!config.fill) return Math.floor(Math.random() * frames.length);
  if (fillNext < frames.length) return fillNext++;
  return fillRetries.shift() ?? -1;
}

/** With a rate, waits for this call's slot on an even schedule from the start of the load. */
async function pace(): Promise<void> {
  if (!config.rate) return;
  const waitMs = loadStartMs + (scheduled++ * 1000) / config.rate - performance.now();
  if (waitMs >= 1) await new Promise((r) => setTimeout(r, waitMs));
}

async function loop(session: http2.ClientHttp2Session): Promise<void> {
  while (!stopped) {
    await pace();
    if (stopped) return;
    const i = nextIndex();
    if (i < 0) return;
    const check = config.call === "Get" && (completed++ & 63) === 0;
    const t0 = process.hrtime.bigint();
    const answer = await call(session, frames[i]!, check);
    total++;
    if (config.fill && answer.status !== "0" && (fillFailures.get(i) ?? 0) + 1 < fillAttempts) {
      // Loading a key set on a busy machine: a timed-out Put is retried, not a failed fill.
      fillFailures.set(i, (fillFailures.get(i) ?? 0) + 1);
      fillRetries.push(i);
      retried++;
      continue;
    }
    if (!measuring) continue;
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    codes[answer.status] = (codes[answer.status] ?? 0) + 1;
    if (check && answer.status === "0" && answer.body) {
      sampled++;
      const message = grpcUnframe(answer.body);
      if (etcd ? !hasField(message, 2) : !fromBinary(GetResponseSchema, message).found) notFound++;
    }
  }
}

function connect(): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(config.url);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

const sessions = await Promise.all(Array.from({ length: config.sessions }, connect));
const loops = sessions.flatMap((s) => Array.from({ length: config.streams }, () => loop(s)));
let startedAt = process.hrtime.bigint();
if (!config.fill) {
  setTimeout(() => {
    measuring = true;
    startedAt = process.hrtime.bigint();
  }, config.warmupS * 1000);
  setTimeout(() => (stopped = true), (config.warmupS + config.durationS) * 1000);
}
await Promise.all(loops);
const elapsedS = Number(process.hrtime.bigint() - startedAt) / 1e9;
for (const s of sessions) s.close();

latencies.sort((a, b) => a - b);
const succeeded = codes["0"] ?? 0;
const result: LoadResult = {
  driver: "load-driver",
  requests: latencies.length,
  succeeded,
  failed: latencies.length - succeeded,
  durationS: elapsedS,
  // Measured over the window in which requests were counted (in-flight tail included).
  reqPerSec: latencies.length / elapsedS,
  p50Ms: percentile(latencies, 50),
  p99Ms: percentile(latencies, 99),
  detail: { ...Object.fromEntries(Object.entries(codes).map(([k, v]) => [`grpc-status ${k}`, v])), sampled, notFound, total, retried },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
