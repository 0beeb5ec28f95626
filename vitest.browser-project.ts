import { playwright } from "@vitest/browser-playwright";
import { defineProject } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./scripts/chromium.js";

/**
 * The browser-test project of one package: its `src/**\/*.browser.test.ts` (and the node tests named in `alsoInclude`,
 * which run in both environments) run from source in headless Debian
 * Chromium (apt-get install chromium; playwright cannot download browsers here). The .wasm files are fetched by
 * core's loader through `new URL(..., import.meta.url)`, served by vite. ml-matrix (CommonJS, core's TS backend)
 * is pre-bundled up front so the first dependency optimisation does not reload the page mid-run.
 */
export function browserProject(name: string, alsoInclude: string[] = []) {
  return defineProject({
    optimizeDeps: { include: ["ml-matrix"] },
    test: {
      name,
      include: ["src/**/*.browser.test.ts", ...alsoInclude],
      testTimeout: 60_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
        instances: [{ browser: "chromium" }],
      },
    },
  });
}
