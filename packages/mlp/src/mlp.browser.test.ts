import { BACKENDS, eigvalsh, inertiaFromEigenvalues, init, loadWasm, setBackend } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { gradient, hessian, hessianVectorProduct, loss, lossPlane, withParams } from "./index.js";
import { centralDiff, matVec, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";
import { data, fx } from "./__tests__/tanh131.js";
import type { Model } from "./types.js";

// Runs in headless Chromium (vitest browser mode, project mlp-browser): the same kernels as in node, loaded over HTTP.

beforeAll(async () => {
  expect(typeof window).toBe("object");
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("@losscape/mlp in a browser page — backend %s", (backend) => {
  it("gradient, Hessian and HVP against central differences (gelu 2-4-3-2, cross-entropy)", () => {
    setBackend(backend);
    const { model, data: d } = randomProblem({ widths: [2, 4, 3, 2], activation: "gelu", loss: "cross-entropy", seed: 4 });
    const g = gradient(model, d);
    // central differences, h = 1e-5: error ≈ h²|R'''| + ε/h ≈ 1e-10 (see network.test.ts)
    expect(maxAbsDiff(g, centralDiff((q) => [loss(withParams(model, q), d)], model.params, 1e-5).data)).toBeLessThan(1e-7 * (1 + maxAbs(g)));
    const H = hessian(model, d);
    expect(maxAbsDiff(H.data, centralDiff((q) => gradient(withParams(model, q), d), model.params, 1e-5).data)).toBeLessThan(1e-7 * (1 + maxAbs(H.data)));
    const v = new Float64Array(model.params.length).map((_, i) => Math.sin(i));
    expect(maxAbsDiff(hessianVectorProduct(model, d, v), matVec(H, v))).toBeLessThan(1e-12 * (1 + maxAbs(H.data)) * v.length);
  });

  it("lossPlane (tanh 3-5-4-2, l2) equals loss at every grid point", () => {
    setBackend(backend);
    const { model: m0, data: d } = randomProblem({ widths: [3, 5, 4, 2], activation: "tanh", seed: 7 });
    const model: Model = { ...m0, l2: 1e-3 };
    const M = model.params.length;
    const d1 = new Float64Array(M).map((_, i) => Math.cos(i));
    const d2 = new Float64Array(M).map((_, i) => Math.sin(3 * i));
    const aAxis = [-0.5, -0.1, 0, 0.3, 0.7];
    const bAxis = [-0.4, 0, 0.2, 0.9];
    const grid = lossPlane(model, d, { directions: [d1, d2], aAxis, bAxis });
    for (let i = 0; i < aAxis.length; i++) {
      for (let j = 0; j < bAxis.length; j++) {
        const direct = loss(withParams(model, model.params.map((v, q) => v + aAxis[i] * d1[q] + bAxis[j] * d2[q])), d);
        // two float64 evaluations of the same R (the kernel's tanh is a polynomial, ≤ ~5 ulp): 1e-13 relative, as in plane.test.ts
        expect(Math.abs(grid[i * bAxis.length + j] - direct)).toBeLessThanOrEqual(1e-13 * direct);
      }
    }
  });

  it("the reference critical points of the tanh 1-3-1 net: eigenvalues to 1e-9 relative and exact inertia", () => {
    setBackend(backend);
    for (const cp of fx.critical_points) {
      const model: Model = { widths: fx.widths, activation: "tanh", params: Float64Array.from(cp.theta) };
      const lam = eigvalsh(hessian(model, data));
      // tolerance as in reference.test.ts: 1e-9 relative plus the 1e-14 float64 floor for the zero modes
      cp.hessian_eigenvalues.forEach((r, i) => expect(Math.abs(lam[i] - r)).toBeLessThanOrEqual(1e-9 * Math.abs(r) + 1e-14));
      const t = inertiaFromEigenvalues(lam, { tol: 1e-9 });
      expect([t.negative, t.zero, t.positive]).toEqual(cp.counts_neg_zero_pos);
    }
  });
});
