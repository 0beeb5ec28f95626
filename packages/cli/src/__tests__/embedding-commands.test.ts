import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conform, filesIn, fx, INERTIA, MODEL_FILE, run, runJson, tempDir } from "./run.js";

// embed and reduce (@losscape/embedding) as child processes. The invariants are the Embedding Principle's:
// T^α_{l,s} preserves the output and criticality, adds one parameter row (M → M + d_in + 1 + d_out), and the
// inertia counts never decrease; reduce undoes an exact embedding.

const CHECK = {
  maxOutputDiff: "number",
  lossBefore: "number",
  lossAfter: "number",
  gradNormBefore: "number",
  gradNormAfter: "number",
  inertiaBefore: INERTIA,
  inertiaAfter: INERTIA,
  countsNeverDecrease: "boolean",
  predictedInertia: "object",
  tol: "number",
} as const;

const sum = (i: Record<string, number>) => i.negative + i.zero + i.positive;

describe("losscape embed", () => {
  it.each([0.5, 0.25, -1])("α = %s at the saddle: output preserved, still critical, counts never decrease", async (alpha) => {
    const dir = tempDir();
    const { out } = await runJson(["embed", "--model", fx("tanh131-saddle.json"), "--layer", "1", "--neuron", "1", "--alpha", String(alpha), "--data", fx("sin20.json"), "--out", join(dir, "w.json")]);
    expect(conform(out, { model: MODEL_FILE, check: "object", warnings: ["string"] })).toEqual([]);
    const check = out.check as Record<string, unknown>;
    expect(conform(check, { ...CHECK, predictedInertia: "object|null" } as never)).toEqual([]);
    const model = out.model as { widths: number[]; params: number[] };
    expect(model.widths).toEqual([1, 4, 1]);
    expect(model.params).toHaveLength(13);
    // Output preserved to rounding: |f| = O(1), so 1e-12 absolute.
    expect(check.maxOutputDiff as number).toBeLessThanOrEqual(1e-12);
    expect(Math.abs((check.lossAfter as number) - (check.lossBefore as number))).toBeLessThanOrEqual(1e-14);
    // Still critical: ‖∇R‖ stays at the level of the base point (≤ 1e-12 here).
    expect(check.gradNormAfter as number).toBeLessThanOrEqual(1e-12);
    const before = check.inertiaBefore as Record<string, number>;
    const after = check.inertiaAfter as Record<string, number>;
    expect(sum(before)).toBe(10);
    expect(sum(after)).toBe(13);
    for (const k of ["negative", "zero", "positive"]) expect(after[k]).toBeGreaterThanOrEqual(before[k]);
    expect(check.countsNeverDecrease).toBe(true);
    // The saddle's Hessian has a zero eigenvalue: the split-block prediction does not apply (null).
    expect(before.zero).toBeGreaterThan(0);
    expect(check.predictedInertia).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, "w.json"), "utf8"))).toEqual(out.model);
  });

  it("at the (non-degenerate) global minimum the prediction applies and matches; α = 1/2 makes it a strict saddle", async () => {
    const { out } = await runJson(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--data", fx("sin20.json")]);
    const check = out.check as Record<string, unknown>;
    expect(check.inertiaBefore).toEqual({ negative: 0, zero: 0, positive: 10 });
    expect(check.predictedInertia).toEqual(check.inertiaAfter);
    expect((check.inertiaAfter as { negative: number }).negative).toBeGreaterThan(0);
  });

  it("without --data the check is null; --plot without --data is bad input", async () => {
    const { out } = await runJson(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "2", "--alpha", "0.3"]);
    expect(out.check).toBeNull();
    const r = await run(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "2", "--alpha", "0.3", "--plot", "x.svg"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--plot needs --data/);
  });

  it.each([
    [["--layer", "2", "--neuron", "0"], /'layer' must be a hidden layer 1\.\.1 of widths \[1, 3, 1\] .*; found 2/],
    [["--layer", "1", "--neuron", "3"], /'neuron' must be an integer 0\.\.2 \(layer 1 has 3 neurons\); found 3/],
    [["--layer", "0", "--neuron", "0"], /'--layer <l>' argument '0' is invalid/],
  ])("a layer or neuron out of range is bad input: %s", async (args, pattern) => {
    const r = await run(["embed", "--model", fx("tanh131-min.json"), ...args, "--alpha", "0.5"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it("--plot draws the eigenvalues before and after", async () => {
    const dir = tempDir();
    const r = await run(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--data", fx("sin20.json"), "--plot", join(dir, "eig.svg")]);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(dir, "eig.svg"), "utf8");
    expect(svg).toContain("before 1-3-1 (0, 0, 10)");
    expect(filesIn(dir)).toEqual(["eig.svg"]);
  });
});

describe("losscape reduce", () => {
  it("undoes two embeddings: widths back to 1-3-1 with the output unchanged", async () => {
    const dir = tempDir();
    const w1 = join(dir, "w1.json");
    const w2 = join(dir, "w2.json");
    expect((await run(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.3", "--out", w1])).code).toBe(0);
    expect((await run(["embed", "--model", w1, "--layer", "1", "--neuron", "2", "--alpha", "-1", "--out", w2])).code).toBe(0);
    const { out } = await runJson(["reduce", "--model", w2, "--data", fx("sin20.json"), "--out", join(dir, "r.json")]);
    expect(conform(out, { model: MODEL_FILE, widthsBefore: ["integer"], widthsAfter: ["integer"], removed: [{ layer: "integer", neuron: "integer", reason: "string" }], maxOutputDiff: "number", warnings: ["string"] })).toEqual([]);
    expect(out.widthsBefore).toEqual([1, 5, 1]);
    expect(out.widthsAfter).toEqual([1, 3, 1]);
    expect((out.removed as { reason: string }[]).map((x) => x.reason)).toEqual(["duplicate", "duplicate"]);
    // Merging exact duplicates changes the output by rounding only (1e-12 absolute on outputs of size O(1)).
    expect(out.maxOutputDiff as number).toBeLessThanOrEqual(1e-12);
    expect(JSON.parse(readFileSync(join(dir, "r.json"), "utf8"))).toEqual(out.model);
  });

  it("the saddle found on sin20 is itself an embedding of a 1-2-1 critical point (a neuron with zero outgoing weight)", async () => {
    const { out } = await runJson(["reduce", "--model", fx("tanh131-saddle.json"), "--data", fx("sin20.json")]);
    expect(out.widthsAfter).toEqual([1, 2, 1]);
    expect(out.removed).toEqual([{ layer: 1, neuron: 2, reason: "zero-outgoing" }]);
    // Dropping a neuron whose outgoing weight is ~1e-17 changes the output by about that much.
    expect(out.maxOutputDiff as number).toBeLessThanOrEqual(1e-12);
  });

  it("a net that is already narrowest is left alone", async () => {
    const { out } = await runJson(["reduce", "--model", fx("tanh131-min.json")]);
    expect(out.widthsAfter).toEqual([1, 3, 1]);
    expect(out.removed).toEqual([]);
    expect(out.maxOutputDiff).toBe(0);
  });
});
