import { spawn } from "node:child_process";
import path from "node:path";
import { stopChild } from "./bench-cluster.js";
import { benchDistDir } from "./paths.js";
import { onServerCore } from "./pin.js";

/** A running ceiling server process. */
export interface CeilingServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts ceiling-server.js on the server core and waits for its port. */
export function startCeilingServer(): Promise<CeilingServer> {
  const [cmd, args] = onServerCore(process.execPath, [path.join(benchDistDir, "ceiling-server.js")]);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`ceiling server exited (${code}) before listening`)));
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n")[0];
      if (!out.includes("\n") || line === undefined) return;
      const { port } = JSON.parse(line) as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) });
    });
  });
}
