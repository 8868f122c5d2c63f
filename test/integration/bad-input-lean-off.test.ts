/**
 * test/integration/bad-input.test.ts again, against nodes started with the lean gRPC path off
 * (RINGKV_LEAN_GRPC=0, inherited by every node process this file starts), so malformed input,
 * unknown methods, deadlines and down peers are answered the same on both paths.
 */
process.env.RINGKV_LEAN_GRPC = "0";
await import("./bad-input.test.js");
