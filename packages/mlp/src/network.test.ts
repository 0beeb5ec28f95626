import { BACKENDS, init, loadWasm, matFromRows, setBackend, type BackendName } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  forward,
  gradient,
  hessian,
  hessianVectorProduct,
  jacobian,
  loss,
  lossAndGradient,
  paramCount,
  withParams,
} from "./index.js";
import { ALL_ACTIVATIONS, centralDiff, matVec, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";
import type { Activation, LossName, Model } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

// Depths 1–4 (L weight layers); mixed widths, several outputs so cross-entropy is non-trivial.
const WIDTHS = [
  [2, 3],
  [2, 4, 3],
  [3, 3, 2, 2],
  [2, 3, 2, 3, 2],
];
const LOSSES: LossName[] = ["mse", "cross-entropy"];
const actName = (a: Activation) => (typeof a === "string" ? a : `${a.name}(${a.slope})`);

const cases = ALL_ACTIVATIONS.flatMap((a) => WIDTHS.flatMap((w) => LOSSES.map((l) => ({ a, w, l }))));

describe.each(BACKENDS)("derivatives against central finite differences — backend %s", (backend: BackendName) => {
  beforeAll(() => setBackend(backend));

  it.each(cases.map((c) => [actName(c.a), c.w.join("-"), c.l, c] as const))("%s %s %s", (_a, _w, _l, c) => {
    setBackend(backend);
    // quadratic activations grow like x^(2^depth): keep weights small so finite differences stay well scaled.
    const std = c.a === "quadratic" ? 0.4 : 0.7;
    const seed = 17 + c.w.length * 31 + (c.l === "mse" ? 0 : 7);
    const { model, data } = randomProblem({ widths: c.w, activation: c.a, loss: c.l, seed, std, l2: 0.01 });
    const M = paramCount(model);
    const h = 1e-5;
    const p = model.params;

    // Gradient vs central differences of the loss. Central FD error ≈ h²·|R'''|/6 + ε·|R|/h ≈ 1e-10 + 1e-11 for
    // these O(1) quantities; 1e-7·(1 + |g|) leaves room for larger third derivatives (quadratic, deep nets).
    const g = gradient(model, data);
    const gFd = centralDiff((q) => [loss(withParams(model, q), data)], p, h);
    expect(maxAbsDiff(g, gFd.data)).toBeLessThan(1e-7 * (1 + maxAbs(g)));
    expect(lossAndGradient(model, data).loss).toBe(loss(model, data));

    // Jacobian of the outputs vs central differences of forward; same error budget.
    const J = jacobian(model, data.x);
    expect(J.rows).toBe(data.x.rows * c.w[c.w.length - 1]);
    expect(J.cols).toBe(M);
    const Jfd = centralDiff((q) => forward(withParams(model, q), data.x).data, p, h);
    expect(maxAbsDiff(J.data, Jfd.data)).toBeLessThan(1e-7 * (1 + maxAbs(J.data)));

    // Exact Hessian vs central differences of the analytic gradient (same error budget).
    const { h: H, h0, h1 } = hessian(model, data, { split: true });
    const Hfd = centralDiff((q) => gradient(withParams(model, q), data), p, h);
    expect(maxAbsDiff(H.data, Hfd.data)).toBeLessThan(1e-7 * (1 + maxAbs(H.data)));
    // Symmetric exactly (h0 by SYRK fills both triangles; h1 is symmetrised) and H = H0 + H1 up to one rounding.
    for (let i = 0; i < M; i++) for (let j = 0; j < i; j++) expect(H.data[i * M + j]).toBe(H.data[j * M + i]);
    for (let q = 0; q < M * M; q++) expect(Math.abs(H.data[q] - h0.data[q] - h1.data[q])).toBeLessThanOrEqual(4e-16 * (1 + Math.abs(H.data[q])));

    // HVP (R-operator) vs the dense Hessian times v, and its parts vs h0·v, h1·v: same arithmetic in another
    // order, so agreement to 1e-12 relative.
    const v = new Float64Array(M).map((_, i) => Math.sin(1.3 * i + 0.4));
    const scale = 1e-12 * (1 + maxAbs(H.data)) * M;
    expect(maxAbsDiff(hessianVectorProduct(model, data, v), matVec(H, v))).toBeLessThan(scale);
    expect(maxAbsDiff(hessianVectorProduct(model, data, v, { part: "gauss-newton" }), matVec(h0, v))).toBeLessThan(scale);
    expect(maxAbsDiff(hessianVectorProduct(model, data, v, { part: "residual" }), matVec(h1, v))).toBeLessThan(scale);
  });

  it("H₁ = 0 at an exact fit (mse, targets = the net's own outputs) and H = H₀ = JᵀJ/n", () => {
    setBackend(backend);
    for (const a of ALL_ACTIVATIONS) {
      for (const w of WIDTHS) {
        const { model, data } = randomProblem({ widths: w, activation: a, seed: 5 });
        const fit = { x: data.x, y: forward(model, data.x) };
        const { h, h0, h1 } = hessian(model, fit, { split: true });
        expect(maxAbs(h1.data)).toBe(0);
        expect(maxAbsDiff(h.data, h0.data)).toBe(0);
        expect(maxAbs(gradient(model, fit))).toBe(0);
      }
    }
  });

  it("biasless nets: derivatives against finite differences", () => {
    setBackend(backend);
    for (const w of WIDTHS) {
      const { model, data } = randomProblem({ widths: w, activation: "tanh", bias: false, seed: 9 });
      const g = gradient(model, data);
      expect(g.length).toBe(paramCount(model));
      const gFd = centralDiff((q) => [loss(withParams(model, q), data)], model.params, 1e-5);
      expect(maxAbsDiff(g, gFd.data)).toBeLessThan(1e-7 * (1 + maxAbs(g)));
      const H = hessian(model, data);
      const Hfd = centralDiff((q) => gradient(withParams(model, q), data), model.params, 1e-5);
      expect(maxAbsDiff(H.data, Hfd.data)).toBeLessThan(1e-7 * (1 + maxAbs(H.data)));
    }
  });

  it("a nonlinear output activation: Hessian against finite differences", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ widths: [2, 3, 2], activation: "tanh", seed: 3 });
    const m = { ...model, output: "sigmoid" as const };
    const H = hessian(m, data);
    const Hfd = centralDiff((q) => gradient(withParams(m, q), data), m.params, 1e-5);
    expect(maxAbsDiff(H.data, Hfd.data)).toBeLessThan(1e-7 * (1 + maxAbs(H.data)));
  });

  it("mse convention R = 1/(2n) Σ‖f − y‖² on a hand-computed case", () => {
    setBackend(backend);
    // f(x) = 2·tanh(x) + 0.5 (1-1-1 net, W¹ = 1, b¹ = 0, W² = 2, b² = 0.5)
    const model = { widths: [1, 1, 1], activation: "tanh" as const, params: Float64Array.from([1, 0, 2, 0.5]) };
    const data = { x: matFromRows([[0], [1]]), y: matFromRows([[0], [0]]) };
    const f1 = 2 * Math.tanh(1) + 0.5;
    // 1e-15: two roundings of O(1) numbers.
    expect(Math.abs(loss(model, data) - (0.25 + f1 * f1) / 4)).toBeLessThan(1e-15);
  });
});

describe("outputs that overflow float64: the backends agree, and NaN is refused by name", () => {
  it("+∞ stays +∞ (mse, relu); the softmax of infinite logits (∞ − ∞) is a ValueError from loss, gradient and lossAndGradient", async () => {
    await loadWasm("scalar");
    const data = { x: matFromRows([[1], [2]]), y: matFromRows([[0], [1]]) };
    const relu: Model = { widths: [1, 2, 1], activation: "relu", params: Float64Array.from([1e200, 1e200, 1e200, 1e200, 1e200, 1e200, 0]) };
    const ceData = { x: matFromRows([[1], [2]]), y: matFromRows([[0, 1], [1, 0]]) };
    const ce: Model = { widths: [1, 2, 2], activation: "linear", loss: "cross-entropy", params: Float64Array.from([1e308, 0, -1e308, 0, 1, 0, 0, 1, 0, 0]) };
    for (const b of BACKENDS) {
      setBackend(b);
      expect(loss(relu, data), b).toBe(Infinity);
      expect(() => loss(ce, ceData), b).toThrow(/^loss: the loss is NaN at these parameters: the network's outputs overflow float64/);
      expect(() => gradient(ce, ceData), b).toThrow(/^gradient: the loss is NaN/);
      expect(() => lossAndGradient(ce, ceData), b).toThrow(/^lossAndGradient: the loss is NaN/);
    }
    setBackend("simd");
  });
});
