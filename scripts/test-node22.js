// `npm run test:node22` (the last step of `npm test`): the packages' node test projects again under the node ≥ 22
// binary LOSSCAPE_NODE22 names, where core's init() picks the relaxed-SIMD build (node 20 validates only strict SIMD).
// Runs vitest there with vitest.node22.config.ts (report: test-results/vitest-node22.json). Without LOSSCAPE_NODE22
// it says so and succeeds; a binary that is not node ≥ 22 fails, naming it.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { node22Version } from "./node22.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = process.env.LOSSCAPE_NODE22 ?? "";
rmSync(new URL("../test-results/vitest-node22.json", import.meta.url), { force: true });
if (bin === "") {
  console.log("test:node22: LOSSCAPE_NODE22 is not set; the run under node ≥ 22 is skipped");
  process.exit(0);
}
const version = node22Version(bin);
if (version === null) {
  console.error(`test:node22: LOSSCAPE_NODE22=${bin} is not a node ≥ 22`);
  process.exit(1);
}
console.log(`test:node22: the packages' tests under LOSSCAPE_NODE22=${bin} (${version})`);
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const r = spawnSync(bin, [vitest, "run", "--config", "vitest.node22.config.ts"], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
