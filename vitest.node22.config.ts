import { defineConfig } from "vitest/config";
import { TEST_WORKERS } from "./vitest.config";

// The packages' node test projects again, for a run under node ≥ 22 (scripts/test-node22.js, part of `npm test` when
// LOSSCAPE_NODE22 names such a binary): there core's init() picks the relaxed-SIMD build, which node 20 cannot run.
// Debug WASM builds as in vitest.config.ts; its own JSON report beside the node 20 run's.
process.env.LOSSCAPE_WASM ??= "debug";

export default defineConfig({
  test: {
    maxWorkers: TEST_WORKERS,
    projects: ["packages/*/vitest.config.ts"],
    reporters: ["default", ["json", { outputFile: "test-results/vitest-node22.json" }]],
  },
});
