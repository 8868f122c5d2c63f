// Lint for every TypeScript package of the workspace. Generated code (gen/) and build output
// are not linted.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "gen/**", "data/**", "web/dist/**", "test-results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // A call's context and CallInfo keep `signal` (and the context `url`) as getters on a class
    // (see server/src/net/lean-call.ts for why); a spread copy silently loses them.
    files: ["server/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": ["error", {
        selector: "SpreadElement > Identifier[name=/^(info|ctx|context|callInfo)$/]",
        message: "Spreading a call context or CallInfo drops its signal getter: use withCallInfo() or mergeLeanContext().",
      }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
