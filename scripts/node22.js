// The node ≥ 22 binary that LOSSCAPE_NODE22 names, for the runs under it (scripts/test-node22.js, benchmarks/run.js).

import { spawnSync } from "node:child_process";

/** `bin --version` when that is node 22 or later, else null (also when it does not run). */
export function node22Version(bin) {
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
  return Number(/^v(\d+)\./.exec(version)?.[1]) >= 22 ? version : null;
}
