import { activeWasm } from "./backend.js";
import { ShapeError, ValueError } from "./errors.js";
import type { Mat } from "./mat.js";
import { tsCholesky, tsLu, tsQr } from "./ts-backend.js";
import { checkMat, checkSquare, checkSymmetric, describeShape } from "./validate.js";

/** Cholesky factor: lower-triangular L with A = L·Lᵀ. Throws `ValueError` when A is not positive definite. */
export function cholesky(a: Mat): Mat {
  const fn = "cholesky";
  checkSymmetric(fn, "a", a);
  activeWasm(fn);
  const l = tsCholesky(a); // WASM path: lands with the factorisation kernels
  if (l === null) throw new ValueError(`${fn}: argument 'a' (${describeShape(a)}) is not positive definite`);
  return l;
}

/** LU with partial pivoting, P·A = L·U: `lu` packs unit-lower L (below the diagonal) and U; `pivots[i]` is the row of A in row i. */
export function lu(a: Mat): { lu: Mat; pivots: Int32Array } {
  const fn = "lu";
  checkSquare(fn, "a", a);
  activeWasm(fn);
  const { lu, pivots } = tsLu(a);
  return { lu, pivots };
}

/** Thin Householder QR, A = Q·R: Q m×n with orthonormal columns, R n×n upper triangular (requires m ≥ n). */
export function qr(a: Mat): { q: Mat; r: Mat } {
  const fn = "qr";
  checkMat(fn, "a", a);
  if (a.rows < a.cols) throw new ShapeError(`${fn}: argument 'a' must have rows ≥ cols; found ${describeShape(a)}`);
  activeWasm(fn);
  return tsQr(a);
}

/**
 * Solve A·X = B for square A by LU with partial pivoting. B is a vector (length n) or a matrix (n × k); the
 * result has B's shape. Throws `ValueError` when A is singular to working precision.
 */
export function solve(a: Mat, b: Mat): Mat;
export function solve(a: Mat, b: Float64Array): Float64Array;
export function solve(a: Mat, b: Mat | Float64Array): Mat | Float64Array {
  const fn = "solve";
  checkSquare(fn, "a", a);
  const isVec = b instanceof Float64Array;
  const B: Mat = isVec ? { rows: b.length, cols: 1, data: b } : b;
  checkMat(fn, "b", B);
  if (B.rows !== a.rows) {
    throw new ShapeError(`${fn}: 'b' must have ${a.rows} rows to match 'a' (${describeShape(a)}); found ${describeShape(B)}`);
  }
  activeWasm(fn);
  const { lu: LU, pivots, singular } = tsLu(a);
  if (singular) throw new ValueError(`${fn}: argument 'a' (${describeShape(a)}) is singular to working precision`);
  const n = a.rows;
  const k = B.cols;
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) x[i * k + j] = B.data[pivots[i] * k + j];
  const L = LU.data;
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * k + j];
      for (let p = 0; p < i; p++) s -= L[i * n + p] * x[p * k + j];
      x[i * k + j] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * k + j];
      for (let p = i + 1; p < n; p++) s -= L[i * n + p] * x[p * k + j];
      x[i * k + j] = s / L[i * n + i];
    }
  }
  return isVec ? x : { rows: n, cols: k, data: x };
}
