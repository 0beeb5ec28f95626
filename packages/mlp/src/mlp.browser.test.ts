import { BACKENDS, eigvalsh, inertiaFromEigenvalues, init, loadWasm, matFromRows, setBackend } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import fx from "../test/fixtures/tanh-1-3-1-critical-points.json" with { type: "json" };
import { gradient, hessian, hessianVectorProduct, loss, withParams } from "./index.js";
import { centralDiff, matVec, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";
import type { Model } from "./types.js";

// Runs in headless Chromium (vitest browser mode, project mlp-browser): the same kernels as in node, loaded over HTTP.

beforeAll(async () => {
  expect(typeof window).toBe("object");
  await init();
  await loadWasm("scalar");
});

const data = { x: matFromRows(fx.data.x.map((v) => [v])), y: matFromRows(fx.data.y.map((v) => [v])) };

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
