// Reads vitest's JSON report and prints the closing line CI reads: "N passed, N failed".
// A missing or unreadable report (the build or the run broke before any test ran) counts as one failure.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-results/vitest.json";
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  // Files that failed to load count as failures too.
  for (const r of report.testResults ?? []) if (r.status === "failed" && (r.assertionResults ?? []).length === 0) failed++;
} catch (e) {
  console.error(`test-summary: could not read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
