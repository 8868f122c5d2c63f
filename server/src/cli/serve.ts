import type { Command } from "commander";
import { ConfigError, configFromEnv, configFromFile, resolveConfig, type RawConfig } from "../config.js";
import { startNode } from "../node.js";
import { exitCodes } from "./exit-codes.js";

/** Flags of `ringkv serve`, mapped 1:1 onto NodeConfig fields. */
interface ServeFlags extends RawConfig {
  config?: string;
}

/** `ringkv serve`: one node, configured by flags > RINGKV_* env > --config file > defaults. */
export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run one ringkv node (gRPC, Connect and gRPC-Web on one port)")
    .option("--config <file>", "JSON config file (fields as below, camelCase)")
    .option("--node-id <id>", "this node's stable id, e.g. n1 (env RINGKV_NODE_ID)")
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--port <port>", "port to bind (default 50051)")
    .option("--members <list>", "every member, e.g. n1=127.0.0.1:50051,n2=127.0.0.1:50052 (default: just this node)")
    .option("--replication-factor <n>", "replicas per key (default 3, capped at the member count)")
    .option("--storage <engine>", "lmdb (on disk, default) or memory")
    .option("--data-dir <dir>", "lmdb directory (default ./data/<node-id>)")
    .option("--max-value-bytes <n>", "largest value accepted (default 1048576)")
    .option("--default-timeout-ms <ms>", "deadline for requests that carry none (default 10000)")
    .option("--max-timeout-ms <ms>", "longer client deadlines are cut to this (default 60000)")
    .option("--tombstone-gc-age-ms <ms>", "garbage-collect tombstones older than this (default 86400000 = 1 day; > 2 x max timeout)")
    .option("--idle-timeout-ms <ms>", "close idle client connections after this long (default 60000)")
    .option("--log-level <level>", "fatal, error, warn, info (default), debug, trace or silent")
    .option("--tls-cert <file>", "PEM certificate: serve TLS (h2 + http/1.1 by ALPN) on the same port")
    .option("--tls-key <file>", "PEM private key for --tls-cert")
    .option("--web-dir <dir>", "serve the inspector from this directory (default: web/dist)")
    .option("--cors-origins <list>", "extra browser origins allowed to call the API, comma-separated")
    .option("--lean-grpc", "serve unary gRPC and call peers on the lean path (default; env RINGKV_LEAN_GRPC=1)")
    .option("--no-lean-grpc", "use Connect's generic pipeline for every call (same behaviour, slower; env RINGKV_LEAN_GRPC=0)")
    .action(async (flags: ServeFlags) => {
      let config;
      try {
        const fromFile = flags.config ? configFromFile(flags.config) : {};
        const { config: _file, ...fromFlags } = flags;
        config = resolveConfig(fromFile, configFromEnv(process.env), fromFlags);
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`ringkv serve: ${err.message}\n`);
          process.exit(exitCodes.usage);
        }
        throw err;
      }
      const node = await startNode(config).catch((err: Error) => {
        process.stderr.write(`ringkv serve: cannot start node ${config.nodeId}: ${err.message}\n`);
        process.exit(exitCodes.failure);
      });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        node.logger.info({ signal }, "shutting down");
        const force = setTimeout(() => process.exit(exitCodes.failure), 10_000);
        force.unref();
        void node.close().then(() => process.exit(exitCodes.ok));
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
    });
}
