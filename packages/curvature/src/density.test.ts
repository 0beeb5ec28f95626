import { eigvalsh, inertiaThreshold, init } from "@losscape/core";
import { hessian } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { broadenedDensity, curvature, hessianOperator, indexEstimate, lanczosQuadratures } from "./index.js";
import { randomProblem } from "./__tests__/helpers.js";

// SLQ's index estimate against the exact index, the broadened density's normalisation, and `curvature`'s exact
// and estimated paths.

beforeAll(async () => {
  await init();
});

describe("SLQ", () => {
  it("the exact index fraction lies in the stated 95% interval for ≥ 85% of 50 seeds (expected ≈ 94%: t with 19 dof)", async () => {
    const { model, data } = randomProblem({ widths: [3, 6, 2], activation: "tanh", n: 12, seed: 9 });
    const values = eigvalsh(hessian(model, data));
    const M = values.length;
    const t = -inertiaThreshold(values);
    const exact = values.filter((v) => v < t).length / M;
    expect(exact).toBeGreaterThan(0);
    using op = await hessianOperator(model, data);
    let inside = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const q = await lanczosQuadratures(op, { probes: 20, steps: M, seed });
      const ix = indexEstimate(q, t);
      expect(ix.interval[0]).toBeLessThanOrEqual(ix.fraction);
      expect(ix.interval[1]).toBeGreaterThanOrEqual(ix.fraction);
      if (exact >= ix.interval[0] && exact <= ix.interval[1]) inside++;
    }
    expect(inside / 50).toBeGreaterThanOrEqual(0.85);
  });

  it("quadrature weights sum to 1 per probe; the broadened density integrates to 1 and peaks at an isolated eigenvalue", async () => {
    const { model, data } = randomProblem({ widths: [3, 5, 2], activation: "sin", n: 10, seed: 4 });
    using op = await hessianOperator(model, data);
    const q = await lanczosQuadratures(op, { probes: 4, steps: 10, seed: 1, batch: 3 });
    for (const p of q.probes) expect(Math.abs(p.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-13);
    const d = broadenedDensity(q.probes, { bins: 500 });
    const dt = d.grid[1] - d.grid[0];
    expect(Math.abs(d.density.reduce((a, b) => a + b, 0) * dt - 1)).toBeLessThanOrEqual(1e-12);
    const one = broadenedDensity([{ nodes: new Float64Array([2]), weights: new Float64Array([1]) }], { bins: 401, overhead: 1 });
    expect(one.grid[200]).toBeCloseTo(2, 14);
    expect(Math.max(...one.density)).toBe(one.density[200]);
  });
});

describe("SLQ at any scale", () => {
  it("an operator scaled by 2^s gives 2^s times the nodes and the same weights, bit for bit (s = −40, −400, 40)", async () => {
    // Lanczos and the quadrature's eigh are homogeneous: T(2^s·A) = 2^s·T(A) exactly, and the tridiagonal eigensolver
    // scales each block to norm ≈ 1 first. Its divide-and-conquer deflation once used a tolerance that did not scale,
    // so weights at small scales (here 60 × 60 T: merges run) came out wrong.
    const M = 150;
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const S = new Float64Array(M * M);
    for (let i = 0; i < M; i++) for (let j = 0; j <= i; j++) S[i * M + j] = S[j * M + i] = rnd();
    const operator = (f: number) => ({
      dim: M,
      apply: async (V: Float64Array, k: number) => {
        const out = new Float64Array(k * M);
        for (let v = 0; v < k; v++) {
          for (let i = 0; i < M; i++) {
            let s = 0;
            for (let j = 0; j < M; j++) s += S[i * M + j] * V[v * M + j];
            out[v * M + i] = s * f;
          }
        }
        return out;
      },
    });
    const base = await lanczosQuadratures(operator(1), { probes: 3, steps: 60, seed: 2 });
    for (const s of [-40, -400, 40]) {
      const f = 2 ** s;
      const q = await lanczosQuadratures(operator(f), { probes: 3, steps: 60, seed: 2 });
      for (let p = 0; p < 3; p++) {
        expect(Array.from(q.probes[p].nodes)).toEqual(Array.from(base.probes[p].nodes, (x) => x * f));
        expect(Array.from(q.probes[p].weights)).toEqual(Array.from(base.probes[p].weights));
      }
    }
  });
});

describe("curvature", () => {
  it("labels the dense path exact and the matrix-free one estimate; both agree on the top eigenvalues to 1e-10", async () => {
    const { model, data } = randomProblem({ widths: [3, 6, 4, 2], activation: "softplus", loss: "cross-entropy", n: 20, seed: 6 });
    const exact = await curvature(model, data, { top: 3, bottom: 2, trace: true, density: true, seed: 1 });
    expect(exact.method).toBe("exact");
    expect(exact.trace!.method).toBe("exact");
    const est = await curvature(model, data, { top: 3, bottom: 2, trace: true, density: true, seed: 1, exactLimit: 0, threads: 2, chunkRows: 6 });
    expect(est.method).toBe("estimate");
    expect(est.threads).toBe(2);
    expect(est.trace!.method).toBe("hutch++");
    const norm = Math.abs(exact.top!.values[0]);
    for (let i = 0; i < 3; i++) expect(Math.abs(est.top!.values[i] - exact.top!.values[i])).toBeLessThanOrEqual(1e-10 * norm);
    for (let i = 0; i < 2; i++) expect(Math.abs(est.bottom!.values[i] - exact.bottom!.values[i])).toBeLessThanOrEqual(1e-10 * norm);
    for (const r of exact.top!.residuals) expect(r).toBeLessThanOrEqual(1e-12 * norm);
    expect(Math.abs(est.trace!.value - exact.trace!.value)).toBeLessThanOrEqual(5 * est.trace!.standardError + 1e-12 * norm);
    expect(exact.index!.fraction).toBe(exact.index!.count / exact.M);
    expect(est.index!.interval[0]).toBeLessThanOrEqual(est.index!.interval[1]);
  });

  it("bad input is refused by name", async () => {
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "tanh", n: 4, seed: 1 });
    await expect(curvature(model, data, { top: 0 })).rejects.toThrowError(/^curvature: 'top' must be ≥ 1/);
    await expect(curvature(model, data, { part: "x" as "full" })).rejects.toThrowError(/^curvature: 'part' must be/);
  });
});
