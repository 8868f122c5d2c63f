import { defineConfig, loadEnv } from "vite";
import react from "@vitejs/plugin-react";

/**
 * The inspector is served by every node at `/`, so the build uses base "/" and hashed asset
 * names (Vite's default) that can be cached forever.
 *
 * In development (`pnpm --filter @ringkv/web dev`) the page talks to a running node in one of two
 * ways:
 * - `VITE_RINGKV_URL` set (e.g. `http://127.0.0.1:50052`): the page calls that node directly; the
 *   node must allow the dev server's origin (`ringkv serve --cors-origins http://localhost:5173`,
 *   members' own origins are always allowed);
 * - unset: the page calls its own origin and this dev server proxies the two public services to
 *   `RINGKV_PROXY_TARGET` (default `http://127.0.0.1:50051`), the same shape as production.
 */
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, ".", ["VITE_", "RINGKV_"]);
  const target = env.RINGKV_PROXY_TARGET ?? env.VITE_RINGKV_URL ?? "http://127.0.0.1:50051";
  const proxy = { target, changeOrigin: true };
  return {
    base: "/",
    plugins: [react()],
    server: {
      proxy: {
        "/kvstore.KeyValueService": proxy,
        "/ringkv.cluster.v1.ClusterService": proxy,
      },
    },
    build: {
      outDir: "dist",
      emptyOutDir: true,
      sourcemap: true,
    },
  };
});
