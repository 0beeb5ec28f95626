import { playwright } from "@vitest/browser-playwright";
import { defineProject } from "vitest/config";

// Browser tests of @losscape/spectra: the package's source runs in headless Debian Chromium (apt-get install
// chromium; playwright cannot download browsers here). The .wasm files are fetched by the loader from
// packages/core/wasm through `new URL(..., import.meta.url)`, served by vite. ml-matrix (CommonJS, used by
// core's TS backend) is pre-bundled up front so the first dependency optimisation does not reload the page.
export default defineProject({
  optimizeDeps: { include: ["ml-matrix"] },
  test: {
    name: "spectra-browser",
    include: ["src/**/*.browser.test.ts"],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
          ],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
