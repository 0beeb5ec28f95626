import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fx, run, runJson, tempDir } from "./run.js";

// Every command that checks something prints one overall verdict (docs/cli.md#output-rules): a `verdict` field
// {ok, summary} in the --json record and a last line `verdict: …` in the human output. Each is run on a case where
// the property holds and on one where it does not.

interface VerdictRecord {
  ok: boolean;
  summary: string;
}
const verdictOf = (out: Record<string, unknown>) => out.verdict as VerdictRecord;

/** The human output's last line is the verdict, with the record's summary. */
async function expectHumanVerdict(args: string[], summary: string): Promise<void> {
  const r = await run([...args, "--quiet"]);
  expect(r.code).toBe(0);
  expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(`verdict: ${summary}`);
}

describe("embed --data: certified when the output is preserved, the point stays critical, counts never decrease and the prediction matches", () => {
  it("a minimum split at α = 0.5 is certified", async () => {
    const args = ["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--data", fx("sin20.json")];
    const { out } = await runJson(args);
    const v = verdictOf(out);
    expect(v.ok).toBe(true);
    // The output tolerance is 1e-10·max(1, max|f| on the data and the probes)·(|α| + |1 − α|) (certifyEmbedding).
    expect(v.summary).toMatch(/^certified: the embedding preserves the output \(max\|Δf\| = .* ≤ \d\.\d\de-10\), stays critical .*\(0, 0, 10\) → \(1, 1, 11\), and the split-block prediction matches$/);
    await expectHumanVerdict(args, v.summary);
  });

  it("a point that is not critical is not certified, though the output is preserved", async () => {
    const args = ["embed", "--model", fx("tanh131-near-saddle.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.5", "--data", fx("sin20.json")];
    const { out } = await runJson(args);
    expect((out.check as { maxOutputDiff: number }).maxOutputDiff).toBeLessThan(1e-14);
    const v = verdictOf(out);
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(/^not certified: the model is not a critical point \(‖∇R‖ = 2\.41e-3 > 1\.00e-12\)/);
    await expectHumanVerdict(args, v.summary);
  });

  it("without --data nothing is certified: verdict null, no verdict line", async () => {
    const args = ["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "0", "--alpha", "0.5"];
    const { out } = await runJson(args);
    expect(out.verdict).toBeNull();
    const r = await run(args);
    expect(r.stdout).not.toMatch(/verdict/);
  });
});

describe("dimension: agrees when rank J = n·r and corank H = M − n·r", () => {
  it("an exact fit of 1-10-1 on 10 points agrees", async () => {
    const args = ["dimension", "--model", fx("tanh1-10-1-fit.json"), "--data", fx("cooper10.json")];
    const { out } = await runJson(args);
    expect(out.agrees).toBe(true);
    expect(verdictOf(out)).toEqual({ ok: true, summary: "agrees: rank J = n·r = 10, so the minima set has Cooper's dimension M − n·r = 21 here, and corank H = 21 sees all of it" });
    await expectHumanVerdict(args, verdictOf(out).summary);
  });

  it("a zero-loss fit by a network with no input weights does not agree: J has rank 2 < n·r = 5", async () => {
    // 1-2-1 tanh with W¹ = 0: f(x) = b² + Σⱼ W²ⱼ tanh(b¹ⱼ) is a constant c, which fits y ≡ c exactly; the columns of J
    // are multiples of x (∂f/∂W¹ⱼ) and of 1 (all others), so rank J = 2.
    const dir = tempDir();
    const params = [0, 0, 0.5, -0.3, 1, 2, 0.1];
    const c = 0.1 + Math.tanh(0.5) + 2 * Math.tanh(-0.3);
    writeFileSync(join(dir, "m.json"), JSON.stringify({ format: "losscape.mlp/1", widths: [1, 2, 1], activation: "tanh", params }));
    writeFileSync(join(dir, "d.json"), JSON.stringify({ format: "losscape.data/1", x: [[-1], [-0.5], [0], [0.5], [1]], y: [[c], [c], [c], [c], [c]] }));
    const args = ["dimension", "--model", join(dir, "m.json"), "--data", join(dir, "d.json")];
    const { out } = await runJson(args);
    expect(out.jacobianRank).toBe(2);
    const v = verdictOf(out);
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(/^does not agree: rank J = 2 ≠ n·r = 5 \(local dimension 5, Cooper's 2\)/);
    await expectHumanVerdict(args, v.summary);
  });
});

describe("critical: ok when the run ends at a critical point", () => {
  it("a perturbed saddle refined back to it", async () => {
    const args = ["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json")];
    const { out } = await runJson(args);
    const v = verdictOf(out);
    expect(v.ok).toBe(true);
    expect(v.summary).toMatch(/^critical point \(saddle, inertia \(2, 1, 7\)\): ‖∇R‖ = .* ≤ 1\.00e-12 after \d+ iterations$/);
    await expectHumanVerdict(args, v.summary);
  });

  it("one iteration is not enough: stalled, not critical", async () => {
    const args = ["critical", "--model", fx("tanh131-near-saddle.json"), "--data", fx("sin20.json"), "--max-iter", "1"];
    const { out } = await runJson(args);
    expect(out.outcome).not.toBe("critical");
    const v = verdictOf(out);
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(new RegExp(`^not critical: the run ended ${String(out.outcome)} after 1 iterations with ‖∇R‖ = .* > 1\\.00e-12$`));
    await expectHumanVerdict(args, v.summary);
  });

  it("an escaping run below gtol: ‖∇R‖ ≤ gtol is said as such, with the growth of ‖θ‖ that makes it not critical", async () => {
    // A 1-1-1 tanh net fitting y = sign(x) runs to its minimum at infinity; in 257 iterations ‖∇R‖ falls below 1e-12
    // while ‖θ‖ still grows, so the run is escaping (mlp's first outcome) with ‖∇R‖ ≤ gtol. The verdict and the
    // warning used to say "‖∇R‖ = 9.35e-13 > 1.00e-12".
    const dir = tempDir();
    const xs = Array.from({ length: 12 }, (_, i) => -1.1 + 0.2 * i);
    const model = join(dir, "m.json");
    const data = join(dir, "d.json");
    writeFileSync(model, JSON.stringify({ format: "losscape.mlp/1", widths: [1, 1, 1], activation: "tanh", bias: false, loss: "mse", params: [2, 1] }));
    writeFileSync(data, JSON.stringify({ format: "losscape.data/1", x: xs.map((v) => [v]), y: xs.map((v) => [Math.sign(v)]) }));
    const args = ["critical", "--model", model, "--data", data, "--max-iter", "2000"];
    const { out } = await runJson(args);
    expect(out.outcome).toBe("escaping");
    expect(out.gradNorm as number).toBeLessThanOrEqual(out.gtol as number);
    const v = verdictOf(out);
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(/^not critical: the run ended escaping after \d+ iterations with ‖∇R‖ = \S+ ≤ 1\.00e-12, but ‖θ‖ still grows \(×\S+ from the start\)$/);
    expect(v.summary).toContain(`×${Number((out.normGrowth as number).toPrecision(3))} `);
    expect((out.warnings as string[]).some((w) => /^escaping after \d+ iterations: ‖∇R‖ = \S+ ≤ 1e-12, but ‖θ‖ still grows .*; ‖θ‖ grows while ‖∇R‖ falls/.test(w))).toBe(true);
    await expectHumanVerdict(args, v.summary);
  });
});

describe("reduce: ok when the output is preserved to tol·max(1, max|f|)", () => {
  it("undoing an embedding preserves the output", async () => {
    const dir = tempDir();
    const wide = join(dir, "wide.json");
    expect((await run(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "1", "--alpha", "0.3", "--out", wide])).code).toBe(0);
    const args = ["reduce", "--model", wide, "--data", fx("sin20.json")];
    const { out } = await runJson(args);
    expect(out.widthsAfter).toEqual([1, 3, 1]);
    const v = verdictOf(out);
    expect(v.ok).toBe(true);
    expect(v.summary).toMatch(/^output preserved: 1-4-1 → 1-3-1 with max\|f_reduced − f\| = .* ≤ 1\.\d+e-8$/);
    await expectHumanVerdict(args, v.summary);
  });

  it("a tolerance of 1 merges distinct neurons and changes the output", async () => {
    const args = ["reduce", "--model", fx("tanh131-min.json"), "--data", fx("sin20.json"), "--tol", "1"];
    const { out } = await runJson(args);
    expect(out.maxOutputDiff as number).toBeGreaterThan(1);
    const v = verdictOf(out);
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(/^output NOT preserved: 1-3-1 → 1-1-1 changes the output by max\|f_reduced − f\| = 1\.46 > 1\b/);
    await expectHumanVerdict(args, v.summary);
  });

  it("--output-tol τ is judged on the data: max|Δf| over the data ≤ τ, the probes reported but not judged", async () => {
    // The 1-10-1 fit has no exact redundancy (reduce without a budget keeps 10); a budget of 0.01 on max|Δf| over
    // sin20's rows lets the greedy step merge neurons, and every accepted step keeps max|Δf| on the data within τ.
    const args = ["reduce", "--model", fx("tanh1-10-1-fit.json"), "--data", fx("sin20.json"), "--output-tol", "0.01"];
    const { out } = await runJson(args);
    expect(out.outputTol).toBe(0.01);
    expect((out.widthsAfter as number[])[1]).toBeLessThan(10);
    expect(out.maxOutputDiffData as number).toBeLessThanOrEqual(0.01);
    const v = verdictOf(out);
    expect(v.ok).toBe(true);
    expect(v.summary).toMatch(/^output preserved on the data: 1-10-1 → 1-\d-1 with max\|f_reduced − f\| = .* ≤ 0\.01 over the data \(other inputs may differ: up to .* on the probes\)$/);
    await expectHumanVerdict(args, v.summary);
  });

  it("--output-tol and --constant-on-data without --data exit 2 naming the flag", async () => {
    for (const flag of [["--output-tol", "0.1"], ["--constant-on-data"]]) {
      const r = await run(["reduce", "--model", fx("tanh131-min.json"), ...flag]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${flag[0]} needs --data`));
    }
  });
});

describe("connect: ok when the path has no barrier (≤ 1e-3·max(R_A, R_B) + 1e-12)", () => {
  it("two points of one embedding line are joined by a straight line without a barrier", async () => {
    // T^α for α = 0.3 and 0.7 lie on the embedding line θ(α), affine in α with constant loss: the segment is on it.
    const dir = tempDir();
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    for (const [alpha, f] of [["0.3", a], ["0.7", b]]) expect((await run(["embed", "--model", fx("tanh131-min.json"), "--layer", "1", "--neuron", "2", "--alpha", alpha, "--out", f])).code).toBe(0);
    const args = ["connect", "--model", a, "--model", b, "--data", fx("sin20.json"), "--points", "11"];
    const { out } = await runJson(args);
    const v = verdictOf(out);
    expect(v.ok).toBe(true);
    expect(v.summary).toMatch(/^no barrier: along the linear path the loss rises at most .* ≤ 1\.17e-9 above max\(R\(A\), R\(B\)\) = 1\.17e-6$/);
    await expectHumanVerdict(args, v.summary);
  });

  it("a minimum and its permuted copy: the straight line crosses a barrier", async () => {
    const args = ["connect", "--model", fx("tanh131-min.json"), "--model", fx("tanh131-min-permuted.json"), "--data", fx("sin20.json"), "--points", "11"];
    const { out } = await runJson(args);
    const v = verdictOf(out);
    expect(v.ok).toBe(false);
    expect(v.summary).toBe(`barrier: along the linear path the loss rises 2.2 above max(R(A), R(B)) = 1.17e-6 (> 1.17e-9)`);
    expect(out.barrier as number).toBeCloseTo(2.2044, 3);
    await expectHumanVerdict(args, v.summary);
  });
});
