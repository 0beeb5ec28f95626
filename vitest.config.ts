import { defineConfig } from "vitest/config";

// One run over every package: each package's own vitest.config.ts is a project. The JSON report feeds the
// "N passed, N failed" line of .ci/run.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "packages/*/vitest.browser.config.ts", "apps/*/vitest.config.ts"],
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
