#!/usr/bin/env node
import { Command } from "commander";
import { addClientCommands } from "./client.js";
import { addDevCommand } from "./dev.js";
import { addServeCommand } from "./serve.js";

/**
 * The `ringkv` command: `serve` (one node), `dev` (a local cluster) and the client commands.
 * Exit codes: see exit-codes.ts (0 ok, 1 not found/failure, 2 usage, 3 CAS mismatch,
 * 4 unavailable, 5 deadline exceeded).
 */
const program = new Command()
  .name("ringkv")
  .description("ringkv: a distributed, linearizable key-value store")
  .option("--addr <host:port>", "node to talk to (client commands)", process.env.RINGKV_ADDR ?? "127.0.0.1:50051")
  .option("--timeout <ms>", "deadline of each call (client commands)", "10000")
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

addServeCommand(program);
addDevCommand(program);
addClientCommands(program);

await program.parseAsync(process.argv);
