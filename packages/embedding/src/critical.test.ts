import { init } from "@losscape/core";
import { createRng, findCriticalPoints, forward, gradient, refineCriticalPoint, train, type Activation, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { certifyEmbedding, checkCriticalSubspace, criticalEmbeddingSubspace, splitNeuron, strictSaddleEmbedding, widenTo } from "./index.js";
import { probeInputs } from "./certificate.js";
import { ALL_ACTIVATIONS, maxAbs, maxAbsDiff, norm, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

/**
 * Refined critical points of small random nets: every activation × depth 1–4 (hidden widths 2, d_in = 1), n = 20
 * samples of y = sin(2x₁) + 0.3x₁ at random x. Each is L-BFGS descent + Levenberg–Marquardt refinement
 * (`refineCriticalPoint`, ‖∇R‖ ≤ 1e-12); when that does not converge (deep narrow nets sit on long plateaus),
 * `findCriticalPoints` with 3 seeded starts. Minima and saddles, degenerate or not, as they come.
 */
const refined = (() => {
  let cache: { name: string; depth: number; cp: Model; data: ReturnType<typeof randomProblem>["data"] }[] | null = null;
  return () => {
    if (cache) return cache;
    cache = [];
    for (const act of ALL_ACTIVATIONS) {
      for (let depth = 1; depth <= 4; depth++) {
        const widths = [1, ...Array(depth).fill(2), 1];
        const seed = 17 * depth + ALL_ACTIVATIONS.indexOf(act);
        const { model, data } = randomProblem({ widths, activation: act, seed, n: 20, std: 0.7 });
        for (let i = 0; i < 20; i++) data.y.data[i] = Math.sin(2 * data.x.data[i]) + 0.3 * data.x.data[i];
        const tr = train(model, data, { optimizer: "lbfgs", epochs: 800, gtol: 1e-9 });
        const r = refineCriticalPoint(tr.model, data, { gtol: 1e-12, gtolRel: 0, maxIter: 100 });
        let cp: Model | null = r.converged ? r.model : null;
        if (cp === null) {
          const found = findCriticalPoints(model, data, { starts: 3, seed, gtolRel: 0, maxIter: 100, descentIter: 300 });
          if (found.length > 0) cp = found[0].model;
        }
        if (cp !== null) cache.push({ name: `${JSON.stringify(act)} depth ${depth}`, depth, cp, data });
      }
    }
    return cache;
  };
})();

/** α uniform on [−3, 3] but at least 0.05 away from 0 and 1 (see the prediction test). */
function alphaFrom(rng: { next(): number }): number {
  for (;;) {
    const a = -3 + 6 * rng.next();
    if (Math.abs(a) > 0.05 && Math.abs(a - 1) > 0.05) return a;
  }
}

describe("embedding refined critical points (every activation, depth 1–4, random layer, neuron and α)", () => {
  it("the pool of critical points covers most activation × depth pairs, deep ones included", () => {
    const pool = refined();
    expect(pool.length).toBeGreaterThanOrEqual(24);
    expect(pool.filter((p) => p.depth >= 3).length).toBeGreaterThanOrEqual(8);
    for (const { name, cp, data } of pool) expect(norm(gradient(cp, data)), name).toBeLessThanOrEqual(1e-12);
  });
  it("‖∇R‖ ≤ 1e-10 after the embedding; counts never decrease; the split-block prediction holds where it applies", () => {
    const rng = createRng(2026);
    let applicable = 0;
    for (const { name, cp, data } of refined()) {
      const L = cp.widths.length - 1;
      const layer = 1 + rng.int(L - 1);
      const neuron = rng.int(cp.widths[layer]);
      // α at least 0.05 from 0 and 1: the theorem is about signs; the zero rule needs α(1−α)Γ_s's eigenvalues to
      // stay clear of the zero threshold, which fails for α(1−α) → 0 however exact the arithmetic.
      const alpha = alphaFrom(rng);
      const step = { layer, neuron, alpha };
      const wide = splitNeuron(cp, step);
      const c = certifyEmbedding(cp, wide, data, { step, probes: 8 });
      // ∇R_wide entries are α·(∇R)_s, (1−α)·(∇R)_s or copies: ‖∇R_wide‖ ≤ (|α| + |1−α|)·1e-12 ≤ 7e-12.
      expect(c.gradNormAfter, name).toBeLessThanOrEqual(1e-10);
      expect(c.countsNeverDecrease, name).toBe(true);
      expect(c.inertiaAfter.zero, name).toBeGreaterThanOrEqual(c.inertiaBefore.zero + 1); // the split direction itself
      if (c.predictedInertia !== null) {
        applicable++;
        expect([c.predictedInertia.negative, c.predictedInertia.zero, c.predictedInertia.positive], name).toEqual([
          c.inertiaAfter.negative,
          c.inertiaAfter.zero,
          c.inertiaAfter.positive,
        ]);
      }
      // max|Δf| on data and probes: rounding only, relative to the size of the outputs where it is measured (the
      // probes lie outside the data, where e.g. a depth-3 quadratic net's outputs are much larger).
      expect(c.maxOutputDiffData, name).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(forward(cp, data.x).data)) * 100);
      const probeOutputs = forward(cp, probeInputs(data.x, 8, 0)).data;
      expect(c.maxOutputDiffProbes, name).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(probeOutputs)) * 100);
      expect(Math.abs(c.lossAfter - c.lossBefore), name).toBeLessThanOrEqual(1e-12 * Math.max(1, c.lossBefore));
    }
    // Most of these points are degenerate (relu/leaky-relu/linear rescaling symmetries, dead or constant
    // neurons): the prediction is exercised on purpose in the next test.
    expect(applicable).toBeGreaterThanOrEqual(1);
  });
  it("non-degenerate critical points (depth 1 and 2, four smooth activations): prediction = computed inertia for every neuron", () => {
    // findCriticalPoints over 25 small problems (tanh, sigmoid, softplus, gelu, sin × 5 architectures) finds these
    // non-degenerate points (no zero eigenvalue); the others found are degenerate and covered above.
    const problems: [Activation, number[]][] = [
      ["tanh", [1, 2, 1]],
      ["sigmoid", [1, 2, 1]],
      ["sigmoid", [1, 3, 1]],
      ["gelu", [2, 2, 1]],
      ["sin", [2, 2, 2, 1]],
    ];
    const rng = createRng(7);
    let points = 0;
    let deep = 0;
    let designFormulaMisses = 0;
    for (const [act, widths] of problems) {
      const r = createRng(widths.length * 10 + widths[0]);
      const n = 24;
      const d = widths[0];
      const x = new Float64Array(n * d).map(() => r.normal());
      const y = new Float64Array(n).map((_, i) => Math.sin(2 * x[i * d]) + 0.3 * x[i * d + d - 1]);
      const data = { x: { rows: n, cols: d, data: x }, y: { rows: n, cols: 1, data: y } };
      const found = findCriticalPoints({ widths, activation: act }, data, { starts: 4, seed: 1, maxIter: 100, descentIter: 400 });
      for (const f of found.filter((p) => p.inertia.zero === 0)) {
        points++;
        if (widths.length > 3) deep++;
        for (let layer = 1; layer < widths.length - 1; layer++) {
          for (let neuron = 0; neuron < widths[layer]; neuron++) {
            const step = { layer, neuron, alpha: alphaFrom(rng) };
            const c = certifyEmbedding(f.model, splitNeuron(f.model, step), data, { step, probes: 4 });
            const name = `${act} [${widths}] ${JSON.stringify(step)}`;
            expect(c.predictedInertia, name).not.toBeNull();
            expect(c.predictionMatches, name).toBe(true);
            expect(c.countsNeverDecrease, name).toBe(true);
            expect(c.gradNormAfter, name).toBeLessThanOrEqual(1e-10);
            const formula = c.splitBlockFormulaInertia!;
            const same = formula.negative === c.inertiaAfter.negative && formula.zero === c.inertiaAfter.zero;
            if (widths[layer + 1] === 1) expect(same, name).toBe(true); // the Γ_s-only formula of docs/conventions.md#split-subspace-hessian (B = 0)
            else if (!same) designFormulaMisses++;
          }
        }
      }
    }
    expect(points).toBeGreaterThanOrEqual(4);
    expect(deep).toBeGreaterThanOrEqual(1);
    // With m_{l+1} > 1 the coupling B of the row moves is non-zero and Γ_s alone mispredicts (documented finding).
    expect(designFormulaMisses).toBeGreaterThanOrEqual(1);
  });
  it("multi-step embeddings (widenTo) also never decrease the counts; no prediction without a single step", () => {
    for (const { name, cp, data } of refined().slice(0, 12)) {
      const { model: wide } = widenTo(cp, cp.widths.map((w, i) => (i === 0 || i === cp.widths.length - 1 ? w : w + 2)), { alpha: 0.3 });
      const c = certifyEmbedding(cp, wide, data, { probes: 8 });
      expect(c.countsNeverDecrease, name).toBe(true);
      expect(c.predictedInertia).toBeNull();
      expect(c.gradNormAfter, name).toBeLessThanOrEqual(1e-10);
    }
  });
});

describe("the K-dimensional critical affine subspace θ_B + Σαᵢvᵢ", () => {
  it("copies across two layers, a copy of a copy: every sampled point is critical with the same output", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 2, 1], activation: "tanh", seed: 8, n: 14, std: 0.8 });
    const cp = refineCriticalPoint(model, data, { gtol: 1e-12 });
    expect(cp.converged).toBe(true);
    const copies = [
      { layer: 1, neuron: 0 },
      { layer: 1, neuron: 0 },
      { layer: 1, neuron: 3 }, // the first copy: its root is neuron 0
      { layer: 2, neuron: 1 },
    ];
    const S = criticalEmbeddingSubspace(cp.model, copies);
    expect(S.base.widths).toEqual([2, 6, 3, 1]);
    expect(S.directions).toHaveLength(4);
    expect(S.copies.map((c) => c.root)).toEqual([0, 0, 0, 1]);
    expect(Array.from(S.at([0, 0, 0, 0]).params)).toEqual(Array.from(S.base.params));
    // the vᵢ are linearly independent (disjoint copy columns): Gram determinant > 0 via pairwise checks
    for (let i = 0; i < 4; i++) expect(norm(S.directions[i])).toBeGreaterThan(0);
    const r = checkCriticalSubspace(cp.model, data, copies, { samples: 6, seed: 3, scale: 2 });
    expect(r.dimension).toBe(4);
    // ‖∇R‖ at θ_B + Σαᵢvᵢ: gradients are sums of split shares of the narrow gradient (≤ 1e-12) times |α| ≲ 8.
    expect(r.maxGradNorm).toBeLessThanOrEqual(1e-10);
    expect(r.maxOutputDiff).toBeLessThanOrEqual(1e-12);
    expect(r.maxLossDiff).toBeLessThanOrEqual(1e-14);
  });
  it("at a non-critical point the output is still preserved (but the gradient is not zero)", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: "sigmoid", seed: 4 });
    const r = checkCriticalSubspace(model, data, [{ layer: 1, neuron: 1 }], { samples: 3 });
    expect(r.maxOutputDiff).toBeLessThanOrEqual(1e-13);
    expect(r.narrowGradNorm).toBeGreaterThan(1e-6);
    expect(() => criticalEmbeddingSubspace(model, [])).toThrow(/non-empty/);
    expect(() => criticalEmbeddingSubspace(model, [{ layer: 2, neuron: 0 }])).toThrow(/copies\[0\]\.layer/);
    expect(() => criticalEmbeddingSubspace(model, [{ layer: 1, neuron: 0 }]).at([1, 2])).toThrow(/K = 1/);
  });
  it("warns of a numerically zero direction: a copy of a neuron whose outgoing weights vanish", () => {
    // 1-2-1 tanh with the second hidden neuron's outgoing weight 1e-21 (θ = [W¹, b¹, W², b²]): v for a copy of it is
    // ±1e-21, below 1e-12·max(1, max|θ|); a copy of the first neuron is fine.
    const model = { widths: [1, 2, 1], activation: "tanh" as const, params: Float64Array.from([0.5, -1.5, 0.1, 0.2, 0.8, 1e-21, 0.3]) };
    expect(criticalEmbeddingSubspace(model, [{ layer: 1, neuron: 0 }]).warnings).toEqual([]);
    const w = criticalEmbeddingSubspace(model, [{ layer: 1, neuron: 0 }, { layer: 1, neuron: 1 }]).warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^direction v2 \(copy of neuron 1 of layer 1\) is numerically zero: ‖v2‖ = 1\.41e-21/);
  });
});

describe("strict saddles and the truly-bad test on random critical points", () => {
  it("smooth activations: where some Γ_s ≠ 0, the chosen embedding has verified negative curvature", () => {
    let escapes = 0;
    for (const { name, cp, data } of refined()) {
      const r = strictSaddleEmbedding(cp, data);
      if (r.escape === null) {
        expect(r.trulyBadNecessaryCondition, name).toBe(true);
        continue;
      }
      escapes++;
      expect(r.escape.verified, name).toBe(true);
      // vᵀHv (HVP) equals the dense eigenvalue up to rounding of the eigensolver: 1e-10·max(1, ‖H‖).
      expect(Math.abs(r.escape.curvature - r.escape.minEigenvalue), name).toBeLessThanOrEqual(1e-10 * Math.max(1, maxAbs(r.escape.direction)));
      expect(r.escape.gradNorm, name).toBeLessThanOrEqual(1e-10);
      expect(r.escape.inertia.negative, name).toBeGreaterThanOrEqual(Math.max(1, r.inertia.negative));
    }
    expect(escapes).toBeGreaterThanOrEqual(4);
  });
  it("one-hidden-layer relu net with one output at a critical point: Γ_s = 0 (σ″ = 0) and B = 0, so truly-bad holds", () => {
    // With m_{l+1} = 1, Σⱼ aⱼB_j = ∂R/∂[W_s; b_s] = 0 forces B = 0 for every neuron with a non-zero outgoing weight.
    const { cp, data } = refined().find((r) => r.name === '"relu" depth 1')!;
    const a = cp.params.subarray(cp.params.length - 3, cp.params.length - 1); // W² (1 × 2)
    expect(Math.min(...Array.from(a, Math.abs))).toBeGreaterThan(1e-3);
    const r = strictSaddleEmbedding(cp, data);
    expect(r.blocks).toHaveLength(2);
    expect(r.blocks.every((b) => maxAbs(b.eigenvalues) === 0 && b.vanishes)).toBe(true);
    expect(r.trulyBadNecessaryCondition).toBe(true);
    expect(r.escape).toBeNull();
  });
  it("deeper relu nets: Γ_s = 0 always; an escape exists exactly where some coupling B is non-zero, and is verified", () => {
    let examined = 0;
    for (const { name, cp, data } of refined().filter((r) => r.name.startsWith('"relu"') && r.depth >= 2)) {
      const r = strictSaddleEmbedding(cp, data);
      examined++;
      expect(r.blocks.every((b) => maxAbs(b.eigenvalues) === 0), name).toBe(true);
      if (r.escape) expect(r.escape.verified, name).toBe(true);
      else expect(r.blocks.every((b) => b.coupling <= r.threshold), name).toBe(true);
    }
    // (The relu points found here are degenerate ones with dead neurons, where B vanishes too.)
    expect(examined).toBeGreaterThanOrEqual(2);
  });
});

it("the null embedding of a refined critical point is critical (bias on)", async () => {
  const { nullEmbedding } = await import("./index.js");
  const { cp, data } = refined().find((r) => r.name.startsWith('"sigmoid"'))!;
  const { model: wide, condition } = nullEmbedding(cp, { layer: 1 });
  expect(condition.criticalPreserved).toBe(true);
  expect(norm(gradient(wide, data))).toBeLessThanOrEqual(1e-10);
  expect(maxAbsDiff(forward(wide, data.x).data, forward(cp, data.x).data)).toBe(0);
});

it("the null embedding in every hidden layer of a deeper critical point keeps it critical (bias on)", async () => {
  const { nullEmbedding } = await import("./index.js");
  const deep = refined().filter((r) => r.depth >= 2 && !r.name.startsWith('"linear"'));
  expect(deep.length).toBeGreaterThanOrEqual(4);
  for (const { name, cp, data } of deep) {
    for (let layer = 1; layer < cp.widths.length - 1; layer++) {
      const { model: wide, condition } = nullEmbedding(cp, { layer });
      expect(condition.criticalPreserved, name).toBe(true);
      // new entries: 0 (incoming) and σ(0)·∂R/∂b^{l+1} (outgoing) with ‖∇R‖ ≤ 1e-12 at the point
      expect(norm(gradient(wide, data)), name).toBeLessThanOrEqual(1e-10);
    }
  }
});
