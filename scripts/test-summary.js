// Reads vitest's JSON reports (the arguments; default test-results/vitest.json) and prints the closing line CI reads:
// "N passed, N failed", summed over them, after one such line per report when there are several. A missing or
// unreadable report (the build or the run broke before any test ran) counts as one failure.
import { readFileSync } from "node:fs";

const files = process.argv.length > 2 ? process.argv.slice(2) : ["test-results/vitest.json"];
let passed = 0;
let failed = 0;
for (const file of files) {
  let p = 0;
  let f = 0;
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    p = report.numPassedTests ?? 0;
    f = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    // Files that failed to load count as failures too.
    for (const r of report.testResults ?? []) if (r.status === "failed" && (r.assertionResults ?? []).length === 0) f++;
  } catch (e) {
    console.error(`test-summary: could not read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    f = 1;
  }
  if (files.length > 1) console.log(`${file}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
