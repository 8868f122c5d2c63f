import { defineConfig } from "vitest/config";

/**
 * One vitest run covers unit specs beside the code (server/src, web/src) and the cross-process
 * suites in test/. Integration suites start real node processes, so they get generous hook
 * timeouts; no test asserts wall-clock speed.
 */
export default defineConfig({
  test: {
    include: ["server/src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.{ts,tsx}"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The JSON report lets .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
