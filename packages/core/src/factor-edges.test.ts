import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, ValueError, init, loadWasm, matFromRows, qr, setBackend, solve, triangularSolve, type BackendName, type Mat } from "./index.js";
import { maxAbs, mul, randomMat, tr } from "./__tests__/matrices.js";

// qr, triangularSolve and solve at the ends of the f64 range: entries near 2^±1020, subnormal entries and pivots.
//
// The generated matrices are dyadic: every entry is an integer over 16 of magnitude < 2⁶, so 2ᵏ·A is exact for
// every k in [−1070, 1020] (the entries of 2ᵏ·A are integer multiples of 2⁻¹⁰⁷⁴ and below 2¹⁰²²): the scaled
// problem is exactly the unscaled one times 2ᵏ, and its exact answer is the unscaled answer (times 2ᵏ for R).
//
// Tolerances (ε = 2⁻⁵², η = 2⁻¹⁰⁷⁴ the smallest subnormal, d = max(m, n); Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed.):
//  - Householder QR (Thm 19.4) is normwise backward stable: max|A − Q̂R̂| ≤ 10·d·ε·√n·max|A| as in factor.test.ts,
//    plus 2n·η: R̂ = 2ᵏ·R₀ is rounded to the subnormal grid (|error| ≤ η/2 per entry, |q_ij| ≤ 1, n terms per entry
//    of Q̂R̂: ≤ n·η), and the test's own product Q̂·R̂ rounds each of its n subnormal products by ≤ η/2 (sums of
//    subnormals are exact). ‖Q̂ᵀQ̂ − I‖ ≤ 10·d·ε (Q̂ does not depend on k).
//  - Exactness: qr scales A by a power of two into [2⁻⁵⁰⁰, 2⁵⁰⁰] and scaling by 2ᵏ commutes with every rounding
//    that does not underflow, so Q̂(2ᵏA) = Q̂(A) and R̂(2ᵏA) = fl(2ᵏ·R̂(A)) bit for bit.
//  - Solves: each is backward stable (Thm 8.5 substitution, Thm 9.4 LU with partial pivoting), so x̂ₖ (the computed
//    solution of the 2ᵏ-scaled system, whose exact solution is that of the unscaled one) and x̂₀ are both within
//    8n·ε·κ∞·‖x‖∞ of it: ‖x̂ₖ − x̂₀‖∞ ≤ 16n·ε·κ∞·‖x̂₀‖∞ (κ∞ = ‖A‖∞‖A⁻¹‖∞ from the unscaled A; as factor.test.ts).
const EPS = 2 ** -52;
const ETA = 2 ** -1074;

/** Entries ⌊16·u⌉/16 of randomMat (u ∈ [−1, 1)), plus `diag` on the diagonal (i = j): dyadic, so exactly scalable. */
function dyadicMat(rows: number, cols: number, seed: number, diag: number): Mat {
  const a = randomMat(rows, cols, seed);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a.data[i * cols + j] = Math.round(16 * a.data[i * cols + j]) / 16 + (i === j ? diag : 0);
  return a;
}

/** 2ᵏ·A (exact for the dyadic matrices above and k ∈ [−1070, 1020]). */
function scaled(a: Mat, k: number): Mat {
  const f = 2 ** k;
  return { rows: a.rows, cols: a.cols, data: a.data.map((v) => v * f) };
}

const identity = (n: number): Mat => ({ rows: n, cols: n, data: Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)) });

/** ‖A‖∞ = max row sum of |a_ij|. */
function normInf(a: Mat): number {
  let m = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += Math.abs(a.data[i * a.cols + j]);
    m = Math.max(m, s);
  }
  return m;
}

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** Scale exponents over the whole range, with the ends and the edges of qr's and solve's [2⁻⁵⁰⁰, 2⁵⁰⁰] drawn often. */
const exponentArb = fc.oneof(fc.integer({ min: -1070, max: 1020 }), fc.constantFrom(-1070, -1060, -1022, -1000, -501, -500, 0, 499, 500, 1000, 1020));
const seedArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("qr, triangularSolve and solve at the edges of f64 on the %s backend", (backend: BackendName) => {
  beforeEach(() => setBackend(backend));

  it("qr(2ᵏ·A) = (Q, 2ᵏ·R) bit for bit, Q orthonormal, R upper with R ≥ 0 on its diagonal, ‖A − QR‖ small, k ∈ [−1070, 1020] (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 10 }), seedArb, exponentArb, (n, extra, seed, k) => {
        const m = n + extra;
        const a0 = dyadicMat(m, n, seed, 2); // diagonal in [1, 3]: full column rank
        const { q: q0, r: r0 } = qr(a0);
        const a = scaled(a0, k);
        const { q, r } = qr(a);
        expect(Array.from(q.data)).toEqual(Array.from(q0.data));
        expect(Array.from(r.data)).toEqual(Array.from(r0.data, (v) => v * 2 ** k));
        for (let i = 0; i < n; i++) {
          expect(r.data[i * n + i]).toBeGreaterThanOrEqual(0);
          for (let j = 0; j < i; j++) expect(r.data[i * n + j]).toBe(0);
        }
        const qtq = mul(tr(q), q);
        for (let i = 0; i < n; i++) qtq.data[i * n + i] -= 1;
        const d = Math.max(m, n);
        expect(maxAbs(qtq.data)).toBeLessThanOrEqual(10 * d * EPS);
        expect(maxDiff(mul(q, r).data, a.data)).toBeLessThanOrEqual(10 * d * EPS * Math.sqrt(n) * maxAbs(a.data) + 2 * n * ETA);
      }),
      { seed: 17, numRuns: 120 },
    );
  });

  it("triangularSolve(2ᵏ·T, 2ᵏ·B) = triangularSolve(T, B) to 16n·ε·κ∞, every triangle and transpose, k ∈ [−1070, 1020] (property)", () => {
    // (An implied unit diagonal does not scale with T: 2ᵏ·T with unitDiagonal is another system.)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), seedArb, exponentArb, fc.boolean(), fc.boolean(), (n, seed, k, lower, transpose) => {
        const t0 = dyadicMat(n, n, seed, 3); // diagonal in [2, 4], the rest in [−1, 1]
        const b0 = dyadicMat(n, 2, seed + 1, 0);
        const options = { lower, transpose };
        const x0 = triangularSolve(t0, b0, options);
        const x = triangularSolve(scaled(t0, k), scaled(b0, k), options);
        // κ∞ of op(T) with the triangle actually used: ‖op(T)‖∞ from its rows, ‖op(T)⁻¹‖∞ from the solve with I.
        const used = { rows: n, cols: n, data: t0.data.map((v, p) => {
          const [i, j] = [Math.floor(p / n), p % n];
          return (lower ? j <= i : j >= i) ? v : 0;
        }) };
        const opT = transpose ? tr(used) : used;
        const kappa = normInf(opT) * normInf(triangularSolve(t0, identity(n), options));
        expect(maxDiff(x.data, x0.data)).toBeLessThanOrEqual(16 * n * EPS * kappa * maxAbs(x0.data));
      }),
      { seed: 18, numRuns: 120 },
    );
  });

  it("solve(2ᵏ·A, 2ᵏ·B) = solve(A, B) to 16n·ε·κ∞, k ∈ [−1070, 1020] (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), seedArb, exponentArb, (n, seed, k) => {
        const a0 = dyadicMat(n, n, seed, 3);
        const b0 = dyadicMat(n, 2, seed + 1, 0);
        const x0 = solve(a0, b0);
        const x = solve(scaled(a0, k), scaled(b0, k));
        const kappa = normInf(a0) * normInf(solve(a0, identity(n)));
        expect(maxDiff(x.data, x0.data)).toBeLessThanOrEqual(16 * n * EPS * kappa * maxAbs(x0.data));
      }),
      { seed: 19, numRuns: 120 },
    );
  });

  it.each([1e300, 1e-300, 1e160, 1e-160, 1e-310])("qr of a matrix with entries near %s: finite, orthonormal Q, R ≥ 0 on its diagonal, Q·R = A", (s) => {
    // Not powers of two: A = fl(s·A₀), so only the backward error is checked (same bounds as the property test).
    const a0 = randomMat(9, 6, 5);
    const a = { rows: 9, cols: 6, data: a0.data.map((v) => v * s) };
    const { q, r } = qr(a);
    for (const v of [...q.data, ...r.data]) expect(Number.isFinite(v)).toBe(true);
    for (let i = 0; i < 6; i++) expect(r.data[i * 6 + i]).toBeGreaterThan(0);
    const qtq = mul(tr(q), q);
    for (let i = 0; i < 6; i++) qtq.data[i * 6 + i] -= 1;
    expect(maxAbs(qtq.data)).toBeLessThanOrEqual(10 * 9 * EPS);
    expect(maxDiff(mul(q, r).data, a.data)).toBeLessThanOrEqual(10 * 9 * EPS * Math.sqrt(6) * maxAbs(a.data) + 2 * 6 * ETA);
  });

  it.each([1e-200, 1e-300, 1e-310])("qr of a column %s times smaller than the other is accurate column by column (the column's norm neither underflows nor loses its reflection)", (s) => {
    // A = [1 0; 0 s; 0 s]: the second column's reflector has ‖x‖ = s and beta = −√2·s; R = [1 0; 0 √2·s].
    // Squaring s underflows, and 1/(alpha − beta) overflows for s = 1e-310 unless the reflector is rescaled
    // (LAPACK dlarfg). Relative to s: ≤ 8ε, plus η/s where R's entry is subnormal (s = 1e-310).
    const a = matFromRows([[1, 0], [0, s], [0, s]]);
    const { q, r } = qr(a);
    const tol = 8 * EPS * s + 2 * ETA;
    expect(maxDiff(r.data, [1, 0, 0, Math.SQRT2 * s])).toBeLessThanOrEqual(tol);
    expect(maxDiff(mul(q, r).data, a.data)).toBeLessThanOrEqual(tol);
    const qtq = mul(tr(q), q);
    expect(maxDiff(qtq.data, [1, 0, 0, 1])).toBeLessThanOrEqual(10 * 3 * EPS);
  });

  it("triangularSolve with subnormal pivots returns the representable solution (every triangle and transpose)", () => {
    // T = [1e-310 0; 1 1] (lower), b = [1e-310, 2]: x = [1, 1]; max|T| = 1, so no scaling: x₀ = 1e-310/1e-310.
    expect(Array.from(triangularSolve(matFromRows([[1e-310, 0], [1, 1]]), [1e-310, 2]))).toEqual([1, 1]);
    expect(Array.from(triangularSolve(matFromRows([[1, 1], [0, 1e-310]]), [2, 1e-310], { lower: false }))).toEqual([1, 1]);
    expect(Array.from(triangularSolve(matFromRows([[1e-310, 1], [0, 1]]), [1e-310, 2], { lower: false, transpose: true }))).toEqual([1, 1]);
    // Every entry subnormal (integers times η): T·x is exact for the integer x, and so is every step of the solve.
    const t = matFromRows([[7, 0, 0], [-3, 5, 0], [2, 1, 9]].map((row) => row.map((v) => v * ETA)));
    const x = [3, -2, 1];
    const b = Array.from(mul(t, { rows: 3, cols: 1, data: Float64Array.from(x) }).data);
    expect(Array.from(triangularSolve(t, b))).toEqual(x);
    expect(() => triangularSolve(matFromRows([[1e-300, 0], [0, 1]]), [1e300, 1])).toThrowError(/triangularSolve: the solution overflowed/);
  });

  it("triangularSolve near the top of the range: an intermediate overflow is recovered by scaling down, a graded diagonal is not scaled", () => {
    // T = 2¹⁰²⁰·[1 0; −1 1], b = 2¹⁰²⁰·[8, 8]: x = [8, 16], but unscaled b₂ − t₂₁·x₁ = 2¹⁰²³ + 2¹⁰²³ overflows.
    const big = 2 ** 1020;
    expect(Array.from(triangularSolve(matFromRows([[big, 0], [-big, big]]), [8 * big, 8 * big]))).toEqual([8, 16]);
    // diag(2¹⁰⁰⁰, 2⁻⁶⁰⁰): scaling 2⁻⁶⁰⁰ down with 2¹⁰⁰⁰ into range would flush it to 0; unscaled, x is exact.
    expect(Array.from(triangularSolve(matFromRows([[2 ** 1000, 0], [0, 2 ** -600]]), [3 * 2 ** 1000, 5 * 2 ** -600]))).toEqual([3, 5]);
  });

  it("qr of a graded matrix (columns 1e200 and 1e-200): accurate column by column through the scaling", () => {
    // A = [1e200 0; 0 1e-200; 0 1e-200]: R = diag(1e200, √2·1e-200), Householder QR being columnwise backward
    // stable; the scaling by 2⁻¹⁶⁵ (1e200 → [2⁴⁹⁹, 2⁵⁰⁰)) keeps 1e-200 normal, so exact.
    const a = matFromRows([[1e200, 0], [0, 1e-200], [0, 1e-200]]);
    const { q, r } = qr(a);
    expect(Math.abs(r.data[0] - 1e200)).toBeLessThanOrEqual(4 * EPS * 1e200);
    expect(Math.abs(r.data[3] - Math.SQRT2 * 1e-200)).toBeLessThanOrEqual(8 * EPS * 1e-200);
    const qr1 = mul(q, r);
    for (let i = 0; i < 3; i++) expect(Math.abs(qr1.data[i * 2 + 1] - a.data[i * 2 + 1])).toBeLessThanOrEqual(8 * EPS * 1e-200);
  });

  it("solve of a well-conditioned matrix with every entry subnormal, or near 1e±300: the scaled test finds it regular", () => {
    const a0 = matFromRows([[2, 1], [1, 3]]);
    const b0 = [3, 5]; // x = [0.8, 1.4]
    // [s, the relative perturbation of fl(s·a) and fl(s·b)]: ε, or η/s for subnormal s·a (2⁻¹⁰⁷⁰·{1, 2, 3, 5} are
    // exact). κ∞(A) = 2.4, so x moves by ≤ 4·κ∞·rel·‖x‖, and the solve adds 16n·ε·κ∞·‖x‖ (n = 2).
    for (const [s, rel] of [[2 ** -1070, EPS], [1e-310, ETA / 1e-310], [1e-300, EPS], [1e-160, EPS], [1e160, EPS], [1e300, EPS]]) {
      const a = { rows: 2, cols: 2, data: a0.data.map((v) => v * s) };
      const x = solve(a, b0.map((v) => v * s));
      expect(maxDiff(x, [0.8, 1.4])).toBeLessThanOrEqual((4 * 2.4 * rel + 32 * 2.4 * EPS) * 1.4);
    }
    // Singular to working precision at any scale: the pivot test is relative to max|a|.
    for (const s of [1, 1e-310, 1e300]) {
      expect(() => solve(matFromRows([[s, 2 * s], [2 * s, 4 * s]]), [1, 2])).toThrowError(/solve: argument 'a' \(2×2\) is singular to working precision/);
      expect(() => solve(matFromRows([[s, 0], [0, s * 1e-300]]), [1, 1])).toThrowError(ValueError);
    }
  });
});
