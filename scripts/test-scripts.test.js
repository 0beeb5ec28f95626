import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The scripts CI's verdict rests on: test-summary.js (the closing "N passed, N failed" line) and test-node22.js (the
// second run under node ≥ 22).
const summary = fileURLToPath(new URL("test-summary.js", import.meta.url));
const node22 = fileURLToPath(new URL("test-node22.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "losscape-scripts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A vitest JSON report with these counts (one file that failed to load when `unloaded`). */
function report(name, passed, failed, unloaded = false) {
  const file = join(dir, name);
  const testResults = [{ status: failed > 0 ? "failed" : "passed", assertionResults: [{ status: "passed" }] }];
  if (unloaded) testResults.push({ status: "failed", assertionResults: [] });
  writeFileSync(file, JSON.stringify({ numPassedTests: passed, numFailedTests: failed, testResults }));
  return file;
}

/** stdout lines and exit status of `node script args` with `env` added. */
function run(script, args, env = {}) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { lines: r.stdout.trim().split("\n"), status: r.status, stderr: r.stderr };
}

describe("test-summary.js", () => {
  it("prints one report's counts as the last line, exit 0 when nothing failed", () => {
    const r = run(summary, [report("a.json", 12, 0)]);
    expect(r.lines).toEqual(["12 passed, 0 failed"]);
    expect(r.status).toBe(0);
  });

  it("sums several reports (a line each first), counting a file that failed to load and a missing report", () => {
    const r = run(summary, [report("b.json", 10, 1), report("c.json", 5, 0, true), join(dir, "missing.json")]);
    expect(r.lines.at(-1)).toBe("15 passed, 3 failed");
    expect(r.lines).toHaveLength(4);
    expect(r.stderr).toContain("missing.json");
    expect(r.status).toBe(1);
  });
});

describe("test-node22.js", () => {
  it("without LOSSCAPE_NODE22 says the run is skipped and succeeds", () => {
    const r = run(node22, [], { LOSSCAPE_NODE22: "" });
    expect(r.lines.join("\n")).toContain("LOSSCAPE_NODE22 is not set");
    expect(r.status).toBe(0);
  });

  it("fails, naming the binary, when LOSSCAPE_NODE22 is not a node ≥ 22", () => {
    const version = execFileSync(process.execPath, ["--version"], { encoding: "utf8" }).trim();
    const fake = Number(/^v(\d+)/.exec(version)[1]) >= 22 ? join(dir, "no-such-node") : process.execPath;
    const r = run(node22, [], { LOSSCAPE_NODE22: fake });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`LOSSCAPE_NODE22=${fake} is not a node ≥ 22`);
  });
});
