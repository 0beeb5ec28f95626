import { BACKENDS, init, loadWasm, setBackend } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { certifyEmbedding, splitNeuron, strictSaddleEmbedding } from "./index.js";
import { loadReference, maxAbsDiff, refData } from "./__tests__/helpers.js";
import type { Model } from "@losscape/mlp";

// Independent reference: 50-digit mpmath values (critical points refined by Newton at 50 digits, Hessians by
// central differences of the analytic gradient), copied from the shared reference into test/fixtures.
const cases = loadReference();

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

const rows = cases.flatMap((c) =>
  c.critical_points.flatMap((cp) =>
    cp.embeddings.map((e) => [`${cp.id} T^${e.embedding.alpha}_{${e.embedding.layer},${e.embedding.neuron}}`, c, cp, e] as const),
  ),
);

describe.each(BACKENDS)("every embedding of the reference reproduced — backend %s", (backend) => {
  beforeAll(() => setBackend(backend));
  it.each(rows)("%s", (_name, c, cp, e) => {
    setBackend(backend);
    const data = refData(c);
    const base: Model = { widths: cp.widths, activation: c.activation, params: Float64Array.from(cp.theta) };
    const wide = splitNeuron(base, e.embedding);
    expect(wide.widths).toEqual(e.widths);
    // Embedded parameters: copies and products α·w of float64 numbers of size ≤ 5: exact to an ulp, asked 1e-12.
    expect(maxAbsDiff(wide.params, e.theta)).toBeLessThanOrEqual(1e-12);
    const cert = certifyEmbedding(base, wide, data, { step: e.embedding, tol: 1e-9 });
    // Inertia exactly (zero rule |λ| ≤ 1e-9·max(1, max|λ|), as in the reference).
    const cnt = (i: { negative: number; zero: number; positive: number }) => [i.negative, i.zero, i.positive];
    expect(cnt(cert.inertiaBefore)).toEqual(cp.counts_neg_zero_pos);
    expect(cnt(cert.inertiaAfter)).toEqual(e.counts_neg_zero_pos);
    expect(cert.countsNeverDecrease).toBe(e.counts_never_decrease);
    // The split-block formula, exactly, and whether it applies (non-degenerate base) and matches.
    expect(cnt(cert.splitBlockFormulaInertia!)).toEqual(e.predicted_counts_from_split_block);
    expect(cert.predictedInertia !== null).toBe(e.prediction_applicable);
    if (e.prediction_applicable) {
      expect(cnt(cert.predictedInertia!)).toEqual(e.counts_neg_zero_pos);
      expect(cert.predictionMatches).toBe(true);
    }
    // The split-subspace formula inertia(H) + inertia(K), K = [[0, B], [Bᵀ, α(1−α)Γ_s]], reproduces every case,
    // the degenerate ones included (there a neuron with zero outgoing weight leaves B ≠ 0 although Γ_s = 0).
    expect(cnt(cert.splitSubspaceFormulaInertia!)).toEqual(e.counts_neg_zero_pos);
    // Eigenvalues of α(1−α)Γ_s: sums of 20 products of O(1) numbers at θ rounded to float64 → ≲ 1e-16 absolute
    // error; 1e-14 absolute leaves a margin and is still 8 orders below the smallest non-zero value (1e-6).
    const ge = e.split_block_alpha_1malpha_Gamma_eigs;
    cert.splitBlockEigenvalues!.forEach((v, i) => expect(Math.abs(v - ge[i])).toBeLessThanOrEqual(1e-14));
    // Wide Hessian eigenvalues: 1e-9 relative + 1e-14 absolute (float64 rounding of a Hessian with entries ≤ 5
    // summed over 20 samples; the reference's own float64 cross-check differs by ≤ 2e-15).
    e.hessian_eigenvalues.forEach((v, i) => expect(Math.abs(cert.eigenvaluesAfter[i] - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v) + 1e-14));
    // Output and loss preserved: max|Δf| is rounding of O(1) sums (≤ 1e-15); the loss differs by at most
    // (1/n)Σ|rᵢ||Δrᵢ| ≤ √(2R)·1e-15 plus 1e-14 relative for the sum.
    expect(cert.maxOutputDiff).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(cert.lossAfter - cert.lossBefore)).toBeLessThanOrEqual(1e-14 * cp.loss + Math.sqrt(2 * cp.loss) * 1e-15);
    // Critical stays critical: the base θ is the 50-digit point rounded to float64 (‖∇R‖ ≈ 1e-16).
    expect(cert.gradNormAfter).toBeLessThanOrEqual(1e-14);
  });
});

describe("strict saddles from the reference critical points", () => {
  beforeAll(() => setBackend("simd"));
  it("the global minimum (cp0) becomes a strict saddle after one split, verified on the wide Hessian", () => {
    const c = cases[0];
    const data = refData(c);
    const cp = c.critical_points[0];
    expect(cp.counts_neg_zero_pos[0]).toBe(0); // a strict local (global) minimum of the 1-3-1 net
    const r = strictSaddleEmbedding({ widths: cp.widths, activation: c.activation, params: Float64Array.from(cp.theta) }, data);
    expect(r.trulyBadNecessaryCondition).toBe(false);
    const esc = r.escape!;
    expect(esc.verified).toBe(true);
    expect(esc.minEigenvalue).toBeLessThan(-1e-6); // the reference's negative eigenvalues after a split are ≥ 2e-6 in size
    // vᵀHv by the HVP equals the dense eigenvalue to rounding (entries ≤ 5, M = 13 → 1e-14).
    expect(Math.abs(esc.curvature - esc.minEigenvalue)).toBeLessThanOrEqual(1e-14);
    expect(esc.gradNorm).toBeLessThanOrEqual(1e-14);
    expect(esc.inertia.negative).toBeGreaterThanOrEqual(1);
  });
  it("cp3: every Γ_s vanishes (reference |eig| < 1e-76), but its zero-outgoing neurons couple (B ≠ 0): still escapes", () => {
    const c = cases[0];
    const cp = c.critical_points[3];
    const r = strictSaddleEmbedding({ widths: cp.widths, activation: c.activation, params: Float64Array.from(cp.theta) }, refData(c));
    expect(r.blocks).toHaveLength(3);
    expect(r.blocks.every((b) => Math.max(...b.eigenvalues.map(Math.abs)) <= r.threshold)).toBe(true);
    expect(r.blocks.some((b) => b.coupling > r.threshold)).toBe(true);
    expect(r.trulyBadNecessaryCondition).toBe(false);
    // The reference itself shows it: T^α_{1,s}(cp3) has 4 negative eigenvalues where cp3 has 3.
    expect(r.escape!.verified).toBe(true);
    expect(r.escape!.inertia.negative).toBe(4);
  });
});
