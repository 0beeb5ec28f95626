import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Tests run the debug builds of the WASM core (kernels with their asserts on, packages/core/wasm-debug/): core's
// loader reads LOSSCAPE_WASM in every test worker and in the `losscape` processes the CLI tests start.
// `LOSSCAPE_WASM=release npx vitest run` runs the suite on the shipped builds instead.
process.env.LOSSCAPE_WASM ??= "debug";

/**
 * Test files run on every core (at most 8): vitest's default leaves one core idle, which on a 2-core machine is half of
 * it (the whole run took 489 s there with one worker, 294 s with two). No test asserts a time; long ones have 60 s.
 */
export const TEST_WORKERS = Math.min(8, availableParallelism());

// One run over every package: each package's own vitest.config.ts is a project. The JSON report feeds the
// "N passed, N failed" line of .ci/run.
export default defineConfig({
  test: {
    maxWorkers: TEST_WORKERS,
    projects: ["packages/*/vitest.config.ts", "packages/*/vitest.browser.config.ts", "apps/*/vitest.config.ts", "benchmarks/vitest.config.ts", "scripts/vitest.config.ts"],
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
