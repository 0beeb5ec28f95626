import { activeWasm } from "./backend.js";
import type { Mat } from "./mat.js";
import { tsSvd } from "./ts-backend.js";
import { checkMat, checkNumber } from "./validate.js";

/** Thin SVD: A = U·diag(s)·Vᵀ with s descending, U m×k, Vᵀ k×n, k = min(m, n). */
export interface SvdResult {
  u: Mat;
  s: Float64Array;
  vt: Mat;
}

/** Thin singular value decomposition A = U·diag(s)·Vᵀ, singular values descending. */
export function svd(a: Mat): SvdResult {
  const fn = "svd";
  checkMat(fn, "a", a);
  const w = activeWasm(fn);
  if (w === null) return tsSvd(a);
  return tsSvd(a); // WASM path: lands with the SVD kernels
}

/**
 * Numerical rank: the number of singular values σᵢ > tol · σ_max. The default tol is max(m, n)·ε (ε = 2⁻⁵²),
 * LAPACK's and numpy's choice. Returns the rank with the singular values and the threshold used.
 */
export function rank(a: Mat, options: { tol?: number } = {}): number {
  return rankDetails(a, options).rank;
}

/** `rank` with what decided it: singular values, the relative tolerance and the absolute threshold. */
export function rankDetails(a: Mat, options: { tol?: number } = {}): { rank: number; singularValues: Float64Array; tol: number; threshold: number } {
  const fn = "rank";
  checkMat(fn, "a", a);
  const tol = options.tol ?? Math.max(a.rows, a.cols) * Number.EPSILON;
  checkNumber(fn, "tol", tol, { min: 0 });
  const s = svd(a).s;
  const threshold = tol * (s.length ? s[0] : 0);
  let r = 0;
  for (const v of s) if (v > threshold) r++;
  return { rank: r, singularValues: s, tol, threshold };
}

/**
 * Orthonormal basis of the null space {x : Ax = 0} as the columns of an n × (n − rank) matrix,
 * rank decided as in `rank` (σᵢ > tol·σ_max).
 */
export function nullspace(a: Mat, options: { tol?: number } = {}): Mat {
  const fn = "nullspace";
  checkMat(fn, "a", a);
  const n = a.cols;
  // The right singular vectors of the full SVD: pad A with zero rows when m < n so Vᵀ is n×n.
  const padded = a.rows >= n ? a : { rows: n, cols: n, data: padRows(a, n) };
  const { s, vt } = svd(padded);
  const tol = options.tol ?? Math.max(a.rows, a.cols) * Number.EPSILON;
  checkNumber(fn, "tol", tol, { min: 0 });
  const threshold = tol * (s.length ? s[0] : 0);
  let r = 0;
  for (const v of s) if (v > threshold) r++;
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
