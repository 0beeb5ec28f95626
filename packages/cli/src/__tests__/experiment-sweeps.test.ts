import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PKG, run, runJson, specFile, tempDir } from "./run.js";

// `losscape experiment` as a researcher runs sweeps: a results file of another experiment, a spec changed between runs,
// and a sweep with a diverged descent.
const TOY = resolve(PKG, "../experiments/test/fixtures/toy-task.mjs");


describe("losscape experiment: sweeps", () => {
  it("export of a file with no result rows (empty, or its header only) is refused: status 2, one line, nothing written", async () => {
    // Before, it wrote a CSV of no columns and a Parquet file without a schema, with status 0.
    const dir = tempDir();
    const toy = { format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, grid: { i: [0] } };
    const full = join(dir, "full.jsonl");
    await runJson(["experiment", "run", specFile(dir, toy), "--out", full, "--workers", "1"]);
    const headerOnly = join(dir, "header.jsonl");
    writeFileSync(headerOnly, readFileSync(full, "utf8").split("\n")[0] + "\n");
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    for (const [file, what] of [[headerOnly, "no result rows yet"], [empty, "empty: no results yet"]] as const) {
      const csv = join(dir, "out.csv");
      const r = await run(["experiment", "export", file, "--csv", csv, "--parquet", join(dir, "out.parquet")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toEqual([`losscape experiment export: ${file}: ${what}: nothing to export`]);
      expect(() => readFileSync(csv)).toThrow();
    }
  });

  it("status refuses a results file of another experiment (another seed), as run does: status 2, one line", async () => {
    const dir = tempDir();
    const toy = { format: "losscape.experiment/1", task: { module: TOY }, params: { ms: 0 }, grid: { i: [0, 1, 2] } };
    const out = join(dir, "r.jsonl");
    await runJson(["experiment", "run", specFile(dir, toy), "--out", out, "--workers", "1"]);
    const other = specFile(dir, { ...toy, seed: 7 }, "seed7.json");
    const runOther = await run(["experiment", "run", other, "--out", out]);
    expect(runOther.code).toBe(2);
    // Before, status counted the rows of seed 0 as done for the seed-7 spec: "3 of 3 done, 0 pending".
    const st = await run(["experiment", "status", other, "--out", out]);
    expect(st.code).toBe(2);
    expect(st.stdout).toBe("");
    expect(st.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^losscape experiment status: .*r\.jsonl holds results of another experiment \(task .*, seed 0; this spec: task .*, seed 7\): give another --out$/)]);
  });

  it("a spec changed between runs: run says how many rows of the file it left out; aggregate does not pool two descents into one Figure 6", async () => {
    const dir = tempDir();
    const pb = { format: "losscape.experiment/1", name: "pb", task: "critical-search", params: { widths: [3, 3, 3], bias: false, descent: { optimizer: "lbfgs", steps: [0, 8] } }, grid: { phi: [0.5] }, runs: 3 };
    const out = join(dir, "r.jsonl");
    await runJson(["experiment", "run", specFile(dir, pb), "--out", out, "--workers", "1"]);
    const changed = specFile(dir, { ...pb, params: { ...pb.params, descent: { optimizer: "lbfgs", steps: [0, 16] } } }, "changed.json");
    const { out: rec } = await runJson(["experiment", "run", changed, "--out", out, "--workers", "1"]);
    expect(rec).toMatchObject({ total: 3, done: 3, computed: 3, stored: 0 });
    expect(rec.warnings).toContain(`${out}: 3 rows of tasks not in this spec (another grid, list, runs or params before) are kept there and left out of this aggregate`);
    // The file now holds both descents, run 0–2 each: not one Figure 6 of 6 runs with every run index twice.
    const { out: ag } = await runJson(["experiment", "aggregate", out]);
    expect(ag.rows).toBe(6);
    const agg = ag.aggregate as { kind: string; groups: { tasks: number }[] };
    expect(agg.kind).toBe("groups");
    expect(agg.groups.map((g) => g.tasks)).toEqual([3, 3]);
    expect(ag.warnings).toContain("no Figure 6: the critical-search rows are of 2 parameter sets (but φ and run); a table per parameter set instead (one results file per spec gives one Figure 6 each)");
  }, 60_000);

  it("a descent that diverges (ε ≈ 1e231) does not lose the report: run and aggregate --plot draw the figure, status 0", async () => {
    const dir = tempDir();
    const spec = specFile(dir, { format: "losscape.experiment/1", name: "div", task: "critical-search", params: { widths: [3, 3, 3], bias: false, descent: { optimizer: "gd", steps: [0, 50], lr: 1e6 } }, grid: { phi: [0.5] }, runs: 4 });
    const out = join(dir, "r.jsonl");
    // Before: "losscape experiment run: penningtonBahriMeasure: at φ = 0.5, ε = 6.79e+229 the support edges cannot be
    // resolved …", status 2, after every row was computed (the Wigner curve of the figure was taken out to the largest ε).
    const r = await run(["experiment", "run", spec, "--out", out, "--workers", "2", "--json"]);
    expect(r.stderr).not.toMatch(/penningtonBahriMeasure/);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as { done: number; aggregate: { kind: string; figure: string } };
    expect(rec.done).toBe(4);
    expect(rec.aggregate.kind).toBe("figure6");
    expect(readFileSync(rec.aggregate.figure, "utf8")).toContain("<svg");
    const eps = readFileSync(out, "utf8").trim().split("\n").slice(1).map((l) => (JSON.parse(l) as { result: { eps: number } }).result.eps);
    expect(Math.max(...eps)).toBeGreaterThan(1e200);
    const a = await run(["experiment", "aggregate", out, "--plot", join(dir, "f.svg")]);
    expect(a.code).toBe(0);
    expect(readFileSync(join(dir, "f.svg"), "utf8")).toContain("<svg");
  }, 60_000);
});
