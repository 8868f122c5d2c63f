/**
 * test/integration/kv-protocols.test.ts again, against nodes started with the lean gRPC path off
 * (RINGKV_LEAN_GRPC=0, inherited by every node process this file starts): every behaviour must
 * hold on Connect's generic path exactly as on the lean one. Vitest runs each file in its own
 * process, so the variable stays in this file.
 */
process.env.RINGKV_LEAN_GRPC = "0";
await import("./kv-protocols.test.js");
