import { init, isLosscapeError, ShapeError, ValueError } from "@losscape/core";
import { createRng, forward, gradient, type Model } from "@losscape/mlp";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { embedSequence, nullEmbedding, reduceNetwork, splitNeuron, splitNeuronGeneral, widenTo, type SplitStep } from "./index.js";
import { alphaArb, maxAbs, maxAbsDiff, netArb, netProblem, pickStep, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

const netOf = (s: Parameters<typeof netProblem>[0]) => netProblem(s, 8);
const rawSteps = fc.array(fc.tuple(fc.nat(), fc.nat(), alphaArb), { minLength: 1, maxLength: 4 });

describe("one-step and multi-step embeddings preserve the output (property, every activation, depth 1–4)", () => {
  it("T^α_{l,s}: max|f_wide − f| ≤ 1e-12·max(1, max|f|) on random inputs, any real α", () => {
    fc.assert(
      fc.property(netArb, fc.nat(), fc.nat(), alphaArb, (s, li, ni, alpha) => {
        const { model, data } = netOf(s);
        const step = pickStep(model, li, ni, alpha);
        const wide = splitNeuron(model, step);
        expect(wide.widths).toEqual(model.widths.map((w, i) => w + (i === step.layer ? 1 : 0)));
        const f = forward(model, data.x).data;
        // α·σ + (1−α)·σ = σ up to rounding: |α| ≤ 3, so the two terms carry ≤ 7 ulps of |w·h| — far below 1e-12.
        expect(maxAbsDiff(forward(wide, data.x).data, f)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f)));
      }),
      { seed: 20261124, numRuns: 150 },
    );
  });
  it("a sequence of steps preserves the output the same way, and copies are appended (original indices kept)", () => {
    fc.assert(
      fc.property(netArb, rawSteps, (s, raw) => {
        const { model, data } = netOf(s);
        let cur = model;
        const steps = raw.map(([li, ni, a]) => {
          const st = pickStep(cur, li, ni, a);
          cur = splitNeuron(cur, st);
          return st;
        });
        const wide = embedSequence(model, steps);
        expect(wide.widths).toEqual(cur.widths);
        expect(Array.from(wide.params)).toEqual(Array.from(cur.params)); // same arithmetic, same bits
        const f = forward(model, data.x).data;
        expect(maxAbsDiff(forward(wide, data.x).data, f)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f)));
      }),
      { seed: 77, numRuns: 100 },
    );
  });
  it("a long sequence that splits copies and splits one neuron again and again gives the bits of the steps in turn", () => {
    // embedSequence builds the wide net in one pass (a tree of column products per layer); splitNeuron repeated is
    // the step-by-step definition. Neuron indices range over the grown layer, so copies are split too.
    const longSteps = fc.array(fc.tuple(fc.nat(), fc.nat(), alphaArb), { minLength: 10, maxLength: 40 });
    fc.assert(
      fc.property(netArb, longSteps, (s, raw) => {
        const { model } = netOf(s);
        let cur = model;
        const steps = raw.map(([li, ni, a]) => {
          const st = pickStep(cur, li, ni % 3 === 0 ? 0 : ni, a); // a third of the steps split neuron 0 again
          cur = splitNeuron(cur, st);
          return st;
        });
        const wide = embedSequence(model, steps);
        expect(wide.widths).toEqual(cur.widths);
        expect(Array.from(wide.params)).toEqual(Array.from(cur.params));
      }),
      { seed: 1207, numRuns: 60 },
    );
  });
  it("reduce(embed(θ)) gives back reduce(θ)'s widths (θ's, when nothing in θ reduces) and θ's function", () => {
    fc.assert(
      fc.property(netArb, rawSteps, (s, raw) => {
        const { model, data } = netOf(s);
        let cur = model;
        for (const [li, ni, a] of raw) cur = splitNeuron(cur, pickStep(cur, li, ni, a));
        const r = reduceNetwork(cur, { data });
        // θ itself reduces only up to scale: a random net with one input and no biases has collinear incoming
        // weights, which relu, leaky-relu and linear (positively homogeneous) merge
        const base = reduceNetwork(model);
        expect(base.removed.every((x) => x.reason === "duplicate-up-to-scale")).toBe(true);
        expect(r.widthsAfter).toEqual(base.widthsAfter);
        expect(r.removed).toHaveLength(raw.length + base.removed.length);
        const f = forward(model, data.x).data;
        // Merging sums α·w + (1−α)·w back: rounding only (1e-12 relative, as for the embedding itself).
        expect(maxAbsDiff(forward(r.model, data.x).data, f)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f)));
        expect(r.maxOutputDiffData!).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(f)));
        // Away from the data too (the reduction is exact for every input): 16 inputs 3·N(0, I).
        const rng = createRng(s.seed + 7);
        const px = { rows: 16, cols: model.widths[0], data: new Float64Array(16 * model.widths[0]).map(() => 3 * rng.normal()) };
        const fp = forward(model, px).data;
        expect(maxAbsDiff(forward(r.model, px).data, fp)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(fp)));
      }),
      { seed: 4242, numRuns: 100 },
    );
  });
});

describe("splitNeuron — the layout of docs/conventions.md#one-step-embedding", () => {
  it("appends the copy as the last neuron and scales the outgoing column by α and 1 − α", () => {
    // widths [2, 2, 1]: θ = [W¹ (2×2), b¹ (2), W² (1×2), b² (1)]
    const model: Model = { widths: [2, 2, 1], activation: "tanh", params: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const wide = splitNeuron(model, { layer: 1, neuron: 0, alpha: 0.25 });
    expect(wide.widths).toEqual([2, 3, 1]);
    expect(Array.from(wide.params)).toEqual([1, 2, 3, 4, 1, 2, 5, 6, 5, 7 * 0.25, 8, 7 * 0.75, 9]);
  });
  it("α < 0 and α > 1 are allowed (the copy carries (1 − α)·w)", () => {
    const model: Model = { widths: [1, 1, 1], activation: "sin", params: Float64Array.from([0.5, 0.1, 2, -1]) };
    expect(Array.from(splitNeuron(model, { layer: 1, neuron: 0, alpha: -2 }).params)).toEqual([0.5, 0.5, 0.1, 0.1, -4, 6, -1]);
    expect(Array.from(splitNeuron(model, { layer: 1, neuron: 0, alpha: 3 }).params)).toEqual([0.5, 0.5, 0.1, 0.1, 6, -4, -1]);
  });
  it("without biases the layout has no b's", () => {
    const model: Model = { widths: [1, 2, 1], activation: "tanh", bias: false, params: Float64Array.from([1, 2, 3, 4]) };
    expect(Array.from(splitNeuron(model, { layer: 1, neuron: 1, alpha: 0.5 }).params)).toEqual([1, 2, 2, 3, 2, 2]);
  });
  it("in a deeper net splitting layer 2 copies a row of W² and splits a column of W³", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 2, 2], activation: "gelu", seed: 3 });
    const wide = splitNeuron(model, { layer: 2, neuron: 1, alpha: 0.7 });
    expect(wide.widths).toEqual([2, 3, 3, 2]);
    expect(maxAbsDiff(forward(wide, data.x).data, forward(model, data.x).data)).toBeLessThanOrEqual(1e-14);
  });
});

describe("splitNeuronGeneral, widenTo", () => {
  it("splits into k + 1 neurons with outgoing β₀w … β_kw, Σβ = 1, output preserved", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 2], activation: "softplus", seed: 11 });
    const wide = splitNeuronGeneral(model, { layer: 1, neuron: 2, betas: [0.2, -0.5, 1.3] });
    expect(wide.widths).toEqual([2, 5, 2]);
    expect(maxAbsDiff(forward(wide, data.x).data, forward(model, data.x).data)).toBeLessThanOrEqual(1e-14);
    expect(() => splitNeuronGeneral(model, { layer: 1, neuron: 0, betas: [0.5, 0.6] })).toThrow(/sum to 1/);
    expect(() => splitNeuronGeneral(model, { layer: 1, neuron: 0, betas: [1] })).toThrow(ShapeError);
  });
  it("widenTo spreads the added neurons over the originals and returns replayable steps", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 3, 1], activation: "tanh", seed: 5 });
    const { model: wide, steps } = widenTo(model, [1, 5, 4, 1], { alpha: 0.3 });
    expect(wide.widths).toEqual([1, 5, 4, 1]);
    expect(steps).toEqual([
      { layer: 1, neuron: 0, alpha: 0.3 },
      { layer: 1, neuron: 1, alpha: 0.3 },
      { layer: 1, neuron: 0, alpha: 0.3 },
      { layer: 2, neuron: 0, alpha: 0.3 },
    ]);
    expect(Array.from(embedSequence(model, steps).params)).toEqual(Array.from(wide.params));
    expect(maxAbsDiff(forward(wide, data.x).data, forward(model, data.x).data)).toBeLessThanOrEqual(1e-14);
    expect(() => widenTo(model, [1, 1, 3, 1])).toThrow(/only widen/);
    expect(() => widenTo(model, [2, 5, 4, 1])).toThrow(ShapeError);
    expect(() => widenTo(model, [1, 5, 1])).toThrow(ShapeError);
  });
});

describe("the null embedding and its condition", () => {
  it("with a bias: output unchanged, critical points stay critical", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: "sigmoid", seed: 2, n: 6 });
    const { model: wide, condition } = nullEmbedding(model, { layer: 1 });
    expect(wide.widths).toEqual([1, 3, 1]);
    expect(condition).toEqual({ sigmaAtZero: 0.5, nextLayerHasBias: true, criticalPreserved: true });
    expect(maxAbsDiff(forward(wide, data.x).data, forward(model, data.x).data)).toBe(0);
    // The new outgoing-weight gradient is σ(0)·∂R/∂b² (exact identity, checked on a non-critical point).
    const g = gradient(model, data);
    const gw = gradient(wide, data);
    // θ_wide = [W¹ (3), b¹ (3), W² (3), b² (1)]: the new outgoing weight is at index 8, b² of the narrow net at 6.
    expect(Math.abs(gw[8] - 0.5 * g[6])).toBeLessThanOrEqual(1e-15);
    expect(gw[2]).toBe(0); // its incoming weight: its δ is 0
  });
  it("without a bias and σ(0) ≠ 0 the condition fails — and the gradient indeed moves off zero", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: "sigmoid", bias: false, seed: 2, n: 6 });
    const { model: wide, condition } = nullEmbedding(model, { layer: 1 });
    expect(condition.criticalPreserved).toBe(false);
    // At a non-critical θ: ∂R/∂w_new = σ(0)·Σᵢ(fᵢ − yᵢ)/n, non-zero for generic data.
    expect(Math.abs(gradient(wide, data)[5])).toBeGreaterThan(1e-6);
  });
  it("without a bias but σ(0) = 0 (tanh) the condition holds", () => {
    const { model } = randomProblem({ widths: [1, 2, 1], activation: "tanh", bias: false, seed: 2 });
    expect(nullEmbedding(model, { layer: 1 }).condition.criticalPreserved).toBe(true);
  });
});

describe("errors: typed, naming the function, the argument, expected and found", () => {
  const model: Model = { widths: [1, 3, 2, 1], activation: "tanh", params: new Float64Array(6 + 8 + 3) };
  it.each([
    [{ layer: 0, neuron: 0, alpha: 0.5 }, /splitNeuron: 'layer' must be a hidden layer 1\.\.2.*found 0/],
    [{ layer: 3, neuron: 0, alpha: 0.5 }, /output layer 3 cannot be split\); found 3/],
    [{ layer: 1.5, neuron: 0, alpha: 0.5 }, /'layer' must be a hidden layer/],
    [{ layer: 1, neuron: 3, alpha: 0.5 }, /'neuron' must be an integer 0\.\.2 \(layer 1 has 3 neurons\); found 3/],
    [{ layer: 2, neuron: -1, alpha: 0.5 }, /'neuron' must be an integer 0\.\.1/],
    [{ layer: 1, neuron: 0, alpha: Number.NaN }, /'alpha' must be a finite number; found NaN/],
    [{ layer: 1, neuron: 0, alpha: Infinity }, /'alpha' must be a finite number; found Infinity/],
  ])("%o", (step, msg) => {
    let err: unknown;
    try {
      splitNeuron(model, step as SplitStep);
    } catch (e) {
      err = e;
    }
    expect(isLosscapeError(err)).toBe(true);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toMatch(msg);
  });
  it("parameters not matching the spec → ShapeError", () => {
    expect(() => splitNeuron({ ...model, params: new Float64Array(5) }, { layer: 1, neuron: 0, alpha: 0.5 })).toThrow(ShapeError);
    expect(() => splitNeuron({ ...model, params: new Float64Array(5) }, { layer: 1, neuron: 0, alpha: 0.5 })).toThrow(/splitNeuron: 'params' must have length 17/);
  });
  it("a net without hidden layers cannot be split; steps name their index", () => {
    const lin: Model = { widths: [2, 1], activation: "tanh", params: new Float64Array(3) };
    expect(() => splitNeuron(lin, { layer: 1, neuron: 0, alpha: 0.5 })).toThrow(/have none/);
    expect(() => embedSequence(model, [{ layer: 1, neuron: 0, alpha: 0.5 }, { layer: 1, neuron: 9, alpha: 0.5 }])).toThrow(/'steps\[1\]\.neuron'/);
    expect(() => nullEmbedding(model, { layer: 3 })).toThrow(ValueError);
  });
});

describe("a finite α whose split weights α·w, (1 − α)·w overflow is refused: the result never holds ±∞", () => {
  const model: Model = { widths: [1, 2, 1], activation: "tanh", params: Float64Array.from([0.1, 0.2, 0.3, 0.4, 5, 6, 0.7]) };
  it("splitNeuron, splitNeuronGeneral: ValueError naming the function and the argument", () => {
    // before: −1e308·5 = −∞ on the original, (1 + 1e308)·5 = ∞ on the copy
    for (const alpha of [-1e308, 1e308, 4e307]) {
      const call = () => splitNeuron(model, { layer: 1, neuron: 0, alpha });
      expect(call).toThrow(ValueError);
      expect(call).toThrow(/^splitNeuron: 'alpha' must keep the split's outgoing weights α·w and \(1 − α\)·w finite \(max\|w\| = 5 on neuron 0 of layer 1\); found alpha = .* \(they overflow float64\)$/);
    }
    // the largest α that still fits: |α|·5 and |1 − α|·5 just below the largest double
    expect(splitNeuron(model, { layer: 1, neuron: 0, alpha: 3e307 }).params.every(Number.isFinite)).toBe(true);
    // Σβ = 0 but |Σβ − 1| = 1 ≤ 1e-12·Σ|β| passes the sum check; β₀·6 = −∞
    expect(() => splitNeuronGeneral(model, { layer: 1, neuron: 1, betas: [-1e308, 1e308] })).toThrow(/^splitNeuronGeneral: 'betas\[0\]' must keep the outgoing weight β·w finite \(max\|w\| = 6 on neuron 1 of layer 1\); found betas\[0\] = -1e\+308 \(β·w overflows float64\)$/);
  });
  it("embedSequence and widenTo: products of α over repeated splits of one neuron are checked too", () => {
    // one split: fl(1e200·5) = 4.9999999999999995e200 is finite; splitting the original again multiplies it by 1e200: ∞
    expect(embedSequence(model, [{ layer: 1, neuron: 0, alpha: 1e200 }]).params.every(Number.isFinite)).toBe(true);
    expect(() => embedSequence(model, [{ layer: 1, neuron: 0, alpha: 1e200 }, { layer: 1, neuron: 0, alpha: 1e200 }])).toThrow(
      /^embedSequence: 'steps\[1\]\.alpha' must keep the split's outgoing weights α·w and \(1 − α\)·w finite \(max\|w\| = 4\.9999999999999995e\+200 on neuron 0 of layer 1\); found alpha = 1e\+200 \(they overflow float64\)$/,
    );
    expect(() => embedSequence(model, [{ layer: 1, neuron: 1, alpha: -1e308 }])).toThrow(/^embedSequence: 'steps\[0\]\.alpha'/);
    // widenTo to [1, 4, 1] splits each neuron once (finite); to [1, 6, 1] neuron 0 twice and neuron 1 twice (∞)
    expect(widenTo(model, [1, 4, 1], { alpha: 1e200 }).model.params.every(Number.isFinite)).toBe(true);
    expect(() => widenTo(model, [1, 6, 1], { alpha: 1e200 })).toThrow(ValueError);
    expect(() => widenTo(model, [1, 6, 1], { alpha: 1e200 })).toThrow(/^widenTo: 'alpha' must keep the split's outgoing weights α·w and \(1 − α\)·w finite \(max\|w\| = 4\.9999999999999995e\+200 on neuron 0 of layer 1\); found alpha = 1e\+200 \(they overflow float64\)$/);
  });
  it("property: any finite α, any net: a finite result or that ValueError, never ±∞ (one step and sequences)", () => {
    const hugeAlpha = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 1e300, max: 1.7e308, noNaN: true }).chain((v) => fc.constantFrom(v, -v)));
    fc.assert(
      fc.property(netArb, fc.array(fc.tuple(fc.nat(), fc.nat(), hugeAlpha), { minLength: 1, maxLength: 4 }), (s, raw) => {
        const { model: m } = netOf(s);
        const steps: SplitStep[] = [];
        let cur = m;
        for (const [li, ni, alpha] of raw) {
          const step = pickStep(cur, li, ni, alpha);
          steps.push(step);
          cur = { ...cur, widths: cur.widths.map((w, i) => w + (i === step.layer ? 1 : 0)) };
        }
        for (const run of [() => splitNeuron(m, steps[0]), () => embedSequence(m, steps)]) {
          let wide: Model | null = null;
          try {
            wide = run();
          } catch (e) {
            expect(e).toBeInstanceOf(ValueError);
            expect((e as Error).message).toMatch(/alpha' must keep the split's outgoing weights .* \(they overflow float64\)$/);
          }
          if (wide) expect(wide.params.every(Number.isFinite)).toBe(true);
        }
      }),
      { seed: 20261126, numRuns: 200 },
    );
  });
});

it("a non-finite parameter is refused before any arithmetic (no silent NaN)", () => {
  const model: Model = { widths: [1, 1, 1], activation: "tanh", params: Float64Array.from([1, Number.NaN, 1, 0]) };
  expect(() => splitNeuron(model, { layer: 1, neuron: 0, alpha: 0.5 })).toThrow(ValueError);
});
