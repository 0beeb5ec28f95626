import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BACKENDS,
  eigh,
  eigvalsh,
  ShapeError,
  ValueError,
  init,
  kernels,
  loadWasm,
  matFromRows,
  nullspace,
  rank,
  rankDetails,
  setBackend,
  svd,
  type BackendName,
  type Mat,
} from "./index.js";
import { maxAbs, mul, randomMat, tr } from "./__tests__/matrices.js";

// Tolerances. ε = 2⁻⁵². A backward-stable SVD returns the exact SVD of A + E with ‖E‖₂ ≤ p(m, n)·ε·‖A‖₂
// (Golub & Van Loan §8.6; for Householder QR + one-sided Jacobi p grows about linearly in the dimensions,
// Drmač & Veselić 2008). So:
//  - reconstruction: max|A − U·Σ·Vᵀ| ≤ 10·max(m, n)·ε·σ_max;
//  - orthogonality: max|UᵀU − I|, max|VᵀV − I| ≤ 10·max(m, n)·ε (Jacobi stops at |cos∠| ≤ √n·ε, and the QR
//    factor Q is orthogonal to a few n·ε);
//  - singular values vs a reference (Weyl: |σ̂ᵢ − σᵢ| ≤ ‖E‖₂): |σ̂ᵢ − σᵢ| ≤ 10·max(m, n)·ε·σ_max.
// The factor 10 covers the constant of p(m, n); measured errors are 0.1–0.5 of max(m, n)·ε·σ_max.
// For graded matrices A = B·D (or D·B) the WASM Jacobi SVD is accurate relative to each σ: the error is about
// p(n)·ε·κ(B) with κ(B) ≤ 100 here, so |σ̂ᵢ − σᵢ| ≤ 1e-12·σᵢ (Demmel & Veselić, SIMAX 13 (1992); Drmač 2008).
const EPS = 2 ** -52;
const GRADED_REL_TOL = 1e-12;

interface SvdCase {
  name: string;
  kind: "general" | "graded" | "rank" | "jacobian";
  rows: number;
  cols: number;
  data: number[];
  singularValues: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../test/fixtures/svd-reference.json", import.meta.url), "utf8"),
) as { cases: SvdCase[] };

/** max |XᵀX − I| over the columns of X. */
function orthoErr(x: Mat): number {
  const g = mul(tr(x), x);
  let e = 0;
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) e = Math.max(e, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
  return e;
}

/** max |A − U·diag(s)·Vᵀ|. */
function reconErr(a: Mat, u: Mat, s: Float64Array, vt: Mat): number {
  const k = s.length;
  let e = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      let t = 0;
      for (let p = 0; p < k; p++) t += u.data[i * k + p] * s[p] * vt.data[p * a.cols + j];
      e = Math.max(e, Math.abs(t - a.data[i * a.cols + j]));
    }
  }
  return e;
}

/** A = D₁·B·D₂ (m×n): B random (seed), D₁ and D₂ diagonal with entries 10^(decades·u), u uniform in [−1, 1). */
function gradedMat(m: number, n: number, seed: number, decades: number): Mat {
  const a = randomMat(m, n, seed);
  const d1 = randomMat(m, 1, seed + 1).data.map((x) => 10 ** (decades * x));
  const d2 = randomMat(n, 1, seed + 2).data.map((x) => 10 ** (decades * x));
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a.data[i * n + j] *= d1[i] * d2[j];
  return a;
}

/**
 * 180×120: columns 40… are columns 0… plus (1 + j/120)·1e-9·noise, so their norms left after their twins' steps are
 * ≈ 1e-9 of the columns', all different: the pivoted QR's partial norms must be recomputed there.
 */
function nearDuplicateColumns(): Mat {
  const m = 180;
  const n = 120;
  const b = randomMat(m, 40, 11);
  const e = randomMat(m, n, 12);
  const a: Mat = { rows: m, cols: n, data: new Float64Array(m * n) };
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) a.data[i * n + j] = b.data[i * 40 + (j % 40)] + (j < 40 ? 0 : 1e-9 * (1 + j / n) * e.data[i * n + j]);
  }
  return a;
}

/**
 * ml-matrix's SVD (Golub–Kahan–Reinsch, an algorithm independent of the backends' Jacobi), as `svd` returns it: thin,
 * with each row of Vᵀ's largest-magnitude component positive (the first such on ties).
 */
function mlSvd(a: Mat): { u: Mat; s: Float64Array; vt: Mat } {
  const { rows: m, cols: n } = a;
  const k = Math.min(m, n);
  const r = new SingularValueDecomposition(new Matrix(Array.from({ length: m }, (_, i) => Array.from(a.data.subarray(i * n, (i + 1) * n)))), { autoTranspose: true });
  const U = r.leftSingularVectors;
  const V = r.rightSingularVectors;
  const u = new Float64Array(m * k);
  const vt = new Float64Array(k * n);
  for (let j = 0; j < k; j++) {
    let at = 0;
    for (let i = 1; i < n; i++) if (Math.abs(V.get(i, j)) > Math.abs(V.get(at, j))) at = i;
    const sign = V.get(at, j) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vt[j * n + i] = sign * V.get(i, j);
    for (let i = 0; i < m; i++) u[i * k + j] = sign * U.get(i, j);
  }
  return { u: { rows: m, cols: k, data: u }, s: Float64Array.from(r.diagonal.slice(0, k)), vt: { rows: k, cols: n, data: vt } };
}

const shapeArb = fc.record({
  m: fc.integer({ min: 1, max: 14 }),
  n: fc.integer({ min: 1, max: 14 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  // Scales far from 1 exercise the power-of-two prescaling of the kernel.
  log2Scale: fc.integer({ min: -300, max: 300 }),
});

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("svd on the %s backend", (backend: BackendName) => {
  beforeEach(() => setBackend(backend));

  it("reconstructs A with orthonormal U, V and descending non-negative s (property)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, seed, log2Scale }) => {
        const a = randomMat(m, n, seed);
        const scale = 2 ** log2Scale;
        for (let i = 0; i < a.data.length; i++) a.data[i] *= scale;
        const { u, s, vt } = svd(a);
        const k = Math.min(m, n);
        expect(u.rows).toBe(m);
        expect(u.cols).toBe(k);
        expect(vt.rows).toBe(k);
        expect(vt.cols).toBe(n);
        expect(s.length).toBe(k);
        for (let i = 0; i < k; i++) {
          expect(s[i]).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        }
        const d = Math.max(m, n);
        expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * s[0]);
        expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
        expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
        // Sign rule: the largest-magnitude component of each right singular vector is positive.
        for (let j = 0; j < k; j++) {
          const row = Array.from(vt.data.subarray(j * n, (j + 1) * n));
          const big = row.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
          expect(big).toBeGreaterThan(0);
        }
      }),
      { seed: 20261124, numRuns: 60 },
    );
  });

  it("stays backward stable on structured entries: zeros, repeats, ±1 and a 2^±60 spread (property)", () => {
    const entry = fc.oneof(
      fc.constant(0),
      fc.constant(1),
      fc.constant(-1),
      fc.record({ x: fc.double({ min: -1, max: 1, noNaN: true }), e: fc.integer({ min: -60, max: 60 }) }).map(({ x, e }) => x * 2 ** e),
    );
    const matArb = fc
      .record({ m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 9 }) })
      .chain(({ m, n }) => fc.array(entry, { minLength: m * n, maxLength: m * n }).map((d) => ({ rows: m, cols: n, data: Float64Array.from(d) })));
    fc.assert(
      fc.property(matArb, fc.boolean(), (a, duplicate) => {
        // Optionally repeat the first row in the last one: an exact rank deficiency when m ≥ 2.
        if (duplicate && a.rows >= 2) a.data.copyWithin((a.rows - 1) * a.cols, 0, a.cols);
        const { u, s, vt } = svd(a);
        const d = Math.max(a.rows, a.cols);
        expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * s[0]);
        expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
        expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
        const N = nullspace(a);
        if (N.cols > 0) expect(orthoErr(N)).toBeLessThanOrEqual(10 * d * EPS);
      }),
      { seed: 31, numRuns: 120 },
    );
  });

  it("gives the same singular values with and without vectors (property)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, seed }) => {
        const a = randomMat(m, n, seed);
        const all = svd(a).s;
        const only = svd(a, { vectors: false }).s;
        // Same arithmetic on the same data (the vectors are accumulated separately): equal to a few ulps.
        for (let i = 0; i < all.length; i++) expect(Math.abs(all[i] - only[i])).toBeLessThanOrEqual(4 * EPS * all[0]);
      }),
      { seed: 7, numRuns: 30 },
    );
  });

  it("keeps U and V orthonormal for rank-deficient and zero matrices (property)", () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 4 }), ({ m, n, seed }, r) => {
        // A = X·Yᵀ with X m×r, Y n×r has rank ≤ r: its zero singular values need completed singular vectors.
        const a = r === 0 ? { rows: m, cols: n, data: new Float64Array(m * n) } : mul(randomMat(m, r, seed), tr(randomMat(n, r, seed + 1)));
        const { u, s, vt } = svd(a);
        const d = Math.max(m, n);
        const smax = Math.max(s[0], Number.MIN_VALUE);
        expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * smax);
        expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
        expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
        for (let i = r; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(10 * d * EPS * smax);
        expect(rank(a)).toBeLessThanOrEqual(r);
      }),
      { seed: 99, numRuns: 50 },
    );
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))("matches the mpmath singular values of %s", (_name, c) => {
    const a: Mat = { rows: c.rows, cols: c.cols, data: Float64Array.from(c.data) };
    const { u, s, vt } = svd(a);
    const ref = c.singularValues;
    const d = Math.max(c.rows, c.cols);
    const absTol = 10 * d * EPS * ref[0];
    for (let i = 0; i < ref.length; i++) {
      expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(absTol);
      // Relative accuracy of every σ is a property of the preconditioned Jacobi SVD (on every backend).
      if (c.kind === "graded") expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(GRADED_REL_TOL * ref[i]);
    }
    expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * Math.max(ref[0], Number.MIN_VALUE));
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
    expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
    if (c.kind === "jacobian") {
      // @losscape/manifold's use: rank with tol 1e-10 and the σ above it to 1e-8 relative. With the absolute
      // bound 10·max(m, n)·ε·σ_max ≤ 1e-12 here and σ ≥ 8e-3 above the threshold, 1e-8 relative holds with margin.
      const thr = 1e-10 * ref[0];
      const above = ref.filter((v) => v > thr);
      expect(rank(a, { tol: 1e-10 })).toBe(above.length);
      for (let i = 0; i < above.length; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(1e-8 * ref[i]);
      return;
    }
    // Rank with the default threshold max(m, n)·ε·σ_max: the references have clear gaps around it.
    const thr = d * EPS * ref[0];
    expect(rank(a)).toBe(ref.filter((v) => v > thr).length);
  });

  it("agrees with ml-matrix's Golub–Kahan–Reinsch SVD on random matrices (property)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, seed }) => {
        const a = randomMat(m, n, seed);
        const ref = mlSvd(a).s;
        const s = svd(a, { vectors: false }).s;
        // Two backward-stable SVDs: each within 10·max(m, n)·ε·σ_max of the truth.
        for (let i = 0; i < s.length; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThanOrEqual(20 * Math.max(m, n) * EPS * ref[0]);
      }),
      { seed: 11, numRuns: 40 },
    );
  });

  it("agrees with ml-matrix on the singular vectors of well-separated σ, signs included (property)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, seed }) => {
        const a = randomMat(m, n, seed);
        const ref = mlSvd(a);
        const got = svd(a);
        const k = ref.s.length;
        const d = Math.max(m, n);
        // Each SVD is exact for A + E with ‖E‖ ≤ η = 10·d·ε·σ_max. Wedin's theorem bounds the angle between a
        // computed and an exact singular vector pair by ≈ η/gap, gap = distance of σⱼ to the other σ (and to 0
        // when m ≠ n); two computations differ by at most twice that, and the vectors (unit, same sign) by
        // 2·sin(angle/2)·… ≤ 4η/gap per entry. Vectors with gap < 1000·η or whose two largest |components| are
        // within 1e-6 (the sign rule could flip on rounding) are skipped.
        const eta = 10 * d * EPS * ref.s[0];
        for (let j = 0; j < k; j++) {
          let gap = m !== n ? ref.s[j] : Infinity;
          for (let i = 0; i < k; i++) if (i !== j) gap = Math.min(gap, Math.abs(ref.s[j] - ref.s[i]));
          if (gap < 1000 * eta) continue;
          const row = Array.from(ref.vt.data.subarray(j * n, (j + 1) * n), Math.abs).sort((x, y) => y - x);
          if (row.length > 1 && row[0] - row[1] <= 1e-6) continue;
          const tol = (4 * eta) / gap;
          for (let i = 0; i < n; i++) expect(Math.abs(got.vt.data[j * n + i] - ref.vt.data[j * n + i])).toBeLessThanOrEqual(tol);
          for (let i = 0; i < m; i++) expect(Math.abs(got.u.data[i * k + j] - ref.u.data[i * k + j])).toBeLessThanOrEqual(tol);
        }
      }),
      { seed: 12, numRuns: 40 },
    );
  });

  it("keeps its relative accuracy on graded matrices: σ(D₁·B·D₂) invariant under transposition and permutations (property)", () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 1, max: 12 }), ({ m, n, seed }, decades) => {
        // A = D₁·B·D₂ with B random (κ(B) is modest for these small sizes) and D₁, D₂ spanning up to 10^±decades.
        const a = gradedMat(m, n, seed, decades);
        // Reverse the rows and the columns: a different pivot order, the same singular values.
        const p: Mat = { rows: m, cols: n, data: new Float64Array(m * n) };
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) p.data[i * n + j] = a.data[(m - 1 - i) * n + (n - 1 - j)];
        const s = svd(a, { vectors: false }).s;
        const sT = svd(tr(a), { vectors: false }).s;
        const sP = svd(p, { vectors: false }).s;
        // An SVD that is only normwise accurate would let the small σ differ by ε·σ_max/σ (up to 1e-16·1e24 here);
        // a relatively accurate one keeps them within p(n)·ε·κ(B) ≈ 1e-13 of each other. The bound below allows
        // κ(B) up to 1e3: 1e-10 relative. Cases where B itself is badly conditioned (κ(B) > 1e3) are excluded by
        // the check on the unscaled B.
        const sB = svd(randomMat(m, n, seed), { vectors: false }).s;
        if (sB[sB.length - 1] < 1e-3 * sB[0]) return;
        for (let i = 0; i < s.length; i++) {
          expect(Math.abs(sT[i] - s[i])).toBeLessThanOrEqual(1e-10 * s[i]);
          expect(Math.abs(sP[i] - s[i])).toBeLessThanOrEqual(1e-10 * s[i]);
        }
      }),
      { seed: 17, numRuns: 60 },
    );
  });

  it.each([
    [230, 200],
    [190, 420],
  ])("decomposes a %i×%i matrix (several Jacobi column blocks)", (m, n) => {
    // min(m, n)² > 32768 doubles: the block-cyclic Jacobi ordering uses more than one block of columns.
    const a = randomMat(m, n, m + n);
    const { u, s, vt } = svd(a);
    const d = Math.max(m, n);
    expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * s[0]);
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
    expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
  });

  it("computes a null space with AN ≈ 0, NᵀN = I and n − rank columns (property)", () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 5 }), ({ m, n, seed }, r) => {
        const a = r === 0 ? { rows: m, cols: n, data: new Float64Array(m * n) } : mul(randomMat(m, r, seed), tr(randomMat(n, r, seed + 1)));
        const det = rankDetails(a);
        const N = nullspace(a);
        expect(N.rows).toBe(n);
        expect(N.cols).toBe(n - det.rank);
        if (N.cols === 0) return;
        expect(orthoErr(N)).toBeLessThanOrEqual(10 * Math.max(m, n) * EPS);
        // ‖A·N‖ is at most the largest discarded σ plus rounding: ≤ threshold + 10·max(m, n)·ε·σ_max per entry.
        const an = mul(a, N);
        const smax = det.singularValues[0] ?? 0;
        expect(maxAbs(an.data)).toBeLessThanOrEqual(det.threshold + 10 * Math.max(m, n) * EPS * smax);
      }),
      { seed: 5, numRuns: 50 },
    );
  });

  it("finds the null space of a wide matrix (rows orthogonal to range(Aᵀ))", () => {
    const a = matFromRows([[1, 1, 0]]);
    const N = nullspace(a);
    expect(N.cols).toBe(2);
    // Projector onto the null space: I − aaᵀ/‖a‖² = [[½, −½, 0], [−½, ½, 0], [0, 0, 1]].
    const P = mul(N, tr(N));
    const want = [0.5, -0.5, 0, -0.5, 0.5, 0, 0, 0, 1];
    for (let i = 0; i < 9; i++) expect(Math.abs(P.data[i] - want[i])).toBeLessThanOrEqual(10 * 3 * EPS);
  });

  it("finds the null space of a wide 140×300 matrix (the full 300×300 V by blocked reflectors in WASM)", () => {
    const a = randomMat(140, 300, 7);
    const N = nullspace(a);
    expect(N.cols).toBe(160);
    // ‖A·N‖ at rounding level against ‖A‖ ≤ σ₁, and N's columns orthonormal (the header's 10·max(m, n)·ε)
    expect(maxAbs(mul(a, N).data)).toBeLessThanOrEqual(10 * 300 * EPS * svd(a, { vectors: false }).s[0]);
    expect(orthoErr(N)).toBeLessThanOrEqual(10 * 300 * EPS);
  });

  it.each([
    // [rows, exact singular values]: diagonal or 2×2 cases whose σ are known in closed form, at the edges of
    // the double range (subnormal entries, entries near the overflow threshold, a 1e200 spread).
    [[[5e-324, 0], [0, 1e-320]], [1e-320, 5e-324]],
    [[[1.7976931348623157e308, 0], [0, 1]], [1.7976931348623157e308, 1]],
    [[[1, 0], [0, 1e-200]], [1, 1e-200]],
    [[[1e308, 1e308], [1e308, -1e308]], [Math.SQRT2 * 1e308, Math.SQRT2 * 1e308]],
    [[[0, 0, -2.5]], [2.5]],
  ])("is exact to rounding at the edges of the double range: %j", (rows, want) => {
    const a = matFromRows(rows);
    const { u, s, vt } = svd(a);
    // Each σ is a norm of a scaled column: a few roundings, 4·ε relative (subnormal σ: to the nearest subnormal).
    for (let i = 0; i < want.length; i++) expect(Math.abs(s[i] - want[i])).toBeLessThanOrEqual(4 * EPS * want[i] + 5e-324);
    for (const x of [...u.data, ...vt.data]) expect(Number.isFinite(x)).toBe(true);
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * EPS);
  });

  it("reports the rank threshold and honours tol", () => {
    const a = matFromRows([[1, 0], [0, 1e-9]]);
    const det = rankDetails(a);
    expect(det.rank).toBe(2);
    expect(det.tol).toBe(2 * EPS);
    expect(det.threshold).toBe(2 * EPS);
    expect(rank(a, { tol: 1e-8 })).toBe(1);
    expect(nullspace(a, { tol: 1e-8 }).cols).toBe(1);
    expect(rank(matFromRows([[0, 0], [0, 0]]))).toBe(0);
  });

  it("rejects bad input with typed errors naming the function and the shapes", () => {
    expect(() => svd({ rows: 0, cols: 3, data: new Float64Array(0) })).toThrowError(ShapeError);
    expect(() => svd({ rows: -1, cols: 3, data: new Float64Array(0) })).toThrowError(/svd: argument 'a' must have integer dimensions ≥ 1; found -1×3/);
    expect(() => svd({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrowError(/svd: argument 'a' \(2×2\) needs data of length 4; found 3/);
    expect(() => svd(matFromRows([[1, NaN]]))).toThrowError(ValueError);
    expect(() => svd(matFromRows([[1, Infinity]]))).toThrowError(/svd: argument 'a' must be finite; found Infinity at \(0, 1\)/);
    expect(() => svd(matFromRows([[1]]), { vectors: "no" as never })).toThrowError(/svd: 'vectors' must be a boolean/);
    expect(() => rank(matFromRows([[1]]), { tol: -1 })).toThrowError(/rank: 'tol' must be ≥ 0/);
    expect(() => rankDetails(matFromRows([[NaN]]))).toThrowError(/rankDetails: argument 'a' must be finite/);
    expect(() => nullspace(matFromRows([[1]]), { tol: NaN })).toThrowError(/nullspace: 'tol' must be a finite number/);
  });
});

describe.each(BACKENDS)("svd at the edges of rank and of the float64 range (%s)", (backend: BackendName) => {
  beforeEach(() => setBackend(backend));

  /**
   * The contract of every result (tolerances as at the top of the file, d = max(m, n)): shapes, σ descending and
   * ≥ 0, max|A − U·Σ·Vᵀ| ≤ 10·d·ε·σ_max, max|UᵀU − I| and max|VᵀV − I| ≤ 10·d·ε.
   */
  function expectSvdContract(a: Mat, r: { u: Mat; s: Float64Array; vt: Mat }): void {
    const { u, s, vt } = r;
    const k = Math.min(a.rows, a.cols);
    const d = Math.max(a.rows, a.cols);
    expect([u.rows, u.cols, vt.rows, vt.cols, s.length]).toEqual([a.rows, k, k, a.cols, k]);
    for (let i = 0; i < k; i++) {
      expect(s[i]).toBeGreaterThanOrEqual(0);
      if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
    }
    expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * s[0]);
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
    expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
  }

  /** A scaled by 2^k, k ∈ [−1074, 1023], in two exact halves (2^k itself is not a double for k < −1074). */
  function scaled(a: Mat, k: number): Mat {
    const f1 = 2 ** Math.trunc(k / 2);
    const f2 = 2 ** (k - Math.trunc(k / 2));
    return { rows: a.rows, cols: a.cols, data: a.data.map((x) => x * f1 * f2) };
  }

  it("gives the σ of a block 2^-k·B beside a unit block as 2^-k·σ(B), k ∈ [450, 1000], squares underflowing (property)", () => {
    // diag(B₁, 2^-k·B₂) with the blocks' columns interleaved: its σ are σ(B₁) and 2^-k·σ(B₂), and below 2^-450 the
    // squares and products of the tiny columns' entries underflow. Each σ must be svd(B₁)'s, or 2^-k times
    // svd(B₂)'s, to the two decompositions' backward errors (10·d·ε·σ_max of the block each, the tolerance at the top
    // of the file, twice), and U and V must be orthonormal to 10·d·ε.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 450, max: 1000 }), fc.integer({ min: 1, max: 1e6 }), (n1, n2, k, seed) => {
        const b1 = randomMat(n1, n1, seed);
        const b2 = randomMat(n2, n2, seed + 1);
        const n = n1 + n2;
        const a: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
        // rows 0 … n1−1 hold B₁ in n1 columns chosen by the seed, rows n1 … n − 1 hold 2^-k·B₂ in the rest
        const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => ((x * 7919 + seed) % 101) - ((y * 7919 + seed) % 101));
        const bigCols = order.slice(0, n1).sort((x, y) => x - y);
        const tinyCols = order.slice(n1).sort((x, y) => x - y);
        for (let i = 0; i < n1; i++) for (let j = 0; j < n1; j++) a.data[i * n + bigCols[j]] = b1.data[i * n1 + j];
        const tiny = scaled(b2, -k);
        for (let i = 0; i < n2; i++) for (let j = 0; j < n2; j++) a.data[(n1 + i) * n + tinyCols[j]] = tiny.data[i * n2 + j];
        const r = svd(a);
        const s1 = svd(b1, { vectors: false }).s;
        const s2 = svd(b2, { vectors: false }).s;
        for (let i = 0; i < n1; i++) expect(Math.abs(r.s[i] - s1[i])).toBeLessThanOrEqual(20 * n * EPS * s1[0]);
        const up = scaled({ rows: 1, cols: n2, data: r.s.slice(n1) }, k).data;
        for (let i = 0; i < n2; i++) expect(Math.abs(up[i] - s2[i])).toBeLessThanOrEqual(20 * n * EPS * s2[0]);
        expect(orthoErr(r.u)).toBeLessThanOrEqual(10 * n * EPS);
        expect(orthoErr(tr(r.vt))).toBeLessThanOrEqual(10 * n * EPS);
      }),
      { seed: 4501, numRuns: 60 },
    );
  });

  it("decomposes a rank-40 73×73 matrix B·C with orthonormal U and V (ml-matrix's had zero columns at tiny scales)", () => {
    const a = mul(randomMat(73, 40, 1), randomMat(40, 73, 2));
    const r = svd(a);
    expectSvdContract(a, r);
    // The 33 zero σ come out at rounding level (≤ 10·73·ε·σ_max), the 40 others far above it (σ₄₀ ≈ 3 ≫ 1e-12),
    // so the rank is clear; the σ agree with ml-matrix's Golub–Kahan–Reinsch to twice the bound of one SVD.
    const eta = 10 * 73 * EPS * r.s[0];
    for (let i = 40; i < 73; i++) expect(r.s[i]).toBeLessThanOrEqual(eta);
    expect(r.s[39]).toBeGreaterThan(1e6 * eta);
    expect(rank(a)).toBe(40);
    const ref = mlSvd(a).s;
    for (let i = 0; i < 73; i++) expect(Math.abs(r.s[i] - ref[i])).toBeLessThanOrEqual(2 * eta);
    // At 2⁻¹⁰⁰⁰ (entries ≈ 1e-301, the small σ subnormal) nothing changes but the scale: the kernels scale A by a
    // power of two first, so U and V are the same bits and σ the same values times 2⁻¹⁰⁰⁰ (to the subnormal
    // rounding of the σ below 2⁻¹⁰²², at most 2 units of 2⁻¹⁰⁷⁴ — see the next test).
    const tiny = svd(scaled(a, -1000));
    expect(tiny.u.data).toEqual(r.u.data);
    expect(tiny.vt.data).toEqual(r.vt.data);
    for (let i = 0; i < 73; i++) expect(Math.abs(tiny.s[i] - r.s[i] * 2 ** -1000)).toBeLessThanOrEqual(2 ** -1073);
  });

  it("scales exactly: svd(2^k·A) is σ·2^k with the same U and V for k from −1070 to 1020 (property)", () => {
    // A = M/16 with M integer in [−15, 15]: 4 significant bits per entry, so 2^k·A is exact down to k = −1070
    // (entries ≥ 2⁻¹⁰⁷⁴), and σ_max ≤ ‖A‖_F ≤ 8·15/16 < 2³ keeps σ_max·2¹⁰²⁰ below the largest double. Since the
    // kernels scale the input by a power of two before anything else, both inputs become the same matrix: σ is
    // exactly σ(A)·2^k where that is a normal double, and within 2 units of 2⁻¹⁰⁷⁴ below 2⁻¹⁰²² (the final σ·2^-e
    // rounds onto the subnormal grid twice, in two halves, and the reference σ(A)·2^k once: 3 half-units).
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 8 }),
      n: fc.integer({ min: 1, max: 8 }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      k: fc.integer({ min: -1070, max: 1020 }),
      duplicate: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ m, n, seed, k, duplicate }) => {
        const a = randomMat(m, n, seed);
        for (let i = 0; i < a.data.length; i++) a.data[i] = Math.round(15 * a.data[i]) / 16;
        // Optionally the last row repeats the first: an exact rank deficiency when m ≥ 2.
        if (duplicate && m >= 2) a.data.copyWithin((m - 1) * n, 0, n);
        const base = svd(a);
        expectSvdContract(a, base);
        const r = svd(scaled(a, k));
        expect(r.u.data).toEqual(base.u.data);
        expect(r.vt.data).toEqual(base.vt.data);
        for (let i = 0; i < r.s.length; i++) {
          const want = base.s[i] * 2 ** k;
          if (want >= 2 ** -1022) expect(r.s[i]).toBe(want);
          else expect(Math.abs(r.s[i] - want)).toBeLessThanOrEqual(2 ** -1073);
        }
      }),
      { seed: 2026, numRuns: 80 },
    );
  });

  it.each([
    [5, 4, -1027],
    [4, 6, -1030],
    [12, 12, -1040],
  ])("does not flush the σ of a %i×%i matrix of subnormal entries (2^%i·uniform) to zero", (m, n, k) => {
    // Entries ≈ 1e-309 … 1e-313 (subnormal: below 2⁻¹⁰²² ≈ 2.2e-308). Scaling them up by 2⁶⁰⁰ is exact, so the
    // σ must be those of the scaled-up matrix times 2⁻⁶⁰⁰, to the subnormal rounding (2 units of 2⁻¹⁰⁷⁴ as above),
    // and U and V the same; each σ is far above that rounding (the smallest is ≈ 1e-3·σ_max ≈ 1e-316 or more).
    const a = scaled(randomMat(m, n, m * n), k);
    const big = svd(scaled(a, 600));
    expectSvdContract(scaled(a, 600), big);
    const r = svd(a);
    for (let i = 0; i < r.s.length; i++) {
      expect(r.s[i]).toBeGreaterThan(2 ** 20 * 2 ** -1074);
      expect(Math.abs(r.s[i] - big.s[i] * 2 ** -600)).toBeLessThanOrEqual(2 ** -1073);
    }
    expect(orthoErr(r.u)).toBeLessThanOrEqual(10 * Math.max(m, n) * EPS);
    expect(orthoErr(tr(r.vt))).toBeLessThanOrEqual(10 * Math.max(m, n) * EPS);
    expect(r.u.data).toEqual(big.u.data);
    expect(r.vt.data).toEqual(big.vt.data);
  });

  it.each([
    [1, 1],
    [3, 5],
    [5, 3],
    [73, 73],
  ])("decomposes the %i×%i zero matrix: σ = 0 exactly, U and V orthonormal completions", (m, n) => {
    const a: Mat = { rows: m, cols: n, data: new Float64Array(m * n) };
    const r = svd(a);
    expect(Array.from(r.s)).toEqual(new Array(Math.min(m, n)).fill(0));
    expectSvdContract(a, r);
    expect(rank(a)).toBe(0);
    expect(nullspace(a).cols).toBe(n);
  });

  it("decomposes rank-1 matrices x·yᵀ: σ₁ = ‖x‖‖y‖, u₁ = ±x/‖x‖, v₁ = ±y/‖y‖, the other σ at rounding level (property)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, seed, log2Scale }) => {
        const x = randomMat(m, 1, seed);
        const y = randomMat(n, 1, seed + 1);
        const a = mul(x, tr(y));
        for (let i = 0; i < a.data.length; i++) a.data[i] *= 2 ** log2Scale;
        const r = svd(a);
        expectSvdContract(a, r);
        const d = Math.max(m, n);
        const nx = Math.hypot(...x.data);
        const ny = Math.hypot(...y.data);
        const s1 = nx * ny * 2 ** log2Scale;
        // The rounded outer product is A + E with |E| ≤ ε|A|: σ₁ within 10·d·ε·σ₁ (the absolute bound, σ₁ = σ_max).
        expect(Math.abs(r.s[0] - s1)).toBeLessThanOrEqual(10 * d * EPS * s1);
        for (let i = 1; i < r.s.length; i++) expect(r.s[i]).toBeLessThanOrEqual(10 * d * EPS * s1);
        // Wedin: the gap to the other σ is σ₁ (also when m ≠ n), so the vectors are within 4·η/σ₁ = 40·d·ε per entry
        // (η = 10·d·ε·σ₁); the sign rule makes v₁'s largest component positive and u₁ follows.
        let at = 0;
        for (let i = 1; i < n; i++) if (Math.abs(y.data[i]) > Math.abs(y.data[at])) at = i;
        const sign = y.data[at] < 0 ? -1 : 1;
        const k = r.s.length;
        for (let i = 0; i < n; i++) expect(Math.abs(r.vt.data[i] - (sign * y.data[i]) / ny)).toBeLessThanOrEqual(40 * d * EPS);
        for (let i = 0; i < m; i++) expect(Math.abs(r.u.data[i * k] - (sign * x.data[i]) / nx)).toBeLessThanOrEqual(40 * d * EPS);
      }),
      { seed: 41, numRuns: 60 },
    );
  });
});

describe.each(["simd", "scalar"] as const)("svd WASM (%s): its memory and its two builds", (backend) => {
  it("keeps WASM memory constant over repeated calls of the same size", async () => {
    const w = await loadWasm(backend);
    setBackend(backend);
    const a = randomMat(60, 45, 3);
    const b = randomMat(45, 60, 4);
    const c = randomMat(150, 140, 5); // U and V by blocked reflectors (more than 128 columns), QR by panels
    const run = () => {
      svd(a);
      svd(b);
      svd(c);
      svd(c, { vectors: false });
      svd(a, { vectors: false });
      nullspace(b);
      rank(a);
    };
    run();
    const bytes = w.memoryBytes;
    for (let i = 0; i < 5; i++) run();
    expect(w.memoryBytes).toBe(bytes);
  });

  it("is independent of the SIMD/scalar build up to rounding (property)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, seed }) => {
        const a = randomMat(m, n, seed);
        setBackend("simd");
        const s1 = svd(a).s;
        setBackend("scalar");
        const s2 = svd(a).s;
        setBackend(backend);
        for (let i = 0; i < s1.length; i++) expect(Math.abs(s1[i] - s2[i])).toBeLessThanOrEqual(20 * Math.max(m, n) * EPS * s1[0]);
      }),
      { seed: 13, numRuns: 20 },
    );
  });
});

// Above 64 columns the WASM builds take the first QR (with column pivoting) in panels of 32 columns, the columns'
// updates deferred to one GEMM a panel (LAPACK dgeqp3); the ts backend runs the same algorithm one column at a time.
// Both are backward stable in the same sense (rows sorted, columns pivoted), so they must give the same σ to the
// bounds of the file's header, and the small σ of graded matrices the same to 1e-10 relative.
describe.each(["simd", "scalar"] as const)("svd's blocked pivoted QR on the %s build (more than 64 columns)", (backend) => {
  beforeEach(() => setBackend(backend));

  function tsValues(a: Mat): Float64Array {
    setBackend("ts");
    const s = svd(a, { vectors: false }).s;
    setBackend(backend);
    return s;
  }

  it.each([
    [65, 65],
    [140, 97],
    [400, 130],
    [230, 200],
  ])("agrees with the unblocked algorithm (ts backend) on a %i×%i matrix, and reconstructs it", (m, n) => {
    const a = randomMat(m, n, 3 * m + n);
    const { u, s, vt } = svd(a);
    const want = tsValues(a);
    const d = Math.max(m, n);
    for (let i = 0; i < n; i++) expect(Math.abs(s[i] - want[i])).toBeLessThanOrEqual(10 * d * EPS * want[0]);
    expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * d * EPS * s[0]);
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * d * EPS);
    expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * d * EPS);
  });

  it.each([
    [100, 80, 4],
    [150, 150, 8],
    [260, 120, 12],
  ])("keeps the small σ of a graded %i×%i matrix (D₁·B·D₂, 10^±%i) accurate relative to themselves", (m, n, decades) => {
    const a = gradedMat(m, n, m + 7 * n, decades);
    // κ(B) of the unscaled B bounds the relative error of every σ (≈ p(n)·ε·κ(B)); these seeds give κ(B) < 1e3.
    const sB = svd(randomMat(m, n, m + 7 * n), { vectors: false }).s;
    expect(sB[n - 1]).toBeGreaterThan(1e-3 * sB[0]);
    const s = svd(a, { vectors: false }).s;
    const want = tsValues(a);
    // σ spread over up to 10^(4·decades): an SVD accurate only in norm would miss the small ones entirely
    expect(want[n - 1]).toBeLessThan(1e-6 * want[0]);
    for (let i = 0; i < n; i++) expect(Math.abs(s[i] - want[i])).toBeLessThanOrEqual(1e-10 * want[i]);
  });

  it("recomputes the partial column norms that cancel (columns that differ by 1e-9 from earlier ones)", () => {
    // after the first 40 steps the partial norms of columns 40… have lost 18 digits to cancellation, so the
    // downdated norms are recomputed (and each panel ends at that step)
    const a = nearDuplicateColumns();
    const { rows: m, cols: n } = a;
    const { u, s, vt } = svd(a);
    const want = tsValues(a);
    for (let i = 0; i < n; i++) expect(Math.abs(s[i] - want[i])).toBeLessThanOrEqual(10 * m * EPS * want[0]);
    // 40 σ of order 1, then 80 of order 1e-9 (the noise), resolved to ≈ 1e-9 relative by a backward-stable SVD
    expect(s[39]).toBeGreaterThan(1e-3);
    expect(s[40]).toBeLessThan(1e-7);
    expect(s[n - 1]).toBeGreaterThan(1e-11);
    expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * m * EPS * s[0]);
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * m * EPS);
    expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * m * EPS);
  });

  it("handles zero and repeated columns in every panel: rank, null space and orthonormal U and V", () => {
    // 150×110 of rank 60: columns 60… repeat columns 0… (exactly), every seventh column is zero.
    const m = 150;
    const n = 110;
    const b = randomMat(m, 60, 21);
    const a: Mat = { rows: m, cols: n, data: new Float64Array(m * n) };
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a.data[i * n + j] = j % 7 === 3 ? 0 : b.data[i * 60 + (j % 60)];
    // the rank is the number of distinct non-zero columns of B that appear
    const distinct = new Set<number>();
    for (let j = 0; j < n; j++) if (j % 7 !== 3) distinct.add(j % 60);
    expect(rank(a)).toBe(distinct.size);
    const { u, s, vt } = svd(a);
    expect(reconErr(a, u, s, vt)).toBeLessThanOrEqual(10 * m * EPS * s[0]);
    expect(orthoErr(u)).toBeLessThanOrEqual(10 * m * EPS);
    expect(orthoErr(tr(vt))).toBeLessThanOrEqual(10 * m * EPS);
    const N = nullspace(a);
    expect(N.cols).toBe(n - distinct.size);
    expect(maxAbs(mul(a, N).data)).toBeLessThanOrEqual(10 * m * EPS * s[0]);
    expect(orthoErr(N)).toBeLessThanOrEqual(10 * m * EPS);
  });
});

describe.each(["simd", "scalar"] as const)("householderQr with column pivoting (svd's first step) on the %s build", (backend) => {
  beforeEach(() => setBackend(backend));

  /**
   * The kernel on X = A (m×n, passed column-major: A's columns contiguous): R (n×n), the permutation and X·P
   * rebuilt as Q·R from the reflectors (H_k = I − τ_k·v_k·v_kᵀ, v_k[k] = 1, applied last first).
   */
  function pivotedQr(a: Mat): { r: Float64Array; perm: Int32Array; qr: Float64Array } {
    const { rows: m, cols: n } = a;
    const x = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[j * m + i] = a.data[i * n + j];
    const tau = new Float64Array(n);
    const out = kernels.householderQr("test", { m, n, x, ldx: m, tau, perm: new Int32Array(n), pivot: 1 });
    const r = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r[i * n + j] = out.x[j * m + i];
    // Q·[R; 0], column by column (column-major m×n)
    const qr = new Float64Array(m * n);
    for (let j = 0; j < n; j++) {
      const c = qr.subarray(j * m, j * m + m);
      for (let i = 0; i <= j; i++) c[i] = r[i * n + j];
      for (let k = n - 1; k >= 0; k--) {
        const t = out.tau[k];
        if (t === 0) continue;
        let w = c[k];
        for (let i = k + 1; i < m; i++) w += out.x[k * m + i] * c[i];
        c[k] -= t * w;
        for (let i = k + 1; i < m; i++) c[i] -= t * w * out.x[k * m + i];
      }
    }
    return { r, perm: out.perm, qr };
  }

  /**
   * Businger–Golub's invariant: step k moved the remaining column of largest norm to k, so |r_kk| ≥ ‖R[k:j+1, j]‖ for
   * every j > k (the norm of column j's rows k… at that step, which later reflections kept). The kernel compares
   * downdated norms, recomputed when (ν/ν₀)² has fallen to √ε: their relative error stays below ≈ k·ε/10⁻⁴, ≤ 1e-9
   * here, and R's entries carry ≈ m·ε·‖A‖ of rounding, hence |r_kk| ≥ (1 − 1e-8)·‖R[k:j+1, j]‖ − 10·m·ε·‖A‖_max-col.
   * Returns the worst violation (≤ 0 when the invariant holds).
   */
  function pivotingViolation(a: Mat, r: Float64Array): number {
    const { rows: m, cols: n } = a;
    let colMax = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += a.data[i * n + j] ** 2;
      colMax = Math.max(colMax, Math.sqrt(s));
    }
    const slack = 10 * m * EPS * colMax;
    let worst = -Infinity;
    for (let k = 0; k < n; k++) {
      for (let j = k + 1; j < n; j++) {
        let s = 0;
        for (let i = k; i <= j; i++) s += r[i * n + j] ** 2;
        worst = Math.max(worst, (1 - 1e-8) * Math.sqrt(s) - slack - Math.abs(r[k * n + k]));
      }
    }
    return worst;
  }

  function check(a: Mat): { r: Float64Array; perm: Int32Array } {
    const { rows: m, cols: n } = a;
    const { r, perm, qr } = pivotedQr(a);
    expect([...perm].sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, j) => j));
    let err = 0;
    let amax = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        err = Math.max(err, Math.abs(qr[j * m + i] - a.data[i * n + perm[j]]));
        amax = Math.max(amax, Math.abs(a.data[i * n + j]));
      }
    }
    // backward stability of Householder QR: ‖X·P − Q·R‖ ≤ p(m, n)·ε·‖X‖ (Golub & Van Loan §5.2.2)
    expect(err).toBeLessThanOrEqual(10 * m * EPS * amax * Math.sqrt(n));
    expect(pivotingViolation(a, r)).toBeLessThanOrEqual(0);
    return { r, perm };
  }

  it.each([
    [40, 30],
    [180, 120],
    [300, 200],
  ])("keeps |r_kk| ≥ the remaining norm of every later column, and X·P = Q·R, on a random %i×%i matrix", (m, n) => {
    check(randomMat(m, n, 5 * m + n));
  });

  it("recomputes the partial norms that cancel: near-duplicate columns (1e-9 apart) still pivot by their true norms", () => {
    // Once a column's twin is factored, the downdate 1 − (r/ν)² ≈ 1e-18 loses every digit, and only the recomputed
    // norms (≈ 1e-9) order the last 80 steps. (Kernels that kept the downdated values, or left the panel's marked
    // norms stale, broke the invariant 2.8-fold and 9·10⁸-fold.)
    const a = nearDuplicateColumns();
    const n = a.cols;
    const { r } = check(a);
    // the 80 small steps are of order 1e-9, not rounding noise
    expect(Math.abs(r[40 * n + 40])).toBeGreaterThan(1e-10);
    expect(Math.abs(r[40 * n + 40])).toBeLessThan(1e-7);
  });

  it("puts the largest of graded columns (norms 10⁻⁸ … 10⁸) first and exactly zero columns last", () => {
    // every ninth column zero, every ninth a copy of its left neighbour, the others scaled by 10^-8 … 10^8
    const m = 160;
    const n = 100;
    const g = randomMat(m, n, 31);
    const scale = (j: number) => 10 ** (((j * 37) % 17) - 8);
    const zero = (j: number) => j % 9 === 4;
    const a: Mat = { rows: m, cols: n, data: new Float64Array(m * n) };
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        a.data[i * n + j] = zero(j) ? 0 : j % 9 === 7 ? a.data[i * n + j - 1] : g.data[i * n + j] * scale(j);
      }
    }
    const { r, perm } = check(a);
    expect(scale(perm[0] % 9 === 7 ? perm[0] - 1 : perm[0])).toBe(1e8);
    // a zero column stays exactly zero under the reflections: its norm 0 sorts it behind every other column
    const zeros = Array.from({ length: n }, (_, j) => j).filter(zero);
    expect([...perm.subarray(n - zeros.length)].sort((p, q) => p - q)).toEqual(zeros);
    for (let k = n - zeros.length; k < n; k++) for (let i = 0; i <= k; i++) expect(r[i * n + k]).toBe(0);
  });
});

describe.each(BACKENDS)("results beyond the float64 range (%s)", (backend: BackendName) => {
  beforeEach(async () => {
    await init();
    await loadWasm("scalar");
    setBackend(backend);
  });

  it("rank works at any scale (a rank-1 matrix of 1e308 entries has rank 1, it said 0); svd refuses σ > the largest double", () => {
    const big = matFromRows([[1e308, 1e308], [1e308, 1e308]]); // σ_max = 2e308
    expect(rank(big)).toBe(1);
    expect(rank(matFromRows([[1e308, 0], [0, 1e308]]))).toBe(2);
    expect(rank(matFromRows([[1e-310, 2e-310], [2e-310, 4e-310]]))).toBe(1); // subnormal entries, rank 1
    expect(() => svd(big)).toThrow(/^svd: a singular value of 'a' exceeds the float64 range/);
    expect(() => rankDetails(big)).toThrow(/^rankDetails: a singular value of 'a' exceeds the float64 range/);
    // nullspace works at any scale, as rank does (with σ_max = ∞ every σ fell under the threshold: the whole space)
    expect(nullspace(matFromRows([[1.2e308, 0], [0, 1.2e308], [1.2e308, 1.2e308]])).cols).toBe(0);
    const n1 = nullspace(big);
    expect(n1.cols).toBe(1);
    expect(Math.abs(Math.abs(n1.data[0]) - Math.SQRT1_2)).toBeLessThanOrEqual(4 * Number.EPSILON);
    expect(n1.data[0] + n1.data[1]).toBeCloseTo(0, 15);
    // fast-check: rank of an exact rank-1 outer product is 1 at every scale 2^e, e in [-1000, 1000]
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (e) => {
        const s = 2 ** e;
        expect(rank(matFromRows([[s, 2 * s, 0.5 * s], [2 * s, 4 * s, s]]))).toBe(1);
      }),
      { numRuns: 30, seed: 7 },
    );
  });

  it("eigh and eigvalsh refuse eigenvalues beyond the largest double (they returned Infinity)", () => {
    const a = matFromRows([[1.7e308, 1e308], [1e308, 1.7e308]]); // λ = 2.7e308 and 0.7e308
    expect(() => eigvalsh(a)).toThrow(/^eigvalsh: an eigenvalue of 'a' exceeds the float64 range/);
    expect(() => eigh(a)).toThrow(/^eigh: an eigenvalue of 'a' exceeds the float64 range/);
    // just inside the range: computed, finite
    const b = matFromRows([[0.8e308, 0.1e308], [0.1e308, 0.8e308]]);
    const v = eigvalsh(b);
    expect(v[1]).toBeCloseTo(0.9e308, -300);
  });
});
