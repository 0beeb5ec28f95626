// How the repository launches headless Chromium: the browser tests (vitest.browser-project.ts), the docs test
// (apps/docs/test) and the browser benchmarks (benchmarks/run.js) all read it from here. Plain JS so that node runs
// it as it is (benchmarks/run.js); its types are in chromium.d.ts.

/** Debian's Chromium (apt-get install chromium; playwright cannot download browsers here). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Chromium flags for headless runs here: no sandbox as root, and no background traffic to the closed network. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
