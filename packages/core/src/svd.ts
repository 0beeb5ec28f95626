import { activeWasm } from "./backend.js";
import { ensureGemmBlocking } from "./blas.js";
import { ConvergenceError, ValueError } from "./errors.js";
import type { Mat } from "./mat.js";
import { unitMaxScaled } from "./pow2.js";
import { tsSvd } from "./ts-backend.js";
import { checkMat, checkNumber, checkOptions, describeShape, type MatInput } from "./validate.js";
import { withKernels } from "./kernel-session.js";

/** Thin SVD: A = U·diag(s)·Vᵀ with s descending, U m×k, Vᵀ k×n, k = min(m, n). */
export interface SvdResult {
  u: Mat;
  s: Float64Array;
  vt: Mat;
}

/** Singular values only (`svd(a, { vectors: false })`): min(m, n) values, descending. */
export interface SvdValues {
  s: Float64Array;
}

/** Options of `svd`. */
export interface SvdOptions {
  /** Compute U and Vᵀ (default true); `false` returns the singular values only (cheaper). */
  vectors?: boolean;
}

/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ of an m×n matrix: s descending (k = min(m, n) values ≥ 0),
 * U m×k and V n×k with orthonormal columns (`vt` is Vᵀ, k×n). Wide matrices (m < n) are decomposed through Aᵀ.
 *
 * WASM method (Drmač & Veselić, SIAM J. Matrix Anal. Appl. 29 (2008) 1322–1342; Demmel & Veselić, SIMAX 13
 * (1992)): rows sorted by ∞-norm, Householder QR with column pivoting A·P = Q·R (above 64 columns in panels whose
 * updates are deferred to one GEMM each, LAPACK dgeqp3), a second QR Rᵀ = Q₁·R₁, then
 * one-sided Jacobi (Hestenes) on X = R₁ᵀ with the stopping rule |x_pᵀx_q| ≤ √k·ε·‖x_p‖‖x_q‖, block-cyclic order. Every σ has error ≲ p(n)·ε·σ_max, and for matrices A = B·D or D·B with
 * well-conditioned B and diagonal scaling D (graded columns or rows) the small σ are accurate relative to
 * themselves, down to σ ≈ 1e-300·σ_max (for columns of norm below 2⁻⁴⁵⁰, whose entries' squares underflow, Jacobi
 * works with the cosines of pairs and the ratios of their norms on power-of-two-scaled columns, as LAPACK's dgesvj).
 * No float64 method can do better than the absolute bound for a small σ of a matrix that is not graded: rounding
 * the entries of A alone moves every σ by up to ε·σ_max.
 * Signs are deterministic: each row of Vᵀ has its largest-magnitude component positive (U's column follows), as on
 * every backend. Singular vectors of a repeated σ are any orthonormal basis of its subspace.
 * Zero singular values get orthonormal completions, so U and V always have orthonormal columns.
 * The pure-TS backend runs the same algorithm in TypeScript, with the same guarantees.
 *
 * Throws `ShapeError`/`ValueError` for malformed or non-finite input and `ConvergenceError` if Jacobi has not
 * converged after 60 sweeps (never observed: random 300×300 matrices take 10 sweeps, the last ones cheap).
 * @example
 * const { u, s, vt } = svd(matFromRows([[3, 0], [0, -2], [0, 0]]));
 * // s = [3, 2]; u is 3×2, vt is 2×2; svd(a, { vectors: false }).s gives s alone
 */
export function svd(a: MatInput, options: { vectors: false }): SvdValues;
export function svd(a: MatInput, options?: { vectors?: true }): SvdResult;
export function svd(a: MatInput, options: SvdOptions): SvdResult | SvdValues;
export function svd(a: MatInput, options: SvdOptions = {}): SvdResult | SvdValues {
  const fn = "svd";
  options = checkOptions(fn, options, ["vectors"]);
  a = checkMat(fn, "a", a);
  const vectors = options.vectors ?? true;
  if (typeof vectors !== "boolean") throw new ValueError(`${fn}: 'vectors' must be a boolean; found ${String(vectors)}`);
  const r = singularValuesAndVectors(fn, a, vectors);
  checkSigmaInRange(fn, r.s);
  return r;
}

/** Refuse singular values that overflowed: they cannot be returned (rank and nullspace work at any scale). */
function checkSigmaInRange(fn: string, s: Float64Array): void {
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i])) throw new ValueError(`${fn}: a singular value of 'a' exceeds the float64 range (σ > ${Number.MAX_VALUE}); scale 'a' down first (rank(a) and nullspace(a) work at any scale)`);
  }
}

/** `svd` without the range check (rank works on a scaled copy). */
function singularValuesAndVectors(fn: string, a: Mat, vectors: boolean): SvdResult | SvdValues {
  const r = activeWasm(fn) === null ? tsSvd(a, vectors) : wasmSvd(fn, a, vectors, false);
  if (r === null) throw notConverged(fn, a);
  return vectors ? normaliseSigns({ u: r.u!, s: r.s, vt: r.vt! }) : { s: r.s };
}

/** The error of a one-sided Jacobi SVD that did not converge in 60 sweeps (on any backend). */
function notConverged(fn: string, a: Mat): ConvergenceError {
  return new ConvergenceError(`${fn}: one-sided Jacobi did not converge in 60 sweeps for 'a' (${describeShape(a)})`);
}

/**
 * Deterministic signs: each right singular vector (row of Vᵀ) gets its largest-magnitude component positive (the
 * first such on ties), with the matching column of U flipped too, so U·Σ·Vᵀ is unchanged.
 */
function normaliseSigns(r: SvdResult): SvdResult {
  const { u, vt } = r;
  const k = vt.rows;
  const n = vt.cols;
  for (let j = 0; j < k; j++) {
    let big = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const t = Math.abs(vt.data[j * n + i]);
      if (t > big) {
        big = t;
        at = i;
      }
    }
    if (vt.data[j * n + at] >= 0) continue;
    for (let i = 0; i < n; i++) vt.data[j * n + i] = -vt.data[j * n + i];
    for (let i = 0; i < u.rows; i++) u.data[i * k + j] = -u.data[i * k + j];
  }
  return r;
}

/**
 * The WASM SVD. With `fullV` the returned `vt` is n×n (its last n − k rows span the orthogonal complement of
 * the row space), otherwise k×n.
 */
function wasmSvd(fn: string, a: Mat, vectors: boolean, fullV: boolean): { s: Float64Array; u?: Mat; vt?: Mat } {
  const { rows: m, cols: n } = a;
  const k = Math.min(m, n);
  const tall = m >= n;
  // The kernel decomposes a tall M×N matrix B (M ≥ N): B = A when m ≥ n, B = Aᵀ otherwise (A = V_B·Σ·U_Bᵀ).
  const M = tall ? m : n;
  const N = k;
  const uc = !vectors ? 0 : !tall && fullV ? n : N; // columns of U_B: full when V_A must be n×n
  const vtRows = fullV ? n : k;
  // dgemm's kernel serves the pivoted QR's panels above 64 columns (about half of its 2MN² flops), the second QR's
  // blocks above 128 and, with vectors, the block reflectors that form U = Q·[U_x; 0] and V = Q₁·J
  ensureGemmBlocking(M * N * N + (vectors ? 2 * M * N * uc + 2 * N ** 3 : 0));
  return withKernels(fn, (ks) => {
    const u = vectors ? ks.alloc("f64", m * k) : undefined;
    const vt = vectors ? ks.alloc("f64", vtRows * n) : undefined;
    // Element strides: A(i, j) = a[i·ars + j·acs]; U_B(i, j) → u[i·urs + j·ucs]; V_B(i, j) → v[i·vrs + j·vcs].
    const r = ks.svdJacobi(
      tall
        ? // B = A: U_B = U (m×k, row-major u), V_B = V (n×n; vt = Vᵀ row-major ⇒ V(i, j) at vt[j·n + i]).
          { m: M, n: N, a: a.data, ars: n, acs: 1, wantVectors: vectors ? 1 : 0, uc, u, urs: k, ucs: 1, v: vt, vrs: 1, vcs: n }
        : // B = Aᵀ: U = V_B (m×m, row-major u), Vᵀ = U_Bᵀ (U_B(i, j) at vt[j·n + i]).
          { m: M, n: N, a: a.data, ars: 1, acs: n, wantVectors: vectors ? 1 : 0, uc, u: vt, urs: 1, ucs: n, v: u, vrs: k, vcs: 1 },
    );
    if (r.result < 0) throw notConverged(fn, a);
    const s = ks.read(r.s);
    if (!vectors) return { s };
    return {
      s,
      u: { rows: m, cols: k, data: ks.read(u!) },
      vt: { rows: vtRows, cols: n, data: ks.read(vt!) },
    };
  });
}

/** What decided a numerical rank: the singular values, the relative tolerance and the absolute threshold. */
export interface RankDetails {
  rank: number;
  /** All min(m, n) singular values, descending. */
  singularValues: Float64Array;
  /** The relative tolerance: σᵢ counts when σᵢ > tol·σ_max. */
  tol: number;
  /** tol·σ_max. */
  threshold: number;
}

/** The default relative rank tolerance max(m, n)·ε (ε = 2⁻⁵²), LAPACK's and numpy's `matrix_rank` choice. */
function defaultRankTol(a: Mat): number {
  return Math.max(a.rows, a.cols) * Number.EPSILON;
}

function countAbove(s: Float64Array, threshold: number): number {
  let r = 0;
  for (const v of s) if (v > threshold) r++;
  return r;
}

/**
 * Numerical rank: the number of singular values σᵢ > tol·σ_max, default tol = max(m, n)·ε (ε = 2⁻⁵²), the choice
 * of LAPACK and numpy (Golub & Van Loan, Matrix Computations, §5.4.1). The zero matrix has rank 0.
 * @example
 * rank(matFromRows([[1, 2], [2, 4]])) // 1
 */
export function rank(a: MatInput, options: { tol?: number } = {}): number {
  const fn = "rank";
  options = checkOptions(fn, options, ["tol"]);
  a = checkMat(fn, "a", a);
  const tol = options.tol ?? defaultRankTol(a);
  checkNumber(fn, "tol", tol, { min: 0 });
  const s = singularValuesAndVectors(fn, unitScaled(a), false).s;
  return countAbove(s, tol * (s.length ? s[0] : 0));
}

/** A·2⁻ᵏ with max|aᵢⱼ| in [1, 2) (`unitMaxScaled`; A itself when k = 0): the same rank, null space and vectors. */
function unitScaled(a: Mat): Mat {
  const { scaled, k } = unitMaxScaled(a.data);
  return k === 0 ? a : { rows: a.rows, cols: a.cols, data: scaled };
}

/**
 * `rank` with what decided it: all singular values, the relative tolerance and the absolute threshold tol·σ_max
 * (σᵢ > threshold counts). Use it to see how clear the gap at the threshold is.
 * @example
 * const { rank, singularValues, threshold } = rankDetails(matFromRows([[1, 0], [0, 1e-20]]));
 * // rank 1: 1e-20 ≤ threshold = 2·ε·1 ≈ 4.4e-16
 */
export function rankDetails(a: MatInput, options: { tol?: number } = {}): RankDetails {
  return rankDetailsOf("rankDetails", a, options);
}

function rankDetailsOf(fn: string, a: MatInput, options: { tol?: number }): RankDetails {
  options = checkOptions(fn, options, ["tol"]);
  a = checkMat(fn, "a", a);
  const tol = options.tol ?? defaultRankTol(a);
  checkNumber(fn, "tol", tol, { min: 0 });
  const s = singularValuesAndVectors(fn, a, false).s;
  checkSigmaInRange(fn, s);
  const threshold = tol * (s.length ? s[0] : 0);
  return { rank: countAbove(s, threshold), singularValues: s, tol, threshold };
}

/**
 * Orthonormal basis of the null space {x : A·x = 0} as the columns of an n × (n − r) matrix N (AN ≈ 0, NᵀN = I),
 * with the numerical rank r decided as in `rank` (σᵢ > tol·σ_max, default tol = max(m, n)·ε).
 * The basis is the right singular vectors of the full SVD belonging to the σᵢ ≤ threshold and, when m < n, the
 * n − m directions orthogonal to the row space (WASM: the full U of the SVD of Aᵀ; the pure-TS backend pads A
 * with zero rows, which has the same null space). Any orthonormal basis of the space is correct; this one is not
 * normalised further.
 * @example
 * const N = nullspace(matFromRows([[1, 1]])); // 2×1, ±[1, −1]/√2
 */
export function nullspace(a: MatInput, options: { tol?: number } = {}): Mat {
  const fn = "nullspace";
  options = checkOptions(fn, options, ["tol"]);
  a = checkMat(fn, "a", a);
  const tol = options.tol ?? defaultRankTol(a);
  checkNumber(fn, "tol", tol, { min: 0 });
  const n = a.cols;
  // (scaled so that σ_max cannot overflow: with σ_max = ∞ every σᵢ fell under the threshold)
  a = unitScaled(a);
  let s: Float64Array;
  let vt: Mat;
  if (activeWasm(fn) === null) {
    // The pure-TS oracle: the rows of Vᵀ of an n×n (zero-padded) A give the full V.
    const padded = a.rows >= n ? a : { rows: n, cols: n, data: padRows(a, n) };
    const r = tsSvd(padded);
    if (r === null) throw notConverged(fn, a);
    s = r.s.subarray(0, Math.min(a.rows, n));
    vt = r.vt!;
  } else {
    const r = wasmSvd(fn, a, true, true);
    s = r.s;
    vt = r.vt!;
  }
  const r = countAbove(s, tol * (s.length ? s[0] : 0));
  const k = n - r;
  const data = new Float64Array(n * k);
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) data[i * k + c] = vt.data[(r + c) * n + i];
  return { rows: n, cols: k, data };
}

function padRows(a: Mat, rows: number): Float64Array {
  const d = new Float64Array(rows * a.cols);
  d.set(a.data);
  return d;
}
