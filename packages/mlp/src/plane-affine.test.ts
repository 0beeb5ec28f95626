import { BACKENDS, init, loadWasm, setBackend, ShapeError, ValueError } from "@losscape/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { affineLossPlane, affineLossPlaneApplies, createRng, initParams, loss, lossPlane, paramCount, withParams } from "./index.js";
import { ALL_ACTIVATIONS, randomProblem } from "./__tests__/helpers.js";
import type { Dataset, Model } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** R(θ + a·d₁ + b·d₂) by one `loss` call: the definition every evaluator must reproduce. */
function lossAt(model: Model, data: Dataset, d1: Float64Array, d2: Float64Array | null, a: number, b: number): number {
  return loss(withParams(model, model.params.map((v, i) => v + a * d1[i] + (d2 ? b * d2[i] : 0))), data);
}

/** n points with x uniform in [−2, 2) and standard normal y, seeded. */
function uniformData(n: number, dIn: number, r: number, seed: number): Dataset {
  const rng = createRng(seed);
  return {
    x: { rows: n, cols: dIn, data: Float64Array.from({ length: n * dIn }, () => -2 + 4 * rng.next()) },
    y: { rows: n, cols: r, data: Float64Array.from({ length: n * r }, () => rng.normal()) },
  };
}

/** A random direction with the scale of θ: N(0, 1) entries times ‖θ‖/‖d‖. Seeded. */
function directionLike(model: Model, seed: number): Float64Array {
  const rng = createRng(seed);
  const d = new Float64Array(model.params.length).map(() => rng.normal());
  const f = Math.hypot(...model.params) / Math.hypot(...d);
  return d.map((v) => v * f);
}

/** points values evenly spaced on [−range, range], as lossSlice's axes. */
function linspace(range: number, points: number): number[] {
  return Array.from({ length: points }, (_, i) => -range + (2 * range * i) / (points - 1));
}

describe.each(BACKENDS)("affineLossPlane (%s)", (backend) => {
  it("equals loss at every point, every activation, output width, bias, 1-D and 2-D (fast-check)", () => {
    setBackend(backend);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.constantFrom(...ALL_ACTIVATIONS),
        fc.boolean(),
        fc.constantFrom(0.5, 3, 200),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 999 }),
        (din, m, r, activation, bias, range, dims, seed) => {
          const spec = { widths: [din, m, r], activation, bias };
          const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed }) };
          const data = uniformData(6, din, r, seed + 1);
          const d1 = directionLike(model, seed + 2);
          const d2 = directionLike(model, seed + 3);
          const axis = linspace(range, 5);
          const grid = dims === 2 ? affineLossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: axis }) : affineLossPlane(model, data, { directions: [d1], aAxis: axis });
          expect(grid.length).toBe(dims === 2 ? 25 : 5);
          for (let i = 0; i < 5; i++) {
            for (let j = 0; j < (dims === 2 ? 5 : 1); j++) {
              const ref = lossAt(model, data, d1, dims === 2 ? d2 : null, axis[i], dims === 2 ? axis[j] : 0);
              // Same sums in another order, and tanh/sigmoid through exp products (≤ ~100 ulp along a row): 1e-11
              // relative. range 200 drives |z| beyond 300 and exercises the per-point fallback.
              expect(Math.abs(grid[i * (dims === 2 ? 5 : 1) + j] - ref)).toBeLessThanOrEqual(1e-11 * Math.max(ref, 1e-300));
            }
          }
        },
      ),
      { seed: 11, numRuns: 40 },
    );
  });

  it("a line is the plane's column at b = 0, and the centre of the grid is θ's loss up to rounding", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ widths: [2, 5, 1], activation: "tanh", n: 7, seed: 3 });
    const d1 = directionLike(model, 4);
    const d2 = directionLike(model, 5);
    const axis = linspace(1, 7);
    const line = affineLossPlane(model, data, { directions: [d1], aAxis: axis });
    const plane = affineLossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: [0] });
    expect(Array.from(plane)).toEqual(Array.from(line));
    const l0 = loss(model, data);
    expect(Math.abs(line[3] - l0)).toBeLessThanOrEqual(1e-13 * l0);
  });
});

describe.each(["simd", "scalar"] as const)("affineLossPlane: the WASM kernel against its TypeScript oracle (%s)", (backend) => {
  it("same grid for every activation, output width, bias, odd/even and 1-D grids (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(...ALL_ACTIVATIONS),
        fc.boolean(),
        fc.constantFrom(0.5, 2, 200),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 999 }),
        (din, m, r, activation, bias, range, points, dims, seed) => {
          const spec = { widths: [din, m, r], activation, bias };
          const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed }) };
          const data = uniformData(7, din, r, seed + 1);
          const axis = linspace(range, points);
          const options =
            dims === 2
              ? { directions: [directionLike(model, seed + 2), directionLike(model, seed + 3)], aAxis: axis, bAxis: axis }
              : { directions: [directionLike(model, seed + 2)], aAxis: axis };
          setBackend("ts");
          const ref = affineLossPlane(model, data, options);
          setBackend(backend);
          const grid = affineLossPlane(model, data, options);
          expect(grid.length).toBe(ref.length);
          for (let q = 0; q < ref.length; q++) {
            // 1e-13 relative: the two evaluators differ only in rounding — Z by matmul vs a loop (≤ din ulp in z),
            // tanh's u = exp(2z) from a ≤ 2-ulp polynomial exp times ≤ 25 ratio products (kernel) vs Math.exp
            // times ≤ 100 products (TS), and the order of the output sums.
            expect(Math.abs(grid[q] - ref[q]) / Math.max(ref[q], 1e-300)).toBeLessThanOrEqual(1e-13);
          }
        },
      ),
      { seed: 17, numRuns: 60 },
    );
  });

  it.each(["tanh", "sigmoid"] as const)("%s rows with |z| up to 400: paired (tanh, |z| ≤ 150), row recurrence (≤ 300) and per-point exp agree", (activation) => {
    // 1 → 2 → 1, θ = (W¹ = [1, −0.5], b¹ = [0.1, 0], W² = [0.7, −1.3], b² = 0.2); d₁, d₂ move only W¹, so
    // z_s = x(W¹_s + a·d₁_s + b·d₂_s) + b¹_s reaches |z| ≈ 400 on x ∈ [−1, 1], a, b ∈ [−200, 200]: every regime occurs.
    const model: Model = { widths: [1, 2, 1], activation, params: Float64Array.from([1, -0.5, 0.1, 0, 0.7, -1.3, 0.2]) };
    const data = uniformData(5, 1, 1, 31);
    for (let i = 0; i < 5; i++) data.x.data[i] = -1 + 0.5 * i;
    const d1 = Float64Array.from([1, 0.25, 0, 0, 0, 0, 0]);
    const d2 = Float64Array.from([-0.5, 1, 0, 0, 0, 0, 0]);
    const axis = linspace(200, 41);
    const options = { directions: [d1, d2], aAxis: axis, bAxis: axis };
    setBackend(backend);
    const grid = affineLossPlane(model, data, options);
    setBackend("ts");
    const ts = affineLossPlane(model, data, options);
    setBackend(backend);
    for (let i = 0; i < 41; i++) {
      for (let j = 0; j < 41; j++) {
        const ref = lossAt(model, data, d1, d2, axis[i], axis[j]);
        const v = grid[i * 41 + j];
        // Math.tanh/exp vs the kernel's exp-based σ (≤ ~50 ulp in u): 1e-13 relative, against the forward pass and
        // the TS grid
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-13 * ref);
        expect(Math.abs(v - ts[i * 41 + j])).toBeLessThanOrEqual(1e-13 * ts[i * 41 + j]);
      }
    }
  });

  it.each([
    ["tanh", 1],
    ["tanh", 2],
    ["sigmoid", 1],
  ] as const)("a 101-point %s row, %i output(s) (several exp re-anchorings) agrees with the forward pass at every point", (activation, r) => {
    setBackend(backend);
    const spec = { widths: [3, 5, r], activation };
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 21 }) };
    const data = uniformData(6, 3, r, 22); // tanh: one output → neuron pairs (tanhPair), two → activateRow
    const d1 = directionLike(model, 23);
    const d2 = directionLike(model, 24);
    const axis = linspace(3, 101);
    const grid = affineLossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: axis });
    for (const i of [0, 37, 100]) {
      for (let j = 0; j < 101; j++) {
        const ref = lossAt(model, data, d1, d2, axis[i], axis[j]);
        // against an independent forward pass (Math.tanh, Math.exp): ≤ ~50 ulp in u, 1e-13 relative in the loss
        expect(Math.abs(grid[i * 101 + j] - ref)).toBeLessThanOrEqual(1e-13 * ref);
      }
    }
  });
});

describe("affineLossPlane: which nets, which axes", () => {
  it("applies to one hidden layer, linear output, mse, l2 = 0 only; other nets and uneven b axes are typed errors", () => {
    setBackend("simd");
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "sigmoid", seed: 7 });
    const M = paramCount(model);
    const d = new Float64Array(M).fill(0.1);
    expect(affineLossPlaneApplies(model)).toBe(true);
    expect(affineLossPlaneApplies({ ...model, bias: false, params: new Float64Array(M - 4) })).toBe(true);
    for (const other of [
      { ...model, widths: [2, 3, 3, 1] },
      { ...model, output: "tanh" as const },
      { ...model, l2: 0.1 },
      { ...model, widths: [2, 3, 2], loss: "cross-entropy" as const },
    ]) {
      expect(affineLossPlaneApplies(other)).toBe(false);
    }
    const deep = randomProblem({ widths: [2, 3, 3, 1], activation: "tanh", seed: 8 });
    expect(() => affineLossPlane(deep.model, deep.data, { directions: [new Float64Array(paramCount(deep.model))], aAxis: [0] })).toThrow(ValueError);
    expect(() => affineLossPlane(deep.model, deep.data, { directions: [new Float64Array(paramCount(deep.model))], aAxis: [0] })).toThrow(
      /affineLossPlane: 'model' must have one hidden layer.*found widths \[2, 3, 3, 1\]/,
    );
    expect(() => affineLossPlane({ ...model, l2: 0.1 }, data, { directions: [d], aAxis: [0] })).toThrow(/l2 0\.1/);
    // the b axis carries the exp recurrence: it must be evenly spaced (the a axis need not be)
    expect(() => affineLossPlane(model, data, { directions: [d, d], aAxis: [0, 3, 3.5], bAxis: [0, 1, 3] })).toThrow(/'bAxis' must be evenly spaced/);
    expect(affineLossPlane(model, data, { directions: [d, d], aAxis: [0, 3, 3.5], bAxis: [-1, 0, 1] }).length).toBe(9);
    // the arguments of lossPlane, named after affineLossPlane
    expect(() => affineLossPlane(model, data, { directions: [d, d], aAxis: [0] })).toThrow(ShapeError);
    expect(() => affineLossPlane(model, data, { directions: [new Float64Array(3)], aAxis: [0] })).toThrow(/affineLossPlane: .*directions\[0\]/);
  });

  it("on an uneven a axis it equals lossPlane (the forward pass per point) to 1e-11 relative", () => {
    setBackend("simd");
    const { model, data } = randomProblem({ widths: [3, 6, 2], activation: "gelu", n: 8, seed: 9 });
    const d1 = directionLike(model, 10);
    const d2 = directionLike(model, 11);
    const options = { directions: [d1, d2], aAxis: [-0.9, -0.1, 0.05, 0.7], bAxis: linspace(0.5, 6) };
    const grid = affineLossPlane(model, data, options);
    const ref = lossPlane(model, data, options);
    for (let q = 0; q < ref.length; q++) expect(Math.abs(grid[q] - ref[q])).toBeLessThanOrEqual(1e-11 * ref[q]);
  });
});
