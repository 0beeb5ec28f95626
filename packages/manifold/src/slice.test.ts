import { BACKENDS, eigh, init, loadWasm, OutOfMemoryError, setBackend, ShapeError, ValueError } from "@losscape/core";
import { hessian, initParams, loss, unpackParams, withParams, ACTIVATION_TABLE, type Activation, type ActivationEntry, type Model } from "@losscape/mlp";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { embeddingLine, filterNormalizedDirection, hessianDirections, landscapeSlice, lossSlice } from "./index.js";
import { randomData } from "./__tests__/helpers.js";

/** Every activation of mlp's table; one with a parameter (leaky-relu) with the value 0.2. */
const ALL_ACTIVATIONS: Activation[] = ACTIVATION_TABLE.map((e: ActivationEntry) =>
  e.param ? ({ name: e.name, [e.param.name]: 0.2 } as Activation) : (e.name as Activation),
);

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** R(θ + a·d₁ + b·d₂) by one mlp `loss` call: the definition every evaluator must reproduce. */
function lossAt(model: Model, data: ReturnType<typeof randomData>, d1: Float64Array, d2: Float64Array | null, a: number, b: number): number {
  return loss(withParams(model, model.params.map((v, i) => v + a * d1[i] + (d2 ? b * d2[i] : 0))), data);
}

describe.each(BACKENDS)("lossSlice (%s)", (backend) => {
  it("the affine-plane evaluator equals one forward pass per grid point (fast-check over architectures)", () => {
    setBackend(backend);
    const acts: Activation[] = ALL_ACTIVATIONS;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.constantFrom(...acts),
        fc.boolean(),
        fc.constantFrom(0.5, 3, 200),
        fc.integer({ min: 0, max: 999 }),
        (din, m, r, activation, bias, range, seed) => {
          const spec = { widths: [din, m, r], activation, bias };
          const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed }) };
          const data = randomData(6, din, r, seed + 1);
          const d1 = filterNormalizedDirection(model, { seed: seed + 2 });
          const d2 = filterNormalizedDirection(model, { seed: seed + 3 });
          const s = lossSlice(model, data, { directions: [d1, d2], points: 5, range });
          expect(s.evaluator).toBe("affine-plane");
          for (let i = 0; i < 5; i++) {
            for (let j = 0; j < 5; j++) {
              const ref = lossAt(model, data, d1, d2, s.axes[0][i], s.axes[1][j]);
              // Same sums in another order, and tanh through exp(2z) products (≤ ~100 ulp, see lossSlice): 1e-11
              // relative. range 200 drives |z| beyond 300 and exercises the Math.tanh fallback.
              expect(Math.abs(s.grid[i][j] - ref)).toBeLessThanOrEqual(1e-11 * Math.max(ref, 1e-300));
            }
          }
        },
      ),
      { seed: 11, numRuns: 40 },
    );
  });

  it("every other net goes forward-per-point (mlp's lossPlane) and equals loss at each point (fast-check)", () => {
    setBackend(backend);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 0, max: ALL_ACTIVATIONS.length - 1 }),
        // Output activations: linear, tanh, sigmoid. Not sin: after stacked quadratic layers its argument reaches
        // 10³–10⁴ and R's condition number exceeds 10³, so any two orderings of the same sums differ by more than
        // 1e-13 relative (observed 1.5e-13 for [2, 1, 1, 2] quadratic/sin, std 1; mlp's plane.test.ts covers sin
        // outputs on std-0.6 nets).
        fc.constantFrom("linear", "tanh", "sigmoid"),
        fc.constantFrom<"mse" | "cross-entropy">("mse", "cross-entropy"),
        fc.constantFrom(0, 0.1),
        fc.boolean(),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 999 }),
        (hidden, ak, output, lossName, l2, bias, points, dims, seed) => {
          // widths [d_in, m₁, …, d_out]: 1–4 weight layers; one-hidden-layer nets only with a non-default feature
          const r = lossName === "cross-entropy" ? 3 : 1 + (seed % 2);
          const widths = [...hidden, r];
          const shallowPlain = widths.length === 3 && output === "linear" && lossName === "mse" && l2 === 0;
          const spec = { widths, activation: ALL_ACTIVATIONS[ak], output: lossName === "mse" ? output : "linear", loss: lossName, l2: shallowPlain ? 0.1 : l2, bias };
          const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed }) } as Model;
          const data = randomData(5, widths[0], r, seed + 1);
          if (lossName === "cross-entropy") for (let q = 0; q < data.y.data.length; q++) data.y.data[q] = Math.abs(data.y.data[q]);
          const directions = Array.from({ length: dims }, (_, k) => filterNormalizedDirection(model, { seed: seed + 2 + k }));
          const s = lossSlice(model, data, { directions, points, range: 1.5 });
          expect(s.evaluator).toBe("forward-per-point");
          expect(s.grid.length).toBe(dims === 2 ? points : 1);
          for (let i = 0; i < s.grid.length; i++) {
            expect(s.grid[i].length).toBe(points);
            for (let j = 0; j < points; j++) {
              const [a, b] = dims === 2 ? [s.axes[0][i], s.axes[1][j]] : [s.axes[0][j], 0];
              const ref = lossAt(model, data, directions[0], dims === 2 ? directions[1] : null, a, b);
              // ts: the same TypeScript forward pass per point, bit-identical. WASM: mlp's kernel takes the first
              // layer's pre-activations from Z¹₀ + aZ¹₁ + bZ¹₂ (rounding of a few ulp in Z¹): 1e-13 relative.
              if (backend === "ts") expect(s.grid[i][j]).toBe(ref);
              else expect(Math.abs(s.grid[i][j] - ref)).toBeLessThanOrEqual(1e-13 * Math.abs(ref));
            }
          }
        },
      ),
      { seed: 5, numRuns: 50 },
    );
  });

  it("a deep sigmoid 1-D slice has one row, the axes span [−range, range], the centre is θ", () => {
    setBackend(backend);
    const spec = { widths: [2, 3, 3, 1], activation: "sigmoid" as const };
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 4 }) };
    const data = randomData(5, 2, 1, 5);
    const d1 = filterNormalizedDirection(model, { seed: 6 });
    const s = lossSlice(model, data, { directions: [d1], points: 7, range: 2 });
    expect(s.evaluator).toBe("forward-per-point");
    expect(s.grid.length).toBe(1);
    expect(s.axes.length).toBe(1);
    expect(s.axes[0][0]).toBe(-2);
    expect(s.axes[0][6]).toBe(2);
    // ts: bit-identical to loss; WASM: see the test above (1e-13 relative)
    for (let i = 0; i < 7; i++) {
      const ref = lossAt(model, data, d1, null, s.axes[0][i], 0);
      expect(Math.abs(s.grid[0][i] - ref)).toBeLessThanOrEqual(backend === "ts" ? 0 : 1e-13 * ref);
    }
    expect(s.grid[0][3]).toBe(loss(model, data)); // the centre is θ itself (WASM: Z¹₀ is loss's own first product)
  });
});

describe("directions", () => {
  it("filter normalisation: each filter of d has the norm of the same filter of θ, biases 0 (fast-check)", () => {
    setBackend("simd");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 0, max: 999 }), (widths, seed) => {
        const spec = { widths, activation: "tanh" as const };
        const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed }) };
        const d = filterNormalizedDirection(model, { seed });
        const L = unpackParams(model, model.params);
        const D = unpackParams(model, d);
        L.forEach((layer, l) => {
          for (let s = 0; s < layer.W.rows; s++) {
            const row = (x: Float64Array) => Math.hypot(...x.subarray(s * layer.W.cols, (s + 1) * layer.W.cols));
            expect(Math.abs(row(D[l].W.data) - row(layer.W.data))).toBeLessThanOrEqual(1e-14 * (1 + row(layer.W.data)));
          }
          expect(D[l].b.every((v) => v === 0)).toBe(true);
        });
        expect(Array.from(filterNormalizedDirection(model, { seed }))).toEqual(Array.from(d)); // seeded
      }),
      { seed: 5, numRuns: 30 },
    );
  });

  it("hessian directions are unit eigenvectors of the largest eigenvalues", () => {
    setBackend("simd");
    const spec = { widths: [1, 4, 1], activation: "tanh" as const };
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 8 }) };
    const data = randomData(8, 1, 1, 9);
    const H = hessian(model, data);
    const lam = eigh(H).values;
    const [v1, v2] = hessianDirections(model, data, { count: 2 });
    const M = H.rows;
    for (const [v, l] of [[v1, lam[M - 1]], [v2, lam[M - 2]]] as const) {
      expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThanOrEqual(1e-13);
      for (let i = 0; i < M; i++) {
        let s = 0;
        for (let j = 0; j < M; j++) s += H.data[i * M + j] * v[j];
        // ‖Hv − λv‖ ≤ O(M·ε·‖H‖) for a backward-stable eigensolver
        expect(Math.abs(s - l * v[i])).toBeLessThanOrEqual(1e-12 * M * Math.abs(lam[M - 1]));
      }
    }
    expect(() => hessianDirections(model, data, { count: 99 })).toThrow(/'count'/);
  });

  it("the embedding line keeps the function: the 1-D slice along it is flat", () => {
    setBackend("simd");
    const spec = { widths: [2, 3, 1], activation: "tanh" as const };
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 10 }) };
    const data = randomData(9, 2, 1, 11);
    for (const neuron of [0, 2]) {
      const { model: wide, direction } = embeddingLine(model, { layer: 1, neuron, alpha: 0.25 });
      expect(wide.widths).toEqual([2, 4, 1]);
      expect(Math.abs(Math.hypot(...direction) - 1)).toBeLessThanOrEqual(1e-15);
      const L0 = loss(model, data);
      // output preserved by the split: same loss to rounding
      expect(Math.abs(loss(wide, data) - L0)).toBeLessThanOrEqual(1e-14 * L0);
      const s = lossSlice(wide, data, { directions: [direction], points: 9, range: 3 });
      for (const v of s.grid[0]) expect(Math.abs(v - L0)).toBeLessThanOrEqual(1e-13 * L0);
    }
    expect(() => embeddingLine(model, { layer: 2, neuron: 0 })).toThrow(/'layer'/);
    expect(() => embeddingLine(model, { layer: 1, neuron: 3 })).toThrow(/'neuron'/);
  });
});

describe("hessianDirections and landscapeSlice check their own arguments (errors named paramCount, hessian, lossSlice)", () => {
  const spec = { widths: [1, 3, 1], activation: "tanh" as const };
  const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 3 }) };
  const data = randomData(5, 1, 1, 4);
  it("hessianDirections: the model and the data", () => {
    expect(() => hessianDirections({ widths: [1, 0, 1], activation: "tanh", params: new Float64Array(1) }, data)).toThrow(ShapeError);
    expect(() => hessianDirections({ widths: [1, 0, 1], activation: "tanh", params: new Float64Array(1) }, data)).toThrow(/^hessianDirections: 'widths\[1\]' must be an integer ≥ 1; found 0$/);
    expect(() => hessianDirections(model, null as never)).toThrow(/^hessianDirections: 'data' must be \{x, y\}; found null$/);
    expect(() => hessianDirections(model, { x: data.x, y: [[1, 2]] } as never)).toThrow(/^hessianDirections: 'data\.y'/);
    // plain arrays are data too, as everywhere else
    expect(hessianDirections(model, { x: Array.from(data.x.data), y: Array.from(data.y.data) } as never, { count: 1 })[0]).toEqual(hessianDirections(model, data, { count: 1 })[0]);
  });
  it("hessianDirections: a net whose Hessian eigh cannot decompose in 4 GiB (M > EIGH_MAX_ORDER) is refused before the Hessian is built", () => {
    const big = { widths: [1, 3500, 1], activation: "tanh" as const, params: new Float64Array(10501).fill(0.01) }; // M = 10 501
    expect(() => hessianDirections(big, { x: [[0.5]], y: [[0]] }, { count: 1 })).toThrow(OutOfMemoryError);
    expect(() => hessianDirections(big, { x: [[0.5]], y: [[0]] }, { count: 1 })).toThrow(
      /^hessianDirections: the Hessian \(its eigenvectors are the directions\) \(10501 × 10501\) needs 4\.1 GiB of WASM memory for its eigendecomposition \(five n × n matrices\); at most n = 10329 fit in the 4 GiB of wasm32$/,
    );
  });
  it("landscapeSlice: data, grid, seed, split and given directions, before any direction is computed", () => {
    expect(() => landscapeSlice(model, null as never)).toThrow(ValueError);
    expect(() => landscapeSlice(model, null as never)).toThrow(/^landscapeSlice: 'data' must be \{x, y\}; found null$/);
    expect(() => landscapeSlice(model, data, { points: 1 })).toThrow(/^landscapeSlice: 'points'/);
    expect(() => landscapeSlice(model, data, { range: -1 })).toThrow(/^landscapeSlice: 'range'/);
    expect(() => landscapeSlice(model, data, { range: 1e308 })).toThrow(/^landscapeSlice: 'range' is too large/);
    expect(() => landscapeSlice(model, data, { seed: Number.NaN })).toThrow(/^landscapeSlice: 'seed'/);
    expect(() => landscapeSlice(model, data, { dirs: "embedding", split: { layer: 2, neuron: 0 } })).toThrow(/^landscapeSlice: 'split\.layer' must be a hidden layer in 1\.\.1; found 2$/);
    expect(() => landscapeSlice(model, data, { dirs: "embedding", split: { layer: 1, neuron: 3 } })).toThrow(/^landscapeSlice: 'split\.neuron'/);
    expect(() => landscapeSlice(model, data, { dirs: "embedding", split: { layer: 1, neuron: 0, alfa: 2 } as never })).toThrow(/^landscapeSlice: unknown option 'split\.alfa'/);
    expect(() => landscapeSlice(model, data, { dirs: [new Float64Array(3)] })).toThrow(/^landscapeSlice: 'dirs\[0\]' must have length M = 10/);
    expect(() => landscapeSlice(model, data, { dirs: [] })).toThrow(/^landscapeSlice: 'dirs' must be/);
    const plain = landscapeSlice(model, { x: Array.from(data.x.data), y: Array.from(data.y.data) } as never, { points: 3 });
    expect(plain.grid).toEqual(landscapeSlice(model, data, { points: 3 }).grid);
  });
});

describe("the embedding line keeps the data loss, not an l2 term (the doc said the loss was constant along it)", () => {
  it("with l2 > 0 the total loss changes along the line; the data loss does not", () => {
    // Documentation test: it pins the corrected statement (it passed before the doc fix too).
    setBackend("simd");
    const spec = { widths: [2, 3, 1], activation: "tanh" as const };
    const plain: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 16 }) };
    const data = randomData(6, 2, 1, 17);
    const { model: wide, direction } = embeddingLine({ ...plain, l2: 0.1 }, { layer: 1, neuron: 1 });
    const total = lossSlice(wide, data, { directions: [direction], points: 5, range: 1 }).grid[0];
    const dataOnly = lossSlice({ ...wide, l2: 0 }, data, { directions: [direction], points: 5, range: 1 }).grid[0];
    const L0 = loss(plain, data);
    // data loss: the output is the same at every point of the line, so R is L0 up to the rounding of the sums (1e-13)
    for (const v of dataOnly) expect(Math.abs(v - L0)).toBeLessThanOrEqual(1e-13 * L0);
    // l2 term: (l2/2)‖θ + a·d‖² is a parabola in a with curvature l2·‖d‖² = 0.1 (d a unit vector), so the ends of
    // [−1, 1] differ from the centre by 0.05 ± a linear term: far above rounding
    expect(Math.max(...total) - Math.min(...total)).toBeGreaterThan(0.01);
    for (let i = 0; i < total.length; i++) {
      const a = -1 + i / 2;
      const theta = wide.params.map((v, k) => v + a * direction[k]);
      // the total is the data loss plus (l2/2)‖θ(a)‖², to rounding (relative 1e-13)
      expect(Math.abs(total[i] - (dataOnly[i] + 0.05 * theta.reduce((s, v) => s + v * v, 0)))).toBeLessThanOrEqual(1e-13 * total[i]);
    }
  });
});

describe("landscapeSlice (the CLI's shape)", () => {
  it("random, hessian, embedding and given directions", () => {
    setBackend("simd");
    const spec = { widths: [1, 5, 1], activation: "tanh" as const };
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 12 }) };
    const data = randomData(10, 1, 1, 13);
    for (const dirs of ["random", "hessian", "embedding"] as const) {
      const s = landscapeSlice(model, data, { dirs, points: 11, range: 0.5 });
      expect(s.dirs).toBe(dirs);
      expect(s.grid.length).toBe(11);
      expect(s.grid.every((row) => row.length === 11)).toBe(true);
      expect(s.axes).toHaveLength(2);
      // the centre of the grid is the (possibly widened) model itself: same loss as the model
      expect(Math.abs(s.grid[5][5] - loss(model, data))).toBeLessThanOrEqual(1e-14 * loss(model, data));
    }
    const given = landscapeSlice(model, data, { dirs: [filterNormalizedDirection(model, { seed: 1 })], points: 5 });
    expect(given.dirs).toBe("given");
    expect(given.grid).toHaveLength(1);
    expect(() => landscapeSlice(model, data, { dirs: "pca" as "random" })).toThrow(/'dirs'/);
    expect(() => lossSlice(model, data, { directions: [new Float64Array(3)] })).toThrow(/directions\[0\]/);
    expect(() => lossSlice(model, data, { directions: [] })).toThrow(/'directions'/);
    expect(() => lossSlice(model, data, { directions: [new Float64Array(16)], range: 0 })).toThrow(/'range'/);
  });

  it("a deep net (forward-per-point): random, hessian and embedding slices are centred on its loss", () => {
    setBackend("simd");
    const spec = { widths: [2, 4, 3, 1], activation: "gelu" as const, l2: 0.01 };
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1, seed: 14 }) };
    const data = randomData(8, 2, 1, 15);
    const l0 = loss(model, data);
    for (const dirs of ["random", "hessian", "embedding"] as const) {
      const s = landscapeSlice(model, data, { dirs, points: 7, range: 0.5 });
      expect(s.evaluator).toBe("forward-per-point");
      expect(s.grid.length).toBe(7);
      // the centre is θ (embedding: the widened model, whose function — hence data loss — is θ's; its l2 term is
      // not: splitting a neuron copies its incoming weights and splits its outgoing ones, ‖θ‖² changes)
      const c = s.grid[3][3];
      if (dirs !== "embedding") expect(Math.abs(c - l0)).toBeLessThanOrEqual(1e-13 * l0);
      else expect(Math.abs(c - loss(s.model, data))).toBeLessThanOrEqual(1e-13 * c);
    }
  });
});
