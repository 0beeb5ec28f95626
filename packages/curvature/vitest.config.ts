import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "curvature",
    include: ["src/**/*.test.ts"],
    exclude: ["src/**/*.browser.test.ts"],
    testTimeout: 60_000,
  },
});
