// Connectivity: the loss along paths between minima and the sublevel-set test, on the cases of Freeman & Bruna
// 2017 and the lecture: deep linear nets with hidden widths > min(n₀, n_L) and two-layer quadratic nets with width
// > 2N have connected sublevel sets; a relu net whose zero-loss set has two components.
import { init, loadWasm, setBackend, ValueError } from "@losscape/core";
import { createRng, initParams, loss, withParams, type Dataset, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { connectMinima, projectToZeroLoss, sublevelConnected } from "./index.js";
import { column, exactFit } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
  setBackend("simd");
});

/** Every segment of a polygon, sampled at 101 points, stays at or below `level` (an independent re-check). */
function polygonMax(model: Model, data: Dataset, nodes: Float64Array[]): number {
  let mx = -Infinity;
  for (let s = 0; s + 1 < nodes.length; s++) {
    for (let q = 0; q <= 100; q++) {
      const p = nodes[s].map((v, i) => v + (q / 100) * (nodes[s + 1][i] - v));
      mx = Math.max(mx, loss(withParams(model, p), data));
    }
  }
  return mx;
}

describe("deep linear net, hidden widths 3 > min(n₀, n_L) = 2", () => {
  const rng = createRng(7);
  const n = 10;
  const data: Dataset = {
    x: { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, () => rng.normal()) },
    y: { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, () => rng.normal()) },
  };
  const spec = { widths: [2, 3, 3, 2], activation: "linear" as const };
  // Two global minima (the least-squares fit of an affine map, R* > 0) from seeded starts; the second is then
  // mapped by a symmetry — the sign flip of the first hidden layer's neurons (rows of W¹, b¹ and columns of W²;
  // the function is unchanged) — so the straight segment between them passes near zero first-layer weights,
  // far above the minimum.
  let a: Model, b0: Model, b: Model, La: number, Lb: number;
  beforeAll(() => {
    const fit = (seed: number) =>
      projectToZeroLoss({ ...spec, params: initParams(spec, { scheme: "normal", std: 0.7, seed }) }, data, { maxIter: 200, lossTol: 1e-300 }).model;
    a = fit(1);
    b0 = fit(2);
    const W2cols = new Set([9, 12, 15, 10, 13, 16, 11, 14, 17]); // W² is 3×3 at offsets 9..17: all its entries
    // rows of W¹ (offsets 0..5) and b¹ (6..8) flip; W² = W²·diag(−1) flips every column, i.e. all 9 entries.
    b = withParams(b0, b0.params.map((v, i) => (i < 9 || W2cols.has(i) ? -v : v)));
    La = loss(a, data);
    Lb = loss(b, data);
  });

  it("both end points are global minima (same loss, the least-squares value)", () => {
    // Gauss–Newton on a non-zero-residual problem converges linearly to the minimiser; 200 steps reach the
    // rounding level of R (1e-12 relative).
    expect(Math.abs(La - Lb)).toBeLessThanOrEqual(1e-12 * La);
    expect(Math.abs(loss(b0, data) - Lb)).toBeLessThanOrEqual(1e-14 * Lb);
  });

  it("the straight line has a barrier; the sublevel set R ≤ R* + 1e-3 still connects them", () => {
    const line = connectMinima(a, b, data, { method: "linear" });
    expect(line.barrier).toBeGreaterThan(0.05);
    const level = Math.max(La, Lb) + 1e-3;
    const c = sublevelConnected(a, b, data, { level });
    expect(c.connected).toBe(true);
    // re-check the returned polygon more densely than the search did (101 points per segment); the level is met
    // up to the loss's O(h²) variation between sample points — allow 1e-3 of the level's excess.
    expect(polygonMax(a, data, c.nodes)).toBeLessThanOrEqual(level + 1e-3 * (level - La));
  });

  it("optimised curves lower the barrier below the straight line's (chain, Bézier, NEB)", () => {
    const line = connectMinima(a, b, data, { method: "linear" });
    for (const method of ["chain", "bezier", "neb"] as const) {
      const c = connectMinima(a, b, data, { method, iterations: 200 });
      expect(c.method).toBe(method);
      expect(c.path.length).toBe(51);
      expect(c.path[0].loss).toBeCloseTo(La, 14);
      expect(c.barrier, method).toBeLessThan(0.5 * line.barrier);
    }
  });
});

describe("two-layer quadratic activation, width 7 > 2N = 6", () => {
  const rng = createRng(9);
  const N = 3;
  const data: Dataset = {
    x: { rows: N, cols: 2, data: Float64Array.from({ length: 2 * N }, () => rng.normal()) },
    y: column(Array.from({ length: N }, () => rng.normal())),
  };
  const spec = { widths: [2, 7, 1], activation: "quadratic" as const };
  it("two exact fits are connected inside R ≤ 1e-4, though the straight line between them climbs", () => {
    const a = exactFit(spec, data, 1)!;
    const b = exactFit(spec, data, 2)!;
    expect(loss(a, data)).toBeLessThanOrEqual(1e-26);
    expect(loss(b, data)).toBeLessThanOrEqual(1e-26);
    expect(connectMinima(a, b, data).barrier).toBeGreaterThan(1e-2);
    const c = sublevelConnected(a, b, data, { level: 1e-4 });
    expect(c.connected).toBe(true);
    // dense re-check, as above: ≤ level·(1 + 1e-3)
    expect(polygonMax(a, data, c.nodes)).toBeLessThanOrEqual(1e-4 * (1 + 1e-3));
  });
});

describe("the single-component results over seeds", () => {
  it.each([9, 10, 11, 12])("quadratic 2-7-1, N = 3 (7 > 2N), data seed %i: two exact fits connect in R ≤ 1e-4", (seed) => {
    const rng = createRng(seed);
    const N = 3;
    const data: Dataset = {
      x: { rows: N, cols: 2, data: Float64Array.from({ length: 2 * N }, () => rng.normal()) },
      y: column(Array.from({ length: N }, () => rng.normal())),
    };
    const spec = { widths: [2, 7, 1], activation: "quadratic" as const };
    const a = exactFit(spec, data, 1)!;
    const b = exactFit(spec, data, 2)!;
    const c = sublevelConnected(a, b, data, { level: 1e-4 });
    expect(c.connected).toBe(true);
    expect(polygonMax(a, data, c.nodes)).toBeLessThanOrEqual(1e-4 * (1 + 1e-3)); // dense re-check, as above
  });
  it.each([7, 8, 9])("deep linear 3-4-2 (4 > min(3, 2)), data seed %i: two global minima connect in R ≤ R* + 1e-3", (seed) => {
    const rng = createRng(seed);
    const n = 10;
    const data: Dataset = {
      x: { rows: n, cols: 3, data: Float64Array.from({ length: 3 * n }, () => rng.normal()) },
      y: { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, () => rng.normal()) },
    };
    const spec = { widths: [3, 4, 2], activation: "linear" as const };
    const fit = (s: number) =>
      projectToZeroLoss({ ...spec, params: initParams(spec, { scheme: "normal", std: 0.7, seed: s }) }, data, { maxIter: 200, lossTol: 1e-300 }).model;
    const a = fit(1);
    const b = fit(2);
    const La = loss(a, data);
    // both reach the least-squares minimum (linear convergence of Gauss–Newton, 200 steps: rounding level)
    expect(Math.abs(loss(b, data) - La)).toBeLessThanOrEqual(1e-12 * La);
    const level = La + 1e-3;
    const c = sublevelConnected(a, b, data, { level });
    expect(c.connected).toBe(true);
    // dense re-check: the search sampled 21 points per segment; allow 1e-3 of the level's excess (1e-6) between them
    expect(polygonMax(a, data, c.nodes)).toBeLessThanOrEqual(level + 1e-6);
  });
});

describe("relu data set with two components", () => {
  // f(x) = a₁ relu(w₁x) + a₂ relu(w₂x) (no biases) on x = ±1, y = 1. Zero loss needs one neuron with w > 0 and
  // one with w < 0, so the zero set is {w₁ > 0 > w₂} ∪ {w₂ > 0 > w₁}. On any path between the components some
  // wᵢ = 0; there the other neuron serves one side only, one residual is −1 and R ≥ 1/(2·2) = 1/4. So for
  // λ < 1/4 the λ-sublevel set has (at least) two components, and every path's barrier is ≥ 1/4.
  const spec = { widths: [1, 2, 1], activation: "relu" as const, bias: false };
  const data: Dataset = { x: column([-1, 1]), y: column([1, 1]) };
  const a: Model = { ...spec, params: Float64Array.from([1, -1, 1, 1]) };
  const b: Model = { ...spec, params: Float64Array.from([-1, 1, 1, 1]) };
  it("both are exact minima; no path is found in R ≤ 0.1, and every method's barrier is ≥ 1/4", () => {
    expect(loss(a, data)).toBe(0);
    expect(loss(b, data)).toBe(0);
    const c = sublevelConnected(a, b, data, { level: 0.1 });
    expect(c.connected).toBe(false);
    for (const method of ["linear", "chain", "bezier", "neb"] as const) {
      const p = connectMinima(a, b, data, { method, iterations: 150 });
      expect(p.barrier, method).toBeGreaterThanOrEqual(0.25);
    }
  });
  it("while two minima in the same component connect at that level", () => {
    const a2: Model = { ...spec, params: Float64Array.from([2, -0.5, 0.5, 2]) }; // rescaled neurons: still w₁ > 0 > w₂
    expect(loss(a2, data)).toBe(0);
    expect(sublevelConnected(a, a2, data, { level: 0.1 }).connected).toBe(true);
  });
});

describe("the loss along a straight line", () => {
  it("is the exact quadratic of a model linear in θ: R(t) = ‖(1 − t)r_A + t·r_B‖²/(2n)", () => {
    // widths [3, 1] (no hidden layer): f is linear in θ, so the residual is affine in t.
    const spec = { widths: [3, 1], activation: "tanh" as const };
    const rng = createRng(21);
    const n = 7;
    const data: Dataset = {
      x: { rows: n, cols: 3, data: Float64Array.from({ length: 3 * n }, () => rng.normal()) },
      y: column(Array.from({ length: n }, () => rng.normal())),
    };
    const a: Model = { ...spec, params: Float64Array.from({ length: 4 }, () => rng.normal()) };
    const b: Model = { ...spec, params: Float64Array.from({ length: 4 }, () => rng.normal()) };
    const res = (m: Model) => Array.from({ length: n }, (_, i) => m.params[0] * data.x.data[3 * i] + m.params[1] * data.x.data[3 * i + 1] + m.params[2] * data.x.data[3 * i + 2] + m.params[3] - data.y.data[i]);
    const ra = res(a);
    const rb = res(b);
    const p = connectMinima(a, b, data, { points: 11 });
    let mx = -Infinity;
    for (const { t, loss: L } of p.path) {
      const ref = ra.reduce((s, v, i) => s + ((1 - t) * v + t * rb[i]) ** 2, 0) / (2 * n);
      // same sums, O(ε) relative
      expect(Math.abs(L - ref)).toBeLessThanOrEqual(1e-14 * ref);
      mx = Math.max(mx, ref);
    }
    expect(p.barrier).toBeCloseTo(mx - Math.max(loss(a, data), loss(b, data)), 14);
  });
});

describe("errors", () => {
  const spec = { widths: [1, 2, 1], activation: "tanh" as const };
  const data: Dataset = { x: column([0, 1]), y: column([0, 1]) };
  const a: Model = { ...spec, params: new Float64Array(7) };
  it("mismatched architectures, bad methods and levels", () => {
    const wide: Model = { widths: [1, 3, 1], activation: "tanh", params: new Float64Array(10) };
    expect(() => connectMinima(a, wide, data)).toThrow(/'a' and 'b' must be the same architecture/);
    expect(() => connectMinima(a, a, data, { method: "spline" as "linear" })).toThrow(/'method'/);
    expect(() => connectMinima(a, a, data, { points: 1 })).toThrow(/'points'/);
    expect(() => connectMinima(a, a, data, { method: "chain", objective: "median" as "max" })).toThrow(/'objective'/);
    expect(() => sublevelConnected(a, a, data, { level: -1 })).toThrow(/'level'/);
    expect(() => sublevelConnected(a, a, data, { level: 1e-9 })).toThrow(/both end points must lie in the sublevel set/);
  });
  it("a linear path between identical points has zero barrier", () => {
    const p = connectMinima(a, a, data);
    expect(p.barrier).toBe(0);
    expect(p.path.every((q) => q.loss === p.path[0].loss)).toBe(true);
  });
});

describe("plain-array data and parameters are used as validated (sublevelConnected threw a TypeError)", () => {
  // The relu pair of the two-component zero set above, on x = ±1, y = 1: no path below 1/4 exists.
  const s = { widths: [1, 2, 1], activation: "relu" as const, bias: false };
  const a: Model = { ...s, params: Float64Array.from([1, -1, 1, 1]) };
  const b: Model = { ...s, params: Float64Array.from([-1, 1, 1, 1]) };
  const mat: Dataset = { x: column([1, -1]), y: column([1, 1]) };
  const plain = { x: [[1], [-1]], y: [[1], [1]] };
  it("sublevelConnected: the same answer as with Mat data", () => {
    const want = sublevelConnected(a, b, mat, { level: 0.3, maxDepth: 2 });
    const got = sublevelConnected(a, b, plain as never, { level: 0.3, maxDepth: 2 });
    expect(got.connected).toBe(false);
    expect(got).toEqual(want);
  });
  it("connectMinima: nodes are Float64Arrays (a plain params array came back as given) and the path is the Mat one", () => {
    const plainA = { ...a, params: Array.from(a.params) };
    const got = connectMinima(plainA as never, b, plain as never, { points: 5 });
    expect(got.nodes.every((v) => v instanceof Float64Array)).toBe(true);
    expect(got.path).toEqual(connectMinima(a, b, mat, { points: 5 }).path);
  });
});

describe("the end points must share every field of the loss: b was scored with a's", () => {
  const spec = { widths: [1, 2, 1], activation: "tanh" as const };
  const data: Dataset = { x: column([0, 1]), y: column([0, 1]) };
  const a: Model = { ...spec, params: Float64Array.from([0.3, -0.2, 0.1, 0.4, 0.5, -0.6, 0.2]) };
  it.each([
    ["l2", { l2: 0.5 }, /'a' and 'b' must have the same 'l2' .*; found a\.l2 = 0, b\.l2 = 0\.5$/],
    ["loss", { loss: "cross-entropy" }, /'a' and 'b' must have the same 'loss' .*; found a\.loss = "mse", b\.loss = "cross-entropy"$/],
    ["output", { output: "sigmoid" }, /'a' and 'b' must have the same 'output' .*; found a\.output = "linear", b\.output = "sigmoid"$/],
    ["activation", { activation: "sigmoid" }, /'a' and 'b' must have the same 'activation' .*; found a\.activation = "tanh", b\.activation = "sigmoid"$/],
  ] as const)("a pair that differs in '%s' is refused by connectMinima and sublevelConnected", (_field, extra, msg) => {
    const b = { ...a, ...extra } as Model;
    for (const call of [() => connectMinima(a, b, data), () => sublevelConnected(a, b, data, { level: 10 })]) {
      expect(call).toThrow(ValueError);
      expect(call).toThrow(msg);
    }
    expect(() => connectMinima(a, b, data)).toThrow(/^connectMinima: /);
    expect(() => sublevelConnected(b, a, data, { level: 10 })).toThrow(/^sublevelConnected: /);
  });
  it("equal fields spelt differently are the same objective (defaults, one activation per layer)", () => {
    const b: Model = { ...a, activation: ["tanh"], output: "linear", loss: "mse", l2: 0, bias: true };
    expect(connectMinima(a, b, data).barrier).toBe(0);
  });
  it("sublevelConnected needs the interpolation loss: an mse model without l2 (the Gauss–Newton pull fits f(xᵢ) = yᵢ)", () => {
    const l2: Model = { ...a, l2: 1e-3 };
    expect(() => sublevelConnected(l2, l2, data, { level: 10 })).toThrow(/^sublevelConnected: 'l2' must be 0 .*; found 0\.001$/);
    const ce: Model = { ...a, widths: [1, 2, 2], loss: "cross-entropy", params: new Float64Array(10) };
    expect(() => sublevelConnected(ce, ce, { x: column([0, 1]), y: { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 1]) } }, { level: 10 })).toThrow(
      /^sublevelConnected: 'loss' must be "mse" .*; found "cross-entropy"$/,
    );
  });
});

describe("objective \"max\": optimising the curve's maximum instead of its mean", () => {
  // Exact fits of a 2-5-1 tanh net to 6 standard-normal points (data seeds 1–3, two inits each), a chain with 3
  // bends, 300 Adam steps each way. Measured barriers (mean → max): 0.026 → 0.021, 0.028 → 0.012, 0.175 → 0.026.
  // The smooth maximum's gradient concentrates on the curve's highest points, so it lowers the barrier where the
  // mean objective spends its steps on already-low parts. A deterministic (seeded) regression of that measurement:
  // the max objective must give the lower barrier on each of the three, and both must beat the straight line.
  it.each([1, 2, 3])("tanh 2-5-1, data seed %i: chain barrier with objective max < with mean < straight line", (seed) => {
    const rng = createRng(seed);
    const data: Dataset = {
      x: { rows: 6, cols: 2, data: Float64Array.from({ length: 12 }, () => rng.normal()) },
      y: column(Array.from({ length: 6 }, () => rng.normal())),
    };
    const spec = { widths: [2, 5, 1], activation: "tanh" as const };
    const fit = (s: number) => projectToZeroLoss({ ...spec, params: initParams(spec, { scheme: "normal", std: 1.2, seed: s }) }, data, { maxIter: 300 });
    const A = fit(seed * 10 + 1);
    const B = fit(seed * 10 + 2);
    expect(A.converged && B.converged).toBe(true);
    const line = connectMinima(A.model, B.model, data).barrier;
    const mean = connectMinima(A.model, B.model, data, { method: "chain", bends: 3 }).barrier;
    const max = connectMinima(A.model, B.model, data, { method: "chain", bends: 3, objective: "max" }).barrier;
    expect(max).toBeLessThan(mean);
    expect(mean).toBeLessThan(line);
  });
});

describe("a NaN loss along the path is refused in the public function's name", () => {
  // ±1e200 weights through a linear layer: 1e200·1e200 − 1e200·1e200 = ∞ − ∞ at end point a. The barrier was NaN
  // (linear, bezier), `maxLoss` NaN (sublevelConnected), or "argument 'theta' must be finite" (neb).
  const x = { rows: 2, cols: 1, data: Float64Array.from([1, -1]) };
  const a = { widths: [1, 2, 1], activation: "linear" as const, params: Float64Array.from([1e200, 1e200, 0, 0, 1e200, -1e200, 0]) };
  const b = { widths: [1, 2, 1], activation: "linear" as const, params: Float64Array.from([1, 1, 0, 0, 1, -1, 0]) };
  const data = { x, y: { rows: 2, cols: 1, data: new Float64Array(2) } };
  it.each(["linear", "bezier", "neb"] as const)("connectMinima, method %s", (method) => {
    expect(() => connectMinima(a, b, data, { method, iterations: 3, points: 5 })).toThrow(/^connectMinima: the loss is NaN at these parameters: the network's outputs overflow float64/);
  });
  it("sublevelConnected", () => {
    expect(() => sublevelConnected(a, b, data, { level: 1 })).toThrow(/^sublevelConnected: the loss is NaN at these parameters/);
  });
});
