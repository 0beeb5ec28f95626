import { init, ValueError } from "@losscape/core";
import { activationDerivatives, createRng, forward, loss, unpackParams, packParams, type Activation, type Model } from "@losscape/mlp";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { embedSequence, reduceNetwork, splitNeuron } from "./index.js";
import { ALL_ACTIVATIONS, maxAbs, maxAbsDiff, netArb, netProblem, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

const X = { rows: 7, cols: 1, data: Float64Array.from([-2, -1.1, -0.3, 0, 0.4, 1.3, 2.5]) };

/** [1, 2, 1] net: θ = [w₀, w₁, b₀, b₁, a₀, a₁, c]. */
const net12 = (activation: Activation, p: number[], bias = true): Model =>
  bias ? { widths: [1, 2, 1], activation, params: Float64Array.from(p) } : { widths: [1, 2, 1], activation, bias, params: Float64Array.from(p) };

describe("reduction rules", () => {
  it.each([
    ["tanh", "odd: σ(−z) = −σ(z)"],
    ["sin", "odd"],
    ["sigmoid", "σ(−z) = 1 − σ(z): the next bias absorbs a"],
    ["quadratic", "even: σ(−z) = σ(z)"],
  ] as const)("%s: a neuron with negated incoming weights is merged up to sign (%s)", (act, _why) => {
    const m = net12(act, [0.8, -0.8, 0.3, -0.3, 1.5, -0.6, 0.2]);
    const r = reduceNetwork(m);
    expect(r.widthsAfter).toEqual([1, 1, 1]);
    expect(r.removed).toEqual([{ layer: 1, neuron: 1, reason: "duplicate-up-to-sign", into: 0 }]);
    // exact identities of σ: rounding only
    expect(maxAbsDiff(forward(r.model, X).data, forward(m, X).data)).toBeLessThanOrEqual(1e-15);
  });
  it("relu, softplus, gelu have no sign symmetry: negated neurons are kept", () => {
    for (const act of ["relu", "softplus", "gelu"] as const) {
      expect(reduceNetwork(net12(act, [0.8, -0.8, 0.3, -0.3, 1.5, -0.6, 0.2])).widthsAfter).toEqual([1, 2, 1]);
    }
  });
  it.each([
    ["relu", 2.5],
    [{ name: "leaky-relu", slope: 0.2 }, 0.4],
    ["linear", 3],
    ["linear", -0.5],
  ] as const)("%j: a neuron whose incoming weights are k times another's is merged up to scale (k = %s)", (act, k) => {
    // positively homogeneous: σ(kz) = kσ(z) for k > 0 (and linear is odd too, so any k ≠ 0)
    const m = net12(act, [0.8, 0.8 * k, 0.3, 0.3 * k, 1.5, -0.6, 0.2]);
    const r = reduceNetwork(m);
    expect(r.widthsAfter).toEqual([1, 1, 1]);
    expect(r.removed).toEqual([{ layer: 1, neuron: 1, reason: "duplicate-up-to-scale", into: 0 }]);
    expect(maxAbsDiff(forward(r.model, X).data, forward(m, X).data)).toBeLessThanOrEqual(1e-15);
  });
  it("scale merges need positive homogeneity (and k < 0 the sign symmetry): tanh, softplus, relu with k < 0 are kept", () => {
    expect(reduceNetwork(net12("tanh", [0.8, 2, 0.3, 0.75, 1.5, -0.6, 0.2])).widthsAfter).toEqual([1, 2, 1]);
    expect(reduceNetwork(net12("softplus", [0.8, 2, 0.3, 0.75, 1.5, -0.6, 0.2])).widthsAfter).toEqual([1, 2, 1]);
    expect(reduceNetwork(net12("relu", [0.8, -2, 0.3, -0.75, 1.5, -0.6, 0.2])).widthsAfter).toEqual([1, 2, 1]);
  });
  it("sigmoid without biases cannot absorb the constant: kept", () => {
    expect(reduceNetwork({ widths: [1, 2, 1], activation: "sigmoid", bias: false, params: Float64Array.from([0.8, -0.8, 1.5, -0.6]) }).widthsAfter).toEqual([1, 2, 1]);
  });
  it("the tolerance is relative to each layer's own scale, also on small-weight nets", () => {
    // θ = [W¹ (2×1), b¹, W² (1×2), b²] with incoming weights of size 1e-4: neurons 1e-9 apart differ by 1e-5 of the
    // layer's scale, far above tol = 1e-8 (an absolute tolerance tol·max(1, ·) = 1e-8 merged them); equal ones merge.
    const net = (w2: number): Model => ({ widths: [1, 2, 1], activation: "tanh", params: Float64Array.from([1e-4, w2, 0, 0, 0.5, 0.7, 0]) });
    expect(reduceNetwork(net(1e-4 + 1e-9)).widthsAfter).toEqual([1, 2, 1]);
    expect(reduceNetwork(net(1e-4)).widthsAfter).toEqual([1, 1, 1]);
  });

  it("a neuron constant on the inputs (zero incoming weights) is folded into the next bias", () => {
    const m = net12("tanh", [0, 1.2, 0.7, -0.4, 2, 0.5, 0.1]);
    const r = reduceNetwork(m);
    expect(r.removed).toEqual([{ layer: 1, neuron: 0, reason: "constant" }]);
    expect(Array.from(r.model.params)).toEqual([1.2, -0.4, 0.5, 0.1 + 2 * Math.tanh(0.7)]);
    expect(maxAbsDiff(forward(r.model, X).data, forward(m, X).data)).toBeLessThanOrEqual(1e-15);
  });
  it("a neuron with zero outgoing weights is dropped; a layer that would become empty keeps one null neuron", () => {
    const r = reduceNetwork(net12("tanh", [0.5, 1.2, 0.7, -0.4, 0, 0.5, 0.1]));
    expect(r.removed).toEqual([{ layer: 1, neuron: 0, reason: "zero-outgoing" }]);
    const dead = net12("sigmoid", [0.5, 1.2, 0.7, -0.4, 0, 0, 0.1]);
    const r2 = reduceNetwork(dead);
    expect(r2.widthsAfter).toEqual([1, 1, 1]);
    expect(maxAbsDiff(forward(r2.model, X).data, forward(dead, X).data)).toBe(0);
  });
  it("removed neurons are named by their index in the input model; copies merge into their originals", () => {
    const { model } = randomProblem({ widths: [2, 3, 2, 1], activation: "tanh", seed: 9 });
    const wide = embedSequence(model, [
      { layer: 1, neuron: 2, alpha: 0.4 }, // → neuron 3 of layer 1
      { layer: 2, neuron: 0, alpha: -1.5 }, // → neuron 2 of layer 2
      { layer: 1, neuron: 3, alpha: 2 }, // a copy of the copy → neuron 4 of layer 1
    ]);
    const r = reduceNetwork(wide);
    expect(r.widthsAfter).toEqual([2, 3, 2, 1]);
    expect(r.removed).toEqual([
      { layer: 1, neuron: 3, reason: "duplicate", into: 2 },
      { layer: 1, neuron: 4, reason: "duplicate", into: 2 },
      { layer: 2, neuron: 2, reason: "duplicate", into: 0 },
    ]);
    expect(r.mMin).toEqual([3, 2]);
  });
});

describe("a hidden layer whose every neuron is constant (σ(0) ≠ 0: the kept null neuron added W·σ(0) a second time)", () => {
  it("the prober's case: sigmoid 1-2-1 with zero incoming weights keeps f exactly", () => {
    const m = net12("sigmoid", [0, 0, 0.3, -0.2, 1, 2, 0.5]);
    const r = reduceNetwork(m);
    // f = 0.5 + σ(0.3) + 2σ(−0.2) = 1.97477…; before, the reduced net gave 2.47477… (maxOutputDiff 0.5)
    expect(r.widthsAfter).toEqual([1, 1, 1]);
    // the kept neuron is the null neuron (zero in, bias and out); the next bias is c + a₀σ(b₀) + a₁σ(b₁)
    expect(Array.from(r.model.params.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Math.abs(r.model.params[3] - (0.5 + 1 / (1 + Math.exp(-0.3)) + 2 / (1 + Math.exp(0.2))))).toBeLessThanOrEqual(1e-15);
    // the same sums in the same order as the fold: to rounding of three terms of size ≤ 2
    expect(maxAbsDiff(forward(r.model, X).data, forward(m, X).data)).toBeLessThanOrEqual(1e-15);
    expect(r.maxOutputDiff).toBeLessThanOrEqual(1e-15);
  });
  // Property: every activation with σ(0) ≠ 0 (sigmoid, softplus), random nets of depth 1–4 with biases, one hidden
  // layer's incoming weights zeroed so that each of its neurons is constant: the reduced net has the same output.
  const shifted = ALL_ACTIVATIONS.flatMap((a, k) => (activationDerivatives(a, 0).value !== 0 ? [k] : []));
  it("property: the output is unchanged, on probes and on data (every activation with σ(0) ≠ 0)", () => {
    expect(shifted.length).toBeGreaterThanOrEqual(2); // sigmoid and softplus at least
    fc.assert(
      fc.property(netArb, fc.constantFrom(...shifted), fc.nat(), (s, act, li) => {
        const { model: m0, data } = netProblem({ ...s, act, bias: true }, 8);
        const layers = unpackParams(m0, m0.params);
        const l = 1 + (li % (m0.widths.length - 2)); // the hidden layer made constant
        layers[l - 1].W.data.fill(0);
        const model: Model = { ...m0, params: packParams(m0, layers) };
        const r = reduceNetwork(model, { data });
        expect(r.widthsAfter[l]).toBe(1);
        const f = forward(model, data.x).data;
        // Folding σ(bⱼ)·W into the next bias reorders sums of O(1) terms (≤ 3 per layer, |θ| ≲ 3): rounding of
        // order 1e-15, carried through at most 4 layers of O(1) Lipschitz constants — far below 1e-12·max(1, |f|).
        expect(maxAbsDiff(forward(r.model, data.x).data, f)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f)));
        expect(r.maxOutputDiff).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f)));
      }),
      { seed: 20261125, numRuns: 100 },
    );
  });
});

describe("reduction of nets that are close to, not exactly, an embedding", () => {
  it("perturbed embeddings: merged at tol 1e-5, kept at tol 1e-12; the output difference is reported", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "tanh", seed: 21, n: 20 });
    const wide = embedSequence(model, [
      { layer: 1, neuron: 0, alpha: 0.3 },
      { layer: 1, neuron: 1, alpha: 0.6 },
      { layer: 1, neuron: 1, alpha: -0.5 },
    ]);
    const rng = createRng(5);
    const noisy: Model = { ...wide, params: wide.params.map((v) => v + 1e-7 * rng.normal()) };
    const r = reduceNetwork(noisy, { tol: 1e-5, data });
    expect(r.widthsAfter).toEqual([2, 3, 1]);
    // Perturbations of 1e-7 per weight move f by O(1e-7·Σ|a|·|x|): the merged net is within 1e-5 of the noisy one.
    expect(r.maxOutputDiff).toBeLessThanOrEqual(1e-5);
    expect(r.maxOutputDiff).toBeGreaterThan(0);
    expect(Math.abs(r.lossAfter! - r.lossBefore!)).toBeLessThanOrEqual(1e-5);
    expect(r.lossBefore).toBe(loss(noisy, data));
    expect(reduceNetwork(noisy, { tol: 1e-12 }).widthsAfter).toEqual([2, 6, 1]);
  });
  it("a trained, condensed wide net shrinks and the price is reported (see condensationShowcase for width 400)", () => {
    const { model, data } = randomProblem({ widths: [1, 3, 1], activation: "tanh", seed: 2, n: 15 });
    // a 30-wide net made of noisy copies of a 3-wide one: condensed by construction
    let wide = model;
    const rng = createRng(3);
    for (let k = 0; k < 27; k++) wide = splitNeuron(wide, { layer: 1, neuron: k % 3, alpha: 0.2 + 0.6 * rng.next() });
    const noisy: Model = { ...wide, params: wide.params.map((v) => v * (1 + 1e-4 * rng.normal())) };
    const r = reduceNetwork(noisy, { tol: 1e-3, data }); // relative noise 1e-4 < tol; the base net has |w| ≥ 0.01
    expect(r.widthsAfter).toEqual([1, 3, 1]);
    const f = forward(noisy, data.x).data;
    expect(r.maxOutputDiffData!).toBeLessThanOrEqual(1e-3 * Math.max(1, maxAbs(f)));
  });
});

describe("reduction on the data (exact on the data only)", () => {
  /** [1, 3, 1] net: θ = [w (3), b (3), a (3), c]. */
  const net13 = (activation: Activation, p: number[]): Model => ({ widths: [1, 3, 1], activation, params: Float64Array.from(p) });
  const data = { x: X, y: { rows: 7, cols: 1, data: Float64Array.from([0.3, -0.2, 0.5, 1, 0.1, -0.4, 0.8]) } };

  it("a relu neuron dead on every row is constant-on-data: dropped with constantOnData, kept without", () => {
    // neuron 1: relu(x − 10) = 0 on x ≤ 2.5, not for x > 10
    const m = net13("relu", [0.8, 1, -0.5, 0.3, -10, 0.2, 1.5, 2, -0.7, 0.1]);
    expect(reduceNetwork(m, { data }).widthsAfter).toEqual([1, 3, 1]);
    const r = reduceNetwork(m, { data, constantOnData: true });
    expect(r.widthsAfter).toEqual([1, 2, 1]);
    expect(r.removed).toEqual([{ layer: 1, neuron: 1, reason: "constant-on-data" }]);
    expect(r.maxOutputDiffData).toBe(0); // folds σ = 0: nothing changes on the data
    const far = { rows: 1, cols: 1, data: Float64Array.from([12]) };
    expect(Math.abs(forward(r.model, far).data[0] - forward(m, far).data[0])).toBeCloseTo(2 * 2, 12); // a·relu(12 − 10)
  });
  it("a tanh neuron reading an input column that is constant on the data folds its value into the next bias", () => {
    const x2 = { rows: 4, cols: 2, data: Float64Array.from([-1, 0.5, 0.2, 0.5, 1.1, 0.5, 2, 0.5]) };
    const d2 = { x: x2, y: { rows: 4, cols: 1, data: Float64Array.from([0, 1, 0, 1]) } };
    // θ = [W¹ (2×2), b¹, W² (1×2), b²]; neuron 1 reads only column 2 (= 0.5 on every row)
    const m: Model = { widths: [2, 2, 1], activation: "tanh", params: Float64Array.from([0.7, -0.3, 0, 1.3, 0.1, -0.2, 1.5, 0.9, 0.05]) };
    const r = reduceNetwork(m, { data: d2, constantOnData: true });
    expect(r.removed).toEqual([{ layer: 1, neuron: 1, reason: "constant-on-data" }]);
    expect(r.model.params[r.model.params.length - 1]).toBeCloseTo(0.05 + 0.9 * Math.tanh(1.3 * 0.5 - 0.2), 15);
    expect(r.maxOutputDiffData!).toBeLessThanOrEqual(1e-15);
  });
  it("outputTol: relu neurons that are affine in each other on the data merge (exact there), not elsewhere", () => {
    // all pre-activations positive on x ∈ [−2, 2.5]: h₁ = x + 3, h₂ = 0.5x + 4 = 0.5·h₁ + 2.5, h₀ = relu(0.8x) kinks
    const m = net13("relu", [0.8, 1, 0.5, 0, 3, 4, 1.5, 2, -0.7, 0.1]);
    const exact = reduceNetwork(m, { data });
    expect(exact.widthsAfter).toEqual([1, 3, 1]);
    const r = reduceNetwork(m, { data, outputTol: 1e-12 });
    expect(r.widthsAfter).toEqual([1, 2, 1]);
    expect(r.removed).toHaveLength(1);
    expect(r.removed[0].reason).toBe("merged-on-data");
    expect(r.maxOutputDiffData!).toBeLessThanOrEqual(1e-12);
    expect(r.maxOutputDiffProbes).toBeGreaterThan(1e-3); // probes reach x < −3, where h₁ switches off
    expect(r.outputTol).toBe(1e-12);
  });
  it("outputTol bounds max|Δf| on the data; a large budget leaves one neuron, τ = 0 only exact removals", () => {
    const { model, data: d } = randomProblem({ widths: [2, 12, 2], activation: "relu", seed: 31, n: 40 });
    for (const tau of [0, 0.01, 0.1, 0.5]) {
      const r = reduceNetwork(model, { data: d, outputTol: tau });
      expect(r.maxOutputDiffData!).toBeLessThanOrEqual(tau);
    }
    const w = (tau: number) => reduceNetwork(model, { data: d, outputTol: tau }).widthsAfter[1];
    expect(w(0.5)).toBeLessThan(12);
    expect(w(0.5)).toBeLessThanOrEqual(w(0.01));
    expect(reduceNetwork(model, { data: d, outputTol: 1e300 }).widthsAfter).toEqual([2, 1, 2]);
  });
  it("refuses constantOnData and outputTol without data, and a bad outputTol", () => {
    const m = net13("relu", [0.8, 1, -0.5, 0.3, -10, 0.2, 1.5, 2, -0.7, 0.1]);
    expect(() => reduceNetwork(m, { constantOnData: true })).toThrow(/reduceNetwork: 'constantOnData' needs 'data'/);
    expect(() => reduceNetwork(m, { outputTol: 0.1 })).toThrow(/reduceNetwork: 'outputTol' needs 'data'/);
    expect(() => reduceNetwork(m, { data, outputTol: -1 })).toThrow(ValueError);
  });
});

describe("reduceNetwork errors and options", () => {
  it("rejects bad tol, probes and data", () => {
    const m = net12("tanh", [0.8, -0.8, 0.3, -0.3, 1.5, -0.6, 0.2]);
    expect(() => reduceNetwork(m, { tol: -1 })).toThrow(ValueError);
    expect(() => reduceNetwork(m, { tol: Number.NaN })).toThrow(/reduceNetwork: 'tol' must be a finite number/);
    expect(() => reduceNetwork(m, { probes: 1.5 })).toThrow(/'probes'/);
    expect(() => reduceNetwork(m, { data: { x: { rows: 1, cols: 2, data: new Float64Array(2) }, y: { rows: 1, cols: 1, data: new Float64Array(1) } } })).toThrow(/reduceNetwork/);
    expect(() => reduceNetwork({ ...m, params: new Float64Array(3) })).toThrow(/reduceNetwork: 'params' must have length 7/);
  });
  it("data as plain arrays is used as validated (the probes read x's shape from the raw rows: a ShapeError named forward)", () => {
    const m = net12("tanh", [0.8, -0.8, 0.3, -0.3, 1.5, -0.6, 0.2]);
    const mat = { x: X, y: { rows: 7, cols: 1, data: X.data.map((v) => Math.sin(v)) } };
    const plain = { x: Array.from(X.data, (v) => [v]), y: Array.from(mat.y.data, (v) => [v]) };
    const got = reduceNetwork(m, { data: plain as never, constantOnData: true });
    expect(got).toEqual(reduceNetwork(m, { data: mat, constantOnData: true }));
  });
});
