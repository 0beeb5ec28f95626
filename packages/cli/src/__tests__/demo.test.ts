import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conform, run, runJson, tempDir } from "./run.js";

// `losscape demo` end to end as a child process. `--quick` (the same steps at smaller sizes) always; the default
// sizes too when CI is set (.ci/run exports CI=true), as `npm start` runs them.

const FIGURES = ["index-energy.png", "strict-saddle.png", "cooper.png", "path.png", "slice-random.png", "slice-embedding.png"];

async function checkDemo(args: string[]) {
  const dir = join(tempDir(), "report");
  const { out } = await runJson(["demo", "--out", dir, ...args]);
  expect(
    conform(out, {
      reportDir: "string",
      seconds: "number",
      criticalPoints: [{ loss: "number", gradNorm: "number", inertia: { negative: "integer", zero: "integer", positive: "integer" }, hits: "integer" }],
      embeddings: { total: "integer", certified: "integer", allChecksPass: "boolean" },
      strictSaddle: "object",
      spectra: [{ model: "string", phi: "number", eps: "number", index: "number", epsC: "number", epsCClosedForm: "number|null", regime: "string" }],
      cooper: { generic: "object", split: "object" },
      reduction: { widthsBefore: ["integer"], widthsAfter: ["integer"], maxOutputDiff: "number" },
      warnings: ["string"],
    }),
  ).toEqual([]);
  expect(out.reportDir).toBe(dir);
  expect(out.warnings).toEqual([]);
  // Every critical point is one (‖∇R‖ ≤ 1e-12, the default gtol of the search), sorted by loss; the global
  // minimum of this example fits to ~1e-6 and is a strict minimum (inertia (0, 0, 10)).
  const cps = out.criticalPoints as { loss: number; gradNorm: number; inertia: Record<string, number> }[];
  expect(cps.length).toBeGreaterThanOrEqual(2);
  cps.forEach((c) => expect(c.gradNorm).toBeLessThanOrEqual(1e-12));
  for (let i = 1; i < cps.length; i++) expect(cps[i].loss).toBeGreaterThanOrEqual(cps[i - 1].loss);
  expect(cps[0].inertia).toEqual({ negative: 0, zero: 0, positive: 10 });
  const emb = out.embeddings as { total: number; certified: number; allChecksPass: boolean };
  expect(emb.certified).toBe(emb.total);
  expect(emb.allChecksPass).toBe(true);
  const ss = out.strictSaddle as { verified: boolean; minEigenvalue: number; inertia: { negative: number } };
  expect(ss.verified).toBe(true);
  expect(ss.inertia.negative).toBeGreaterThan(0);
  expect(ss.minEigenvalue).toBeLessThan(0);
  const generic = (out.cooper as { generic: Record<string, unknown> }).generic;
  expect(generic.agrees).toBe(true);
  expect(generic.localDimension).toBe(generic.cooperDimension);
  const red = out.reduction as { widthsBefore: number[]; widthsAfter: number[] };
  expect(red.widthsAfter[1]).toBeLessThan(red.widthsBefore[1]);
  // The report folder: report.md with every section, the figures it links (PNG files), the model files.
  const md = readFileSync(join(dir, "report.md"), "utf8");
  for (const h of ["## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "## 7.", "## Reproduce"]) expect(md).toContain(h);
  const linked = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  expect(linked).toEqual(expect.arrayContaining(FIGURES));
  for (const f of linked) expect([...readFileSync(join(dir, f)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  for (const f of ["sin20.json", "critical-0.json", "global-min-embedded.json", "cooper-fit.json"]) expect(existsSync(join(dir, "models", f))).toBe(true);
  return { dir, out };
}

describe("losscape demo", () => {
  it("--quick: every step, a report folder with report.md, figures and models; the saved models work with the other commands", async () => {
    const { dir } = await checkDemo(["--quick"]);
    const h = await runJson(["hessian", "--model", join(dir, "models", "critical-0.json"), "--data", join(dir, "models", "sin20.json")]);
    expect(h.out.inertia).toEqual({ negative: 0, zero: 0, positive: 10 });
    const r = await runJson(["reduce", "--model", join(dir, "models", "global-min-embedded.json")]);
    expect(r.out.widthsAfter).toEqual([1, 3, 1]);
  });

  it("prints where the report is, and only progress (nothing with --quiet) on stderr", async () => {
    const dir = join(tempDir(), "r");
    const res = await run(["demo", "--quick", "--quiet", "--out", dir]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(/report\s+.*r\/report\.md/);
  });

  it("--out naming a file is bad input", async () => {
    const f = join(tempDir(), "file");
    writeFileSync(f, "x");
    const res = await run(["demo", "--quick", "--out", f]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/exists and is not a directory \(--out\)/);
  });

  it.runIf(process.env.CI)("default sizes (as npm start runs it)", async () => {
    const { out } = await checkDemo([]);
    expect(out.quick).toBe(false);
  }, 300_000);
});
