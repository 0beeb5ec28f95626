import { init, ValueError } from "@losscape/core";
import { forward, gradient, loss, refineCriticalPoint, train, type Activation, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { certifyLift, liftDepth, pruneLayer } from "./index.js";
import { ALL_ACTIVATIONS, maxAbs, maxAbsDiff, norm, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

const AFFINE_PIECES: Activation[] = ["linear", "relu", { name: "leaky-relu", slope: 0.2 }];

/**
 * A refined critical point of a small net on n = 20 samples of y = sin(2x₁) + 0.3x₁: L-BFGS, then
 * refineCriticalPoint; the first of the seeds seed, seed + 100, … whose refinement converges (piecewise-linear nets
 * sometimes stall on a kink).
 */
function criticalPoint(widths: number[], activation: Activation, seed: number): { cp: Model; data: ReturnType<typeof randomProblem>["data"] } {
  for (let s = seed; s < seed + 500; s += 100) {
    const { model, data } = randomProblem({ widths, activation, seed: s, n: 20, std: 0.7 });
    for (let i = 0; i < 20; i++) data.y.data[i] = Math.sin(2 * data.x.data[i * widths[0]]) + 0.3 * data.x.data[i * widths[0]];
    const tr = train(model, data, { optimizer: "lbfgs", epochs: 600, gtol: 1e-10 });
    const r = refineCriticalPoint(tr.model, data, { gtol: 1e-12, gtolRel: 0, maxIter: 100 });
    if (r.converged) return { cp: r.model, data };
  }
  throw new Error(`no critical point for ${JSON.stringify(activation)} ${widths.join("-")}`);
}

describe("critical lifting in depth (arXiv:2205.13283): outputs, criticality, inertia", () => {
  it.each(AFFINE_PIECES.flatMap((a) => [[a, [1, 3, 1]] as const, [a, [2, 2, 2, 1]] as const]))(
    "%j %j: every layer q lifts a critical point to a critical point with the same outputs and inertia (n₋, n₀ + ΔN, n₊)",
    (act, widths) => {
      const { cp, data } = criticalPoint([...widths], act, 11 + widths.length);
      for (let q = 0; q < widths.length - 1; q++) {
        const lift = liftDepth(cp, data, { layer: q });
        expect(lift.model.widths).toEqual([...widths.slice(0, q + 1), widths[q], ...widths.slice(q + 1)]);
        const c = certifyLift(cp, lift.model, data, { layer: lift.layer });
        expect(c.reasons, `q = ${q}`).toEqual([]);
        expect(c.certified).toBe(true);
        expect(c.maxOutputDiffData).toBeLessThanOrEqual(c.outputTol);
        expect(c.gradNormAfter).toBeLessThanOrEqual(1e-10);
        expect(Math.abs(c.lossAfter - c.lossBefore)).toBeLessThanOrEqual(1e-12 * Math.max(1, c.lossBefore));
        // ΔN = d_q² + d_q (A and c; W′ replaces W^{q+1}, b′ replaces b^{q+1})
        expect(c.manifoldDimension).toBe(widths[q] ** 2 + widths[q]);
        expect(c.inertiaAfter.negative).toBe(c.inertiaBefore.negative);
        expect(c.inertiaAfter.positive).toBe(c.inertiaBefore.positive);
        expect(c.inertiaAfter.zero).toBe(c.inertiaBefore.zero + c.manifoldDimension);
      }
    },
  );
  it("the lifted critical set is a manifold: other scales α and margins δ give other critical points with the same loss", () => {
    const { cp, data } = criticalPoint([1, 3, 1], "relu", 8);
    const R = loss(cp, data);
    for (const [scale, margin] of [
      [0.3, 0.5],
      [2, 4],
      [1, 0.01],
    ]) {
      const deep = liftDepth(cp, data, { layer: 1, scale, margin }).model;
      expect(norm(gradient(deep, data))).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(loss(deep, data) - R)).toBeLessThanOrEqual(1e-13);
    }
  });
  it("a local minimum lifts to a local minimum (R_deep = R ∘ φ near the lifted point): no negative eigenvalue appears", () => {
    const { cp, data } = criticalPoint([1, 3, 1], { name: "leaky-relu", slope: 0.2 }, 9);
    const lift = liftDepth(cp, data, { layer: 1 });
    const c = certifyLift(cp, lift.model, data, { layer: lift.layer });
    expect(c.inertiaBefore.negative).toBe(0);
    expect(c.inertiaAfter.negative).toBe(0);
    expect(c.inertiaAfter.zero).toBeGreaterThanOrEqual(c.manifoldDimension);
  });
  it("the admissible shifts shrink as data grow: each neuron's lower bound on c only rises when rows are added", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "relu", seed: 4, n: 30 });
    const first = (k: number) => ({ x: { rows: k, cols: 2, data: data.x.data.slice(0, 2 * k) }, y: { rows: k, cols: 1, data: data.y.data.slice(0, k) } });
    // q = 0: the new layer reads the inputs, cⱼ > −min_i xᵢⱼ
    let prev = liftDepth(model, first(3), { layer: 0 }).shiftLowerBound;
    for (const k of [10, 20, 30]) {
      const cur = liftDepth(model, first(k), { layer: 0 }).shiftLowerBound;
      cur.forEach((v, j) => expect(v).toBeGreaterThanOrEqual(prev[j]));
      prev = cur;
    }
    expect(prev.some((v, j) => v > liftDepth(model, first(3), { layer: 0 }).shiftLowerBound[j])).toBe(true);
  });
  it("outputs are preserved on the data at any point, critical or not; off the data only while the new layer stays linear", () => {
    const { model, data } = randomProblem({ widths: [2, 4, 2], activation: "relu", seed: 12, n: 15 });
    const lift = liftDepth(model, data, { layer: 1, margin: 0.1 });
    const f = forward(model, data.x).data;
    expect(maxAbsDiff(forward(lift.model, data.x).data, f)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(f)));
    expect(certifyLift(model, lift.model, data, { layer: 2 }).reasons[0]).toMatch(/shallow model is not a critical point/);
  });
  it("a net with a per-layer activation list keeps it, with the new layer's activation inserted", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 2, 1], activation: ["tanh", "relu"], seed: 3, n: 8 });
    const lift = liftDepth(model, data, { layer: 1, activation: "relu" });
    expect(lift.model.activation).toEqual(["tanh", "relu", "relu"]);
    expect(maxAbsDiff(forward(lift.model, data.x).data, forward(model, data.x).data)).toBeLessThanOrEqual(1e-13);
  });
});

describe("liftDepth refusals", () => {
  const nonAffine = ALL_ACTIVATIONS.filter((a) => !["linear", "relu", "leaky-relu"].includes(typeof a === "string" ? a : a.name));
  it.each(nonAffine.map((a) => [typeof a === "string" ? a : a.name, a] as const))("%s is affine on no interval: ValueError naming it", (name, act) => {
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: act, seed: 1 });
    expect(() => liftDepth(model, data, { layer: 1 })).toThrow(ValueError);
    expect(() => liftDepth(model, data, { layer: 1 })).toThrow(new RegExp(`liftDepth: activation '${name}' is affine on no interval`));
  });
  it("a relu lift without biases needs outputs > 0 on the data; bad layer, scale, margin", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: "relu", bias: false, seed: 1 });
    expect(() => liftDepth(model, data, { layer: 0 })).toThrow(/without biases the new relu layer cannot shift/);
    const pos = { x: { rows: 3, cols: 1, data: Float64Array.from([0.5, 1, 2]) }, y: { rows: 3, cols: 1, data: Float64Array.from([1, 0, 1]) } };
    expect(maxAbsDiff(forward(liftDepth(model, pos, { layer: 0 }).model, pos.x).data, forward(model, pos.x).data)).toBeLessThanOrEqual(1e-15);
    const { model: m2, data: d2 } = randomProblem({ widths: [1, 2, 1], activation: "relu", seed: 1 });
    expect(() => liftDepth(m2, d2, { layer: 2 })).toThrow(/liftDepth: 'layer' must be an integer 0\.\.1/);
    expect(() => liftDepth(m2, d2, { layer: 0, scale: 0 })).toThrow(/'scale' must be > 0/);
    expect(() => liftDepth(m2, d2, { layer: 0, margin: -1 })).toThrow(/'margin' must be > 0/);
  });
});

describe("layer pruning (the reverse)", () => {
  it.each(AFFINE_PIECES)("%j: pruning the lifted layer gives back the source network (round trip)", (act) => {
    const { model, data } = randomProblem({ widths: [2, 3, 2, 1], activation: act, seed: 5, n: 12 });
    for (let q = 0; q <= 2; q++) {
      const lift = liftDepth(model, data, { layer: q, scale: 0.7 });
      const back = pruneLayer(lift.model, data, { layer: lift.layer });
      expect(back.model.widths).toEqual(model.widths);
      expect(back.model.activation).toEqual(model.activation);
      expect(maxAbsDiff(back.model.params, model.params)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(model.params)));
      expect(back.maxOutputDiffData).toBeLessThanOrEqual(1e-13);
    }
  });
  it("a relu layer whose neurons are each on one side of the kink on the data (dead ones included) is composed away", () => {
    // θ = [W¹ (2×1), b¹, W² (1×2), b², W³, b³]: neuron 0 active (x + 5 > 0), neuron 1 dead (−x − 5 < 0) on x ∈ [−2, 2]
    const m: Model = { widths: [1, 2, 1, 1], activation: "relu", params: Float64Array.from([1, -1, 5, -5, 0.5, 2, 0.3, 1.5, -0.1]) };
    const x = { rows: 5, cols: 1, data: Float64Array.from([-2, -1, 0, 1, 2]) };
    const data = { x, y: { rows: 5, cols: 1, data: new Float64Array(5) } };
    const r = pruneLayer(m, data, { layer: 1 });
    expect(r.slopes).toEqual([1, 0]);
    expect(r.model.widths).toEqual([1, 1, 1]);
    expect(Array.from(r.model.params)).toEqual([0.5, 0.5 * 5 + 0.3, 1.5, -0.1]);
    expect(r.maxOutputDiffData).toBeLessThanOrEqual(1e-15);
  });
  it("refuses a layer that is not affine on the data, naming the neuron", () => {
    const m: Model = { widths: [1, 2, 1], activation: "relu", params: Float64Array.from([1, 1, 0, 5, 1, 1, 0]) };
    const data = { x: { rows: 3, cols: 1, data: Float64Array.from([-1, 0.5, 1]) }, y: { rows: 3, cols: 1, data: new Float64Array(3) } };
    expect(() => pruneLayer(m, data, { layer: 1 })).toThrow(/pruneLayer: layer 1 is not affine on the data: neuron 0's pre-activations span \[-1, 1\], across a kink of 'relu'/);
    const t: Model = { ...m, activation: "tanh" };
    expect(() => pruneLayer(t, data, { layer: 1 })).toThrow(/activation 'tanh' is affine on no interval/);
    expect(() => pruneLayer(m, data, { layer: 2 })).toThrow(/'layer' must be a hidden layer 1\.\.1/);
  });
  it("a pruned lifted critical point is critical again", () => {
    const { cp, data } = criticalPoint([1, 3, 1], "relu", 8);
    const lift = liftDepth(cp, data, { layer: 1, scale: 2.5, margin: 0.3 });
    const back = pruneLayer(lift.model, data, { layer: 2 }).model;
    expect(norm(gradient(back, data))).toBeLessThanOrEqual(1e-11);
  });
});
