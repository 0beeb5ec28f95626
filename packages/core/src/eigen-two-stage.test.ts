import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { eigvalsh, init, kernels, loadWasm, mat, setBackend } from "./index.js";
import { maxAbs } from "./__tests__/matrices.js";

// The two-stage tridiagonalisation (kernel dsytrdBand: dense to a band of width 32 by GEMMs, then band to tridiagonal
// by Householder bulge chasing) that eigvalsh uses for 2048 ≤ n ≤ 22000, against the one-stage dsytrdLower, whose
// eigenvalues eigen.test.ts checks against mpmath, numpy and exact spectra. Both are orthogonal similarity
// transformations computed in float64, so their tridiagonals have the same eigenvalues up to backward errors of
// O(n·ε·‖A‖) each (Golub & Van Loan §8.3; for Householder products in practice well below n·ε·‖A‖). The tolerance
// n·ε·max|λ| below is that bound; the measured differences were ≤ 0.34·n·ε·max|λ| for n = 2 … 2100.

const EPS = Number.EPSILON;

/** A symmetric n×n matrix (its own column-major layout) whose entries more than bw off the diagonal are zero. */
function symmetric(n: number, seed: number, bw = n, scale = 1): Float64Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = Math.abs(i - j) <= bw ? scale * rnd() : 0;
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

/** The tridiagonal (d, e) of the one-stage and of the two-stage reduction of a (not modified). */
function reductions(n: number, a: Float64Array): { one: { d: Float64Array; e: Float64Array }; two: { d: Float64Array; e: Float64Array } } {
  const one = kernels.dsytrdLower("test", { n, a: a.slice() });
  const two = kernels.dsytrdBand("test", { n, a: a.slice() });
  return { one: { d: one.d, e: one.e }, two: { d: two.d, e: two.e } };
}

/** Eigenvalues of the tridiagonal (d, e), ascending (dsterfQL). */
function tridiagonalEigenvalues(n: number, d: Float64Array, e: Float64Array): Float64Array {
  const r = kernels.dsterfQL("test", { n, d: d.slice(), e: e.slice() });
  expect(r.result).toBe(0);
  return Float64Array.from(r.d).sort();
}


/**
 * The two-stage reduction of a against the one-stage one: the same eigenvalues within n·ε·max|λ|, e[n−1] = 0, and the
 * invariants of an orthogonal similarity, trace(T) = trace(A) and ‖T‖_F = ‖A‖_F, within n·ε·‖A‖_F (each entry of T
 * is a sum over the entries of A, as is the trace).
 */
function expectSameSpectrum(n: number, a: Float64Array, label: string): void {
  const { one, two } = reductions(n, a);
  const l1 = tridiagonalEigenvalues(n, one.d, one.e);
  const l2 = tridiagonalEigenvalues(n, two.d, two.e);
  const scale = maxAbs(l1);
  let diff = 0;
  for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(l1[i] - l2[i]));
  expect(diff, `${label}: max|Δλ| against max|λ| = ${scale}`).toBeLessThanOrEqual(n * EPS * scale);
  expect(two.e[n - 1]).toBe(0);
  let trace = 0;
  let fro2 = 0;
  for (let i = 0; i < n * n; i++) fro2 += a[i] * a[i];
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  let traceT = 0;
  let fro2T = 0;
  for (let i = 0; i < n; i++) {
    traceT += two.d[i];
    fro2T += two.d[i] ** 2 + 2 * two.e[i] ** 2;
  }
  const fro = Math.sqrt(fro2);
  expect(Math.abs(traceT - trace), `${label}: trace`).toBeLessThanOrEqual(n * EPS * fro);
  expect(Math.abs(Math.sqrt(fro2T) - fro), `${label}: Frobenius norm`).toBeLessThanOrEqual(n * EPS * fro);
}

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("dsytrdBand, the two-stage tridiagonalisation, on the %s build", (build) => {
  beforeAll(() => setBackend(build));

  it("has the one-stage reduction's eigenvalues within n·ε·max|λ| (n = 1 … 250: around the band's width 32 and the panels' edges)", () => {
    // n ≤ 33: one band holds A, only the bulge chasing runs; n = 34: one panel with 2 rows below the band (the last
    // panel, narrower than the band: its other columns take the panel's reflectors too); 64, 65, 66, 96, 97: panels
    // ending on and off the band's width
    for (const n of [1, 2, 3, 4, 31, 32, 33, 34, 35, 40, 63, 64, 65, 66, 96, 97, 100, 129, 250]) {
      expectSameSpectrum(n, symmetric(n, 1000 + n), `n = ${n}`);
    }
  });

  it("property: banded, scaled and block-structured inputs (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 140 }),
        fc.integer({ min: 0, max: 140 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.constantFrom(1, 2 ** -300, 2 ** 300, 1e-8),
        fc.integer({ min: 0, max: 140 }),
        (n, bw, seed, scale, zeroFrom) => {
          const a = symmetric(n, seed, bw, scale);
          // rows and columns from zeroFrom on are zero: reflectors with zero tails (τ = 0) in both stages
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i >= zeroFrom || j >= zeroFrom) a[i * n + j] = 0;
          expectSameSpectrum(n, a, `n = ${n}, bandwidth ${bw}, seed ${seed}, scale ${scale}, zero from ${zeroFrom}`);
        },
      ),
      { numRuns: 60, seed: 20261208 },
    );
  });

  it("leaves a diagonal matrix, and a tridiagonal one, as it found them: every reflector is the identity", () => {
    for (const n of [5, 40, 100]) {
      const diag = symmetric(n, 7, 0);
      const t = kernels.dsytrdBand("test", { n, a: diag });
      expect(Array.from(t.d)).toEqual(Array.from({ length: n }, (_, i) => diag[i * n + i]));
      expect(Array.from(t.e)).toEqual(new Array(n).fill(0));
      const tri = symmetric(n, 8, 1);
      const u = kernels.dsytrdBand("test", { n, a: tri });
      expect(Array.from(u.d)).toEqual(Array.from({ length: n }, (_, i) => tri[i * n + i]));
      expect(Array.from(u.e)).toEqual(Array.from({ length: n }, (_, i) => (i + 1 < n ? tri[(i + 1) * n + i] : 0)));
    }
    const zero = kernels.dsytrdBand("test", { n: 70, a: new Float64Array(70 * 70) });
    expect(maxAbs(zero.d) + maxAbs(zero.e)).toBe(0);
  });

  it("degenerate spectra: u·uᵀ (one nonzero eigenvalue ‖u‖², n − 1 zeros) and I + u·uᵀ (1 repeated n − 1 times)", () => {
    const n = 120;
    const u = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const uu = u.reduce((s, x) => s + x * x, 0);
    for (const shift of [0, 1]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = u[i] * u[j] + (i === j ? shift : 0);
      const two = kernels.dsytrdBand("test", { n, a });
      const l = tridiagonalEigenvalues(n, two.d, two.e);
      const tol = n * EPS * (uu + shift);
      for (let i = 0; i < n - 1; i++) expect(Math.abs(l[i] - shift), `λ${i}, shift ${shift}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(l[n - 1] - (uu + shift))).toBeLessThanOrEqual(tol);
    }
  });
});

describe("eigvalsh picks its reduction by the order n", () => {
  // The choice is made in TypeScript, the same for both builds; each build's kernels are checked above.
  it("n = 2047: exactly dsytrdLower then dsterfQL; n = 2048: exactly dsytrdBand then dsterfQL, within n·ε·max|λ| of the former", () => {
    setBackend("simd");
    for (const n of [2047, 2048]) {
      // entries in [−1, 1): eigvalsh leaves them unscaled, so its kernels see this very matrix
      const a = symmetric(n, 77);
      const values = Array.from(eigvalsh(mat(n, n, a)));
      const one = kernels.dsytrdLower("test", { n, a: a.slice() });
      const viaOne = tridiagonalEigenvalues(n, one.d, one.e);
      if (n < 2048) {
        expect(values, `n = ${n}`).toEqual(Array.from(viaOne));
        continue;
      }
      const two = kernels.dsytrdBand("test", { n, a: a.slice() });
      const viaTwo = tridiagonalEigenvalues(n, two.d, two.e);
      expect(values, `n = ${n}`).toEqual(Array.from(viaTwo));
      let diff = 0;
      for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(viaOne[i] - viaTwo[i]));
      expect(diff, `n = ${n}`).toBeLessThanOrEqual(n * EPS * maxAbs(viaOne));
    }
  }, 120_000);
});
