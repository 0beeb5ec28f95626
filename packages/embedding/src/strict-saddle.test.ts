import { init } from "@losscape/core";
import { gradient, refineCriticalPoint, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { strictSaddleEmbedding } from "./index.js";
import { norm, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

/**
 * A strict saddle is a critical point with a negative Hessian eigenvalue: `verified` must see both. Tanh 2-3-1 nets
 * (n = 12, y = sin 2x₁ + x₂/2, seeded). Seed 5 refined with l2 = 1e-2 is a critical point of the regularised loss with
 * non-zero weights, but its split is not: ∂R/∂(original's incoming row) = (1 − α)·l2·w_in, ≈ 1e-2 ≫ 1e-12.
 */
describe("strictSaddleEmbedding verifies that the escape is a critical point", () => {
  const tanhProblem = (seed: number) => {
    const p = randomProblem({ widths: [2, 3, 1], activation: "tanh", n: 12, seed, std: 0.7 });
    const x = p.data.x.data;
    for (let i = 0; i < 12; i++) p.data.y.data[i] = Math.sin(2 * x[2 * i]) + 0.5 * x[2 * i + 1];
    return p;
  };

  it("l2 > 0: the narrow point is critical, the split is not, so the escape is not verified", () => {
    const { model, data } = tanhProblem(5);
    const cp = refineCriticalPoint({ ...model, l2: 1e-2 }, data);
    expect(cp.converged).toBe(true);
    const r = strictSaddleEmbedding(cp.model, data);
    expect(r.gradNorm).toBeLessThanOrEqual(1e-12);
    expect(r.escape).not.toBeNull();
    const e = r.escape!;
    // ‖∇R‖ at the split (9.7e-3 measured) ≈ (1 − α)·l2·‖w_in‖: far above the rounding-level threshold (≈ 1e-12 here).
    expect(e.gradNorm).toBeGreaterThan(1e-4);
    expect(e.gtol).toBeLessThan(1e-10);
    expect(e.minEigenvalue).toBeLessThan(0);
    expect(e.verified).toBe(false);
  });

  it("a model that is not critical gives an unverified escape; a critical point (l2 = 0) a verified one", () => {
    const rough = tanhProblem(5);
    expect(norm(gradient(rough.model, rough.data))).toBeGreaterThan(1e-3);
    const escape = strictSaddleEmbedding(rough.model, rough.data).escape;
    expect(escape).not.toBeNull();
    expect(escape!.minEigenvalue).toBeLessThan(0);
    expect(escape!.verified).toBe(false);
    const { model, data } = tanhProblem(7);
    const refined = refineCriticalPoint(model, data);
    expect(refined.converged).toBe(true);
    const cp: Model = refined.model;
    const r = strictSaddleEmbedding(cp, data);
    expect(r.escape).not.toBeNull();
    expect(r.escape!.gradNorm).toBeLessThanOrEqual(r.escape!.gtol);
    expect(r.escape!.verified).toBe(true);
  });
});
