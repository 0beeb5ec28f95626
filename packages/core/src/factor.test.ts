import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BACKENDS,
  ShapeError,
  ValueError,
  cholesky,
  init,
  loadWasm,
  lu,
  matFromRows,
  qr,
  setBackend,
  solve,
  svd,
  triangularSolve,
  type BackendName,
  type Mat,
} from "./index.js";
import { maxAbs, mul, randomMat, tr } from "./__tests__/matrices.js";

// Tolerances (ε = 2⁻⁵², n the dimension; Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.):
//  - Cholesky is backward stable: L̂·L̂ᵀ = A + E, |E| ≤ γ_{n+1}·|L̂||L̂ᵀ| (Thm 10.3) ⇒ max|L̂L̂ᵀ − A| ≤ 4n·ε·max_i a_ii
//    (|L̂||L̂ᵀ|_ij ≤ √(a_ii a_jj) by Cauchy–Schwarz).
//  - LU with partial pivoting: L̂Û = PA + E, |E| ≤ γ_n·|L̂||Û| (Thm 9.3) ⇒ max|L̂Û − PA| ≤ 4n·ε·max(|L̂||Û|).
//  - Householder QR: ‖Q̂ᵀQ̂ − I‖ and ‖Q̂R̂ − A‖/‖A‖ are O(mn·ε) (Thm 19.4) ⇒ 10·max(m, n)·ε with max|a| scaling.
//  - Solves: componentwise backward stable (Thm 8.5 for substitution; 9.4 for LU with small growth), so the
//    residual satisfies max|A·x̂ − b| ≤ 8n·ε·max(|A|·|x̂|) (a factor 2 over γ_{3n} for the growth of random
//    matrices). Forward errors against the mpmath references: ≤ 8n·ε·cond, cond = Skeel's ‖|A⁻¹||A|‖_∞ for
//    LU solves (§7.2, row-scaling invariant) and κ₂ for Cholesky (Sun's perturbation bound) and triangular solves.
const EPS = 2 ** -52;

interface FactorCase {
  name: string;
  kind: "solve" | "cholesky" | "triangular";
  n: number;
  a: number[];
  cond2: number;
  condSkeel?: number;
  k?: number;
  b?: number[];
  x?: number[];
  l?: number[];
  lower?: boolean;
}
const fixture = JSON.parse(
  readFileSync(new URL("../test/fixtures/factor-reference.json", import.meta.url), "utf8"),
) as { cases: FactorCase[] };

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** Symmetric positive definite B·Bᵀ + δ·I (exactly symmetric). */
function spd(n: number, seed: number, delta: number): Mat {
  const b = randomMat(n, n, seed);
  const a = mul(b, tr(b));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
  for (let i = 0; i < n; i++) a.data[i * n + i] += delta;
  return a;
}

/** `f` is an LU of `a` with partial pivoting: a permutation, |l_ij| ≤ 1 and max|L̂Û − PA| within the header's bound. */
function expectLuOf(a: Mat, { lu: f, pivots }: { lu: Mat; pivots: Int32Array }): void {
  const n = a.rows;
  expect(Array.from(pivots).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
  const L = new Float64Array(n * n);
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const v = f.data[i * n + j];
      if (j < i) L[i * n + j] = v;
      else U[i * n + j] = v;
      if (j === i) L[i * n + j] = 1;
    }
  expect(maxAbs(L)).toBeLessThanOrEqual(1);
  const Lm = { rows: n, cols: n, data: L };
  const Um = { rows: n, cols: n, data: U };
  const pa = new Float64Array(n * n);
  for (let i = 0; i < n; i++) pa.set(a.data.subarray(pivots[i] * n, pivots[i] * n + n), i * n);
  const bound = 4 * n * EPS * maxAbs(mul(Lm, Um, true).data);
  expect(maxDiff(mul(Lm, Um).data, pa)).toBeLessThanOrEqual(bound);
}

const sizeArb = fc.record({ n: fc.integer({ min: 1, max: 16 }), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) });

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("factorisations on the %s backend", (backend: BackendName) => {
  beforeEach(() => setBackend(backend));

  it("cholesky: L lower with positive diagonal and L·Lᵀ = A (property)", () => {
    fc.assert(
      fc.property(sizeArb, fc.integer({ min: -6, max: 1 }), ({ n, seed }, logDelta) => {
        const a = spd(n, seed, 10 ** logDelta);
        const l = cholesky(a);
        for (let i = 0; i < n; i++) {
          expect(l.data[i * n + i]).toBeGreaterThan(0);
          for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
        }
        let dmax = 0;
        for (let i = 0; i < n; i++) dmax = Math.max(dmax, a.data[i * n + i]);
        expect(maxDiff(mul(l, tr(l)).data, a.data)).toBeLessThanOrEqual(4 * n * EPS * dmax);
      }),
      { seed: 1, numRuns: 60 },
    );
  });

  it("cholesky scales exactly: cholesky(2ᵏ·A) = 2^(k/2)·cholesky(A) to the bit, subnormal A included (it lost digits: 4e-6 at 2⁻¹⁰⁶⁰)", () => {
    const A = [[4, 1.3, 0.7], [1.3, 5.1, 2.9], [0.7, 2.9, 6.3]];
    for (const k of [-1060, -1070, -700, 1000]) {
      // the input as float64 holds it (subnormal entries rounded); scaled back up by 2⁻ᵏ it is exact, so the exact
      // reference is cholesky of that, scaled by 2^(k/2): every step of the recurrence commutes with 4ʲ scalings
      const c = A.map((row) => row.map((v) => v * 2 ** Math.trunc(k / 2) * 2 ** (k - Math.trunc(k / 2))));
      const back = c.map((row) => row.map((v) => v * 2 ** -Math.trunc(k / 2) * 2 ** -(k - Math.trunc(k / 2))));
      const want = Array.from(cholesky(back).data, (v) => v * 2 ** (k / 2));
      expect(Array.from(cholesky(c).data)).toEqual(want);
    }
  });

  it("cholesky rejects indefinite matrices with a ValueError (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: -4, max: 0 }), (n, seed, logShift) => {
        // A = B·Bᵀ − δ·I with B n×(n−1): rank n − 1 before the shift, so λ_min(A) = −δ exactly in real arithmetic;
        // the rounding of B·Bᵀ moves it by at most n·ε·‖B‖² ≪ δ ≥ 1e-4 (‖B‖² ≤ n²), so A is indefinite.
        const b = randomMat(n, n - 1, seed);
        const a = mul(b, tr(b));
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
        for (let i = 0; i < n; i++) a.data[i * n + i] -= 10 ** logShift;
        expect(() => cholesky(a)).toThrowError(ValueError);
      }),
      { seed: 9, numRuns: 40 },
    );
  });

  it("lu: P·A = L·U with |l_ij| ≤ 1 and a permutation (property)", () => {
    fc.assert(
      fc.property(sizeArb, ({ n, seed }) => {
        const a = randomMat(n, n, seed);
        expectLuOf(a, lu(a));
      }),
      { seed: 2, numRuns: 60 },
    );
  });

  it("qr: QᵀQ = I, R upper triangular, Q·R = A (property)", () => {
    fc.assert(
      fc.property(sizeArb, fc.integer({ min: 0, max: 10 }), ({ n, seed }, extra) => {
        const m = n + extra;
        const a = randomMat(m, n, seed);
        const { q, r } = qr(a);
        expect([q.rows, q.cols, r.rows, r.cols]).toEqual([m, n, n, n]);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(r.data[i * n + j]).toBe(0);
        for (let i = 0; i < n; i++) expect(r.data[i * n + i]).toBeGreaterThanOrEqual(0);
        const qtq = mul(tr(q), q);
        for (let i = 0; i < n; i++) qtq.data[i * n + i] -= 1;
        const d = Math.max(m, n);
        expect(maxAbs(qtq.data)).toBeLessThanOrEqual(10 * d * EPS);
        expect(maxDiff(mul(q, r).data, a.data)).toBeLessThanOrEqual(10 * d * EPS * Math.max(maxAbs(a.data), Number.MIN_VALUE) * Math.sqrt(n));
      }),
      { seed: 3, numRuns: 60 },
    );
  });

  it("solve: small componentwise residual |A·x − b| ≤ 8n·ε·|A||x|, or a justified singular error (property)", () => {
    fc.assert(
      fc.property(sizeArb, fc.integer({ min: 1, max: 3 }), ({ n, seed }, k) => {
        const a = randomMat(n, n, seed);
        const b = randomMat(n, k, seed + 7);
        let x: Mat;
        try {
          x = solve(a, b);
        } catch (e) {
          // Only allowed when A is singular to working precision: then σ_min ≤ n·min|u_kk| ≤ n²·ε·max|a|.
          expect(e).toBeInstanceOf(ValueError);
          const s = svd(a, { vectors: false }).s;
          expect(s[n - 1]).toBeLessThanOrEqual(n * n * EPS * maxAbs(a.data) * 1.01);
          return;
        }
        const r = mul(a, x);
        const absAx = mul(a, x, true);
        for (let i = 0; i < n * k; i++) expect(Math.abs(r.data[i] - b.data[i])).toBeLessThanOrEqual(8 * n * EPS * absAx.data[i] + Number.MIN_VALUE);
      }),
      { seed: 4, numRuns: 60 },
    );
  });

  it.each([
    ["zero 3×2", matFromRows([[0, 0], [0, 0], [0, 0]])],
    ["zero column 4×3", matFromRows([[1, 0, 2], [3, 0, 4], [5, 0, 6], [7, 0, 9]])],
    ["repeated columns 3×3", matFromRows([[1, 1, 1], [2, 2, 2], [3, 3, 3]])],
    ["1×1", matFromRows([[-2]])],
  ])("qr of a rank-deficient or tiny matrix (%s) still has orthonormal Q and Q·R = A", (_name, a) => {
    const { q, r } = qr(a);
    const n = a.cols;
    const qtq = mul(tr(q), q);
    for (let i = 0; i < n; i++) qtq.data[i * n + i] -= 1;
    // Same bounds as the property test above.
    expect(maxAbs(qtq.data)).toBeLessThanOrEqual(10 * a.rows * EPS);
    expect(maxDiff(mul(q, r).data, a.data)).toBeLessThanOrEqual(10 * a.rows * EPS * Math.max(maxAbs(a.data), 1) * Math.sqrt(n));
  });

  it("factors 1×1 matrices exactly", () => {
    expect(Array.from(cholesky(matFromRows([[9]])).data)).toEqual([3]);
    const f = lu(matFromRows([[-4]]));
    expect(Array.from(f.lu.data)).toEqual([-4]);
    expect(Array.from(f.pivots)).toEqual([0]);
    expect(Array.from(solve(matFromRows([[-4]]), Float64Array.from([2])))).toEqual([-0.5]);
    expect(Array.from(triangularSolve(matFromRows([[4]]), Float64Array.from([2]), { lower: false, transpose: true }))).toEqual([0.5]);
  });

  it("solve accepts a vector and returns a vector", () => {
    const x = solve(matFromRows([[2, 1], [1, 3]]), Float64Array.from([3, 5]));
    expect(x).toBeInstanceOf(Float64Array);
    // x = [0.8, 1.4] exactly in real arithmetic; two substitution steps round at most a few times.
    expect(maxDiff(x, [0.8, 1.4])).toBeLessThanOrEqual(4 * EPS * 1.4);
  });

  it("triangularSolve: residual for every triangle/transpose/unit combination (property)", () => {
    fc.assert(
      fc.property(sizeArb, fc.boolean(), fc.boolean(), fc.boolean(), ({ n, seed }, lower, transpose, unitDiagonal) => {
        const t = randomMat(n, n, seed);
        for (let i = 0; i < n; i++) t.data[i * n + i] = 2 + Math.abs(t.data[i * n + i]);
        const b = randomMat(n, 2, seed + 3);
        const x = triangularSolve(t, b, { lower, transpose, unitDiagonal });
        // The triangle actually used, as a full matrix (op applied).
        const T = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const inTri = lower ? j <= i : j >= i;
            if (inTri) T[i * n + j] = i === j && unitDiagonal ? 1 : t.data[i * n + j];
          }
        const opT = transpose ? tr({ rows: n, cols: n, data: T }) : { rows: n, cols: n, data: T };
        const r = mul(opT, x);
        const absTx = mul(opT, x, true);
        for (let i = 0; i < 2 * n; i++) expect(Math.abs(r.data[i] - b.data[i])).toBeLessThanOrEqual(4 * n * EPS * absTx.data[i] + Number.MIN_VALUE);
      }),
      { seed: 6, numRuns: 60 },
    );
  });

  it.each(fixture.cases.map((c) => [`${c.kind} ${c.name}`, c] as const))("matches the mpmath reference: %s", (_n, c) => {
    const n = c.n;
    const a: Mat = { rows: n, cols: n, data: Float64Array.from(c.a) };
    if (c.kind === "cholesky") {
      const l = cholesky(a);
      const ref = Float64Array.from(c.l!);
      expect(maxDiff(l.data, ref)).toBeLessThanOrEqual(8 * n * EPS * c.cond2 * maxAbs(ref));
      return;
    }
    const b: Mat = { rows: n, cols: c.k!, data: Float64Array.from(c.b!) };
    const x = c.kind === "solve" ? solve(a, b) : triangularSolve(a, b, { lower: c.lower! });
    const cond = c.kind === "solve" ? c.condSkeel! : c.cond2;
    const ref = Float64Array.from(c.x!);
    expect(maxDiff(x.data, ref)).toBeLessThanOrEqual(8 * n * EPS * cond * maxAbs(ref));
  });

  it("rejects bad input with typed errors naming the function and the shapes", () => {
    expect(() => cholesky(matFromRows([[1, 2], [2, 1]]))).toThrowError(/cholesky: argument 'a' \(2×2\) must be positive definite/);
    expect(() => cholesky(matFromRows([[0]]))).toThrowError(ValueError);
    expect(() => cholesky(matFromRows([[1, 2], [0, 1]]))).toThrowError(/cholesky: argument 'a' must be symmetric/);
    expect(() => cholesky(matFromRows([[1, 2, 3]]))).toThrowError(/cholesky: argument 'a' must be square; found 1×3/);
    expect(() => lu({ rows: 0, cols: 0, data: new Float64Array(0) })).toThrowError(ShapeError);
    expect(() => lu(matFromRows([[1, NaN], [0, 1]]))).toThrowError(/lu: argument 'a' must be finite; found NaN at \(0, 1\)/);
    expect(() => qr(matFromRows([[1, 2]]))).toThrowError(/qr: argument 'a' must have rows ≥ cols; found 1×2/);
    expect(() => solve(matFromRows([[1, 2], [2, 4]]), Float64Array.from([1, 2]))).toThrowError(
      /solve: argument 'a' \(2×2\) is singular to working precision/,
    );
    expect(() => solve(matFromRows([[1, 0], [0, 1e-300]]), Float64Array.from([1, 1]))).toThrowError(ValueError);
    expect(() => solve(matFromRows([[1, 0], [0, 1]]), Float64Array.from([1, 2, 3]))).toThrowError(
      /solve: 'b' must have 2 rows to match 'a' \(2×2\); found 3×1/,
    );
    expect(() => solve(matFromRows([[1, 0], [0, 1]]), Float64Array.from([1, Infinity]))).toThrowError(/solve: argument 'b' must be finite/);
    expect(() => triangularSolve(matFromRows([[1, 0], [1, 0]]), Float64Array.from([1, 1]))).toThrowError(
      /triangularSolve: argument 't' \(2×2\) is singular: its diagonal entry \(1, 1\) is 0/,
    );
    expect(() => triangularSolve(matFromRows([[1, 0], [1, 1]]), Float64Array.from([1, 1]), { lower: 1 as never })).toThrowError(
      /triangularSolve: 'lower' must be a boolean/,
    );
    // Finite input whose solution overflows: an error, not Infinity.
    expect(() => triangularSolve(matFromRows([[1e-300, 0], [0, 1]]), Float64Array.from([1e300, 1]))).toThrowError(
      /triangularSolve: the solution overflowed/,
    );
  });
});

describe.each(["simd", "scalar"] as const)("factorisations in WASM (%s): oracle agreement and memory", (backend) => {
  it("agree with the TS backend on random input (property)", () => {
    fc.assert(
      fc.property(sizeArb, ({ n, seed }) => {
        const s = spd(n, seed, 1);
        const a = randomMat(n, n, seed + 1);
        const b = randomMat(n, 1, seed + 2);
        setBackend("ts");
        const [lRef, xRef] = [cholesky(s), solve(a, b)];
        setBackend(backend);
        const [l, x] = [cholesky(s), solve(a, b)];
        // Cholesky of B·Bᵀ + I (κ ≤ 1 + 16·‖B‖² ≈ 300): the two factors agree to 8n·ε·κ·max|L|.
        expect(maxDiff(l.data, lRef.data)).toBeLessThanOrEqual(8 * n * EPS * 300 * maxAbs(lRef.data));
        // Both solutions are backward stable; their difference is bounded by 2·8n·ε·κ(A)·|x|, κ from the SVD.
        const sv = svd(a, { vectors: false }).s;
        const kappa = sv[0] / sv[n - 1];
        expect(maxDiff(x.data, xRef.data)).toBeLessThanOrEqual(16 * n * EPS * kappa * maxAbs(xRef.data));
      }),
      { seed: 8, numRuns: 40 },
    );
  });

  it("choose the same LU pivots and the same |R| of QR as the TS backend (property)", () => {
    fc.assert(
      fc.property(sizeArb, fc.integer({ min: 0, max: 6 }), ({ n, seed }, extra) => {
        const a = randomMat(n, n, seed);
        const t = randomMat(n + extra, n, seed + 5);
        setBackend("ts");
        const [fRef, qrRef] = [lu(a), qr(t)];
        setBackend(backend);
        const [f, qrW] = [lu(a), qr(t)];
        // Partial pivoting picks the largest |a_ik|; ties have probability 0 for these random entries, and the
        // candidates differ by far more than rounding, so both backends pick the same rows.
        expect(Array.from(f.pivots)).toEqual(Array.from(fRef.pivots));
        // R is unique up to the signs of its rows when A has full column rank; compare |R| with the bound
        // κ(A)·10·m·ε·‖A‖ of QR's forward error (Higham Thm 19.4 with the perturbation theory of §19.9).
        const sv = svd(t, { vectors: false }).s;
        const kappa = sv[0] / sv[n - 1];
        const absR = (r: Float64Array) => r.map(Math.abs);
        expect(maxDiff(absR(qrW.r.data), absR(qrRef.r.data))).toBeLessThanOrEqual(10 * (n + extra) * EPS * kappa * sv[0]);
      }),
      { seed: 8, numRuns: 40 },
    );
  });

  it("keeps WASM memory constant over repeated calls of the same size", async () => {
    const w = await loadWasm(backend);
    setBackend(backend);
    const s = spd(40, 9, 1);
    const a = randomMat(40, 40, 10);
    const t = randomMat(50, 30, 11);
    const run = () => {
      cholesky(s);
      lu(a);
      solve(a, t.data.subarray(0, 40));
      qr(t);
      triangularSolve(s, a, { lower: false, transpose: true });
    };
    run();
    const bytes = w.memoryBytes;
    for (let i = 0; i < 5; i++) run();
    expect(w.memoryBytes).toBe(bytes);
  });
});

describe("cholesky on the ts backend meets the WASM contract", () => {
  it("a matrix symmetric to 1e-13 (accepted by checkSymmetric) factors on every backend alike (ml-matrix threw an untyped error)", async () => {
    await init();
    await loadWasm("scalar");
    const a = matFromRows([[4, 1 + 1e-13], [1, 3]]);
    const results = BACKENDS.map((b) => {
      setBackend(b);
      return cholesky(a);
    });
    setBackend("simd");
    // L from the lower triangle on every backend: l₁₁ = 2, l₂₁ = 1/2, l₂₂ = √(3 − 1/4); equal to rounding (1 ulp)
    for (const l of results) {
      expect(l.data[0]).toBe(2);
      expect(l.data[2]).toBe(0.5);
      expect(Math.abs(l.data[3] - Math.sqrt(2.75))).toBeLessThanOrEqual(4.5e-16);
      expect(l.data[1]).toBe(0);
    }
  });
});

/**
 * `f` is a thin QR of the m×n `a`: R upper triangular with a non-negative diagonal, and QᵀQ = I and Q·R = A within
 * the header's bounds; with `ref` (another backend's QR of the same full-rank `a`, κ its condition number) also the
 * same Q and R: both are unique then, and two backward-stable factorisations differ by at most κ·10·m·ε relative
 * (Higham Thm 19.4 with the perturbation theory of §19.9).
 */
function expectQrOf(a: Mat, f: { q: Mat; r: Mat }, ref?: { q: Mat; r: Mat }, kappa = 0): void {
  const { rows: m, cols: n } = a;
  expect([f.q.rows, f.q.cols, f.r.rows, f.r.cols]).toEqual([m, n, n, n]);
  for (let i = 0; i < n; i++) {
    expect(f.r.data[i * n + i]).toBeGreaterThanOrEqual(0);
    for (let j = 0; j < i; j++) expect(f.r.data[i * n + j]).toBe(0);
  }
  const qtq = mul(tr(f.q), f.q);
  for (let i = 0; i < n; i++) qtq.data[i * n + i] -= 1;
  expect(maxAbs(qtq.data)).toBeLessThanOrEqual(10 * m * EPS);
  expect(maxDiff(mul(f.q, f.r).data, a.data)).toBeLessThanOrEqual(10 * m * EPS * maxAbs(a.data) * Math.sqrt(n));
  if (ref === undefined) return;
  expect(maxDiff(f.q.data, ref.q.data)).toBeLessThanOrEqual(10 * m * EPS * kappa);
  expect(maxDiff(f.r.data, ref.r.data)).toBeLessThanOrEqual(10 * m * EPS * kappa * maxAbs(ref.r.data));
}

describe.each(["simd", "scalar"] as const)("blocked cholesky, lu and qr in WASM (%s): n above one block", (backend) => {
  beforeEach(async () => {
    await loadWasm(backend);
    setBackend(backend);
  });

  it.each([65, 127, 128, 129, 200])("n = %i: L lower with positive diagonal, L·Lᵀ = A, and the TS oracle's L", (n) => {
    const a = spd(n, 40 + n, 1);
    const l = cholesky(a);
    let diag = 0;
    for (let i = 0; i < n; i++) {
      expect(l.data[i * n + i]).toBeGreaterThan(0);
      for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
      diag = Math.max(diag, a.data[i * n + i]);
    }
    // backward stability (header): max|L̂L̂ᵀ − A| ≤ 4n·ε·max aᵢᵢ
    expect(maxDiff(mul(l, tr(l)).data, a.data)).toBeLessThanOrEqual(4 * n * EPS * diag);
    // two backward-stable factors differ by at most 8n·ε·κ₂(A)·max|L| (κ₂ from the SVD)
    const sv = svd(a, { vectors: false }).s;
    setBackend("ts");
    const lRef = cholesky(a);
    setBackend(backend);
    expect(maxDiff(l.data, lRef.data)).toBeLessThanOrEqual(8 * n * EPS * (sv[0] / sv[n - 1]) * maxAbs(lRef.data));
  });

  it.each([64, 100, 149])("names the first non-positive pivot when it lies in a later block (row %i of 150)", (r) => {
    const a = spd(150, 7, 1);
    // a_rr = −1 leaves the leading r×r minor (and so pivots 0 … r−1) as it was and makes pivot r = −1 − Σₚ l_rp² < 0
    a.data[r * 150 + r] = -1;
    expect(() => cholesky(a)).toThrowError(new RegExp(`cholesky: argument 'a' \\(150×150\\) must be positive definite; the pivot of row ${r} is ≤ 0`));
  });

  it.each([65, 127, 128, 129, 200])("n = %i: P·A = L·U with |l_ij| ≤ 1, and solve's residual", (n) => {
    const a = randomMat(n, n, 60 + n);
    expectLuOf(a, lu(a));
    // solve through the blocked LU: max|A·x̂ − b| ≤ 8n·ε·max(|A|·|x̂|) (header)
    const b = randomMat(n, 1, 61 + n);
    const x = solve(a, b);
    const absA = { rows: n, cols: n, data: a.data.map(Math.abs) };
    const absX = { rows: n, cols: 1, data: x.data.map(Math.abs) };
    expect(maxDiff(mul(a, x).data, b.data)).toBeLessThanOrEqual(8 * n * EPS * maxAbs(mul(absA, absX).data));
  });

  it("an exactly zero column in a later panel leaves u_kk = 0 there and solve refuses the matrix", () => {
    const n = 150;
    const a = randomMat(n, n, 62);
    for (let i = 0; i < n; i++) a.data[i * n + 100] = 0;
    const f = lu(a);
    expectLuOf(a, f);
    expect(f.lu.data[100 * n + 100]).toBe(0);
    expect(() => solve(a, randomMat(n, 1, 63))).toThrowError(/solve: argument 'a' \(150×150\) is singular to working precision/);
  });

  // qr factors panels of 32 columns while more than 128 remain: 129 columns take one panel, 161 two, 300 six
  it.each([
    [129, 129],
    [160, 129],
    [200, 161],
    [300, 300],
  ])("qr of %i×%i: QᵀQ = I, R upper triangular, Q·R = A, and the TS oracle's Q and R", (m, n) => {
    const a = randomMat(m, n, 70 + n);
    const f = qr(a);
    const sv = svd(a, { vectors: false }).s;
    setBackend("ts");
    const ref = qr(a);
    setBackend(backend);
    expectQrOf(a, f, ref, sv[0] / sv[n - 1]);
  });

  it("qr of a rank-deficient A (a zero column and a repeated one in later panels): QᵀQ = I and Q·R = A", () => {
    const [m, n] = [220, 200];
    const a = randomMat(m, n, 75);
    for (let i = 0; i < m; i++) {
      a.data[i * n + 40] = 0; // τ = 0 in the second panel
      a.data[i * n + 150] = a.data[i * n + 3]; // R[150, 150] = 0 up to rounding
    }
    const f = qr(a);
    expectQrOf(a, f);
    expect(f.r.data[40 * n + 40]).toBe(0);
    expect(f.r.data[150 * n + 150]).toBeLessThanOrEqual(10 * m * EPS * maxAbs(a.data));
  });

  it("qr(2ᵏ·A) = (Q, 2ᵏ·R) to the last bit through the blocked path (k = ±7: the kernel sees the scaled entries)", () => {
    const a = randomMat(180, 170, 76);
    const f = qr(a);
    for (const k of [7, -7]) {
      const g = qr({ rows: 180, cols: 170, data: a.data.map((x) => x * 2 ** k) });
      expect(Array.from(g.q.data)).toEqual(Array.from(f.q.data));
      expect(Array.from(g.r.data)).toEqual(Array.from(f.r.data.map((x) => x * 2 ** k)));
    }
  });

  it("keeps WASM memory constant over repeated calls of a blocked size", async () => {
    const w = await loadWasm(backend);
    const s = spd(150, 9, 1);
    const a = randomMat(150, 150, 64);
    const t = randomMat(200, 150, 65);
    const run = () => {
      cholesky(s);
      lu(a);
      qr(t);
    };
    run();
    const bytes = w.memoryBytes;
    for (let i = 0; i < 5; i++) run();
    expect(w.memoryBytes).toBe(bytes);
  });
});
