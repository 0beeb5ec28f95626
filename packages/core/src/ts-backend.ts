/**
 * The pure-TypeScript backend: the fallback when WASM is unavailable and the oracle the WASM kernels are tested
 * against. Plain loops for BLAS-like operations, Cholesky and QR; ml-matrix for the other decompositions.
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

// LAPACK's safe minimum over ε (dlamch('S')/dlamch('E') = 2⁻¹⁰²²/2⁻⁵³): dlarfg rescales reflectors with |beta| below it.
const SAFMIN = 2 ** -969;

/**
 * ‖x‖₂ as the WASM builds' facNrm2 (assembly/vector.ts): √(Σ xᵢ²) when the sum is finite and ≥ 2⁻⁹⁶⁸, else with
 * every entry scaled by the power of two 2ˢ that brings max|xᵢ| into [1, 2), ‖x‖ = 2⁻ˢ·√(Σ (2ˢxᵢ)²). Scaling by
 * a power of two is exact, so ‖2ᵏx‖ = 2ᵏ‖x‖ to the last bit wherever no entry is subnormal, whichever branch each
 * takes (unlike Blue's three accumulators of core's `nrm2`, whose thresholds do not scale).
 */
function columnNorm(x: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  if (ss >= 2 ** -968 && ss < Infinity) return Math.sqrt(ss);
  let amax = 0;
  for (let i = 0; i < x.length; i++) amax = Math.max(amax, Math.abs(x[i]));
  if (amax === 0 || !Number.isFinite(amax)) return amax;
  // 2^s·amax ∈ [1, 2), s ∈ [−1023, 1074], applied in two halves (2^s alone overflows for s ≥ 1024).
  const scaledMax = (e: number) => amax * 2 ** Math.trunc(e / 2) * 2 ** (e - Math.trunc(e / 2));
  let s = -Math.floor(Math.log2(amax)); // log2 may round across an integer: make 2^s·amax ∈ [1, 2) exactly
  if (scaledMax(s) >= 2) s--;
  else if (scaledMax(s) < 1) s++;
  const s1 = Math.trunc(s / 2);
  const [c1, c2] = [2 ** s1, 2 ** (s - s1)];
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] * c1 * c2;
    sum += t * t;
  }
  return Math.sqrt(sum) * 2 ** -s1 * 2 ** -(s - s1);
}

/**
 * Thin QR, A = QR with Q m×n orthonormal columns and R n×n upper triangular with a non-negative diagonal (m ≥ n):
 * the algorithm of the WASM builds' qrThin (assembly/factor.ts) in plain loops. Householder reflectors as LAPACK
 * dlarfg (H·x = beta·e₁, beta = −sign(alpha)·‖x‖, v = x/(alpha − beta), tau = (beta − alpha)/beta; x and alpha
 * scaled up by 2⁹⁶⁹ while |beta| < 2⁻⁹⁶⁹), on a column-major copy; Q by backward accumulation of the reflectors on
 * [I; 0]; then row i of R and column i of Q negated together where r_ii < 0.
 */
export function tsQr(a: Mat): { q: Mat; r: Mat } {
  const { rows: m, cols: n } = a;
  const x = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) x[j * m + i] = a.data[i * n + j];
  const tau = new Float64Array(n);
  /** c ← H_k·c for the column c[k:m] (`col` is its offset in `y`): c ← c − tau_k·(vₖᵀc)·vₖ, vₖ = [1; x[k+1:m, k]]. */
  const reflect = (k: number, y: Float64Array, col: number) => {
    const v = k * m;
    let w = y[col + k];
    for (let i = k + 1; i < m; i++) w += x[v + i] * y[col + i];
    w *= tau[k];
    if (w === 0) return;
    y[col + k] -= w;
    for (let i = k + 1; i < m; i++) y[col + i] -= w * x[v + i];
  };
  for (let k = 0; k < n; k++) {
    const v = x.subarray(k * m + k + 1, (k + 1) * m);
    let alpha = x[k * m + k];
    let xnorm = columnNorm(v);
    if (xnorm === 0) continue;
    let beta = alpha < 0 ? Math.hypot(alpha, xnorm) : -Math.hypot(alpha, xnorm);
    let knt = 0;
    if (Math.abs(beta) < SAFMIN) {
      do {
        knt++;
        for (let i = 0; i < v.length; i++) v[i] *= 1 / SAFMIN;
        beta *= 1 / SAFMIN;
        alpha *= 1 / SAFMIN;
      } while (Math.abs(beta) < SAFMIN && knt < 20);
      xnorm = columnNorm(v);
      beta = alpha < 0 ? Math.hypot(alpha, xnorm) : -Math.hypot(alpha, xnorm);
    }
    tau[k] = (beta - alpha) / beta;
    const f = 1 / (alpha - beta);
    for (let i = 0; i < v.length; i++) v[i] *= f;
    for (let j = 0; j < knt; j++) beta *= SAFMIN;
    x[k * m + k] = beta;
    for (let j = k + 1; j < n; j++) reflect(k, x, j * m);
  }
  const qw = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    qw[j * m + j] = 1;
    for (let k = n - 1; k >= 0; k--) if (tau[k] !== 0) reflect(k, qw, j * m);
  }
  const q = new Float64Array(m * n);
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const sgn = x[i * m + i] < 0 ? -1 : 1;
    for (let j = i; j < n; j++) r[i * n + j] = sgn * x[j * m + i];
    for (let k = 0; k < m; k++) q[k * n + i] = sgn * qw[i * m + k];
  }
  return { q: { rows: m, cols: n, data: q }, r: { rows: n, cols: n, data: r } };
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
