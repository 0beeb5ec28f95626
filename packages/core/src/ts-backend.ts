/**
 * The pure-TypeScript backend: the fallback when WASM is unavailable and the oracle the WASM kernels are tested
 * against. Plain loops for BLAS-like operations; ml-matrix for the decompositions where it fits.
 * Inputs are validated by the public functions before they reach here.
 */
import type * as MlMatrix from "ml-matrix";
import { NotInitializedError } from "./errors.js";
import type { Mat } from "./mat.js";

type Ml = typeof MlMatrix;
type Matrix = MlMatrix.Matrix;
let ml: Ml | undefined;

/**
 * node's `require`, where the engine offers it (`process.getBuiltinModule`, node ≥ 20.16), else undefined.
 * In node ml-matrix is required synchronously on first use (≈ 10 ms): an ESM `import` of its 150 kB CommonJS bundle
 * costs ≈ 55 ms, because node scans the source for export names, and every process that imports the core (the
 * command line above all) would pay it though few use the ts backend.
 */
function nodeRequire(): ((id: string) => unknown) | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("node:module") as { createRequire(from: string): (id: string) => unknown } | undefined;
  return mod?.createRequire(import.meta.url);
}

/**
 * Load ml-matrix where it cannot be required synchronously on first use (browsers, bundles): `init()` awaits this,
 * so the ts backend's decompositions are ready once `init()` resolves.
 */
export async function loadTsBackend(): Promise<void> {
  if (!ml && !nodeRequire()) ml = await import("ml-matrix");
}

/** ml-matrix, for the decompositions of the ts backend. */
function mlMatrix(): Ml {
  if (ml) return ml;
  const req = nodeRequire();
  if (!req) throw new NotInitializedError("ts backend: ml-matrix is not loaded (outside node, init() loads it); call 'await init()' first");
  ml = req("ml-matrix") as Ml;
  return ml;
}

export function toMl(a: Mat): Matrix {
  const { Matrix } = mlMatrix();
  const m = new Matrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) m.set(i, j, a.data[i * a.cols + j]);
  return m;
}

export function fromMl(m: Matrix): Mat {
  const rows = m.rows;
  const cols = m.columns;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = m.get(i, j);
  return { rows, cols, data };
}

/** C = op(A)·op(B), op(X) = X or Xᵀ. */
export function tsMatmul(a: Mat, b: Mat, transA: boolean, transB: boolean): Mat {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const n = transB ? b.rows : b.cols;
  const c = new Float64Array(m * n);
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = transA ? A[p * a.cols + i] : A[i * a.cols + p];
      if (aip === 0) continue;
      const row = i * n;
      if (transB) for (let j = 0; j < n; j++) c[row + j] += aip * B[j * b.cols + p];
      else {
        const brow = p * b.cols;
        for (let j = 0; j < n; j++) c[row + j] += aip * B[brow + j];
      }
    }
  }
  return { rows: m, cols: n, data: c };
}

/** AᵀA (form 'AtA') or AAᵀ (form 'AAt'), symmetric, both triangles filled. */
export function tsSyrk(a: Mat, form: "AtA" | "AAt"): Mat {
  return form === "AtA" ? tsMatmul(a, a, true, false) : tsMatmul(a, a, false, true);
}

/** y = op(A)·x. */
export function tsGemv(a: Mat, x: ArrayLike<number>, trans: boolean): Float64Array {
  const y = new Float64Array(trans ? a.cols : a.rows);
  for (let i = 0; i < a.rows; i++) {
    const row = i * a.cols;
    if (trans) {
      const xi = x[i];
      for (let j = 0; j < a.cols; j++) y[j] += a.data[row + j] * xi;
    } else {
      let s = 0;
      for (let j = 0; j < a.cols; j++) s += a.data[row + j] * x[j];
      y[i] = s;
    }
  }
  return y;
}

/** Symmetric eigendecomposition, eigenvalues ascending, eigenvectors as the columns of `vectors`. */
export function tsEigh(a: Mat): { values: Float64Array; vectors: Mat } {
  const { EigenvalueDecomposition } = mlMatrix();
  const evd = new EigenvalueDecomposition(toMl(a), { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const n = a.rows;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => vals[i] - vals[j]);
  const values = Float64Array.from(order, (i) => vals[i]);
  const vectors = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) vectors[r * n + c] = V.get(r, order[c]);
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/** Thin SVD A = U·diag(s)·Vᵀ, s descending; U is m×k, Vᵀ is k×n, k = min(m, n). */
export function tsSvd(a: Mat): { u: Mat; s: Float64Array; vt: Mat } {
  const k = Math.min(a.rows, a.cols);
  const { SingularValueDecomposition } = mlMatrix();
  const svd = new SingularValueDecomposition(toMl(a), { autoTranspose: true });
  const s = Float64Array.from(svd.diagonal.slice(0, k));
  const U = fromMl(svd.leftSingularVectors);
  const V = fromMl(svd.rightSingularVectors);
  const u = new Float64Array(a.rows * k);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < k; j++) u[i * k + j] = U.data[i * U.cols + j];
  const vt = new Float64Array(k * a.cols);
  for (let i = 0; i < k; i++) for (let j = 0; j < a.cols; j++) vt[i * a.cols + j] = V.data[j * V.cols + i];
  return { u: { rows: a.rows, cols: k, data: u }, s, vt: { rows: k, cols: a.cols, data: vt } };
}

/** Lower-triangular L with A = LLᵀ, or null when A is not (numerically) positive definite. */
export function tsCholesky(a: Mat): Mat | null {
  // The step itself, not ml-matrix's: its exact symmetry test threw an untyped "Matrix is not symmetric" on inputs
  // `checkSymmetric` accepts (within 1e-12). Row-oriented Cholesky–Crout on the lower triangle, as the WASM builds:
  // l_ij = (a_ij − Σ_{k<j} l_ik·l_jk)/l_jj, l_ii = √(a_ii − Σ_{k<i} l_ik²); null at a pivot ≤ 0 (not positive definite).
  const n = a.rows;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a.data[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return { rows: n, cols: n, data: l };
}

/** PA = LU with partial pivoting: packed LU (unit lower L below the diagonal) and the row permutation. */
export function tsLu(a: Mat): { lu: Mat; pivots: Int32Array } {
  const { LuDecomposition } = mlMatrix();
  const d = new LuDecomposition(toMl(a));
  const L = fromMl(d.lowerTriangularMatrix);
  const U = fromMl(d.upperTriangularMatrix);
  const n = a.rows;
  const lu = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lu[i * n + j] = j < i ? L.data[i * n + j] : U.data[i * n + j];
  return { lu: { rows: n, cols: n, data: lu }, pivots: Int32Array.from(d.pivotPermutationVector) };
}

/** Thin QR, A = QR with Q m×n orthonormal columns and R n×n upper triangular (m ≥ n). */
export function tsQr(a: Mat): { q: Mat; r: Mat } {
  const { QrDecomposition } = mlMatrix();
  const d = new QrDecomposition(toMl(a));
  return { q: fromMl(d.orthogonalMatrix), r: fromMl(d.upperTriangularMatrix) };
}

/**
 * Solve op(T)·X = B by substitution (T n×n triangular: the `lower` or upper triangle is used, the other ignored;
 * op(T) = Tᵀ when `trans`; unit diagonal assumed when `unit`). B is n×k; returns X (n×k).
 */
export function tsTriangularSolve(t: Mat, b: Mat, lower: boolean, trans: boolean, unit: boolean): Mat {
  const n = t.rows;
  const k = b.cols;
  const x = Float64Array.from(b.data);
  // op(T)(i, p) = T(i, p), or T(p, i) when transposed.
  const op = (i: number, p: number) => (trans ? t.data[p * n + i] : t.data[i * n + p]);
  const forward = lower !== trans;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    const [p0, p1] = forward ? [0, i] : [i + 1, n];
    for (let j = 0; j < k; j++) {
      let acc = x[i * k + j];
      for (let p = p0; p < p1; p++) acc -= op(i, p) * x[p * k + j];
      x[i * k + j] = unit ? acc : acc / op(i, i);
    }
  }
  return { rows: n, cols: k, data: x };
}
