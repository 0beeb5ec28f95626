// The public reference (test/fixtures/manifold-public.json, mpmath at 40 digits): Jacobian rank, M − rank, M − n·r
// and Hessian corank exactly, singular values to 1e-8 relative — on every backend.
import { BACKENDS, init, loadWasm, setBackend } from "@losscape/core";
import { hessian } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { degeneracyOfSpectrum, globalMinimumDimension, jacobianRank } from "./index.js";
import { REFERENCE, refProblem } from "./__tests__/helpers.js";
import { eigvalsh } from "@losscape/core";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("reference fits (%s)", (backend) => {
  it.each(REFERENCE.cases.map((c) => [c.label, c] as const))("%s", (_label, c) => {
    setBackend(backend);
    const { model, data } = refProblem(c);
    const d = globalMinimumDimension(model, data);
    expect(d.paramCount).toBe(c.n_params_M);
    expect(d.dataCount).toBe(c.n_data_d);
    expect(d.outputDim).toBe(c.r_out);
    expect(d.jacobianRank).toBe(c.jacobian_rank);
    expect(d.localDimension).toBe(c.local_dim_M_minus_rank);
    expect(d.cooperDimension).toBe(c.generic_manifold_dim_M_minus_d_r);
    expect(d.hessianCorank).toBe(c.hessian_corank_float64);
    expect(d.hessianCorank).toBe(c.gauss_newton_corank_mp);
    expect(d.agrees).toBe(c.agrees_with_generic_formula);
    // The loss is at the rounding level of float64 residuals (|rᵢ| ~ 1e-16 ⇒ R ≲ 1e-30).
    expect(d.loss).toBeLessThan(1e-28);

    // Singular values counted in the rank: 1e-8 relative (the brief's accuracy; Jacobi SVD gives ~1e-15 here).
    const s = d.jacobianSingularValues;
    const smax = c.jacobian_singular_values[0];
    for (let i = 0; i < c.jacobian_rank; i++) {
      expect(Math.abs(s[i] - c.jacobian_singular_values[i]) / c.jacobian_singular_values[i], `σ${i}`).toBeLessThanOrEqual(1e-8);
    }
    // The reference's "zero" singular values are ~1e-29 in 40-digit arithmetic; float64 can only resolve them to
    // the absolute level ε·σ_max·√n of the rounding of J's entries, so they are checked against that bound.
    for (let i = c.jacobian_rank; i < s.length; i++) expect(s[i], `σ${i}`).toBeLessThanOrEqual(1e-14 * smax);

    // Hessian corank with the reference's convention (|λ| ≤ 1e-12·max(1, max|λ|)) and with the automatic gap.
    const lam = eigvalsh(hessian(model, data));
    expect(degeneracyOfSpectrum(lam, { tol: 1e-12 }).corank).toBe(c.hessian_corank_float64);
    const auto = degeneracyOfSpectrum(lam);
    expect(auto.tolSource).toBe("gap");
    expect(auto.corank).toBe(c.gauss_newton_corank_mp);
    // Eigenvalues against the mpmath JᵀJ/n: a backward-stable eigensolver is accurate to O(M·ε·‖H‖) absolutely.
    const ref = Float64Array.from(c.gauss_newton_eigenvalues_mp).sort();
    const hmax = Math.abs(ref[ref.length - 1]);
    for (let i = 0; i < lam.length; i++) expect(Math.abs(lam[i] - ref[i])).toBeLessThanOrEqual(1e-13 * c.n_params_M * hmax);

    // The Jacobian's null space at the reference point has dimension M − rank and is orthonormal.
    const jr = jacobianRank(model, data.x);
    expect(jr.nullspace!.cols).toBe(c.local_dim_M_minus_rank);
  });
});

describe("split teacher", () => {
  it("the redundancy reduction finds the split neuron: embedding bound m_total − m_min = 1", () => {
    setBackend("simd");
    const c = REFERENCE.cases.find((k) => !k.agrees_with_generic_formula)!;
    const { model, data } = refProblem(c);
    const d = globalMinimumDimension(model, data);
    expect(d.embedding.bound).toBe(1);
    expect(d.embedding.mTotal).toBe(3);
    // The extra degeneracy is at least the bound: corank − max(0, M − n·r) ≥ m_total − m_min.
    expect(d.hessianCorank - Math.max(0, d.cooperDimension)).toBeGreaterThanOrEqual(d.embedding.bound);
  });
});
