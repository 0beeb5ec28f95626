import { BACKENDS, init, kernels, loadWasm, setBackend, ShapeError, ValueError } from "@losscape/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { activationDerivatives, createRng, loss, lossPlane, paramCount, withParams } from "./index.js";
import { ALL_ACTIVATIONS, randomProblem } from "./__tests__/helpers.js";
import { ACTIVATION_CODES } from "./activations.js";
import { ACTIVATION_TABLE, type ActivationEntry } from "./activation-table.js";
import type { Activation, Dataset, LossName, Model, OutputActivation } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** R(θ + a·d₁ + b·d₂) by one `loss` call (the definition lossPlane must reproduce), θ formed in the same order. */
function lossAt(model: Model, data: Dataset, d1: Float64Array, d2: Float64Array | null, a: number, b: number): number {
  return loss(withParams(model, model.params.map((v, q) => v + a * d1[q] + (d2 ? b * d2[q] : 0))), data);
}

function randomDirection(M: number, seed: number, scale = 0.5): Float64Array {
  const rng = createRng(seed);
  return new Float64Array(M).map(() => scale * rng.normal());
}

/**
 * Every grid value against `loss` at its point. ts backend: the same TypeScript forward pass per point, so
 * bit-identical. WASM: the kernel takes the first layer's pre-activations from Z¹₀ + a·Z¹₁ + b·Z¹₂ rather than
 * one product per point, which changes the rounding of Z¹ by a few ulp of |Z¹₀| + |a·Z¹₁| + |b·Z¹₂|, and its tanh
 * is its own (≤ ~5 ulp, vs Math.tanh's ≤ 1); the rest is the forward pass of `loss`. Bound 1e-13 relative
 * (the brief's; observed ≤ 3e-15 on these O(1) losses).
 */
function expectGridMatchesLoss(
  backend: string,
  grid: Float64Array,
  model: Model,
  data: Dataset,
  d1: Float64Array,
  d2: Float64Array | null,
  aAxis: number[],
  bAxis: number[],
): void {
  expect(grid.length).toBe(aAxis.length * bAxis.length);
  for (let i = 0; i < aAxis.length; i++) {
    for (let j = 0; j < bAxis.length; j++) {
      const ref = lossAt(model, data, d1, d2, aAxis[i], bAxis[j]);
      const v = grid[i * bAxis.length + j];
      if (backend === "ts") expect(v).toBe(ref);
      else expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-13 * Math.abs(ref));
    }
  }
}

/** Output activations: every activation of the table by name (leaky-relu's default slope is covered by relu's path). */
const OUTPUTS: OutputActivation[] = ACTIVATION_TABLE.filter((e: ActivationEntry) => !("param" in e)).map((e) => e.name);

describe.each(BACKENDS)("lossPlane (%s)", (backend) => {
  it("equals loss at every point for depths 1–4 and every activation of the table (2-D, odd axes)", () => {
    setBackend(backend);
    const aAxis = [-1.3, -0.2, 0.45];
    const bAxis = [-0.8, 0, 0.35, 1.1, 2];
    for (let depth = 1; depth <= 4; depth++) {
      const widths = [3, 4, 3, 5, 2].slice(0, depth).concat([2]);
      ALL_ACTIVATIONS.forEach((activation, k) => {
        const { model, data } = randomProblem({ widths, activation, n: 5, seed: 10 * depth + k });
        const M = paramCount(model);
        const d1 = randomDirection(M, 100 + k);
        const d2 = randomDirection(M, 200 + k);
        const grid = lossPlane(model, data, { directions: [d1, d2], aAxis, bAxis });
        expectGridMatchesLoss(backend, grid, model, data, d1, d2, aAxis, bAxis);
      });
    }
  });

  it("equals loss at every point (fast-check: depth, activation, output, mse/cross-entropy, bias, l2, 1-D/2-D)", () => {
    setBackend(backend);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: ALL_ACTIVATIONS.length - 1 }),
        fc.constantFrom(...OUTPUTS),
        fc.constantFrom<LossName>("mse", "cross-entropy"),
        fc.boolean(),
        fc.constantFrom(0, 0.05, 1.5),
        fc.constantFrom(1, 2),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 9999 }),
        (depth, hidden, ak, output, lossName, bias, l2, dims, nA, nB, seed) => {
          const dIn = hidden[0];
          // cross-entropy with one output is identically 0 (log-sum-exp of one logit): use ≥ 2 classes
          const dOut = lossName === "cross-entropy" ? 2 + (seed % 2) : 1 + (seed % 3);
          const widths = [dIn, ...hidden.slice(1, depth), dOut];
          const activation: Activation = ALL_ACTIVATIONS[ak];
          const p = randomProblem({ widths, activation, loss: lossName, bias, l2, n: 1 + (seed % 6), seed });
          const model: Model = { ...p.model, output: lossName === "mse" ? output : "linear" };
          const M = paramCount(model);
          const d1 = randomDirection(M, seed + 1);
          const d2 = dims === 2 ? randomDirection(M, seed + 2) : null;
          const rng = createRng(seed + 3);
          const aAxis = Array.from({ length: nA }, () => 2 * rng.next() - 1);
          const bAxis = dims === 2 ? Array.from({ length: nB }, () => 2 * rng.next() - 1) : [0];
          const grid = d2
            ? lossPlane(model, p.data, { directions: [d1, d2], aAxis, bAxis })
            : lossPlane(model, p.data, { directions: [d1], aAxis });
          expectGridMatchesLoss(backend, grid, model, p.data, d1, d2, aAxis, bAxis);
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it("saturated and near-zero tanh (the kernel's own tanh: series, exp and clamped branches) still equals loss", () => {
    setBackend(backend);
    // std 25: |z| up to ~10², tanh = ±1 in most entries (2|z| ≥ 40 is clamped); std 1e-3: every 2|z| < 0.7 (series)
    for (const std of [25, 1e-3]) {
      const { model, data } = randomProblem({ widths: [3, 6, 4, 2], activation: "tanh", n: 6, seed: 8, std });
      const m: Model = { ...model, output: "tanh" };
      const M = paramCount(m);
      const d1 = randomDirection(M, 9, std);
      const d2 = randomDirection(M, 10, std);
      const aAxis = [-1, -0.5, 0, 0.5, 1];
      const grid = lossPlane(m, data, { directions: [d1, d2], aAxis, bAxis: aAxis });
      expectGridMatchesLoss(backend, grid, m, data, d1, d2, aAxis, aAxis);
    }
  });

  it("per-layer activations (one per hidden layer), custom leaky slope, no bias, l2 and cross-entropy", () => {
    setBackend(backend);
    const activation: Activation[] = ["softplus", { name: "leaky-relu", slope: -0.3 }, "sin"];
    const { model, data } = randomProblem({ widths: [2, 5, 4, 3, 3], activation, loss: "cross-entropy", bias: false, l2: 0.3, n: 9, seed: 12 });
    const M = paramCount(model);
    const d1 = randomDirection(M, 13);
    const d2 = randomDirection(M, 14);
    const aAxis = [-2, -1, 0.5, 1.75];
    const bAxis = [-1.5, -0.25, 0, 3];
    expectGridMatchesLoss(backend, lossPlane(model, data, { directions: [d1, d2], aAxis, bAxis }), model, data, d1, d2, aAxis, bAxis);
  });

  it("a line is the b = 0 column of any plane through it, and (0, 0) is loss(model) itself", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ widths: [3, 5, 4, 2], activation: "gelu", l2: 0.2, n: 7, seed: 3 });
    const M = paramCount(model);
    const d1 = randomDirection(M, 4);
    const d2 = randomDirection(M, 5);
    const aAxis = [-1, -0.25, 0, 0.5, 0.75, 2, 3];
    const line = lossPlane(model, data, { directions: [d1], aAxis });
    const plane = lossPlane(model, data, { directions: [d1, d2], aAxis, bAxis: [0.5, 0, -0.5] });
    // θ + a·d₁ + 0·d₂ has the bits of θ + a·d₁ (and Z¹₀ + a·Z¹₁ + 0·Z¹₂ those of Z¹₀ + a·Z¹₁): exactly equal.
    for (let i = 0; i < aAxis.length; i++) expect(plane[i * 3 + 1]).toBe(line[i]);
    // (a, b) = (0, 0): θ itself. WASM: Z¹₀ is the forward pass's own first product and gelu's σ the same formula, so
    // bit-identical to loss (a tanh net would differ in rounding: the kernel's tanh is its own).
    expect(line[2]).toBe(loss(model, data));
  });

  it("validates its arguments with typed errors naming lossPlane and the argument", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "tanh", seed: 1 });
    const M = paramCount(model);
    const d = new Float64Array(M);
    const call = (o: unknown) => () => lossPlane(model, data, o as Parameters<typeof lossPlane>[2]);
    expect(call(undefined)).toThrowError(ValueError);
    expect(call({ directions: [], aAxis: [0] })).toThrowError(/^lossPlane: 'directions' must be an array of 1 or 2 vectors of length M = 13; found an array of length 0/);
    expect(call({ directions: [d, d, d], aAxis: [0], bAxis: [0] })).toThrowError(ShapeError);
    expect(call({ directions: [d, new Float64Array(M + 1)], aAxis: [0], bAxis: [0] })).toThrowError(/^lossPlane: argument 'directions\[1\]' must have length 13; found 14/);
    const bad = Float64Array.from(d);
    bad[3] = NaN;
    expect(call({ directions: [bad], aAxis: [0] })).toThrowError(/^lossPlane: .*directions\[0\]/);
    expect(call({ directions: [d], aAxis: [0, Infinity] })).toThrowError(/^lossPlane: .*aAxis/);
    expect(call({ directions: [d], aAxis: [] })).toThrowError(/^lossPlane: 'aAxis' must have at least 1 value; found 0/);
    expect(call({ directions: [d, d], aAxis: [0] })).toThrowError(/^lossPlane: 'bAxis' is required with 2 directions/);
    expect(call({ directions: [d], aAxis: [0], bAxis: [1] })).toThrowError(/^lossPlane: 'bAxis' needs a second direction/);
    expect(call({ directions: [d, d], aAxis: [0], bAxis: [NaN] })).toThrowError(/^lossPlane: .*bAxis/);
    expect(() => lossPlane({ ...model, params: new Float64Array(M - 1) }, data, { directions: [d], aAxis: [0] })).toThrowError(/^lossPlane: /);
  });
});

describe.each(["simd", "scalar"] as const)("mlpLossPlane kernel (%s build)", (build) => {
  it("keeps WASM memory constant over repeated same-size calls", async () => {
    const inst = await loadWasm(build);
    setBackend(build);
    const { model, data } = randomProblem({ widths: [4, 6, 5, 3], activation: "sin", loss: "cross-entropy", n: 20, seed: 2 });
    const M = paramCount(model);
    const opts = { directions: [randomDirection(M, 1), randomDirection(M, 2)], aAxis: [-1, 0, 1, 2], bAxis: [-1, 0, 1] };
    const first = lossPlane(model, data, opts);
    const bytes = inst.memoryBytes;
    for (let r = 0; r < 10; r++) {
      expect(lossPlane(model, data, opts)).toEqual(first); // and deterministic
      expect(inst.memoryBytes).toBe(bytes);
    }
  });

  it("mlpActivation (the kernels' σ) equals activations.ts's for every code (≤ 2 ulp: Math functions of two libms)", async () => {
    await loadWasm(build);
    setBackend(build);
    const zs = [-40, -7.5, -3.2, -1, -0.3, -1e-9, 0, 2e-12, 0.25, 0.9, 2.9, 3.1, 8, 35];
    for (const a of ALL_ACTIVATIONS) {
      const name = typeof a === "string" ? a : a.name;
      const slope = typeof a === "string" ? 0 : a.slope ?? 0.01;
      for (const z of zs) {
        const got = kernels.mlpActivation("test", { code: ACTIVATION_CODES[name], p: slope, x: z }).result;
        const ref = activationDerivatives(a, z).value;
        expect(Math.abs(got - ref)).toBeLessThanOrEqual(4.5e-16 * Math.abs(ref));
      }
    }
  });
});
