import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "io",
    include: ["src/**/*.test.ts"],
    exclude: ["src/**/*.browser.test.ts"],
    testTimeout: 60_000,
  },
});
