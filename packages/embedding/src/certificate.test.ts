import { BACKENDS, init, loadWasm, setBackend, ShapeError, ValueError } from "@losscape/core";
import { withParams } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { certifyEmbedding, countsNeverDecrease, nullEmbedding, splitNeuron } from "./index.js";
import { loadReference, refData } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

const c = loadReference()[0];
const data = refData(c);
const cp0 = { widths: c.widths, activation: c.activation, params: Float64Array.from(c.critical_points[0].theta) };

describe("certifyEmbedding's verdict", () => {
  it("decides zeros at the spectral gap: no spurious decrease where a fixed tolerance sees one", () => {
    // At tol 1e-6 (threshold ≈ 1e-6·max|λ|) the wide Hessian of T^α_{1,0}, α = −1, of the global minimum counts
    // its eigenvalues −1.3e-5, 0, 1.6e-6 and 1.2e-5 as zeros: (0, 0, 10) → (0, 4, 9), a "decrease" of the positive
    // count. Its spectrum has a gap of ~5e8 between the exact zero of the split and the rest, so at the gap the counts
    // are (1, 1, 11): they never decrease, and the embedding is certified.
    const step = { layer: 1, neuron: 0, alpha: -1 };
    const cert = certifyEmbedding(cp0, splitNeuron(cp0, step), data, { step, tol: 1e-6 });
    expect(cert.countsNeverDecrease).toBe(false);
    expect(cert.inertiaAtGap.afterRule).toBe("gap");
    expect(cert.inertiaAtGap.after).toMatchObject({ negative: 1, zero: 1, positive: 11 });
    expect(cert.countsNeverDecreaseAtGap).toBe(true);
    expect(cert.certified).toBe(true);
    expect(cert.reasons).toEqual([]);
  });

  it("scales the output tolerance with max(1, max|f|) and |α| + |1 − α|", () => {
    const step = { layer: 1, neuron: 2, alpha: 3 };
    const cert = certifyEmbedding(cp0, splitNeuron(cp0, step), data, { step });
    // |α| + |1 − α| = 5; max|f| over the data and the probes is ≥ 1 here or not, max(1, ·) either way.
    expect(cert.outputTol / 5 / 1e-10).toBeGreaterThanOrEqual(1);
    expect(cert.maxOutputDiff).toBeLessThanOrEqual(cert.outputTol);
    expect(cert.certified).toBe(true);
    // The criticality thresholds are refineCriticalPoint's: max(1e-12, ε·max|λ|·‖max(1, |θ|)‖₂).
    expect(cert.gtolBefore).toBeGreaterThanOrEqual(1e-12);
    expect(cert.gradNormAfter).toBeLessThanOrEqual(cert.gtolAfter);
  });

  it("is not certified at a point that is not critical, and says why", () => {
    const moved = withParams(cp0, cp0.params.map((v, i) => (i === 0 ? v + 1e-3 : v)));
    const step = { layer: 1, neuron: 1, alpha: 0.5 };
    const cert = certifyEmbedding(moved, splitNeuron(moved, step), data, { step });
    expect(cert.certified).toBe(false);
    expect(cert.reasons[0]).toMatch(/^the model is not a critical point \(‖∇R‖ = \S+ > 1\.00e-12\), so the Embedding Principle says nothing about it$/);
    expect(cert.maxOutputDiff).toBeLessThan(1e-12); // the output is still preserved
  });
});

describe.each(BACKENDS)("certifyEmbedding — backend %s", (backend) => {
  beforeAll(() => setBackend(backend));
  it("returns every field of `losscape embed --json`'s check, with the tolerance used", () => {
    setBackend(backend);
    const step = { layer: 1, neuron: 2, alpha: 0.25 };
    const cert = certifyEmbedding(cp0, splitNeuron(cp0, step), data, { step, tol: 1e-9 });
    for (const k of ["maxOutputDiff", "lossBefore", "lossAfter", "gradNormBefore", "gradNormAfter", "inertiaBefore", "inertiaAfter", "countsNeverDecrease", "predictedInertia", "tol"]) {
      expect(cert).toHaveProperty(k);
    }
    expect(cert.tol).toBe(1e-9);
    expect(cert.inertiaAfter.tol).toBe(1e-9);
    expect(cert.eigenvaluesAfter).toHaveLength(13);
  });
  it("detects a wide net that is not an embedding: the output changes and the point is not critical", () => {
    setBackend(backend);
    const step = { layer: 1, neuron: 0, alpha: 0.5 };
    const wide = splitNeuron(cp0, step);
    const bad = withParams(wide, wide.params.map((v, i) => (i === 3 ? v + 0.01 : v))); // move the copy's weight
    const cert = certifyEmbedding(cp0, bad, data, { step });
    expect(cert.maxOutputDiff).toBeGreaterThan(1e-4);
    expect(cert.gradNormAfter).toBeGreaterThan(1e-6);
  });
  it("certifies the null embedding too (no step: no prediction)", () => {
    setBackend(backend);
    const { model } = nullEmbedding(cp0, { layer: 1 });
    const cert = certifyEmbedding(cp0, model, data);
    expect(cert.maxOutputDiff).toBe(0);
    expect(cert.predictedInertia).toBeNull();
    expect(cert.splitBlockFormulaInertia).toBeNull();
    expect(cert.countsNeverDecrease).toBe(true);
    expect(cert.gradNormAfter).toBeLessThanOrEqual(1e-14); // θ rounded to float64 (‖∇R‖ ≈ 1e-16) and σ(0) = 0
  });
});

describe("certifyEmbedding errors", () => {
  it("refuses a narrower, deeper or mismatched 'wide', and a step that does not fit", () => {
    const wide = splitNeuron(cp0, { layer: 1, neuron: 0, alpha: 0.5 });
    expect(() => certifyEmbedding(wide, cp0, data)).toThrow(ShapeError);
    expect(() => certifyEmbedding(cp0, wide, data, { step: { layer: 2, neuron: 0, alpha: 0.5 } })).toThrow(/certifyEmbedding: 'step\.layer'/);
    expect(() => certifyEmbedding(cp0, wide, data, { step: { layer: 1, neuron: 0, alpha: Infinity } })).toThrow(ValueError);
    const two = splitNeuron(wide, { layer: 1, neuron: 1, alpha: 0.5 });
    expect(() => certifyEmbedding(cp0, two, data, { step: { layer: 1, neuron: 0, alpha: 0.5 } })).toThrow(/one split of layer 1/);
    expect(() => certifyEmbedding(cp0, wide, data, { tol: -1 })).toThrow(ValueError);
  });
  it("countsNeverDecrease compares all three counts", () => {
    const i = (negative: number, zero: number, positive: number) => ({ negative, zero, positive, tol: 1e-9 });
    expect(countsNeverDecrease(i(1, 0, 3), i(1, 1, 3))).toBe(true);
    expect(countsNeverDecrease(i(1, 2, 3), i(2, 1, 4))).toBe(false);
  });
});
