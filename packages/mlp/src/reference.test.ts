import { BACKENDS, eigvalsh, inertiaFromEigenvalues, init, loadWasm, setBackend } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { gradient, hessian, loss } from "./index.js";
import { data, fx } from "./__tests__/tanh131.js";
import type { Model } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("the four critical points of the tanh 1-3-1 net (50-digit reference) — backend %s", (backend) => {
  beforeAll(() => setBackend(backend));
  it.each(fx.critical_points.map((c) => [c.id, c] as const))("%s", (_id, cp) => {
    setBackend(backend);
    const model: Model = { widths: fx.widths, activation: fx.activation, params: Float64Array.from(cp.theta) };
    // Loss: the residuals rᵢ = f − y cancel O(1) numbers, so each carries ≈ 1e-15 absolute error (rounding of θ
    // and of f); |ΔR| ≤ (1/n)Σ|rᵢ||Δrᵢ| ≤ √(2R)·1e-15. Plus 1e-14 relative for the sum itself.
    expect(Math.abs(loss(model, data) - cp.loss)).toBeLessThan(1e-14 * cp.loss + Math.sqrt(2 * cp.loss) * 1e-15);
    // ‖∇R‖ at the rounded point: θ is off by ≤ 1 ulp, |H| ≤ 5 → ‖∇R‖ ≲ 1e-15.
    const g = gradient(model, data);
    expect(Math.hypot(...g)).toBeLessThan(1e-14);
    const lam = eigvalsh(hessian(model, data));
    const ref = cp.hessian_eigenvalues;
    // Eigenvalues to 1e-9 relative; the absolute floor 1e-14 covers the zero modes (reference ~1e-50) and is the
    // float64 rounding of a Hessian with entries ≤ 5 summed over 20 samples (the reference's own float64
    // complex-step cross-check differs from the 50-digit values by ≤ 2e-15).
    for (let i = 0; i < ref.length; i++) expect(Math.abs(lam[i] - ref[i])).toBeLessThanOrEqual(1e-9 * Math.abs(ref[i]) + 1e-14);
    const inertia = inertiaFromEigenvalues(lam, { tol: 1e-9 });
    expect([inertia.negative, inertia.zero, inertia.positive]).toEqual(cp.counts_neg_zero_pos);
  });
});
