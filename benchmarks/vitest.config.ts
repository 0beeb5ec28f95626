import { defineProject } from "vitest/config";

// The benchmark runner's own tests (how results are reported; the suites themselves run with `npm run bench`).
export default defineProject({
  test: {
    name: "benchmarks",
    include: ["lib/**/*.test.js"],
  },
});
