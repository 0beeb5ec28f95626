import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  zeroToleranceFromGap,
  BACKENDS,
  type BackendName,
  DEFAULT_INERTIA_TOL,
  eigh,
  eigvalsh,
  inertia,
  inertiaFromEigenvalues,
  inertiaThreshold,
  init,
  isLosscapeError,
  kernels,
  loadWasm,
  type Mat,
  setBackend,
} from "./index.js";

const EPS = Number.EPSILON;

interface Case {
  name: string;
  n: number;
  a: number[];
  eigenvalues: string[];
  /** Reference eigenvectors (row-major, columns ascending) for simple spectra; each determined up to sign. */
  vectors?: number[];
}
// Reference eigenvalues of the exact float64 matrices, mpmath at 50 digits (test/gen/eigen-reference.py).
const FIXTURES: Case[] = JSON.parse(
  readFileSync(new URL("../test/fixtures/eigen-reference.json", import.meta.url), "utf8"),
).cases;

function fixtureMat(c: Case): Mat {
  return { rows: c.n, cols: c.n, data: Float64Array.from(c.a) };
}

/** ‖x‖₂ without overflow or underflow (scaled by max|xᵢ|). */
function frobenius(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  if (m === 0) return 0;
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] / m) ** 2;
  return m * Math.sqrt(s);
}

/** ‖AV − VΛ‖_F / ‖A‖_F (0 for A = 0) and ‖VᵀV − I‖_F, in plain loops; residual terms scaled by max|a|. */
function eighErrors(a: Mat, values: Float64Array, v: Mat): { residual: number; orthogonality: number } {
  const n = a.rows;
  let m = 0;
  for (let k = 0; k < a.data.length; k++) m = Math.max(m, Math.abs(a.data[k]));
  const s = m || 1;
  let res = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let av = 0;
      let vtv = 0;
      for (let k = 0; k < n; k++) {
        av += (a.data[i * n + k] / s) * v.data[k * n + j];
        vtv += v.data[k * n + i] * v.data[k * n + j];
      }
      res += (av - v.data[i * n + j] * (values[j] / s)) ** 2;
      orth += (vtv - (i === j ? 1 : 0)) ** 2;
    }
  }
  const norm = frobenius(a.data) / s;
  return { residual: norm === 0 ? Math.sqrt(res) : Math.sqrt(res) / norm, orthogonality: Math.sqrt(orth) };
}

/** Seeded uniform generator (mulberry32) for matrices outside fast-check. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSymmetric(n: number, seed: number): Mat {
  const r = rng(seed);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = 2 * r() - 1;
      d[i * n + j] = x;
      d[j * n + i] = x;
    }
  }
  return { rows: n, cols: n, data: d };
}

/** SᵀAS (row-major, plain loops). */
function congruence(a: Mat, s: Float64Array): Mat {
  const n = a.rows;
  const as = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) as[i * n + j] += a.data[i * n + k] * s[k * n + j];
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += s[k * n + i] * as[k * n + j];
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]; // exact symmetry
  return { rows: n, cols: n, data: out };
}

/** Q·diag(d)·Qᵀ with Q the product of three Householder reflectors built from `u` (3n numbers). */
function withSpectrum(d: number[], u: number[]): Mat {
  const n = d.length;
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let h = 0; h < 3; h++) {
    const v = u.slice(h * n, h * n + n);
    const vv = v.reduce((s, x) => s + x * x, 0);
    if (vv < 1e-6) continue;
    // q ← q·(I − 2vvᵀ/vᵀv)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * v[k];
      for (let k = 0; k < n; k++) q[i * n + k] -= (2 * s * v[k]) / vv;
    }
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += q[i * n + k] * d[k] * q[j * n + k];
    a[i * n + j] = s;
    a[j * n + i] = s;
  }
  return { rows: n, cols: n, data: a };
}


function wilkinson(n: number): Mat {
  const m = (n - 1) / 2;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = Math.abs(i - m);
    if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = 1;
  }
  return { rows: n, cols: n, data: a };
}

/** `copies` Wilkinson W21+ blocks on the diagonal, glued by `glue` on the off-diagonal (Dhillon's hard case). */
function gluedWilkinson(copies: number, glue: number): Mat {
  const n = 21 * copies;
  const w = wilkinson(21);
  const a = new Float64Array(n * n);
  for (let c = 0; c < copies; c++) {
    for (let i = 0; i < 21; i++) for (let j = 0; j < 21; j++) a[(c * 21 + i) * n + c * 21 + j] = w.data[i * 21 + j];
    if (c > 0) a[(c * 21) * n + c * 21 - 1] = a[(c * 21 - 1) * n + c * 21] = glue;
  }
  return { rows: n, cols: n, data: a };
}

function fromFn(n: number, f: (i: number, j: number) => number): Mat {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = f(Math.max(i, j), Math.min(i, j));
  return { rows: n, cols: n, data: a };
}

/**
 * The tridiagonal (d, e) as a dense Mat: its sorted eigenvalues on the ts backend (ml-matrix's tred2/tql2, another
 * algorithm than the WASM kernels') and its ‖T‖_F.
 */
function tql2Reference(d: number[], e: number[]): { values: number[]; frob: number } {
  const a = fromFn(d.length, (i, j) => (i === j ? d[i] : i === j + 1 ? e[j] : 0));
  setBackend("ts");
  const values = Array.from(eigvalsh(a));
  setBackend("simd");
  return { values, frob: frobenius(a.data) };
}

/** The Toeplitz tridiagonal of order n: a on the diagonal, b beside it. */
const toeplitz = (n: number, a: number, b: number) => ({ d: new Array<number>(n).fill(a), e: new Array<number>(n - 1).fill(b) });

/**
 * Matrices that exercise the divide-and-conquer merges (leaves have ≤ 16 rows): deflation of small z components,
 * deflation of close poles by a rotation (W101+ and the glued Wilkinson matrices do both, including rotations that
 * mix a top and a bottom column), all-deflated merges (diagonal, zero, identity) and tight clusters.
 */
const HARD: [string, () => Mat][] = [
  ["Wilkinson W101+", () => wilkinson(101)],
  ["glued Wilkinson 5×W21+, glue 1e-10", () => gluedWilkinson(5, 1e-10)],
  ["two eigenvalues, each 30-fold (n = 60)", () => withSpectrum(Array.from({ length: 60 }, (_, i) => (i % 2 ? 1 : 2)), Array.from({ length: 180 }, (_, i) => Math.sin(i + 1)))],
  ["clustered: 1 + k·1e-12, k < 40, and 3 (n = 50)", () => withSpectrum(Array.from({ length: 50 }, (_, i) => (i < 40 ? 1 + i * 1e-12 : 3)), Array.from({ length: 150 }, (_, i) => Math.cos(3 * i)))],
  ["diagonal with repeats (n = 50)", () => fromFn(50, (i, j) => (i === j ? (i % 7) - 3 : 0))],
  ["zero (n = 40)", () => fromFn(40, () => 0)],
  ["identity (n = 48)", () => fromFn(48, (i, j) => (i === j ? 1 : 0))],
  ["rank 5, B·Bᵀ (n = 80)", () => {
    const r = rng(11);
    const b = Array.from({ length: 80 * 5 }, () => 2 * r() - 1);
    return fromFn(80, (i, j) => b.slice(i * 5, i * 5 + 5).reduce((t, x, k) => t + x * b[j * 5 + k], 0));
  }],
  ["graded 2^−(i+j)/2·mᵢⱼ (n = 64)", () => {
    const r = randomSymmetric(64, 13);
    return fromFn(64, (i, j) => r.data[i * 64 + j] * 2 ** (-(i + j) / 2));
  }],
  ["random (n = 97)", () => randomSymmetric(97, 17)],
];

function thrown(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected an error");
}

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("symmetric eigensolver on the %s backend", (backend: BackendName) => {
  beforeAll(() => setBackend(backend));

  it.each(FIXTURES.map((c) => [c.name, c] as const))("eigenvalues of %s match the 50-digit reference", (_, c) => {
    setBackend(backend);
    const a = fixtureMat(c);
    const ref = c.eigenvalues.map(Number);
    // Weyl: a backward-stable solver returns the exact eigenvalues of A + E with ‖E‖₂ ≤ c·n·ε·‖A‖; c = 8 covers
    // the Householder reduction and the QL or divide-and-conquer stage (observed on these fixtures: ≤ 0.31·n·ε·‖A‖_F).
    const tol = 8 * c.n * EPS * frobenius(a.data);
    for (const values of [eigvalsh(a), eigh(a).values]) {
      expect(values.length).toBe(c.n);
      for (let i = 0; i < c.n; i++) expect(Math.abs(values[i] - ref[i])).toBeLessThanOrEqual(tol);
    }
  });

  it.each(FIXTURES.map((c) => [c.name, c] as const))("eigh(%s): AV = VΛ, VᵀV = I, signs, ascending", (_, c) => {
    setBackend(backend);
    const a = fixtureMat(c);
    const { values, vectors } = eigh(a);
    expect(vectors.rows).toBe(c.n);
    expect(vectors.cols).toBe(c.n);
    const { residual, orthogonality } = eighErrors(a, values, vectors);
    // Backward stability: both are O(n·ε); 8·n·ε leaves room for the constant (observed on the fixtures: residual ≤ 0.56·n·ε, orthogonality ≤ 1.9·n·ε).
    expect(residual).toBeLessThanOrEqual(8 * c.n * EPS);
    expect(orthogonality).toBeLessThanOrEqual(8 * c.n * EPS);
    for (let i = 1; i < c.n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    // Sign convention: the (first) largest-magnitude entry of every column is positive.
    for (let j = 0; j < c.n; j++) {
      let best = 0;
      let at = 0;
      for (let i = 0; i < c.n; i++) {
        if (Math.abs(vectors.data[i * c.n + j]) > best) {
          best = Math.abs(vectors.data[i * c.n + j]);
          at = i;
        }
      }
      expect(vectors.data[at * c.n + j]).toBeGreaterThan(0);
    }
  });

  it.each(FIXTURES.filter((c) => c.vectors).map((c) => [c.name, c] as const))(
    "eigh(%s): eigenvectors match the 50-digit reference up to sign",
    (_, c) => {
      setBackend(backend);
      const n = c.n;
      const a = fixtureMat(c);
      const ref = c.vectors!;
      const lam = c.eigenvalues.map(Number);
      const { vectors } = eigh(a);
      for (let j = 0; j < n; j++) {
        let gap = Infinity;
        for (let k = 0; k < n; k++) if (k !== j) gap = Math.min(gap, Math.abs(lam[k] - lam[j]));
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors.data[i * n + j] * ref[i * n + j];
        const s = dot < 0 ? -1 : 1;
        let err = 0;
        for (let i = 0; i < n; i++) err += (vectors.data[i * n + j] - s * ref[i * n + j]) ** 2;
        // Davis–Kahan: backward error 8·n·ε·‖A‖_F moves a simple eigenvector by ≲ (backward error)/gap; doubled for
        // safety, plus √n·ε for the reference's rounding to float64.
        const tol = (16 * n * EPS * frobenius(a.data)) / gap + Math.sqrt(n) * EPS;
        expect(Math.sqrt(err)).toBeLessThanOrEqual(tol);
      }
    },
  );

  it("property: AV = VΛ and VᵀV = I for random symmetric matrices (n ≤ 40: QL leaves and D&C merges)", () => {
    setBackend(backend);
    const N = 40;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: N }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: N * N, maxLength: N * N }),
        (n, xs) => {
          const d = new Float64Array(n * n);
          for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) d[i * n + j] = d[j * n + i] = xs[i * N + j];
          const a = { rows: n, cols: n, data: d };
          const { values, vectors } = eigh(a);
          const { residual, orthogonality } = eighErrors(a, values, vectors);
          // Same bound as the fixtures: backward stability, 8·n·ε.
          return residual <= 8 * n * EPS && orthogonality <= 8 * n * EPS;
        },
      ),
      { seed: 424242, numRuns: 60 },
    );
  });

  it("property: inertia is invariant under congruence SᵀAS (Sylvester), zeros included", () => {
    setBackend(backend);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(-1, 0, 1), { minLength: 2, maxLength: 30 }),
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 90, maxLength: 90 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 900, maxLength: 900 }),
        (signs, mags, u, e) => {
          const n = signs.length;
          const a = withSpectrum(signs.map((s, i) => s * mags[i]), u);
          // S = I + E with ‖E‖₂ ≤ ‖E‖_F ≤ 0.5: σ_min(S) ≥ 0.5, so by Ostrowski the nonzero eigenvalues of SᵀAS keep
          // |λ| ≥ 0.25·0.5, far above the zero threshold 1e-9·max(1, max|λ|), and the zeros stay O(ε).
          const s = new Float64Array(n * n);
          const ef = Math.sqrt(e.slice(0, n * n).reduce((t, x) => t + x * x, 0)) || 1;
          for (let k = 0; k < n * n; k++) s[k] = (0.5 * e[k]) / ef;
          for (let i = 0; i < n; i++) s[i * n + i] += 1;
          const want = {
            negative: signs.filter((x) => x < 0).length,
            zero: signs.filter((x) => x === 0).length,
            positive: signs.filter((x) => x > 0).length,
            tol: 1e-9,
          };
          expect(inertia(a)).toEqual(want);
          expect(inertia(congruence(a, s))).toEqual(want);
        },
      ),
      { seed: 777, numRuns: 40 },
    );
  });


  it.each([81, 82, 83, 161, 162])(
    "eigh at n = %i: AV = VΛ, VᵀV = I across the back-transformation's 80-reflector blocks (last block of 80, 1 or 2)",
    (n) => {
      setBackend(backend);
      const a = randomSymmetric(n, n);
      const { values, vectors } = eigh(a);
      const { residual, orthogonality } = eighErrors(a, values, vectors);
      // Backward stability, as for the fixtures: 8·n·ε.
      expect(residual).toBeLessThanOrEqual(8 * n * EPS);
      expect(orthogonality).toBeLessThanOrEqual(8 * n * EPS);
    },
  );

  it.each(HARD)("eigh(%s): AV = VΛ, VᵀV = I, eigenvalues match the ts oracle", (_, make) => {
    const a = make();
    const n = a.rows;
    setBackend("ts");
    const oracle = eigvalsh(a);
    setBackend(backend);
    const { values, vectors } = eigh(a);
    const { residual, orthogonality } = eighErrors(a, values, vectors);
    // Backward stability, as for the fixtures: 8·n·ε.
    expect(residual).toBeLessThanOrEqual(8 * n * EPS);
    expect(orthogonality).toBeLessThanOrEqual(8 * n * EPS);
    // Two backward-stable solvers: Weyl bounds the difference by 2·8·n·ε·‖A‖_F.
    const tol = 16 * n * EPS * frobenius(a.data);
    const vals = eigvalsh(a);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(values[i] - oracle[i])).toBeLessThanOrEqual(tol);
      expect(Math.abs(vals[i] - oracle[i])).toBeLessThanOrEqual(tol);
    }
  });

  it("tridiagonal Toeplitz (2, −1), n = 100: eigenvalues 2 − 2cos(kπ/(n+1)) exactly known", () => {
    setBackend(backend);
    const n = 100;
    const a = fromFn(n, (i, j) => (i === j ? 2 : i === j + 1 ? -1 : 0));
    const { values, vectors } = eigh(a);
    // Weyl with backward error 8·n·ε·‖A‖_F (the closed form is evaluated to a few ulps of 4).
    const tol = 8 * n * EPS * frobenius(a.data);
    for (let k = 1; k <= n; k++) expect(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThanOrEqual(tol);
    const { residual, orthogonality } = eighErrors(a, values, vectors);
    expect(residual).toBeLessThanOrEqual(8 * n * EPS);
    expect(orthogonality).toBeLessThanOrEqual(8 * n * EPS);
  });

  it("eigvalsh agrees with eigh's eigenvalues", () => {
    setBackend(backend);
    const a = randomSymmetric(33, 5);
    // Both are backward stable for the same A: Weyl gives 2·8·n·ε·‖A‖_F between them.
    const tol = 16 * 33 * EPS * frobenius(a.data);
    const v1 = eigvalsh(a);
    const v2 = eigh(a).values;
    for (let i = 0; i < 33; i++) expect(Math.abs(v1[i] - v2[i])).toBeLessThanOrEqual(tol);
  });

  it("scales: eigenvalues of 2^±600·A are 2^±600 times those of A (no overflow or underflow)", () => {
    setBackend(backend);
    const a = randomSymmetric(12, 9);
    const base = eigvalsh(a);
    for (const p of [600, -600]) {
      const f = 2 ** p;
      const scaled = { rows: 12, cols: 12, data: a.data.map((x) => x * f) };
      const { values, vectors } = eigh(scaled);
      // Power-of-two scaling is exact, so the scaled problem is the same problem: relative 8·n·ε·‖A‖_F.
      const tol = 8 * 12 * EPS * frobenius(a.data);
      for (let i = 0; i < 12; i++) expect(Math.abs(values[i] / f - base[i])).toBeLessThanOrEqual(tol);
      const { residual, orthogonality } = eighErrors(scaled, values, vectors);
      expect(residual).toBeLessThanOrEqual(8 * 12 * EPS);
      expect(orthogonality).toBeLessThanOrEqual(8 * 12 * EPS);
    }
  });

  it("scales inside the range left unconditioned (norm 1e-12 … 1e12, n = 120: divide-and-conquer merges run)", () => {
    // Only norms outside [2⁻²⁵⁶, 2²⁵⁶] are rescaled before the reduction; the tridiagonal solver must itself be
    // scale-invariant. It was not: its deflation tolerance did not scale with the block (residual 2.7e-5 for a random
    // 300 × 300 matrix with entries of size 1e-12).
    // Power-of-two factors give the same eigenvectors bit for bit; others the backward error of any matrix.
    setBackend(backend);
    const n = 120;
    const a = randomSymmetric(n, 21);
    const base = eigh(a);
    for (const f of [2 ** -40, 2 ** 40, 1e-12, 1e-6, 1e12]) {
      const scaled = { rows: n, cols: n, data: a.data.map((x) => x * f) };
      const { values, vectors } = eigh(scaled);
      const { residual, orthogonality } = eighErrors(scaled, values, vectors);
      expect(residual).toBeLessThanOrEqual(8 * n * EPS);
      expect(orthogonality).toBeLessThanOrEqual(8 * n * EPS);
      if (Math.log2(f) % 1 === 0) {
        expect(Array.from(values)).toEqual(Array.from(base.values, (x) => x * f));
        expect(vectors.data).toEqual(base.vectors.data);
      }
    }
  });

  it("inertia applies the zero rule |λ| ≤ tol·max(1, max|λ|) and reports tol", () => {
    setBackend(backend);
    const a = { rows: 3, cols: 3, data: Float64Array.from([-2, 0, 0, 0, 1e-12, 0, 0, 0, 5]) };
    expect(inertia(a)).toEqual({ negative: 1, zero: 1, positive: 1, tol: 1e-9 });
    expect(inertia(a, { tol: 0 })).toEqual({ negative: 1, zero: 0, positive: 2, tol: 0 });
    expect(inertiaFromEigenvalues([-2, 0, 1e-12, 3])).toEqual({ negative: 1, zero: 2, positive: 1, tol: 1e-9 });
  });

  it("rejects bad input with typed errors naming the function, the argument and the shape", () => {
    setBackend(backend);
    const rect = { rows: 2, cols: 3, data: new Float64Array(6) };
    for (const [name, f] of [
      ["eigh", eigh],
      ["eigvalsh", eigvalsh],
      ["inertia", (m: Mat) => inertia(m)],
    ] as const) {
      let e = thrown(() => f(rect));
      expect(isLosscapeError(e)).toBe(true);
      expect(e.code).toBe("E_SHAPE");
      expect(e.message).toMatch(new RegExp(`^${name}: argument 'a' must be square; found 2×3`));
      e = thrown(() => f({ rows: 0, cols: 0, data: new Float64Array(0) }));
      expect(e.code).toBe("E_SHAPE");
      expect(e.message).toMatch(new RegExp(`^${name}: .*found 0×0`));
      e = thrown(() => f({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2.001, 1]) }));
      expect(e.code).toBe("E_VALUE");
      expect(e.message).toMatch(new RegExp(`^${name}: argument 'a' must be symmetric`));
      for (const bad of [NaN, Infinity]) {
        e = thrown(() => f({ rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, bad]) }));
        expect(e.code).toBe("E_VALUE");
        expect(e.message).toMatch(new RegExp(`^${name}: argument 'a' must be finite; found ${bad} at \\(1, 1\\)`));
      }
    }
    // Asymmetry within the relative 1e-12 is accepted.
    expect(eigvalsh({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2 + 1e-13, 1]) }).length).toBe(2);
    const e = thrown(() => inertia({ rows: 1, cols: 1, data: Float64Array.from([1]) }, { tol: -1 }));
    expect(e.code).toBe("E_VALUE");
    expect(e.message).toMatch(/^inertia: 'tol' must be ≥ 0; found -1/);
  });
});

describe("cross-backend agreement", () => {
  it("simd, scalar and ts agree on eigenvalues and (sign-normalised) eigenvectors", () => {
    const n = 40;
    const a = randomSymmetric(n, 2026);
    const norm = frobenius(a.data);
    const results = BACKENDS.map((b) => {
      setBackend(b);
      return eigh(a);
    });
    setBackend("simd");
    const [ref, ...others] = results;
    for (const r of others) {
      // Each backend is backward stable: Weyl bounds the difference by 2·8·n·ε·‖A‖_F.
      for (let i = 0; i < n; i++) expect(Math.abs(r.values[i] - ref.values[i])).toBeLessThanOrEqual(16 * n * EPS * norm);
      // Davis–Kahan: an eigenvector with gap g to the rest of the spectrum moves by ≲ ‖E‖/g; with the sign
      // convention fixed, the columns must then agree to 2·8·n·ε·‖A‖_F / g.
      for (let j = 0; j < n; j++) {
        let gap = Infinity;
        for (let k = 0; k < n; k++) if (k !== j) gap = Math.min(gap, Math.abs(ref.values[k] - ref.values[j]));
        const tol = (16 * n * EPS * norm) / gap;
        for (let i = 0; i < n; i++) {
          expect(Math.abs(r.vectors.data[i * n + j] - ref.vectors.data[i * n + j])).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it("simd and scalar builds agree with each other to rounding on a larger matrix", () => {
    const n = 120;
    const a = randomSymmetric(n, 7);
    setBackend("simd");
    const s = eigvalsh(a);
    setBackend("scalar");
    const c = eigvalsh(a);
    setBackend("simd");
    // Both builds run the same algorithm with different summation orders: Weyl, 2·8·n·ε·‖A‖_F.
    const tol = 16 * n * EPS * frobenius(a.data);
    for (let i = 0; i < n; i++) expect(Math.abs(s[i] - c[i])).toBeLessThanOrEqual(tol);
  });

  it.each(["simd", "scalar"] as const)("WASM memory stays constant over repeated calls of one size (%s)", async (b) => {
    const inst = await loadWasm(b);
    setBackend(b);
    const a = randomSymmetric(64, 3);
    eigh(a);
    eigvalsh(a);
    const bytes = inst.memoryBytes;
    for (let k = 0; k < 5; k++) {
      eigh(a);
      eigvalsh(a);
      inertia(a);
    }
    expect(inst.memoryBytes).toBe(bytes);
    setBackend("simd");
  });
});

describe("the ts backend's eigenvectors of a repeated eigenvalue", () => {
  it("are orthonormal for the constant matrix (ml-matrix's tql2 gave max|VᵀV − I| up to 1.3 for n = 58–64, 98–127)", () => {
    setBackend("ts");
    try {
      for (const n of [5, 58, 60, 64, 100, 127]) {
        const a = { rows: n, cols: n, data: new Float64Array(n * n).fill(1) };
        const { values, vectors } = eigh(a);
        const V = vectors.data;
        let orth = 0;
        let res = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let d = 0;
            let av = 0;
            for (let r = 0; r < n; r++) d += V[r * n + i] * V[r * n + j];
            orth = Math.max(orth, Math.abs(d - (i === j ? 1 : 0)));
            for (let r = 0; r < n; r++) av += V[r * n + j]; // (A·v_j)_i = Σ_r v_rj for the all-ones A
            res = Math.max(res, Math.abs(av - values[j] * V[i * n + j]));
          }
        }
        // a backward-stable eigensolver: orthogonality and residual ‖Av − λv‖ (‖A‖ = n) to a small multiple of n·ε
        expect(orth).toBeLessThanOrEqual(4 * n * EPS);
        expect(res).toBeLessThanOrEqual(4 * n * n * EPS);
        expect(Math.abs(values[n - 1] - n)).toBeLessThanOrEqual(4 * n * EPS * n);
      }
    } finally {
      setBackend("simd");
    }
  });
});

describe("the zero rule's threshold and reference spectrum", () => {
  it("inertiaThreshold is tol·max(1, max|λ|), default tol DEFAULT_INERTIA_TOL = 1e-9", () => {
    expect(DEFAULT_INERTIA_TOL).toBe(1e-9);
    expect(inertiaThreshold([-2, 0.5])).toBe(2e-9);
    expect(inertiaThreshold([0.5, -0.25])).toBe(1e-9);
    expect(inertiaThreshold([], 1e-3)).toBe(1e-3);
    expect(inertiaThreshold([-4e6], 1e-6)).toBe(4);
  });
  it("inertiaThreshold, inertia and inertiaFromEigenvalues refuse bad values, tolerances and options by name", () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => inertiaThreshold([1, NaN]), "E_VALUE", /^inertiaThreshold: argument 'values' must be finite; found NaN at \[1\]/],
      [() => inertiaThreshold(null as never), "E_SHAPE", /^inertiaThreshold: argument 'values' must be an array of numbers; found null/],
      [() => inertiaThreshold([1], NaN), "E_VALUE", /^inertiaThreshold: 'tol' must be/],
      [() => inertiaThreshold([1], "1" as never), "E_VALUE", /^inertiaThreshold: 'tol' must be/],
      [() => inertiaThreshold([1], -1), "E_VALUE", /^inertiaThreshold: 'tol' must be ≥ 0; found -1/],
      [() => inertia({ rows: 1, cols: 1, data: Float64Array.from([1]) }, null as never), "E_VALUE", /^inertia: argument 'options' must be an object or undefined; found null/],
      [() => inertia({ rows: 1, cols: 1, data: Float64Array.from([1]) }, { tolerance: 1 } as never), "E_VALUE", /^inertia: unknown option 'tolerance'; expected one of 'tol'/],
      [() => inertiaFromEigenvalues([1], { ref: [2] } as never), "E_VALUE", /^inertiaFromEigenvalues: unknown option 'ref'; expected one of 'tol', 'reference'/],
    ];
    for (const [f, code, message] of cases) {
      const e = thrown(f);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    }
  });
  it("a reference spectrum sets the threshold: a block counted against the whole matrix's scale", () => {
    // Alone, 1e-6 is far above 1e-9·max(1, 1e-6); against a matrix with max|λ| = 1e4 it is below 1e-5: zero.
    expect(inertiaFromEigenvalues([-1e-6, 1e-6])).toEqual({ negative: 1, zero: 0, positive: 1, tol: 1e-9 });
    expect(inertiaFromEigenvalues([-1e-6, 1e-6], { reference: [1e4, -3] })).toEqual({ negative: 0, zero: 2, positive: 0, tol: 1e-9 });
    expect(inertiaFromEigenvalues([-1e-6, 2e-3], { tol: 1e-7, reference: [1e4] })).toEqual({ negative: 0, zero: 1, positive: 1, tol: 1e-7 });
    // Without a reference the counts are those of the values' own threshold (property).
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 30 }), (v) => {
        expect(inertiaFromEigenvalues(v, { reference: v })).toEqual(inertiaFromEigenvalues(v));
        const thr = inertiaThreshold(v);
        const i = inertiaFromEigenvalues(v);
        expect(i.zero).toBe(v.filter((x) => Math.abs(x) <= thr).length);
        expect(i.negative).toBe(v.filter((x) => x < -thr).length);
      }),
      { seed: 3, numRuns: 200 },
    );
  });
  it("refuses a non-finite reference with a typed error naming the argument", () => {
    expect(() => inertiaFromEigenvalues([1], { reference: [Number.NaN] })).toThrow(/^inertiaFromEigenvalues: .*'reference/);
  });
});

describe("zeroToleranceFromGap (the spectral-gap zero rule)", () => {
  it("splits at the widest qualifying gap, threshold at the geometric mean of its sides", () => {
    const g = zeroToleranceFromGap([1e-17, -3e-16, 0.5, 2]);
    expect(g).not.toBe(null);
    expect(g!.zeros).toBe(2);
    // scale s = max(1, 2) = 2; the lower side is max(3e-16, ε·s) = 2ε; threshold √(2ε)·√0.5; tol = threshold / s
    expect(g!.tol).toBe((Math.sqrt(2 * Number.EPSILON) * Math.sqrt(0.5)) / 2);
    expect(g!.gapRatio).toBe(0.5 / (2 * Number.EPSILON));
    expect(inertiaFromEigenvalues([1e-17, -3e-16, 0.5, 2], { tol: g!.tol }).zero).toBe(2);
  });

  it("no gap: null (a spread of small eigenvalues, or zeros above 1e-6·scale, or a ratio under 1e3)", () => {
    expect(zeroToleranceFromGap([1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1])).toBe(null);
    expect(zeroToleranceFromGap([1e-3, 10, 100])).toBe(null);
    expect(zeroToleranceFromGap([1e-7, 5e-5, 1])).toBe(null);
    expect(zeroToleranceFromGap([])).toBe(null);
  });

  it("is scale-free above 1e154 too: the threshold √a·√b, not √(a·b), which overflowed to a tol of Infinity", () => {
    const small = zeroToleranceFromGap([0, 1, 2])!;
    for (const c of [1e100, 1e200, 1e300]) {
      const g = zeroToleranceFromGap([0, c, 2 * c])!;
      expect(g.zeros).toBe(1);
      // the same relative tol up to the rounding of two square roots and a division (a few ε)
      expect(Math.abs(g.tol / small.tol - 1)).toBeLessThanOrEqual(4 * Number.EPSILON);
    }
  });

  it("exact zeros count against the floor ε·scale", () => {
    const g = zeroToleranceFromGap([0, 0, 3, 4]);
    expect(g!.zeros).toBe(2);
    expect(g!.gapRatio).toBe(3 / (Number.EPSILON * 4));
  });
});

describe("the input checks of the WASM path (symmetricRange, in the arena)", () => {
  /** A symmetric n×n matrix with entries in [-1, 1), a few exact zeros and one tiny entry. */
  function symmetric(n: number, seed: number): Float64Array {
    let s = seed;
    const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = (i + 2 * j) % 7 === 0 ? 0 : next();
    if (n > 2) a[n + 2] = a[2 * n + 1] = 3e-300;
    return a;
  }
  /** The message the JS checks (the ts backend) give for `data`, or "" when they accept it. */
  function tsMessage(fn: "eigh" | "eigvalsh", data: Float64Array, n: number): string {
    setBackend("ts");
    try {
      (fn === "eigh" ? eigh : eigvalsh)({ rows: n, cols: n, data });
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  }

  // tiles of 64 (2×2 register blocks in the SIMD build, the diagonal blocks and an odd last row apart)
  it.each([1, 2, 3, 32, 33, 63, 64, 65, 130])("simd and scalar refuse NaN/±∞ anywhere (n = %i) with the JS checks' message, leaving a untouched", (n) => {
    const at = (i: number, j: number) => [Math.max(0, Math.min(i, n - 1)), Math.max(0, Math.min(j, n - 1))];
    const positions = [[0, 0], [n - 1, n - 1], [0, n - 1], [n - 1, 0], at(1, 0), at(63, 64), at(64, 63), at(33, 1), at(n - 2, n - 1)];
    for (const backend of ["simd", "scalar"] as const) {
      for (const [i, j] of positions) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const data = symmetric(n, 3 + i + j);
          data[i * n + j] = bad;
          const copy = data.slice();
          const expected = tsMessage("eigvalsh", data, n);
          expect(expected).toMatch(/must be finite/);
          setBackend(backend);
          for (const fn of ["eigh", "eigvalsh"] as const) {
            const e = thrown(() => (fn === "eigh" ? eigh : eigvalsh)({ rows: n, cols: n, data }));
            expect(e.code).toBe("E_VALUE");
            expect(e.message).toBe(expected.replace(/^eigvalsh/, fn));
            expect(data).toEqual(copy);
          }
        }
      }
    }
  });

  it("simd and scalar refuse the asymmetry the JS check refuses, across tile boundaries, and accept what it accepts", () => {
    const n = 131;
    for (const [i, j] of [[0, 1], [1, 0], [2, 3], [63, 64], [64, 63], [5, 130], [130, 64], [127, 128], [40, 33]]) {
      for (const rel of [2e-12, 0.5e-12]) {
        const data = symmetric(n, 11);
        const maxAbs = data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        data[i * n + j] += rel * maxAbs;
        const expected = tsMessage("eigvalsh", data, n);
        expect(expected === "").toBe(rel < 1e-12);
        for (const backend of ["simd", "scalar"] as const) {
          setBackend(backend);
          if (expected === "") {
            expect(eigvalsh({ rows: n, cols: n, data }).length).toBe(n);
          } else {
            expect(thrown(() => eigvalsh({ rows: n, cols: n, data })).message).toBe(expected);
          }
        }
      }
    }
  });

  it("symmetricRange gives max|a|, the least nonzero |a| and max|aᵢⱼ − aⱼᵢ| exactly, on both builds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 140 }), fc.integer({ min: 1, max: 1e6 }), fc.boolean(), (n, seed, perturb) => {
        const a = symmetric(n, seed);
        if (perturb && n > 1) a[(seed % n) * n + ((seed >> 8) % n)] *= 1 + 1e-9;
        let max = 0;
        let min = Infinity;
        let asym = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const x = Math.abs(a[i * n + j]);
            max = Math.max(max, x);
            if (x !== 0) min = Math.min(min, x);
            asym = Math.max(asym, Math.abs(a[i * n + j] - a[j * n + i]));
          }
        }
        for (const backend of ["simd", "scalar"] as const) {
          setBackend(backend);
          expect(Array.from(kernels.symmetricRange("test", { n, a }).out)).toEqual([max, min, asym]);
        }
      }),
      { numRuns: 60 },
    );
    setBackend("simd");
    expect(Array.from(kernels.symmetricRange("test", { n: 2, a: new Float64Array(4) }).out)).toEqual([0, Infinity, 0]);
  });

  it("eigenvectorsRowMajor: column c is ±z[:, order[c]], its first entry of largest magnitude made positive, exactly, on both builds", () => {
    // entries from {−2, …, 2} (ties for the largest magnitude, zero columns, −0) and n around multiples of 8 (the
    // kernel takes eight columns side by side, the rest one at a time)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 41 }), fc.integer({ min: 1, max: 1e6 }), (n, seed) => {
        let s = seed;
        const next = () => (s = (s * 16807) % 2147483647);
        const z = Float64Array.from({ length: n * n }, () => [-2, -1, -0, 0, 1, 2][next() % 6]);
        if (n > 2) z.fill(0, n, 2 * n); // column 1 all zero
        const order = Int32Array.from({ length: n }, (_, c) => c);
        for (let c = n - 1; c > 0; c--) {
          const r = next() % (c + 1);
          [order[c], order[r]] = [order[r], order[c]];
        }
        const want = new Float64Array(n * n);
        for (let c = 0; c < n; c++) {
          const src = order[c] * n;
          let best = 0;
          let sign = 1;
          for (let r = 0; r < n; r++) {
            if (Math.abs(z[src + r]) > best) {
              best = Math.abs(z[src + r]);
              sign = z[src + r] < 0 ? -1 : 1;
            }
          }
          for (let r = 0; r < n; r++) want[r * n + c] = sign * z[src + r];
        }
        for (const backend of ["simd", "scalar"] as const) {
          setBackend(backend);
          const out = kernels.eigenvectorsRowMajor("test", { n, z, order }).out;
          expect(Array.from(out).every((x, i) => Object.is(x, want[i]))).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
    setBackend("simd");
  });
});

describe("dsterfQL: eigenvalues of a tridiagonal by the root-free QL/QR iteration (both builds)", () => {
  /** The eigenvalues dsterfQL gives for (d, e) on `build`, ascending, and its status. */
  function sterf(build: "simd" | "scalar", d: number[], e: number[]): { values: number[]; status: number } {
    setBackend(build);
    const n = d.length;
    const r = kernels.dsterfQL("test", { n, d: Float64Array.from(d), e: Float64Array.from([...e, 0].slice(0, n)) });
    setBackend("simd");
    return { values: Array.from(r.d).sort((x, y) => x - y), status: r.result };
  }

  /** On both builds dsterfQL converges on (d, e) and its eigenvalues are within 8·n·ε·‖T‖_F of tql2's. */
  function expectAgreesWithTql2(d: number[], e: number[]): void {
    const ref = tql2Reference(d, e);
    const tol = 8 * d.length * EPS * ref.frob;
    for (const build of ["simd", "scalar"] as const) {
      const { values, status } = sterf(build, d, e);
      expect(status).toBe(0);
      for (let i = 0; i < d.length; i++) expect(Math.abs(values[i] - ref.values[i])).toBeLessThanOrEqual(tol);
    }
  }

  /** Tridiagonals (d, e) of order 1–60 with entries drawn from `entry`. */
  const tridiagonals = (entry: fc.Arbitrary<number>) =>
    fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.array(entry, { minLength: n, maxLength: n }), fc.array(entry, { minLength: n - 1, maxLength: n - 1 })));

  it("property: random tridiagonals (zeros in e, repeated diagonals) agree with tql2 within 8·n·ε·‖T‖_F", () => {
    // Both are backward stable, so by Weyl each sorted spectrum is within its backward error (≤ 4·n·ε·‖T‖_F, a
    // generous a priori constant) of the exact one.
    const entry = fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0, 1, -1));
    fc.assert(
      fc.property(tridiagonals(entry), ([d, e]) => expectAgreesWithTql2(d, e)),
      { numRuns: 150 },
    );
  });

  it("Toeplitz (a, b), n = 300: eigenvalues a + 2b·cos(kπ/(n+1)) within 8·n·ε·‖T‖_F", () => {
    const n = 300;
    const { d, e } = toeplitz(n, 0.5, 0.25);
    const exact = Array.from({ length: n }, (_, k) => 0.5 + 0.5 * Math.cos(((n - k) * Math.PI) / (n + 1)));
    const tol = 8 * n * EPS * tql2Reference(d, e).frob;
    for (const build of ["simd", "scalar"] as const) {
      const { values } = sterf(build, d, e);
      for (let k = 0; k < n; k++) expect(Math.abs(values[k] - exact[k])).toBeLessThanOrEqual(tol);
    }
  });

  it("blocks far from 1 are scaled by exact powers of two: 2^s·T gives exactly 2^s times T's eigenvalues", () => {
    // Every block is scaled to max|entry| ∈ [0.5, 1) before the iteration. T's largest entry is 0.5, so the scaled
    // iteration runs on T's own bits and the results are 2^s times T's, bit for bit. Without the scaling e² would
    // underflow (s = −600, −1000) or overflow (s = 600, 1000).
    const { d, e } = toeplitz(40, 0.5, 0.25);
    for (const build of ["simd", "scalar"] as const) {
      const base = sterf(build, d, e).values;
      for (const s of [-1000, -600, -401, 401, 600, 1000]) {
        const f = 2 ** s;
        const scaled = sterf(build, d.map((x) => x * f), e.map((x) => x * f)).values;
        expect(scaled).toEqual(base.map((x) => x * f));
      }
    }
  });

  it("blocks of very different scales in one T: each block's eigenvalues to its own relative accuracy", () => {
    // T = diag(T₁, 2⁻⁷⁰⁰·T₂, 2⁷⁰⁰·T₃) with zero couplings: three blocks, each solved and scaled on its own.
    const t1 = toeplitz(7, 0.5, 0.25);
    const d = [...t1.d, ...t1.d.map((x) => x * 2 ** -700), ...t1.d.map((x) => x * 2 ** 700)];
    const e = [...t1.e, 0, ...t1.e.map((x) => x * 2 ** -700), 0, ...t1.e.map((x) => x * 2 ** 700)];
    for (const build of ["simd", "scalar"] as const) {
      const base = sterf(build, t1.d, t1.e).values;
      const { values } = sterf(build, d, e);
      expect(values).toEqual([...base.map((x) => x * 2 ** -700), ...base, ...base.map((x) => x * 2 ** 700)]);
    }
  });

  it("graded T runs QR from the small end: the same bits as QL on the reversed T, and tql2's values to 8·n·ε·‖T‖_F", () => {
    // |d[n−1]| < |d[0]| selects QR; reversing T selects QL. The two loops mirror each other operation for operation.
    const n = 50;
    const d = Array.from({ length: n }, (_, i) => 10 ** (6 - i / 5) * (i % 3 === 0 ? -1 : 1));
    const e = Array.from({ length: n - 1 }, (_, i) => 10 ** (5.5 - i / 5));
    const ref = tql2Reference(d, e);
    for (const build of ["simd", "scalar"] as const) {
      const qr = sterf(build, d, e);
      const ql = sterf(build, [...d].reverse(), [...e].reverse());
      expect(qr.values).toEqual(ql.values);
      for (let i = 0; i < n; i++) expect(Math.abs(qr.values[i] - ref.values[i])).toBeLessThanOrEqual(8 * n * EPS * ref.frob);
    }
  });

  it("an e whose square would be subnormal is deflated, not iterated on: ±|e₂| for T = [[0, e₁, 0], [e₁, 0, e₂], [0, e₂, 0]]", () => {
    // e₁ = −6.09e-162 and e₂ = 3.09e-4 (found by the property above): e₁² = 3.7e-323 keeps 3 significant bits, and
    // iterating on it gave ±e₂·(1 − 2.3e-9) (LAPACK's dsterf does too). The eigenvalues are 0 and ±√(e₁² + e₂²),
    // which is |e₂| in double precision.
    const e2 = 0.0003091762586352562;
    for (const build of ["simd", "scalar"] as const) {
      const { values } = sterf(build, [0, 0, 0], [-6.087275534924757e-162, e2]);
      expect(values[0]).toBe(-e2);
      expect(Math.abs(values[1])).toBeLessThanOrEqual(1e-161);
      expect(values[2]).toBe(e2);
    }
  });

  it("an iteration whose first sweep lands exactly on an eigenvalue: the second sweep restarts past the split (no 0/0)", () => {
    // The tridiagonal of a 4×4 SᵀAS with A = diag(0, −0.74, 0, 0) (found by the Sylvester property above). Each
    // iteration is two pipelined sweeps with one shift; here the first ends with γ = 0, so it leaves q(l) = 0 beside
    // the second sweep's γ₂ = 0, and r = p₂ + q = 0: the second sweep must take c = 1, s = 0 there (a split), where
    // the quotients would be 0/0 and the eigenvalues NaN.
    const d = [-1.7002636337930802e-29, -0.7572742859821986, 6.938893903907228e-18];
    const e = [-3.588266892612857e-15, 2.7755575615628914e-17];
    expectAgreesWithTql2(d, e);
  });

  it("glued Wilkinson matrices (tight clusters) and a zero block", () => {
    // W₂₁⁺ (d = |10 − i|, e = 1) glued five times with 1e-10: pairs of eigenvalues agree to ~1e-14 and clusters of
    // five within 1e-10; followed by a 3×3 zero block.
    const w = Array.from({ length: 21 }, (_, i) => Math.abs(10 - i));
    const d = [...w, ...w, ...w, ...w, ...w, 0, 0, 0];
    const e: number[] = [];
    for (let g = 0; g < 5; g++) {
      for (let i = 0; i < 20; i++) e.push(1);
      if (g < 4) e.push(1e-10);
    }
    e.push(0, 0, 0);
    const ref = tql2Reference(d, e);
    for (const build of ["simd", "scalar"] as const) {
      const { values, status } = sterf(build, d, e);
      expect(status).toBe(0);
      for (let i = 0; i < d.length; i++) expect(Math.abs(values[i] - ref.values[i])).toBeLessThanOrEqual(8 * d.length * EPS * ref.frob);
      expect(values.filter((x) => x === 0).length).toBe(3);
    }
  });

  it("a tiny e beside a zero diagonal entry: within 8·n·ε·‖T‖_F of tql2 (fast-check's counterexamples)", () => {
    // The eigenvalue ≈ −e²/d such an e makes is so small that the shifted γ² of the root-free iteration was
    // subnormal: with q = e² taken as zero only below 2⁻¹⁰²², these came out 5e-4 and 1e-10 off.
    const cases = [
      { at: 29, n: 49, d: [9e-323, 1, 0], e: [-0.47068155104149284, 1.772979291871526e-81] },
      { at: 21, n: 57, d: [0, -1.5e-323, -1, 1, 0], e: [1, -1, 0.009694440886323699, 1.772979291871526e-81] },
    ];
    for (const c of cases) {
      const d = new Array<number>(c.n).fill(0);
      const e = new Array<number>(c.n - 1).fill(0);
      c.d.forEach((x, i) => (d[c.at + i] = x));
      c.e.forEach((x, i) => (e[c.at + i] = x));
      expectAgreesWithTql2(d, e);
    }
  });

  it("property: tridiagonals with tiny and subnormal entries among ordinary ones agree with tql2 within 8·n·ε·‖T‖_F", () => {
    // As the property above, with entries down to the subnormals: the e's and diagonal entries near zero that
    // the deflation floors are about.
    const entry = fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0, 1, -1, 5e-324), fc.double({ min: -1e-60, max: 1e-60, noNaN: true }));
    fc.assert(
      fc.property(tridiagonals(entry), ([d, e]) => expectAgreesWithTql2(d, e)),
      { numRuns: 300 },
    );
  });
});

describe("dstedcVectors: eigenvalues and eigenvectors of a tridiagonal by divide and conquer (both builds)", () => {
  /**
   * dstedcVectors on `build` for (d, e): the values (ascending), W (n×n column-major) and the two backward errors
   * max_j ‖T·wⱼ − λⱼ·wⱼ‖₂ / ‖T‖_F and ‖WᵀW − I‖_max.
   */
  function dstedc(build: "simd" | "scalar", d: number[], e: number[]) {
    const n = d.length;
    setBackend(build);
    // no reflectors (τ = 0: Q = I), so w holds the tridiagonal's own eigenvectors
    const r = kernels.dstedcVectors("test", {
      n, d: Float64Array.from(d), e: Float64Array.from([...e, 0].slice(0, n)), rotCap: 4096, sweepCap: 4096,
      a: new Float64Array(n * n), tau: new Float64Array(n),
    });
    setBackend("simd");
    const lam = r.d;
    const w = r.w;
    let frob = 0;
    for (let i = 0; i < n; i++) frob += d[i] ** 2 + (i < n - 1 ? 2 * e[i] ** 2 : 0);
    frob = Math.sqrt(frob);
    let residual = 0;
    let orthogonality = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const tw = d[i] * w[j * n + i] + (i > 0 ? e[i - 1] * w[j * n + i - 1] : 0) + (i < n - 1 ? e[i] * w[j * n + i + 1] : 0);
        s += (tw - lam[j] * w[j * n + i]) ** 2;
      }
      residual = Math.max(residual, Math.sqrt(s) / (frob || 1));
      for (let k = j; k < n; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += w[j * n + i] * w[k * n + i];
        orthogonality = Math.max(orthogonality, Math.abs(dot - (j === k ? 1 : 0)));
      }
    }
    return { status: r.result, values: Array.from(lam).sort((x, y) => x - y), lam: Array.from(lam), w: Array.from(w), residual, orthogonality, frob };
  }
  /**
   * Backward stability (Gu & Eisenstat 1995): residual and orthogonality within 8·n·ε, and by Weyl the eigenvalues
   * within 8·n·ε·‖T‖_F of tql2's, on both builds. n > LEAF = 16 forces merges, so the secular solver, deflation
   * and the GEMM updates all run.
   */
  function check(d: number[], e: number[]): void {
    const n = d.length;
    const ref = tql2Reference(d, e).values;
    for (const build of ["simd", "scalar"] as const) {
      const r = dstedc(build, d, e);
      expect(r.status).toBe(0);
      expect(r.residual).toBeLessThanOrEqual(8 * n * EPS);
      expect(r.orthogonality).toBeLessThanOrEqual(8 * n * EPS);
      for (let i = 0; i < n; i++) expect(Math.abs(r.values[i] - ref[i])).toBeLessThanOrEqual(8 * n * EPS * r.frob);
    }
  }

  it("property: random tridiagonals with zeros, ±1 and repeated entries (n up to 90: up to three merge levels)", () => {
    const entry = fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0, 1, -1, 1e-9));
    fc.assert(
      fc.property(
        fc.integer({ min: 17, max: 90 }).chain((n) => fc.tuple(fc.array(entry, { minLength: n, maxLength: n }), fc.array(entry, { minLength: n - 1, maxLength: n - 1 }))),
        ([d, e]) => check(d, e),
      ),
      { numRuns: 40 },
    );
  });

  it("glued Wilkinson W₂₁⁺ ×5 (clusters within 1e-10: deflation by rotation of close poles)", () => {
    const w = Array.from({ length: 21 }, (_, i) => Math.abs(10 - i));
    const d = [...w, ...w, ...w, ...w, ...w];
    const e: number[] = [];
    for (let g = 0; g < 5; g++) {
      for (let i = 0; i < 20; i++) e.push(1);
      if (g < 4) e.push(1e-10);
    }
    check(d, e);
  });

  it("Toeplitz (2, −1), n = 200: eigenvalues 2 − 2cos(kπ/(n+1)) within 8·n·ε·‖T‖_F, and the sine eigenvectors", () => {
    const n = 200;
    const { d, e } = toeplitz(n, 2, -1);
    for (const build of ["simd", "scalar"] as const) {
      const r = dstedc(build, d, e);
      expect(r.residual).toBeLessThanOrEqual(8 * n * EPS);
      expect(r.orthogonality).toBeLessThanOrEqual(8 * n * EPS);
      for (let k = 0; k < n; k++) {
        expect(Math.abs(r.values[k] - (2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))))).toBeLessThanOrEqual(8 * n * EPS * r.frob);
      }
    }
  });

  it("graded and sign-alternating tridiagonals (poles spread over twelve decades)", () => {
    const n = 70;
    check(
      Array.from({ length: n }, (_, i) => 10 ** (6 - i / 6) * (i % 2 ? -1 : 1)),
      Array.from({ length: n - 1 }, (_, i) => 10 ** (5.5 - i / 6)),
    );
  });

  it("2^s·T gives exactly 2^s times T's eigenvalues and the same eigenvectors, bit for bit (s = −1000 … 600)", () => {
    // Every unreduced block is scaled to max|entry| ∈ [0.5, 1) first, so the solver sees the same bits at every
    // scale. Before, the deflation tolerance was not relative to the block: at s = −40 (norm ≈ 1e-12) the
    // eigenvectors' residual was ≈ 1e-5·‖T‖.
    const n = 60;
    const r01 = rng(11);
    const rnd = () => r01() * 3.5 + 0.25;
    const d = Array.from({ length: n }, (_, i) => (i % 3 ? 1 : -1) * rnd());
    const e = Array.from({ length: n - 1 }, () => rnd());
    for (const build of ["simd", "scalar"] as const) {
      const base = dstedc(build, d, e);
      expect(base.residual).toBeLessThanOrEqual(8 * n * EPS);
      for (const s of [-1000, -600, -40, -20, 20, 600]) {
        const f = 2 ** s;
        const r = dstedc(build, d.map((x) => x * f), e.map((x) => x * f));
        expect(r.lam).toEqual(base.lam.map((x) => x * f));
        expect(r.w).toEqual(base.w);
      }
    }
  });

  it("a subnormal e (found by the property above) is split off, not divided by: no NaN", () => {
    // d = 0 but d[23] = 1e-9, e = 0 but e[22] = 5e-324: a leaf's QL shift divided by 2·e[22] and gave ∞, then NaN.
    const n = 84;
    const d = new Array<number>(n).fill(0);
    const e = new Array<number>(n - 1).fill(0);
    d[23] = 1e-9;
    e[22] = 5e-324;
    check(d, e);
  });

  /**
   * With dsytrdLower's reflectors, dstedcVectors returns Q·Z, applying the reflectors below each trailing subproblem
   * before its merge: the same matrix as dormtrLower on the plain eigenvectors Z, to rounding. Both are products of
   * the same orthogonal factors in another order, so entry by entry (all of magnitude ≤ 1) they agree within a few
   * rounding errors per factor: the bound is 8·n·ε. The block-diagonal input splits T (e = 0 at row 29), so the last
   * unreduced block is the trailing subproblem at the top level.
   */
  it("with the reflectors of dsytrdLower: Q·Z as dormtrLower gives it, within 8·n·ε (n = 17 … 250, a split T)", () => {
    const blockDiagonal = (() => {
      const a = randomSymmetric(30, 7).data;
      const b = randomSymmetric(40, 8).data;
      const n = 70;
      const m = new Float64Array(n * n);
      for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) m[i * n + j] = a[i * 30 + j];
      for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) m[(30 + i) * n + 30 + j] = b[i * 40 + j];
      return m;
    })();
    const inputs = [17, 40, 101, 250].map((n) => randomSymmetric(n, n).data).concat([blockDiagonal]);
    for (const build of ["simd", "scalar"] as const) {
      setBackend(build);
      for (const data of inputs) {
        const n = Math.round(Math.sqrt(data.length));
        const t = kernels.dsytrdLower("test", { n, a: data });
        const dc = (a: Float64Array, tau: Float64Array) =>
          kernels.dstedcVectors("test", { n, d: t.d, e: t.e, rotCap: 4096, sweepCap: 4096, a, tau });
        const plain = dc(new Float64Array(n * n), new Float64Array(n));
        const want = kernels.dormtrLower("test", { n, a: t.a, tau: t.tau, w: plain.w }).w;
        const got = dc(t.a, t.tau);
        expect(got.result).toBe(0);
        expect(Array.from(got.d)).toEqual(Array.from(plain.d));
        let diff = 0;
        for (let i = 0; i < n * n; i++) diff = Math.max(diff, Math.abs(got.w[i] - want[i]));
        expect(diff, `${build}, n = ${n}`).toBeLessThanOrEqual(8 * n * EPS);
        if (n === 70) expect(t.e[29]).toBe(0);
      }
    }
    setBackend("simd");
  });
});
