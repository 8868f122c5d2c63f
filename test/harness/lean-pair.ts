import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestNode, freePorts, type TestNode } from "./cluster.js";

/** Two single-node processes, one on the lean path and one on Connect's pipeline. */
export interface LeanPair {
  lean: TestNode;
  stock: TestNode;
  stop(): Promise<void>;
}

/**
 * Starts a memory node with --lean-grpc and one with --no-lean-grpc, so that a test can send
 * both the same requests in the same order and expect the same answers.
 */
export async function startLeanPair(name: string): Promise<LeanPair> {
  const root = mkdtempSync(path.join(os.tmpdir(), `ringkv-${name}-`));
  const [a, b] = await freePorts(2);
  const lean = createTestNode({ id: "n1", port: a!, dataDir: path.join(root, "lean"), args: ["--storage", "memory", "--lean-grpc"] });
  const stock = createTestNode({ id: "n1", port: b!, dataDir: path.join(root, "stock"), args: ["--storage", "memory", "--no-lean-grpc"] });
  await Promise.all([lean.start(), stock.start()]);
  return {
    lean,
    stock,
    async stop() {
      await Promise.all([lean.stop(), stock.stop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
