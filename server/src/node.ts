import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { cors as connectCors, type ConnectRouter } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import fastifyCors from "@fastify/cors";
import fastifyStatic from "@fastify/static";
import { KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { ClusterService, NodeStatsSchema } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import { PeerService } from "@ringkv/gen/ringkv/internal/v1/peer_pb.js";
import { Health } from "@ringkv/gen/grpc/health/v1/health_pb.js";
import { fastify, LogController, type FastifyBaseLogger } from "fastify";
import { Counter } from "prom-client";
import type { Logger } from "pino";
import { createClusterService } from "./api/cluster-service.js";
import { registerHealth } from "./api/health.js";
import { createEdgeInterceptor } from "./api/interceptor.js";
import { createKvService } from "./api/kv-service.js";
import { registerNotFound } from "./api/not-found.js";
import { createForwardBatchHandler } from "./api/forward-batch.js";
import { createPeerService } from "./api/peer-service.js";
import { registerReflection } from "./api/reflection.js";
import { forwardHeaders } from "./cluster/call-context.js";
import { createFailureDetector } from "./cluster/failure-detector.js";
import { createForwarder } from "./cluster/forwarder.js";
import { createKvRouter } from "./cluster/kv-router.js";
import { createLister } from "./cluster/lister.js";
import { createMembership } from "./cluster/membership.js";
import { createPeerClients } from "./cluster/peer-clients.js";
import type { NodeConfig } from "./config.js";
import { createLocalBackend } from "./kv/local-backend.js";
import { createReplication } from "./replication-wiring.js";
import { registerOpLogMetrics, registerReplicationMetrics } from "./observability/replication-metrics.js";
import { createLogger } from "./observability/logger.js";
import { createNodeMetrics } from "./observability/metrics.js";
import { createRequestStats } from "./observability/request-stats.js";
import { createLeanGrpcServer } from "./net/lean-grpc-server.js";
import { installShortStringUtf8 } from "./net/short-utf8.js";
import { installPeerWireCodecs } from "./cluster/peer-wire.js";
import { installForwardBatchCodecs } from "./cluster/forward-batch-wire.js";
import { installKvJsonCodecs } from "./api/kv-json.js";
import { installKvWireCodecs } from "./api/kv-wire.js";
import { createOnePortServer, type OnePortServer } from "./net/one-port-server.js";
import { createLmdbEngine } from "./storage/lmdb-engine.js";
import { createMemoryEngine } from "./storage/memory-engine.js";
import { createRecordStore } from "./storage/record-store.js";

/** A node that is up and serving. */
export interface RunningNode {
  readonly config: NodeConfig;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly logger: Logger;
  /** Stops accepting calls, lets in-flight ones finish briefly, closes storage. */
  close(): Promise<void>;
}

/** Where the built inspector lives when no --web-dir is given: <repo>/web/dist. */
function defaultWebDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");
}

/**
 * Builds and starts one node: storage, membership and ring, peer connections, the services, and
 * one port that serves gRPC, gRPC-Web and Connect (HTTP/1.1 and h2c or TLS), the inspector at
 * `/`, `/metrics`, `/healthz` and `/readyz`.
 */
export async function startNode(config: NodeConfig, logger: Logger = createLogger({ nodeId: config.nodeId, level: config.logLevel })): Promise<RunningNode> {
  const startedAt = Date.now();
  installShortStringUtf8();
  // Hand-written codecs for the hot messages: replication (cluster/peer-wire.ts), stored records
  // (cluster/register-wire.ts), forward batches (cluster/forward-batch-wire.ts), Get/Put/Delete
  // (api/kv-wire.ts), and Get/Put/Delete in the Connect protocol's JSON (api/kv-json.ts).
  installPeerWireCodecs();
  installForwardBatchCodecs();
  installKvWireCodecs();
  installKvJsonCodecs();
  if (config.storage === "lmdb") mkdirSync(config.dataDir, { recursive: true });
  const store = createRecordStore(config.storage === "lmdb" ? createLmdbEngine({ path: config.dataDir }) : createMemoryEngine());
  const membership = createMembership({
    selfId: config.nodeId,
    members: config.members,
    replicationFactor: config.replicationFactor,
    onReachabilityChange: (m) => {
      logger.warn({ peer: m.id, reachable: m.reachable }, `peer ${m.id} is now ${m.reachable ? "reachable" : "unreachable"}`);
      // A peer that comes back gets what it missed at once, not at the next periodic pass.
      if (m.reachable) replication?.antiEntropy.schedule(m.id);
    },
  });
  const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  const peers = createPeerClients({ membership, lean: config.leanGrpc, ...(tls ? { tlsCa: tls.cert } : {}) });
  const detector = createFailureDetector({ membership, peers, logger });
  const metrics = createNodeMetrics({ membership, store });
  const forwarder = createForwarder({ membership, peers, detector, onForward: metrics.observeForward });
  const replication = membership.replicationFactor > 1 ? createReplication({ config, membership, store, peers, detector, logger }) : undefined;
  const backend = replication?.backend ?? createLocalBackend(store);
  const opLog = { droppedEarly: 0 };
  registerOpLogMetrics(metrics.registry, opLog);
  if (replication) registerReplicationMetrics(metrics.registry, replication.proposer.stats);
  const router = createKvRouter({ membership, forwarder, logger, anyReplicaMayCoordinate: replication !== undefined });
  const lister = createLister({ membership, forwarder, store });
  const requestStats = createRequestStats();
  let ready = false;

  const localStats = () => {
    const s = store.stats();
    const r = requestStats.snapshot();
    return create(NodeStatsSchema, {
      nodeId: config.nodeId,
      address: membership.address(config.nodeId),
      reachable: true,
      keyCount: BigInt(s.keys),
      storedBytes: BigInt(s.bytes),
      requests: BigInt(r.total),
      requestsPerSecond: r.requestsPerSecond,
      p99Ms: r.p99Ms,
      methods: r.methods.map((m) => ({ method: m.method, requests: BigInt(m.requests), errors: BigInt(m.errors), requestsPerSecond: m.requestsPerSecond, p99Ms: m.p99Ms })),
      timestampMs: BigInt(Date.now()),
      uptimeSeconds: BigInt(Math.floor((Date.now() - startedAt) / 1000)),
      storageEngine: store.engineKind,
    });
  };

  // One set of Connect options for Connect and the lean gRPC path, so both enforce the same.
  const connectOptions = {
    interceptors: [createEdgeInterceptor({ logger, metrics, stats: requestStats })],
    readMaxBytes: config.maxValueBytes + 64 * 1024,
    acceptCompression: [compressionGzip, compressionBrotli],
  };
  const exposedHeaders = [...connectCors.exposedHeaders, "x-request-id", "ringkv-reason", "ringkv-current-version", "ringkv-node-id"];
  const shutdown = new AbortController();
  // Unary gRPC without Connect's per-call pipeline, serving the very implementations registered
  // in `routes` below (see net/lean-grpc-server.ts); --no-lean-grpc turns it off.
  const lean = config.leanGrpc
    ? createLeanGrpcServer({
      ...connectOptions,
      // What @fastify/cors adds to every answer to a request without an Origin header.
      responseHeaders: { vary: "Origin", "access-control-expose-headers": exposedHeaders.join(", ") },
      perCallHeaders: [forwardHeaders.requestId],
      shutdownSignal: shutdown.signal,
    })
    : undefined;
  if (lean) {
    const reported = { grpc: 0, connect: 0 };
    new Counter({
      name: "ringkv_lean_requests_total",
      help: "Unary calls served on the lean path, by protocol (the rest of ringkv_requests_total went through Connect's generic pipeline).",
      labelNames: ["protocol"],
      registers: [metrics.registry],
      collect() {
        for (const protocol of ["grpc", "connect"] as const) {
          this.inc({ protocol }, lean.served[protocol] - reported[protocol]);
          reported[protocol] = lean.served[protocol];
        }
      },
    });
  }

  const routes = (connectRouter: ConnectRouter) => {
    const r = lean ? lean.wrapRouter(connectRouter) : connectRouter;
    r.service(KeyValueService, createKvService({ router, backend, lister, maxValueBytes: config.maxValueBytes, deadlines: config, opLog }));
    r.service(ClusterService, createClusterService({ membership, forwarder, localStats, deadlines: config }));
    r.service(PeerService, createPeerService({
      membership, backend, lister, forwardBatch: createForwardBatchHandler(lean?.runUnary),
      ...(replication ? { acceptor: replication.acceptor, antiEntropy: replication.antiEntropy } : {}),
    }));
    registerReflection(r, [KeyValueService, ClusterService, Health]);
    registerHealth(r, () => ready, [KeyValueService.typeName, ClusterService.typeName]);
  };

  let onePort: OnePortServer | undefined;
  const app = fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // No log line per successful request at the default level (failures log in the interceptor).
    logController: new LogController({ disableRequestLogging: true }),
    // On close, our one-port server closes idle connections and GOAWAYs HTTP/2 sessions.
    forceCloseConnections: "idle",
    // Connect enforces its own limits per message; this caps a raw HTTP body (value limit + framing).
    bodyLimit: config.maxValueBytes * 2 + 64 * 1024,
    serverFactory: (handler) => {
      onePort = createOnePortServer({
        handler: handler as never,
        idleTimeoutMs: config.idleTimeoutMs,
        ...(tls ? { tls } : {}),
        ...(lean ? { takeStream: lean.serve, takeRequest: lean.serveRequest } : {}),
      });
      return onePort as never;
    },
  });

  await app.register(fastifyCors, {
    origin: allowedOrigins(config),
    methods: [...connectCors.allowedMethods],
    allowedHeaders: [...connectCors.allowedHeaders, "x-request-id"],
    exposedHeaders,
    maxAge: 7200,
  });
  await app.register(async (scope) => {
    // Let Connect itself answer every content type (415 with a clear message for wrong ones).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
    await scope.register(fastifyConnectPlugin, { routes, ...connectOptions, shutdownTimeoutMs: 2000 });
  });
  // While closing, Fastify answers new requests itself (503); in-flight lean calls get their
  // signal aborted after the same 2 s grace as Connect's (shutdownTimeoutMs).
  app.addHook("preClose", (done) => {
    lean?.stopTaking();
    setTimeout(() => shutdown.abort(), 2000).unref();
    done();
  });
  registerNotFound(app);
  app.get("/healthz", async () => ({ status: "ok", node: config.nodeId }));
  app.get("/readyz", async (_req, reply) => {
    const reachable = membership.members().filter((m) => m.reachable).length;
    const body = { ready, node: config.nodeId, members: membership.members().length, reachable };
    return reply.code(ready ? 200 : 503).send(body);
  });
  app.get("/metrics", async (_req, reply) => {
    return reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const webDir = config.webDir ?? defaultWebDir();
  if (existsSync(path.join(webDir, "index.html"))) {
    await app.register(fastifyStatic, {
      root: webDir,
      // Hashed assets never change; index.html must be revalidated so new builds show up.
      setHeaders: (res, file) => {
        res.setHeader("cache-control", file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  } else {
    app.get("/", async (_req, reply) => reply.type("text/plain").send(`ringkv node ${config.nodeId}: the inspector is not built (run \`pnpm run build:web\`).\n`));
  }

  await app.listen({ host: config.host, port: config.port });
  const address = onePort!.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  ready = true;
  logger.info({ port, members: membership.members().map((m) => `${m.id}=${m.address}`), replicationFactor: membership.replicationFactor, storage: config.storage, dataDir: config.storage === "lmdb" ? config.dataDir : undefined, membersHash: membership.membersHash }, `node ${config.nodeId} listening on ${config.host}:${port}`);

  let closing: Promise<void> | undefined;
  return {
    config,
    port,
    logger,
    close() {
      closing ??= (async () => {
        ready = false;
        detector.stop();
        replication?.stop();
        await app.close();
        peers.close();
        await store.close();
        logger.info(`node ${config.nodeId} stopped`);
      })();
      return closing;
    },
  };
}

/** Browser origins allowed to call this node: every member's address, and configured extras. */
function allowedOrigins(config: NodeConfig): string[] {
  const scheme = config.tlsCert ? "https" : "http";
  // The inspector's Vite dev server (pnpm --filter @ringkv/web dev) runs on port 5173.
  const out = new Set<string>(["http://localhost:5173", "http://127.0.0.1:5173", ...config.corsOrigins]);
  for (const m of config.members) {
    const port = m.address.slice(m.address.lastIndexOf(":") + 1);
    out.add(`${scheme}://${m.address}`);
    out.add(`${scheme}://localhost:${port}`);
    out.add(`${scheme}://127.0.0.1:${port}`);
  }
  return [...out];
}
