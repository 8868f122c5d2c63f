import { readFileSync } from "node:fs";
import { createClient, ConnectError, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Consistency, KeyValueService } from "@ringkv/gen/kvstore/kvstore_pb.js";
import { ClusterService } from "@ringkv/gen/ringkv/cluster/v1/cluster_pb.js";
import type { Command } from "commander";
import { exitCodeFor, exitCodes } from "./exit-codes.js";

interface GlobalFlags {
  addr: string;
  timeout: string;
}

function transportFor(flags: GlobalFlags): Transport {
  const addr = flags.addr.includes("://") ? flags.addr : `http://${flags.addr}`;
  return createGrpcTransport({ baseUrl: addr });
}

function parseVersion(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(exitCodes.usage, `${flag} must be a whole number, not "${value}"`);
  return BigInt(value);
}

function fail(code: number, message: string): never {
  process.stderr.write(`ringkv: ${message}\n`);
  process.exit(code);
}

/** Runs a client action; any call error is printed with its code and mapped to an exit code. */
function run<A extends unknown[]>(program: Command, action: (flags: GlobalFlags, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const flags = program.opts<GlobalFlags>();
    try {
      await action(flags, ...args);
    } catch (err) {
      const ce = ConnectError.from(err);
      const current = ce.metadata.get("ringkv-current-version");
      fail(exitCodeFor(err), `${ce.message}${current !== null ? ` (current version ${current})` : ""}`);
    }
  };
}

/** The client commands: put, get, del, list, locate, members. */
export function addClientCommands(program: Command): void {
  const timeoutMs = () => Number(program.opts<GlobalFlags>().timeout);

  program
    .command("put <key> [value]")
    .description("store a value (text argument, --file for bytes, or stdin with -)")
    .option("--file <path>", "read the value from a file, stored as bytes (value_bytes)")
    .option("--expected-version <v>", "compare-and-set: write only if the key's version is v (0: only if absent)")
    .option("--if-absent", "write only if the key does not exist (same as --expected-version 0)")
    .action(run(program, async (flags, key: string, value: string | undefined, opts: { file?: string; expectedVersion?: string; ifAbsent?: boolean }) => {
      const kv = createClient(KeyValueService, transportFor(flags));
      if (value === undefined && opts.file === undefined) fail(exitCodes.usage, "put needs a value argument or --file <path>");
      const expectedVersion = opts.ifAbsent ? 0n : parseVersion(opts.expectedVersion, "--expected-version");
      const bytes = opts.file !== undefined ? readFileSync(opts.file === "-" ? 0 : opts.file) : undefined;
      const res = await kv.put(
        { key, ...(bytes ? { valueBytes: bytes } : { value: value! }), ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
        { timeoutMs: timeoutMs() },
      );
      process.stdout.write(`OK version ${res.version}\n`);
    }));

  program
    .command("get <key>")
    .description("read a key (linearizable; --local for a cheaper, possibly stale read); exit code 1 when not found")
    .option("--local", "read one replica's copy (may be stale)")
    .option("--json", "print {key, value, version, binary} as JSON")
    .action(run(program, async (flags, key: string, opts: { local?: boolean; json?: boolean }) => {
      const kv = createClient(KeyValueService, transportFor(flags));
      const res = await kv.get({ key, consistency: opts.local ? Consistency.LOCAL : Consistency.LINEARIZABLE }, { timeoutMs: timeoutMs() });
      if (!res.found) fail(exitCodes.notFound, `key "${key}" not found`);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ key, value: res.binary ? Buffer.from(res.valueBytes).toString("base64") : res.value, encoding: res.binary ? "base64" : "utf8", version: res.version.toString() }) + "\n");
      } else if (res.binary) {
        process.stdout.write(res.valueBytes);
      } else {
        process.stdout.write(`${res.value}\n`);
      }
    }));

  program
    .command("del <key>")
    .alias("delete")
    .description("delete a key (succeeds when it was already missing)")
    .option("--expected-version <v>", "compare-and-delete: only if the key's version is v")
    .action(run(program, async (flags, key: string, opts: { expectedVersion?: string }) => {
      const kv = createClient(KeyValueService, transportFor(flags));
      const expectedVersion = parseVersion(opts.expectedVersion, "--expected-version");
      const res = await kv.delete({ key, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, { timeoutMs: timeoutMs() });
      process.stdout.write(res.found ? "deleted\n" : "not found (nothing to delete)\n");
    }));

  program
    .command("list [prefix]")
    .description("list keys in order across the cluster, a page at a time")
    .option("--limit <n>", "items per page (1-1000)", "100")
    .option("--page-token <token>", "continue after a previous page")
    .option("--all", "follow every page to the end")
    .option("--keys-only", "print keys and versions only")
    .action(run(program, async (flags, prefix: string | undefined, opts: { limit: string; pageToken?: string; all?: boolean; keysOnly?: boolean }) => {
      const kv = createClient(KeyValueService, transportFor(flags));
      let pageToken = opts.pageToken ?? "";
      do {
        const res = await kv.list({ prefix: prefix ?? "", pageToken, limit: Number(opts.limit), keysOnly: opts.keysOnly ?? false }, { timeoutMs: timeoutMs() });
        for (const item of res.items) {
          const value = item.binary ? `<${item.valueBytes.byteLength} bytes>` : item.value;
          process.stdout.write(opts.keysOnly ? `${item.key}\t${item.version}\n` : `${item.key}\t${item.version}\t${value}\n`);
        }
        pageToken = res.nextPageToken;
        if (!opts.all && pageToken !== "") process.stderr.write(`more: --page-token ${pageToken}\n`);
      } while (opts.all && pageToken !== "");
    }));

  program
    .command("locate <key>")
    .description("which nodes hold a key, which one coordinates it, and why")
    .action(run(program, async (flags, key: string) => {
      const cluster = createClient(ClusterService, transportFor(flags));
      const res = await cluster.locate({ key }, { timeoutMs: timeoutMs() });
      process.stdout.write(`key:         ${res.key}\nposition:    ${res.position}\ntoken:       ${res.token}\nreplicas:    ${res.replicas.join(", ")}\ncoordinator: ${res.coordinator}\nwhy:         ${res.explanation}\n`);
    }));

  program
    .command("members")
    .description("the cluster's members as the node at --addr sees them")
    .action(run(program, async (flags) => {
      const cluster = createClient(ClusterService, transportFor(flags));
      const res = await cluster.getMembers({}, { timeoutMs: timeoutMs() });
      for (const m of res.members) process.stdout.write(`${m.id}\t${m.address}\t${m.reachable ? "reachable" : "UNREACHABLE"}${m.self ? "\t(answered)" : ""}\n`);
    }));
}
