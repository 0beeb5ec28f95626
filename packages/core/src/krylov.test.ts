import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { eigh, eigvalsh, init, lanczos, MAX_PRODUCT_NORM, minres, nrm2, ritzPairs, type Mat } from "./index.js";

beforeAll(async () => {
  await init();
});

/** A = V diag(λ) Vᵀ with V a seeded orthogonal matrix (from eigh of a random symmetric matrix). */
function withSpectrum(lam: number[], seed: number): Mat {
  const n = lam.length;
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) r[i * n + j] = r[j * n + i] = rnd();
  const V = eigh({ rows: n, cols: n, data: r }).vectors.data;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += V[i * n + k] * lam[k] * V[j * n + k];
  return { rows: n, cols: n, data: a };
}
const mv = (a: Mat) => (v: Float64Array) => {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[i] += a.data[i * a.cols + j] * v[j];
  return out;
};
const residual = (a: Mat, x: Float64Array, b: Float64Array) => nrm2(Float64Array.from(mv(a)(x), (v, i) => b[i] - v));

describe("minres", () => {
  it("solves symmetric indefinite systems to rtol (‖b − Ax‖ ≤ 1e-10·(‖A‖‖x‖ + ‖b‖), checked directly)", () => {
    const lam = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.1 + i / 4));
    const a = withSpectrum(lam, 7);
    const b = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i + 1));
    const r = minres(mv(a), b, { rtol: 1e-10 });
    expect(residual(a, r.x, b)).toBeLessThanOrEqual(1e-10 * (10 * nrm2(r.x) + nrm2(b)));
    expect(Math.abs(r.residualNorm - residual(a, r.x, b))).toBeLessThanOrEqual(1e-9 * nrm2(b));
  });

  it("singular inconsistent systems: a least-squares solution (Aᵀr ≈ 0), r = the part of b outside range(A)", () => {
    const lam = Array.from({ length: 30 }, (_, i) => (i < 4 ? 0 : (i % 2 ? -1 : 1) * (1 + i)));
    const a = withSpectrum(lam, 3);
    const b = Float64Array.from({ length: 30 }, (_, i) => Math.cos(2 * i));
    const r = minres(mv(a), b, { rtol: 1e-12, maxIter: 200 });
    const res = Float64Array.from(mv(a)(r.x), (v, i) => b[i] - v);
    // ‖A r‖ relative to ‖A‖‖r‖ (‖A‖ = 30): the residual is orthogonal to the range
    expect(nrm2(mv(a)(res))).toBeLessThanOrEqual(1e-9 * 30 * nrm2(res));
    // ‖r‖ equals the norm of b's component in the kernel (from the eigenvectors)
    const { values, vectors } = eigh(a);
    let k2 = 0;
    for (let j = 0; j < 30; j++) {
      if (Math.abs(values[j]) > 1e-8) continue;
      let c = 0;
      for (let i = 0; i < 30; i++) c += vectors.data[i * 30 + j] * b[i];
      k2 += c * c;
    }
    expect(Math.abs(nrm2(res) - Math.sqrt(k2))).toBeLessThanOrEqual(1e-9);
  });

  // ‖A‖ is estimated from T's coefficients alone: with ‖b‖ counted in it (Paige & Saunders' and SciPy's tnorm2 from the
  // first step), A = 1e-10·diag(1, 2) with b = (1, 1) stopped after one step at x = 0.6·(1, 1)/1e-10 as a "least-squares
  // solution", and every scale below 1e-10 or above 1e154 (where tnorm2 overflowed) returned x = 0.
  it("is invariant under A → c·A: converges at every scale c from 1e-300 to 1e300 (fast-check), x(c·A) = x(A)/c", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -300, max: 300, noNaN: true }), (n, seed, e) => {
        // spectrum in ±[0.5, 2] (indefinite, κ ≤ 4); the same b for every scale
        const lam = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (0.5 + (1.5 * ((i * 7919 + seed) % 97)) / 96));
        const a = withSpectrum(lam, seed);
        const b = Float64Array.from({ length: n }, (_, i) => Math.cos(seed + 3 * i));
        const c = 10 ** e;
        const scaled = { rows: n, cols: n, data: a.data.map((x) => c * x) };
        const ref = minres(mv(a), b, { rtol: 1e-10 }).x;
        const r = minres(mv(scaled), b, { rtol: 1e-10 });
        // the residual test MINRES stops on, checked directly: ‖b − cAx‖ ≤ 1e-10·(‖cA‖‖x‖ + ‖b‖), with ‖cA‖ ≤ 2c·√n
        expect(residual(scaled, r.x, b)).toBeLessThanOrEqual(1e-10 * (2 * c * Math.sqrt(n) * nrm2(r.x) + nrm2(b)));
        // both solves are within κ·1e-10-ish of A⁻¹b (κ ≤ 4), so c·x agrees with the unscaled solution to 1e-8
        const diff = nrm2(Float64Array.from(r.x, (x, i) => c * x - ref[i]));
        expect(diff).toBeLessThanOrEqual(1e-8 * nrm2(ref));
      }),
      { numRuns: 200 },
    );
  });

  it("a power-of-two scale changes no bit: x(2⁻⁴⁰·A)·2⁻⁴⁰ = x(A) and the same iterations (every operation scales exactly)", () => {
    const lam = Array.from({ length: 25 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.2 + i / 5));
    const a = withSpectrum(lam, 4);
    const b = Float64Array.from({ length: 25 }, (_, i) => Math.sin(2 * i + 1));
    const c = 2 ** -40;
    const r0 = minres(mv(a), b, { rtol: 1e-12 });
    const r1 = minres(mv({ rows: 25, cols: 25, data: a.data.map((x) => c * x) }), b, { rtol: 1e-12 });
    expect(r1.iterations).toBe(r0.iterations);
    expect(Array.from(r1.x, (x) => x * c)).toEqual(Array.from(r0.x));
    expect(r1.residualNorm).toBe(r0.residualNorm);
  });

  it("a singular inconsistent system gives its least-squares solution at scales 1e-200 and 1e200 too", () => {
    const lam = Array.from({ length: 20 }, (_, i) => (i < 3 ? 0 : (i % 2 ? -1 : 1) * (1 + i)));
    const b = Float64Array.from({ length: 20 }, (_, i) => Math.cos(2 * i));
    for (const c of [1e-200, 1, 1e200]) {
      const a = withSpectrum(lam.map((l) => c * l), 3);
      const r = minres(mv(a), b, { rtol: 1e-12, maxIter: 200 });
      const res = Float64Array.from(mv(a)(r.x), (v, i) => b[i] - v);
      // ‖A r‖ ≤ 1e-9·‖A‖‖r‖ (‖A‖ = 20c): the residual is orthogonal to the range; ‖r‖ > 0 (b has a kernel part)
      expect(nrm2(mv(a)(res))).toBeLessThanOrEqual(1e-9 * 20 * c * nrm2(res));
      expect(nrm2(res)).toBeGreaterThan(0.1);
    }
  });

  it("is exact in b's scale: a tiny b (1e-299, subnormal 1e-310) gives A⁻¹b (−α/β₁ overflowed in axpy); an overflowing x is refused", () => {
    const lam = [1, 2, 3, 4];
    for (const [c, t] of [[1e10, 1e-299], [1, 1e-310], [1, 1e300]]) {
      const b = Float64Array.from(lam, (_, i) => t * (i + 1));
      const r = minres((v) => v.map((x, i) => c * lam[i] * x), b);
      for (let i = 0; i < 4; i++) {
        const exact = b[i] / (c * lam[i]);
        // MINRES's own error (rtol 1e-10 relative to ‖b‖, one step per distinct eigenvalue here: ≈ 1e-15), plus one
        // subnormal ulp where x is subnormal
        expect(Math.abs(r.x[i] - exact)).toBeLessThanOrEqual(1e-13 * Math.abs(exact) + 1e-323);
      }
    }
    expect(() => minres((v) => v.map((x) => 1e-300 * x), [1e300, 1e300])).toThrow(/^minres: the solution overflows float64/);
  });

  it("A·b = 0 (b in ker A) gives x = 0, a least-squares solution, after one product", () => {
    const r = minres((v) => new Float64Array(v.length), [1, 2, 3]);
    expect(Array.from(r.x)).toEqual([0, 0, 0]);
    expect(r.leastSquaresResidual).toBe(0);
    expect(r.residualNorm).toBeCloseTo(Math.sqrt(14), 14);
  });

  it("an operator beyond float64's range is refused by name instead of overflowing inside the recurrence", () => {
    const huge = (v: Float64Array) => v.map((x) => 1e308 * x);
    expect(() => minres(huge, [1, 1])).toThrow(/^minres: 'matvec' returned a product of norm 1e\+308, beyond float64's range/);
    expect(() => lanczos(huge, [1, 1], 2)).toThrow(/^lanczos: 'matvec' returned a product of norm 1e\+308/);
    // at the bound it runs: ‖A‖ = MAX_PRODUCT_NORM, A = ‖A‖·I
    // (α = vᵀ·A·v for the unit v = (1, 1)/√2: ‖A‖ to a few rounding errors; x = b/‖A‖ likewise)
    expect(Math.abs(lanczos((v) => v.map((x) => MAX_PRODUCT_NORM * x), [1, 1], 2).alpha[0] / MAX_PRODUCT_NORM - 1)).toBeLessThanOrEqual(4 * Number.EPSILON);
    expect(Math.abs(minres((v) => v.map((x) => MAX_PRODUCT_NORM * x), [1, 1]).x[0] * MAX_PRODUCT_NORM - 1)).toBeLessThanOrEqual(8 * Number.EPSILON);
  });

  it("b = 0 gives x = 0 in 0 iterations; maxIter bounds the products; bad input is refused by name", () => {
    const a = withSpectrum([1, 2, 3], 1);
    expect(minres(mv(a), new Float64Array(3)).iterations).toBe(0);
    let calls = 0;
    minres((v) => (calls++, mv(a)(v)), Float64Array.from([1, 2, 3]), { maxIter: 2, rtol: 0 });
    expect(calls).toBe(2);
    expect(() => minres(5 as never, [1])).toThrow(/minres: argument 'matvec'/);
    expect(() => minres(mv(a), [1, 2, Number.NaN])).toThrow(/minres: argument 'b'/);
    expect(() => minres(mv(a), [1, 2, 3], { rtol: -1 })).toThrow(/minres.*rtol/);
  });
});

describe("lanczos", () => {
  it("Ritz values lie inside the spectrum and the extreme ones converge; Ritz vectors satisfy yᵀAy = θ", () => {
    const lam = Array.from({ length: 60 }, (_, i) => (i === 0 ? -5 : -1 + (4 * i) / 59));
    const a = withSpectrum(lam, 11);
    const exact = eigvalsh(a);
    const l = lanczos(mv(a), Float64Array.from({ length: 60 }, (_, i) => 1 + Math.sin(i)), 40);
    const rp = ritzPairs(l);
    expect(rp.values[0]).toBeGreaterThanOrEqual(exact[0] - 1e-12);
    expect(rp.values[rp.values.length - 1]).toBeLessThanOrEqual(exact[59] + 1e-12);
    // 40 steps, the bottom eigenvalue −5 isolated from the rest in [−1, 3]: the smallest Ritz value to 1e-8
    expect(Math.abs(rp.values[0] - exact[0])).toBeLessThanOrEqual(1e-8);
    const y = rp.vector(0);
    expect(Math.abs(nrm2(y) - 1)).toBeLessThanOrEqual(1e-12);
    let q = 0;
    const ay = mv(a)(y);
    for (let i = 0; i < 60; i++) q += y[i] * ay[i];
    expect(Math.abs(q - rp.values[0])).toBeLessThanOrEqual(1e-12 * 5);
  });

  it("normalises a subnormal start vector without losing digits (‖q₀‖ was 1.00013, and a spurious third step)", () => {
    const mvd = (v: Float64Array) => v.map((x, i) => [1, 2, 3, 4][i] * x);
    const l = lanczos(mvd, [1e-320, 1e-320, 0, 0], 4);
    expect(l.alpha.length).toBe(2);
    expect(Math.abs(nrm2(l.basis[0]) - 1)).toBeLessThanOrEqual(2 * Number.EPSILON);
    const rp = ritzPairs(l);
    expect(Math.abs(rp.values[0] - 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(rp.values[1] - 2)).toBeLessThanOrEqual(1e-14);
    expect(() => rp.vector(2)).toThrow(/^ritzPairs.vector: 'j' must be ≤ 1; found 2/);
  });

  it("stops at an invariant subspace (A = 2I: one step)", () => {
    const a = withSpectrum([2, 2, 2, 2], 5);
    expect(lanczos(mv(a), [1, 0, 0, 0], 4).alpha.length).toBe(1);
  });
});
