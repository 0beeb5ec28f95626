import { ValueError, eigh, eigvalsh, init, gemv } from "@losscape/core";
import { createRng, hessian, initParams, type Dataset, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import {
  empiricalIndex,
  histogram,
  modelSpectrumExperiment,
  samplePenningtonBahri,
  sampleReluLaw,
  sampleWigner,
  sampleWishart,
} from "./samplers.js";
import { hessianSpectrumSLQ, lanczosQuadrature, stochasticLanczosQuadrature } from "./slq.js";

beforeAll(async () => {
  await init();
});

const trace = (a: { rows: number; data: Float64Array }, p = 1): number => {
  const n = a.rows;
  if (p === 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a.data[i * n + i];
    return s;
  }
  // tr(A²) = Σ a_ij² for symmetric A
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] ** 2;
  return s;
};

describe("samplers of the model matrices", () => {
  it("are seeded: same seed → same matrix, different seed → different", () => {
    const a = samplePenningtonBahri({ model: "relu", n: 20, phi: 0.5, eps: 0.2, seed: 9 });
    const b = samplePenningtonBahri({ model: "relu", n: 20, phi: 0.5, eps: 0.2, seed: 9 });
    const c = samplePenningtonBahri({ model: "relu", n: 20, phi: 0.5, eps: 0.2, seed: 10 });
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
  });
  it("have the model's first two moments (normalised traces)", () => {
    const n = 300;
    // Wishart: tr(H₀)/N is a mean of N·m χ²₁/m terms → mean 1, sd √(2/(N·m)) ≈ 0.0047 at φ = 0.5; 5 sd = 0.024.
    expect(Math.abs(trace(sampleWishart(n, 0.5, { seed: 1 })) / n - 1)).toBeLessThan(0.024);
    // tr(H₀²)/N → 1 + φ (+O(1/N)): 2 % covers the O(1/N) bias and fluctuation at N = 300.
    expect(Math.abs(trace(sampleWishart(n, 0.5, { seed: 1 }), 2) / n - 1.5) / 1.5).toBeLessThan(0.02);
    // Wigner of variance v: tr(H²)/N → v (sd ≈ v·√2/N); 2 %.
    expect(Math.abs(trace(sampleWigner(n, 0.4, { seed: 2 }), 2) / n - 0.4) / 0.4).toBeLessThan(0.02);
    // ReLU law: tr(H₁²)/N → κ₂ = φε/2 = 0.05 at φ = 0.5, ε = 0.2 (sum of N/φ rank-one terms); 5 %.
    expect(Math.abs(trace(sampleReluLaw(n, 0.5, 0.2, { seed: 3 }), 2) / n - 0.05) / 0.05).toBeLessThan(0.05);
    expect(Math.abs(trace(sampleReluLaw(n, 0.5, 0.2, { seed: 3 })) / n)).toBeLessThan(0.01);
  });
  it("Monte Carlo at N = 2000 matches the theory's index within 0.01 (Wigner φ = 0.5, ReLU φ = 1.5; ε = 0.1)", () => {
    // Fluctuations of the index at N = 2000 are O(1/N) plus edge effects; the tolerance is 0.01.
    for (const [model, phi] of [
      ["wigner", 0.5],
      ["relu", 1.5],
    ] as const) {
      const e = modelSpectrumExperiment({ model, n: 2000, phi, eps: 0.1, seed: 2026 });
      expect(Math.abs(e.empiricalIndex - e.theoryIndex)).toBeLessThan(0.01);
      // Histogram vs theory in the bulk: mean absolute difference over bins (sampling noise ≈ √(ρ/(N·w)) ≈ 0.05).
      let diff = 0;
      for (let i = 0; i < e.histogram.density.length; i++) diff += Math.abs(e.histogram.density[i] - e.theoryAtBinCentres[i]);
      expect(diff / e.histogram.density.length).toBeLessThan(0.05);
    }
  });
  it("histogram is a density and empiricalIndex follows the inertia convention", () => {
    const h = histogram([0, 0.5, 1, 1.5, 2], { bins: 4, from: 0, to: 2 });
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 2]);
    let mass = 0;
    for (let i = 0; i < 4; i++) mass += h.density[i] * 0.5;
    expect(mass).toBeCloseTo(1, 15);
    expect(empiricalIndex([-1, -1e-12, 0, 3])).toBe(0.25); // −1e-12 is "zero" at tol 1e-9·max(1, 3)
    expect(() => histogram([])).toThrow(ValueError);
    expect(() => empiricalIndex([1, NaN])).toThrow(ValueError);
    expect(() => sampleWishart(0, 0.5, { seed: 1 })).toThrow(ValueError);
    expect(() => sampleReluLaw(10, -1, 0.1, { seed: 1 })).toThrow(ValueError);
  });
});

/** A tanh 2 → 4 → 1 net on 10 seeded samples (M = 17). */
function smallNet(): { model: Model; data: Dataset } {
  const spec = { widths: [2, 4, 1], activation: "tanh" as const };
  const rng = createRng(4);
  const x = new Float64Array(20).map(() => rng.normal());
  const y = new Float64Array(10).map(() => rng.normal());
  return {
    model: { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 3 }) },
    data: { x: { rows: 10, cols: 2, data: x }, y: { rows: 10, cols: 1, data: y } },
  };
}

describe("stochastic Lanczos quadrature", () => {
  it("with M steps on a small net, each probe's nodes are exact Hessian eigenvalues and its moments are vᵀHᵖv", () => {
    const { model, data } = smallNet();
    const h = hessian(model, data);
    const exact = eigvalsh(h);
    const M = h.rows;
    const r = hessianSpectrumSLQ(model, data, { steps: M, probes: 3, seed: 5 });
    const scale = Math.max(...exact.map(Math.abs));
    for (const q of r.probes) {
      for (let k = 0; k < q.nodes.length; k++) {
        if (q.weights[k] < 1e-8) continue;
        // Full reorthogonalisation keeps Ritz values of a converged Krylov space at rounding level: 1e-9·max|λ|.
        const nearest = Math.min(...exact.map((l) => Math.abs(l - q.nodes[k])));
        expect(nearest).toBeLessThan(1e-9 * scale);
      }
      expect(Math.abs(q.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
    // Gauss quadrature is exact for degree < 2·steps: compare Σ τ θᵖ with (vᵀHᵖv)/‖v‖² for the first probe.
    const rng = createRng(5);
    const v = new Float64Array(M).map(() => (rng.next() < 0.5 ? -1 : 1));
    const q = lanczosQuadrature((u) => gemv(h, u), v, M);
    let hv: Float64Array = Float64Array.from(v);
    for (let p = 1; p <= 4; p++) {
      hv = gemv(h, hv);
      let want = 0;
      for (let i = 0; i < M; i++) want += v[i] * hv[i];
      want /= M;
      let got = 0;
      for (let k = 0; k < q.nodes.length; k++) got += q.weights[k] * q.nodes[k] ** p;
      // Relative 1e-10: rounding in M = 17 Lanczos steps and in the powers.
      expect(Math.abs(got - want)).toBeLessThan(1e-10 * Math.max(1, scale ** p));
    }
  });
  it("the SLQ density estimate converges to the exact spectrum: index and trace of a 200 × 200 matrix", () => {
    const a = samplePenningtonBahri({ model: "wigner", n: 200, phi: 0.5, eps: 0.1, seed: 1 });
    const exact = eigvalsh(a);
    const r = stochasticLanczosQuadrature((v) => gemv(a, v), 200, { steps: 60, probes: 40, seed: 2 });
    // Hutchinson with 40 Rademacher probes: sd of the index estimate ≈ √(α(1−α)·2/(N·probes)) ≈ 0.005; 5 sd = 0.025.
    expect(Math.abs(r.massBelow(0) - empiricalIndex(exact))).toBeLessThan(0.025);
    const tr = exact.reduce((s, l) => s + l, 0) / 200;
    expect(Math.abs(r.moment(1) - tr)).toBeLessThan(0.025);
    const grid = [-0.2, 0.5, 1.5];
    const dens = r.densityOn(grid, 0.1);
    expect(dens.every((d) => d >= 0)).toBe(true);
  });
  it("the Lanczos eigen-decomposition of T is consistent with eigh (a 5 × 5 check)", () => {
    const a = sampleWigner(5, 1, { seed: 3 });
    const { values } = eigh(a);
    const q = lanczosQuadrature((u) => gemv(a, u), [1, 0.5, -0.3, 0.2, 0.1], 5);
    for (const node of q.nodes) expect(Math.min(...values.map((l) => Math.abs(l - node)))).toBeLessThan(1e-12);
  });
  it("errors", () => {
    expect(() => stochasticLanczosQuadrature((v) => v, 0, { seed: 1 })).toThrow(ValueError);
    expect(() => lanczosQuadrature((v) => v, [0, 0], 2)).toThrow(ValueError);
    expect(() => lanczosQuadrature((v) => v.subarray(1), [1, 1], 2)).toThrow(ValueError);
  });
});
