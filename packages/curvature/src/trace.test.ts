import { init } from "@losscape/core";
import { hessian } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { hessianOperator, hutchinsonTrace, hutchPlusPlusTrace } from "./index.js";
import { denseOperator, randomProblem } from "./__tests__/helpers.js";

// The trace estimators against the exact trace, over 60 seeds: an unbiased estimate with an honest standard error
// lands within 1 SE about 68% of the time and within 2 SE about 95% (normal approximation of a mean of 30 probes;
// the estimated SE makes it a t-statistic with 29 degrees of freedom: 67% and 95%). The bounds below leave room for
// the binomial spread of 60 trials (sd ≈ 6% around 68%, 2.8% around 95%).

beforeAll(async () => {
  await init();
});

const SEEDS = 60;

async function coverage(estimate: (seed: number) => Promise<{ value: number; standardError: number }>, exact: number): Promise<{ within1: number; within2: number }> {
  let within1 = 0;
  let within2 = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { value, standardError } = await estimate(seed);
    expect(standardError).toBeGreaterThan(0);
    const z = Math.abs(value - exact) / standardError;
    if (z <= 1) within1++;
    if (z <= 2) within2++;
  }
  return { within1: within1 / SEEDS, within2: within2 / SEEDS };
}

describe("trace estimates", () => {
  it("Hutchinson and Hutch++ of a network's Hessian: the exact trace within 1 SE ≈ 68% and within 2 SE ≈ 95% of 60 seeds", async () => {
    const { model, data } = randomProblem({ widths: [4, 7, 3], activation: "tanh", loss: "cross-entropy", n: 25, seed: 2 });
    const H = hessian(model, data);
    const M = H.rows;
    let exact = 0;
    for (let i = 0; i < M; i++) exact += H.data[i * M + i];
    using op = await hessianOperator(model, data);
    const h = await coverage((seed) => hutchinsonTrace(op, { probes: 30, seed }), exact);
    expect(h.within1).toBeGreaterThanOrEqual(0.5);
    expect(h.within1).toBeLessThanOrEqual(0.86);
    expect(h.within2).toBeGreaterThanOrEqual(0.85);
    const hpp = await coverage((seed) => hutchPlusPlusTrace(op, { products: 60, seed }), exact);
    expect(hpp.within1).toBeGreaterThanOrEqual(0.5);
    expect(hpp.within2).toBeGreaterThanOrEqual(0.85);
  });

  it("Hutch++ is exact when its sketch spans the range (a rank-3 matrix)", async () => {
    const M = 40;
    const A = new Float64Array(M * M);
    const u = [0, 1, 2].map((s) => Float64Array.from({ length: M }, (_, i) => Math.sin((s + 1) * (i + 0.5))));
    u.forEach((v, s) => {
      for (let r = 0; r < M; r++) for (let c = 0; c < M; c++) A[r * M + c] += (s + 1) * v[r] * v[c];
    });
    let exact = 0;
    for (let i = 0; i < M; i++) exact += A[i * M + i];
    const t = await hutchPlusPlusTrace(denseOperator(A, M), { products: 12, seed: 4 });
    expect(Math.abs(t.value - exact)).toBeLessThanOrEqual(1e-12 * exact);
    expect(t.standardError).toBeLessThanOrEqual(1e-12 * exact);
  });

  it("bad input is refused by name", async () => {
    const op = denseOperator(new Float64Array([1, 0, 0, 1]), 2);
    await expect(hutchinsonTrace(op, { probes: 1 })).rejects.toThrowError(/^hutchinsonTrace: 'probes' must be ≥ 2/);
    await expect(hutchPlusPlusTrace(op, { products: 3 })).rejects.toThrowError(/^hutchPlusPlusTrace: 'products' must be ≥ 6/);
  });
});
