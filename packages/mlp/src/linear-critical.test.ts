import { BACKENDS, eigvalsh, inertiaFromEigenvalues, init, loadWasm, matFromRows, matmul, nrm2, setBackend, ShapeError, ValueError, type BackendName, type Mat } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import fixture from "../test/fixtures/linear-critical-points.json" with { type: "json" };
import {
  createRng,
  findCriticalPoints,
  gradient,
  hessian,
  linearCriticalPoints,
  loss,
  refineCriticalPoint,
  unpackParams,
  type Dataset,
  type LinearCriticalPoint,
  type MlpSpec,
  type Model,
} from "./index.js";

// Linear networks have closed-form critical points (docs/conventions.md#linear-networks): every critical point of
// R = (1/2n)‖Y − XWᵀ‖², W = W^L⋯W¹, has W = U_I U_Iᵀ Σ_YX Σ_XX⁻¹ and R = ½(tr Σ_YY − Σ_{i∈I} λᵢ) (Baldi & Hornik 1989;
// Kawaguchi 2016). They are checked here against an independent numpy computation, against losscape's exact
// gradient and Hessian, and used as known answers for refineCriticalPoint and findCriticalPoints.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** n samples, x ~ N(0, 1), y = x·T/2 + N(0, 1) noise (seeded): Σ has distinct eigenvalues of different sizes. */
function gaussianData(dIn: number, dOut: number, n: number, seed: number, scale = { x: 1, y: 1 }): Dataset {
  const rng = createRng(seed);
  const x = new Float64Array(n * dIn).map(() => scale.x * rng.normal());
  const T = new Float64Array(dIn * dOut).map(() => rng.normal());
  const y = new Float64Array(n * dOut);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dOut; k++) {
      let s = 0;
      for (let j = 0; j < dIn; j++) s += (x[i * dIn + j] / scale.x) * T[j * dOut + k];
      y[i * dOut + k] = scale.y * (0.5 * s + rng.normal());
    }
  }
  return { x: { rows: n, cols: dIn, data: x }, y: { rows: n, cols: dOut, data: y } };
}

const linear = (widths: number[], bias: boolean): MlpSpec => ({ widths, activation: "linear", bias });

/** W = W^L⋯W¹ of a model. */
function product(model: Model): Mat {
  const layers = unpackParams(model, model.params);
  let W = layers[0].W;
  for (let l = 1; l < layers.length; l++) W = matmul(layers[l].W, W);
  return W;
}

function maxAbsDiff(a: Mat, b: Mat): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** ‖|H|·max(1, |θ|)‖₂ (componentwise): ε times this is how far ∇R moves when θ is rounded to float64 (docs/conventions.md#critical-outcomes). */
function roundingScale(H: Mat, p: Float64Array): number {
  const M = p.length;
  let s2 = 0;
  for (let i = 0; i < M; i++) {
    let r = 0;
    for (let j = 0; j < M; j++) r += Math.abs(H.data[i * M + j]) * Math.max(1, Math.abs(p[j]));
    s2 += r * r;
  }
  return Math.sqrt(s2);
}

const counts = (i: { negative: number; zero: number; positive: number }) => [i.negative, i.zero, i.positive];

/**
 * The critical set through the representative is the orbit of the hidden layers' symmetries and nothing more (so
 * the inertia is the same at every point of it) for one hidden layer (the zero count below is the set's dimension)
 * and, at any depth, when every hidden layer is exactly r wide (no unit left unused). Otherwise (depth ≥ 3 with an
 * unused unit) the representative is the most degenerate point of a larger set.
 */
function inertiaConstantOnSet(widths: number[], r: number): boolean {
  return widths.length === 3 || widths.slice(1, -1).every((m) => m === r);
}

interface FixtureCase {
  name: string;
  widths: number[];
  bias: boolean;
  x: number[][];
  y: number[][];
  eigenvalues: number[];
  points: { indices: number[]; loss: number; grad_norm: number; hessian_eigenvalues: number[] }[];
}
const fx = fixture as { cases: FixtureCase[] };

describe.each(BACKENDS)("linearCriticalPoints — backend %s", (backend: BackendName) => {
  beforeAll(() => setBackend(backend));

  it.each(fx.cases.map((c) => [c.name, c] as const))("agrees with numpy's independent computation: %s", (_name, c) => {
    setBackend(backend);
    const data: Dataset = { x: matFromRows(c.x), y: matFromRows(c.y) };
    const res = linearCriticalPoints(linear(c.widths, c.bias), data);
    // λ of Σ: both sides form Σ_YX Σ_XX⁻¹ Σ_XY from O(1) data with κ(Σ_XX) < 10 and take a symmetric eigensolver's
    // eigenvalues, backward stable to O(d·ε·‖Σ‖): 1e-13 of λ₁ leaves room for d = 3–4 and the different summation
    // orders (observed ≤ 1.1e-15; the losses below ≤ 1.7e-15).
    for (let i = 0; i < c.eigenvalues.length; i++) expect(Math.abs(res.eigenvalues[i] - c.eigenvalues[i])).toBeLessThanOrEqual(1e-13 * c.eigenvalues[0]);
    expect(res.points.length).toBe(c.points.length);
    for (const ref of c.points) {
      const pt = res.points.find((q) => q.indices.join() === ref.indices.join())!;
      expect(pt).toBeDefined();
      expect(Math.abs(pt.loss - ref.loss)).toBeLessThanOrEqual(1e-13 * ref.loss);
      // Hessian spectra at the two representatives (balanced factorisations, equal up to orthogonal maps of the
      // hidden layers, which leave the spectrum unchanged). Entries of H are O(1) sums of n ≈ 20 products, so each
      // eigenvalue carries O(n·ε·‖H‖) ≈ 1e-14 of rounding on either side: 1e-13·max(1, ‖H‖) (observed ≤ 2.1e-15).
      const lam = eigvalsh(hessian(pt.model, data));
      const scale = Math.max(1, ...ref.hessian_eigenvalues.map(Math.abs));
      expect(lam.length).toBe(ref.hessian_eigenvalues.length);
      for (let i = 0; i < lam.length; i++) expect(Math.abs(lam[i] - ref.hessian_eigenvalues[i])).toBeLessThanOrEqual(1e-13 * scale);
      // the closed-form inertia against numpy's spectrum (losscape's Hessian plays no part here)
      expect(counts(inertiaFromEigenvalues(ref.hessian_eigenvalues))).toEqual(counts(pt.inertia));
    }
  });

  const shapes: { widths: number[]; bias: boolean; n: number; scale?: { x: number; y: number } }[] = [
    { widths: [3, 2, 3], bias: false, n: 20 },
    { widths: [3, 2, 3], bias: true, n: 20 },
    { widths: [4, 2, 3], bias: false, n: 20 },
    { widths: [3, 3, 3], bias: false, n: 20 },
    { widths: [5, 3, 4], bias: true, n: 30 },
    { widths: [3, 2, 2, 3], bias: false, n: 20 },
    { widths: [3, 2, 2, 3], bias: true, n: 20 },
    { widths: [3, 3, 2, 3], bias: false, n: 20 },
    { widths: [4, 3, 2, 2, 3], bias: false, n: 25 },
    { widths: [3, 2, 3], bias: true, n: 20, scale: { x: 1e3, y: 1e-2 } },
  ];

  it.each(shapes.map((s) => [`${JSON.stringify(s.widths)}${s.bias ? " bias" : ""}${s.scale ? " scaled" : ""}`, s] as const))(
    "%s: ‖∇R‖ at rounding level, loss, exact Hessian inertia, type",
    (_name, s) => {
      setBackend(backend);
      const { widths, bias } = s;
      const data = gaussianData(widths[0], widths[widths.length - 1], s.n, widths.length * 100 + widths[0] + (bias ? 1 : 0), s.scale);
      const res = linearCriticalPoints(linear(widths, bias), data);
      const dIn = widths[0];
      const dOut = widths[widths.length - 1];
      const L = widths.length - 1;
      const p = Math.min(...widths.slice(1, -1));
      const rMax = Math.min(p, dOut);
      expect(res.bottleneck).toBe(p);
      let expected = 0;
      for (let r = 0, b = 1; r <= rMax; r++, b = (b * (dOut - r + 1)) / r) expected += b; // Σ_r C(d_out, r)
      expect(res.points.length).toBe(expected);
      for (let i = 1; i < res.points.length; i++) expect(res.points[i].loss).toBeGreaterThanOrEqual(res.points[i - 1].loss);
      const hidden = widths.slice(1, -1).reduce((a, b) => a + b, 0);
      for (const pt of res.points) {
        const r = pt.rank;
        const H = hessian(pt.model, data);
        // ‖∇R‖: the representative is exact up to the O(κ(Σ_XX)·ε) relative error of the solve and the two
        // eigendecompositions that build it, and ∇R moves by ε·|H|·|θ| when θ is rounded alone: 16·ε times that
        // scale (≈ 1e-14 for these O(1) data; it follows the data's scale in the scaled case) is rounding level.
        // Observed ≤ 1.3·ε·scale on every backend (the gradient is exactly 0 at θ = 0, where H = 0 for depth ≥ 3).
        expect(nrm2(gradient(pt.model, data))).toBeLessThanOrEqual(16 * Number.EPSILON * roundingScale(H, pt.model.params));
        // R: the closed form subtracts Σλᵢ from tr Σ_YY (both O(R) here, no cancellation): 1e-13 relative (observed ≤ 2.3e-15).
        expect(Math.abs(loss(pt.model, data) - pt.loss)).toBeLessThanOrEqual(1e-13 * pt.loss);
        const got = inertiaFromEigenvalues(eigvalsh(H));
        expect(counts(got)).toEqual(counts(pt.inertia));
        if (pt.kind === "global-minimum") {
          expect(pt.indices).toEqual(Array.from({ length: rMax }, (_, k) => k));
          expect(got.negative).toBe(0);
        } else if (L === 2) {
          expect(got.negative).toBeGreaterThanOrEqual(1); // Baldi & Hornik: every other critical point is a strict saddle
        }
        if (L === 2) {
          // zero eigenvalues = dimension of the critical set through the point: r² + (p − r)(d_in − d_out + 2r)
          // (= p², GL(p) acting on the hidden layer, at full rank r = p; the hidden biases add one flat direction
          // each, compensated through the output bias).
          expect(got.zero).toBe(r * r + (p - r) * (dIn - dOut + 2 * r) + (bias ? hidden : 0));
        } else if (r === p && widths.slice(1, -1).every((m) => m === p)) {
          // no unused unit: the critical set is the orbit of GL(m₁) × … × GL(m_{L−1}), dimension Σ mₗ²
          expect(got.zero).toBe(widths.slice(1, -1).reduce((a, m) => a + m * m, 0) + (bias ? hidden : 0));
        }
      }
      expect(res.points.filter((q) => q.kind === "global-minimum").length).toBe(1);
      expect(res.points[0].kind).toBe("global-minimum");
    },
  );

  it("depth ≥ 3: I = {1, …, r}, r < p, are saddles without a negative eigenvalue (Kawaguchi 2016), and R falls along t³", () => {
    setBackend(backend);
    for (const widths of [
      [3, 2, 2, 3],
      [4, 3, 2, 2, 3],
    ]) {
      const L = widths.length - 1;
      const data = gaussianData(widths[0], widths[widths.length - 1], 20, 7);
      const res = linearCriticalPoints(linear(widths, false), data);
      const p = Math.min(...widths.slice(1, -1));
      const degenerate = res.points.filter((q) => q.rank < p && q.indices.every((i, k) => i === k));
      expect(degenerate.map((q) => q.rank).sort()).toEqual(Array.from({ length: p }, (_, r) => r)); // r = 0 … p − 1 (r = 0 is θ = 0)
      for (const pt of degenerate) {
        const ev = eigvalsh(hessian(pt.model, data));
        const got = inertiaFromEigenvalues(ev);
        expect(got.negative).toBe(0);
        expect(got.zero).toBeGreaterThan(0);
        // Not a minimum: switching on the unused unit r of every hidden layer towards u_{r+1} lowers R at order t^L.
        const d = escapeDirection(pt, data, widths);
        const t = 0.05;
        const moved = loss({ ...pt.model, params: Float64Array.from(pt.model.params, (v, i) => v + t * d[i]) }, data);
        const drop = pt.loss - moved;
        expect(drop).toBeGreaterThan(0);
        // drop ≈ 1e-4·λ ≈ 1e-5 from two losses O(1), each rounded to ≈ 1e-16: 1e-9 relative
        const predicted = res.eigenvalues[pt.rank] * (t ** L - t ** (2 * L) / 2);
        expect(Math.abs(drop - predicted)).toBeLessThanOrEqual(1e-9 * predicted);
      }
    }
  });

  it("every critical point found by refinement from perturbations of a closed-form point is that point's critical set", () => {
    setBackend(backend);
    const radii = [1e-6, 1e-4, 1e-2, 3e-2];
    for (const { widths, bias } of [
      { widths: [3, 2, 3], bias: false },
      { widths: [3, 2, 3], bias: true },
      { widths: [3, 2, 2, 3], bias: false },
    ]) {
      const data = gaussianData(widths[0], widths[widths.length - 1], 20, 3);
      const res = linearCriticalPoints(linear(widths, bias), data);
      for (const pt of res.points) {
        const W = product(pt.model);
        for (const method of ["newton", "gradnorm"] as const) {
          for (const radius of radii) {
            for (const seed of [1, 2]) {
              const rng = createRng(100 * seed + radii.indexOf(radius));
              const start = Float64Array.from(pt.model.params, (v) => v + radius * rng.normal());
              const r = refineCriticalPoint({ ...pt.model, params: start }, data, { method });
              const where = `${JSON.stringify(widths)}${bias ? " bias" : ""} I = {${pt.indices}} ${method} radius ${radius} seed ${seed}`;
              expect(r.outcome, where).toBe("critical");
              expect(Math.abs(r.loss - pt.loss), where).toBeLessThanOrEqual(1e-10 * pt.loss);
              // Same critical set: the product W^L⋯W¹ is U_I U_Iᵀ Σ_YX Σ_XX⁻¹ again (it names I: docs/conventions.md#linear-networks).
              // ‖∇R‖ ≤ gtol = 1e-12 over the smallest non-zero curvature (≥ 0.14 at these points) leaves W within
              // ≈ 1e-11; 1e-10 (observed ≤ 2e-15, ‖∇R‖ ≤ 1e-14, loss ≤ 1e-15 relative, ≤ 99 iterations).
              expect(maxAbsDiff(product(r.model), W), where).toBeLessThanOrEqual(1e-10);
              if (inertiaConstantOnSet(widths, pt.rank)) {
                expect(counts(r.inertia!), where).toEqual(counts(pt.inertia));
                expect(r.kind, where).toBe(pt.inertia.negative > 0 ? "saddle" : "degenerate"); // the minimum is flat along its orbit
              } else {
                // Depth ≥ 3 with an unused unit: the refined point is another point of the same set, where the unused
                // units have moved (e.g. the middle block W²[r:, r:] ≠ 0); each of their moves adds negative directions.
                // The representative is the most degenerate point of its set (counts are semicontinuous), and the
                // inv(I) negative directions of the product's own rank-r landscape exist at every point of it.
                expect(r.inertia!.negative, where).toBeGreaterThanOrEqual(pt.inertia.negative);
                expect(r.inertia!.zero, where).toBeLessThanOrEqual(pt.inertia.zero);
              }
            }
          }
        }
      }
    }
  });
});

/**
 * The escape from the degenerate saddle `pt` (I = {0, …, r − 1}; unit r of every hidden layer unused): the weights of
 * the I = {r} point (rank one, in unit 0) moved to unit r. Along θ + t·d the product is W_I + t^L·u aᵀ with u = u_{r+1},
 * a = Σ_XX⁻¹Σ_XY u, so R(t) = R − λ_{r+1}·(t^L − t^{2L}/2) exactly.
 */
function escapeDirection(pt: LinearCriticalPoint, data: Dataset, widths: number[]): Float64Array {
  const r = pt.rank;
  const L = widths.length - 1;
  const single = linearCriticalPoints(linear(widths, false), data, { maxRank: 1 }).points.find((q) => q.rank === 1 && q.indices[0] === r)!;
  const layers = unpackParams(single.model, single.model.params);
  const d = new Float64Array(pt.model.params.length);
  let off = 0;
  for (let l = 0; l < L; l++) {
    const m = widths[l + 1];
    const f = widths[l];
    const W = layers[l].W.data;
    if (l === 0) for (let j = 0; j < f; j++) d[off + r * f + j] = W[j]; // row 0 → row r
    else if (l === L - 1) for (let i = 0; i < m; i++) d[off + i * f + r] = W[i * f]; // column 0 → column r
    else d[off + r * f + r] = W[0]; // (0, 0) → (r, r)
    off += m * f;
  }
  return d;
}

describe("linearCriticalPoints — search and errors", () => {
  beforeAll(() => setBackend("simd"));

  it.each([
    ["[3, 2, 3]", [3, 2, 3]],
    ["[3, 2, 2, 3]", [3, 2, 2, 3]],
  ] as const)("findCriticalPoints on %s finds exactly the closed-form loss levels, each with its negative count", (_name, widths) => {
    setBackend("simd");
    const spec = linear([...widths], false);
    const data = gaussianData(widths[0], widths[widths.length - 1], 20, 3);
    const res = linearCriticalPoints(spec, data);
    // std 0.5 and 40 starts reach every level with this seed. With the defaults (std 1, 20 starts) no start reaches
    // I = {2} of [3, 2, 3] (4 negative eigenvalues), nor I = {1} and ∅ of [3, 2, 2, 3] (indices 0-based, as `indices`).
    const found = findCriticalPoints(spec, data, { starts: 40, seed: 0, std: 0.5 });
    const reached = new Set<string>();
    for (const f of found) {
      const level = res.points.filter((q) => Math.abs(q.loss - f.loss) <= 1e-10 * q.loss);
      expect(level.length, `found loss ${f.loss}`).toBe(1); // one closed-form level, and only one
      const pt = level[0];
      reached.add(pt.indices.join());
      // Negative counts only: far along a GL orbit (an unbalanced factorisation, |θ|∞ ≈ 100 is reached) the Hessian
      // is ill-conditioned (eigenvalues scale like ‖θ‖² and 1/‖θ‖²), and small positive eigenvalues fall below the
      // inertia's relative zero threshold 1e-9·max|λ| although the exact inertia is constant on the orbit.
      if (inertiaConstantOnSet([...widths], pt.rank)) expect(f.inertia.negative).toBe(pt.inertia.negative);
      else expect(f.inertia.negative).toBeGreaterThanOrEqual(pt.inertia.negative);
    }
    expect([...reached].sort()).toEqual(res.points.map((q) => q.indices.join()).sort());
  });

  it("with its defaults, findCriticalPoints finds only closed-form levels (and the minimum)", () => {
    setBackend("simd");
    for (const { widths, bias } of [
      { widths: [3, 2, 3], bias: false },
      { widths: [3, 2, 3], bias: true },
      { widths: [3, 2, 2, 3], bias: false },
    ]) {
      const spec = linear(widths, bias);
      const data = gaussianData(widths[0], widths[widths.length - 1], 20, 3);
      const res = linearCriticalPoints(spec, data);
      const found = findCriticalPoints(spec, data, { seed: 0 });
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) expect(res.points.some((q) => Math.abs(q.loss - f.loss) <= 1e-10 * q.loss), `found loss ${f.loss}`).toBe(true);
      expect(Math.abs(found[0].loss - res.points[0].loss)).toBeLessThanOrEqual(1e-10 * res.points[0].loss);
    }
  });

  it("maxRank limits the index sets; maxPoints refuses a long enumeration", () => {
    const data = gaussianData(6, 5, 30, 1);
    const spec = linear([6, 5, 5], false);
    expect(linearCriticalPoints(spec, data).points.length).toBe(32); // every subset of 5 eigenvalues
    const low = linearCriticalPoints(spec, data, { maxRank: 1 });
    expect(low.points.length).toBe(6);
    expect(low.points.every((q) => q.kind === "saddle")).toBe(true); // the minimum has rank 5
    expect(() => linearCriticalPoints(spec, data, { maxPoints: 20 })).toThrow(ValueError);
    expect(() => linearCriticalPoints(spec, data, { maxPoints: 20 })).toThrow(
      /linearCriticalPoints: 'maxPoints' must be ≥ the number of index sets, 32 \(ranks 0…5 of d_out = 5\); found 20/,
    );
    expect(() => linearCriticalPoints(spec, data, { maxRank: 6 })).toThrow(/linearCriticalPoints: 'maxRank' must be ≤ 5; found 6/);
    expect(() => linearCriticalPoints(spec, data, { maxRank: 1.5 })).toThrow(/'maxRank' must be an integer/);
    expect(() => linearCriticalPoints(spec, data, { tol: -1 })).toThrow(/'tol' must be ≥ 0/);
  });

  it("refuses what the closed form does not cover, naming the argument", () => {
    const data = gaussianData(3, 3, 20, 1);
    const f = (spec: object, d: Dataset = data) => () => linearCriticalPoints(spec as MlpSpec, d);
    expect(f({ widths: [3, 2, 3], activation: "tanh" })).toThrow(ValueError);
    expect(f({ widths: [3, 2, 3], activation: "tanh" })).toThrow(/linearCriticalPoints: 'activation' must be 'linear' .*; found "tanh"/);
    expect(f({ widths: [3, 2, 2, 3], activation: ["linear", "relu"] })).toThrow(/'activation\[1\]' must be 'linear' .*; found "relu"/);
    expect(f({ widths: [3, 2, 3], activation: "linear", output: "tanh" })).toThrow(/'output' must be 'linear' .*; found "tanh"/);
    expect(f({ widths: [3, 2, 3], activation: "linear", loss: "cross-entropy" })).toThrow(/'loss' must be 'mse'/);
    expect(f({ widths: [3, 2, 3], activation: "linear", l2: 0.1 })).toThrow(/'l2' must be 0 .*; found 0.1/);
    expect(f({ widths: [3, 3], activation: "linear" })).toThrow(ShapeError);
    expect(f({ widths: [3, 3], activation: "linear" })).toThrow(/'widths' must have a hidden layer .*; found \[3, 3\]/);
    // d_out > d_in: Σ has rank ≤ d_in, a zero eigenvalue
    expect(f({ widths: [2, 2, 3], activation: "linear" }, gaussianData(2, 3, 20, 1))).toThrow(/'data' must give Σ = Σ_YX Σ_XX⁻¹ Σ_XY positive, distinct eigenvalues/);
    // n = 3 ≤ d_in = 3 with biases: the centred inputs span 2 dimensions
    expect(f({ widths: [3, 2, 3], activation: "linear" }, gaussianData(3, 3, 3, 1))).toThrow(/'data.x' must have an invertible covariance Σ_XX .*centred/);
    // Σ_XX = I/2 and Y = X: Σ = I/2, one eigenvalue three times
    const x = matFromRows([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [-1, 0, 0],
      [0, -1, 0],
      [0, 0, -1],
    ]);
    expect(f({ widths: [3, 2, 3], activation: "linear", bias: false }, { x, y: x })).toThrow(/distinct eigenvalues .*found λ = \[0.3333/);
  });
});
