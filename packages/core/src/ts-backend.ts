/**
 * The pure-TypeScript backend: the fallback when WASM is unavailable and the oracle the WASM kernels are tested
 * against. Plain loops for BLAS-like operations, Cholesky and QR; ml-matrix for the other decompositions.
 * Inputs are validated by the public functions before they reach here.
 */
import type * as MlMatrix from "ml-matrix";
import { NotInitializedError } from "./errors.js";
import type { Mat } from "./mat.js";
import { pow2Halves } from "./pow2.js";

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

/**
 * Symmetric eigendecomposition, eigenvalues ascending, eigenvectors as the columns of `vectors`: ml-matrix's
 * EigenvalueDecomposition (tred2/tql2), its vectors then orthonormalised (orthonormalizeColumns).
 */
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
  orthonormalizeColumns(vectors, n);
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/**
 * Modified Gram–Schmidt, twice, over the columns of the n×n row-major V in order. ml-matrix's tred2/tql2 returns
 * eigenvectors of a repeated eigenvalue that are not orthogonal for some matrices (the constant n×n matrix, n = 58–64
 * or 98–127: max|VᵀV − I| up to 1.3, with AV = VΛ still holding); within such a cluster any orthonormal basis is an
 * eigenbasis, and columns that are already orthonormal move by O(ε) only.
 */
function orthonormalizeColumns(v: Float64Array, n: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let r = 0; r < n; r++) d += v[r * n + i] * v[r * n + j];
        for (let r = 0; r < n; r++) v[r * n + j] -= d * v[r * n + i];
      }
      let s = 0;
      for (let r = 0; r < n; r++) s += v[r * n + j] * v[r * n + j];
      const inv = 1 / Math.sqrt(s);
      for (let r = 0; r < n; r++) v[r * n + j] *= inv;
    }
  }
}

/** Machine epsilon ε = 2⁻⁵² (the gap between 1 and the next double). */
const EPS = 2 ** -52;

/**
 * Thin SVD A = U·diag(s)·Vᵀ, s descending (k = min(m, n) values ≥ 0); with `vectors`, U m×k and Vᵀ k×n with
 * orthonormal columns and rows, completed where a σ is zero. Returns null when Jacobi did not converge in 60 sweeps.
 *
 * The WASM builds' algorithm, step for step (assembly/svd.ts; Drmač & Veselić, SIAM J. Matrix Anal. Appl. 29
 * (2008) 1322–1342): wide matrices through Aᵀ; rows sorted by ∞-norm and the matrix scaled by a power of two
 * (exact) so max|aᵢⱼ| ∈ [½, 1); Householder QR with column pivoting A·P = Q·R; Rᵀ = Q₁·R₁; one-sided Jacobi on
 * X = R₁ᵀ with the stopping rule |x_pᵀx_q| ≤ √n·ε·‖x_p‖‖x_q‖; σⱼ = ‖(X·J)ⱼ‖, U = Q·[U_x; 0], V = P·Q₁·J. So the
 * ts backend has the same guarantees: backward stability, σ relatively accurate for graded matrices, no flushing
 * of subnormal input to zero, orthonormal U and V for rank-deficient input. Only the order of the floating-point
 * sums may differ from the SIMD build (this one sums dot products as the scalar build does).
 */
export function tsSvd(a: Mat, vectors = true): { s: Float64Array; u?: Mat; vt?: Mat } | null {
  const { rows: m, cols: n } = a;
  const k = Math.min(m, n);
  const tall = m >= n;
  // B = A when m ≥ n, else B = Aᵀ (A = V_B·Σ·U_Bᵀ); B is M×N column-major, M ≥ N = k.
  const M = tall ? m : n;
  const b = new Float64Array(M * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) b[tall ? j * M + i : i * M + j] = a.data[i * n + j];
  }
  const r = jacobiSvd(M, k, b, vectors);
  if (r === null) return null;
  if (!vectors) return { s: r.s };
  const { uB, vB } = r as { uB: Float64Array; vB: Float64Array };
  // Row-major U (m×k) and Vᵀ (k×n): tall, U = U_B and V = V_B; wide, U = V_B and V = U_B.
  const u = new Float64Array(m * k);
  const vt = new Float64Array(k * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) u[i * k + j] = tall ? uB[j * M + i] : vB[j * k + i];
  for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) vt[j * n + i] = tall ? vB[j * k + i] : uB[j * M + i];
  return { s: r.s, u: { rows: m, cols: k, data: u }, vt: { rows: k, cols: n, data: vt } };
}

/**
 * SVD of the M×N column-major B (M ≥ N): σ descending, and with `vectors` U_B (M×N) and V_B (N×N) column-major.
 * The method of `tsSvd`; null when Jacobi did not converge in 60 sweeps.
 */
function jacobiSvd(M: number, N: number, b: Float64Array, vectors: boolean): { s: Float64Array; uB?: Float64Array; vB?: Float64Array } | null {
  // Cox–Higham row sorting: rows by decreasing ∞-norm make Householder QR with column pivoting row-wise backward
  // stable, which the relative accuracy for row-graded B needs (Drmač & Veselić 2008, §2).
  const rowMax = new Float64Array(M);
  for (let j = 0; j < N; j++) for (let i = 0; i < M; i++) rowMax[i] = Math.max(rowMax[i], Math.abs(b[j * M + i]));
  const rowPerm = Array.from({ length: M }, (_, i) => i).sort((p, q) => rowMax[q] - rowMax[p]);
  const x = new Float64Array(M * N); // B with sorted rows, then its QR factors (R and Q's reflectors)
  let amax = 0;
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < M; i++) {
      const bij = b[j * M + rowPerm[i]];
      x[j * M + i] = bij;
      amax = Math.max(amax, Math.abs(bij));
    }
  }
  // Scale by 2^e so that max|bᵢⱼ| ∈ [½, 1): exact, and keeps ‖·‖² clear of overflow and of underflow for subnormal
  // input. e ∈ [−1024, 1074] and 2^1074 overflows, so the scaling goes in two exact halves, undone on σ.
  const e = amax > 0 ? -Math.ceil(Math.log2(amax)) : 0;
  for (const f of pow2Halves(e)) if (f !== 1) for (let i = 0; i < x.length; i++) x[i] *= f;

  const tau = new Float64Array(N);
  const perm = new Int32Array(N);
  householderQrInPlace(M, N, x, tau, perm, true);
  // Y = Rᵀ (lower triangular), then Y = Q₁·R₁.
  const y = new Float64Array(N * N);
  for (let j = 0; j < N; j++) for (let i = j; i < N; i++) y[j * N + i] = x[i * M + j];
  const tau1 = new Float64Array(N);
  householderQrInPlace(N, N, y, tau1, new Int32Array(N), false);
  // Z = X = R₁ᵀ, then X·J.
  const z = new Float64Array(N * N);
  for (let j = 0; j < N; j++) for (let i = j; i < N; i++) z[j * N + i] = y[i * N + j];
  const jv = vectors ? new Float64Array(N * N) : null; // J, then Q₁·J
  if (jv) for (let j = 0; j < N; j++) jv[j * N + j] = 1;
  if (jacobiOneSided(N, N, z, jv, 60) < 0) return null;

  // σ: the column norms of X·J, sorted descending.
  const sval = new Float64Array(N);
  for (let j = 0; j < N; j++) sval[j] = robustNorm(z, j * N, N);
  const order = Array.from({ length: N }, (_, j) => j).sort((p, q) => sval[q] - sval[p]);
  const [u1, u2] = pow2Halves(-e);
  const s = Float64Array.from(order, (j) => sval[j] * u1 * u2);
  if (!jv) return { s };

  // U_x = (X·J)·Σ⁻¹, completed where σ = 0 (or 1/σ overflows).
  const bad = new Uint8Array(N);
  for (let j = 0; j < N; j++) {
    const sj = sval[j];
    if (sj === 0 || !Number.isFinite(1 / sj)) bad[j] = 1;
    else {
      const f = 1 / sj;
      for (let i = 0; i < N; i++) z[j * N + i] *= f;
    }
  }
  completeOrthonormal(N, N, z, bad);

  // U = Q·[U_x; 0] (columns in sorted order), rows back in B's order; V = P·(Q₁·J).
  const uw = new Float64Array(M * N);
  for (let j = 0; j < N; j++) uw.set(z.subarray(order[j] * N, order[j] * N + N), j * M);
  householderApplyQ(M, N, x, tau, N, uw);
  const uB = new Float64Array(M * N);
  for (let j = 0; j < N; j++) for (let i = 0; i < M; i++) uB[j * M + rowPerm[i]] = uw[j * M + i];
  householderApplyQ(N, N, y, tau1, N, jv);
  const vB = new Float64Array(N * N);
  for (let j = 0; j < N; j++) for (let i = 0; i < N; i++) vB[j * N + perm[i]] = jv[order[j] * N + i];
  return { s, uB, vB };
}

/** Σ x[xo + i]·y[yo + i] over i < n, summed in the scalar WASM build's order (two interleaved partial sums). */
function dotAt(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[xo + i] * y[yo + i];
    s1 += x[xo + i + 1] * y[yo + i + 1];
    s2 += x[xo + i + 2] * y[yo + i + 2];
    s3 += x[xo + i + 3] * y[yo + i + 3];
  }
  s0 = s0 + s2 + (s1 + s3);
  for (; i < n; i++) s0 += x[xo + i] * y[yo + i];
  return s0;
}

/**
 * Householder QR of the m×n column-major X (m ≥ n) in place, optionally with column pivoting (LAPACK dgeqp3's
 * rule: the remaining column of largest norm first; norms downdated, recomputed when cancellation makes the
 * downdate unreliable): X·P = Q·R with R in the upper triangle and reflector k as v = [1; X(k+1:m, k)], scalar
 * tau[k] (H_k = I − tau·v·vᵀ). perm[j] is the original index of column j. As `householderQr` in assembly/factor.ts.
 */
function householderQrInPlace(m: number, n: number, x: Float64Array, tau: Float64Array, perm: Int32Array, pivot: boolean): void {
  const vn1 = new Float64Array(n);
  const vn2 = new Float64Array(n);
  const tol3z = Math.sqrt(EPS);
  for (let j = 0; j < n; j++) {
    perm[j] = j;
    if (pivot) vn1[j] = vn2[j] = normAt(x, j * m, m);
  }
  for (let k = 0; k < n; k++) {
    const ck = k * m;
    if (pivot) {
      let p = k;
      for (let j = k + 1; j < n; j++) if (vn1[j] > vn1[p]) p = j;
      if (p !== k) {
        for (let i = 0; i < m; i++) {
          const t = x[ck + i];
          x[ck + i] = x[p * m + i];
          x[p * m + i] = t;
        }
        [perm[k], perm[p]] = [perm[p], perm[k]];
        vn1[p] = vn1[k];
        vn2[p] = vn2[k];
      }
    }
    // Reflector for x[k:m, k] as LAPACK's dlarfg: H·x = beta·e₁ with beta = −sign(alpha)·‖x‖, v = x/(alpha − beta),
    // tau = (beta − alpha)/beta; x and alpha scaled up by 2⁹⁶⁹ while |beta| < 2⁻⁹⁶⁹ (so 1/(alpha − beta) stays finite).
    const len = m - k - 1;
    const vk = ck + k + 1;
    let alpha = x[ck + k];
    let xnorm = normAt(x, vk, len);
    let tk = 0;
    if (xnorm !== 0) {
      let beta = alpha >= 0 ? -Math.hypot(alpha, xnorm) : Math.hypot(alpha, xnorm);
      let knt = 0;
      if (Math.abs(beta) < SAFMIN) {
        do {
          knt++;
          for (let i = 0; i < len; i++) x[vk + i] *= 1 / SAFMIN;
          beta *= 1 / SAFMIN;
          alpha *= 1 / SAFMIN;
        } while (Math.abs(beta) < SAFMIN && knt < 20);
        xnorm = normAt(x, vk, len);
        beta = alpha >= 0 ? -Math.hypot(alpha, xnorm) : Math.hypot(alpha, xnorm);
      }
      tk = (beta - alpha) / beta;
      const f = 1 / (alpha - beta);
      for (let i = 0; i < len; i++) x[vk + i] *= f;
      for (let j = 0; j < knt; j++) beta *= SAFMIN;
      x[ck + k] = beta;
    }
    tau[k] = tk;
    // Apply H_k to the columns on the right: c ← c − tau·(vᵀc)·v.
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      if (tk !== 0) {
        const w = tk * (x[cj + k] + dotAt(x, vk, x, cj + k + 1, len));
        x[cj + k] -= w;
        for (let i = 0; i < len; i++) x[cj + k + 1 + i] -= w * x[vk + i];
      }
      if (pivot && vn1[j] !== 0) {
        const r = Math.abs(x[cj + k]) / vn1[j];
        const temp = Math.max(0, 1 - r * r);
        const q = vn1[j] / vn2[j];
        if (temp * q * q <= tol3z) vn1[j] = vn2[j] = normAt(x, cj + k + 1, len);
        else vn1[j] *= Math.sqrt(temp);
      }
    }
  }
}

/** C ← Q·C for the m×c column-major C, Q = H_0·…·H_{kq−1} from `householderQrInPlace` on the m-row X. */
function householderApplyQ(m: number, kq: number, x: Float64Array, tau: Float64Array, c: number, cm: Float64Array): void {
  for (let j = 0; j < c; j++) {
    const cj = j * m;
    for (let k = kq - 1; k >= 0; k--) {
      const tk = tau[k];
      if (tk === 0) continue;
      const vk = k * m + k + 1;
      const len = m - k - 1;
      const w = tk * (cm[cj + k] + dotAt(x, vk, cm, cj + k + 1, len));
      if (w === 0) continue;
      cm[cj + k] -= w;
      for (let i = 0; i < len; i++) cm[cj + k + 1 + i] -= w * x[vk + i];
    }
  }
}

/**
 * One-sided Jacobi (Hestenes) on the m×n column-major Y: plane rotations Y ← Y·J until every pair of columns has
 * |y_pᵀy_q| ≤ √m·ε·‖y_p‖‖y_q‖ (the de Rijk / Demmel–Veselić stopping rule, which gives σ with high relative
 * accuracy). The rotations are also applied to the n×n column-major V when given (it should start as I). Pairs are
 * visited block-cyclically (blocks of columns small enough that two stay in cache), as in the WASM builds.
 * Returns the number of sweeps, or −1 when `maxSweeps` sweeps did not converge.
 */
function jacobiOneSided(m: number, n: number, y: Float64Array, v: Float64Array | null, maxSweeps: number): number {
  const tol = Math.sqrt(m) * EPS;
  const bs = Math.max(8, Math.min(n, Math.floor(32768 / Math.max(m, 1))));
  const norms = new Float64Array(n); // ‖y_j‖², exact at the start of each sweep, updated after each rotation
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    for (let j = 0; j < n; j++) norms[j] = squaredNorm(y, j * m, m);
    let rotated = 0;
    for (let bp = 0; bp < n; bp += bs) {
      const pEnd = Math.min(bp + bs, n);
      for (let bq = bp; bq < n; bq += bs) {
        const qEnd = Math.min(bq + bs, n);
        for (let p = bp; p < pEnd; p++) {
          for (let q = Math.max(bq, p + 1); q < qEnd; q++) rotated += jacobiPair(m, n, y, v, norms, tol, p, q);
        }
      }
    }
    if (rotated === 0) return sweep + 1;
  }
  return -1;
}

/** tan θ of a Jacobi rotation: the smaller root of t² + 2ζt − 1 = 0, which keeps the rotation small. */
function jacobiTangent(zeta: number): number {
  const az = Math.abs(zeta);
  return az > 1e150 ? 0.5 / zeta : (zeta >= 0 ? 1 : -1) / (az + Math.sqrt(1 + zeta * zeta));
}

/**
 * Squared column norms below this (2⁻⁹⁰⁰: norms below 2⁻⁴⁵⁰) lose digits to underflow in the squares and products of
 * their entries; jacobiPair hands pairs with such a column to jacobiPairScaled.
 */
const SMALL_SQUARE = 2 ** -900;

/**
 * ‖x[xo : xo + n]‖² for jacobiOneSided's `norms`: the dot product, except that a nonzero column whose squares all
 * underflow gets the least positive double, so that 0 marks zero columns only.
 */
function squaredNorm(x: Float64Array, xo: number, n: number): number {
  const ss = dotAt(x, xo, x, xo, n);
  if (ss !== 0) return ss;
  for (let i = 0; i < n; i++) if (x[xo + i] !== 0) return Number.MIN_VALUE;
  return 0;
}

/**
 * One Jacobi step on columns p < q of Y: when |y_pᵀy_q| > tol·‖y_p‖‖y_q‖, rotate them (and the same columns of V)
 * so they become orthogonal. `norms` holds the ‖y_j‖² (squaredNorm). Returns 1 if rotated. A pair with a column of
 * squared norm below SMALL_SQUARE goes to jacobiPairScaled.
 */
function jacobiPair(m: number, n: number, y: Float64Array, v: Float64Array | null, norms: Float64Array, tol: number, p: number, q: number): number {
  const a = norms[p];
  const b = norms[q];
  if (a === 0 || b === 0) return 0;
  if (a < SMALL_SQUARE || b < SMALL_SQUARE) return jacobiPairScaled(m, n, y, v, norms, tol, p, q);
  const yp = p * m;
  const yq = q * m;
  const g = dotAt(y, yp, y, yq, m);
  if (Math.abs(g) <= tol * Math.sqrt(a) * Math.sqrt(b)) return 0;
  const t = jacobiTangent((b - a) / (2 * g));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = c * t;
  rotateAt(y, yp, yq, m, c, s);
  // New squared norms a − t·g and b + t·g (exact in real arithmetic); recomputed when the update cancels.
  const na = a - t * g;
  const nb = b + t * g;
  norms[p] = na > 0.25 * a ? na : squaredNorm(y, yp, m);
  norms[q] = nb > 0.25 * b ? nb : squaredNorm(y, yq, m);
  if (v) rotateAt(v, p * n, q * n, n, c, s);
  return 1;
}

/**
 * jacobiPair for nonzero columns p < q of which one has ‖y‖² below SMALL_SQUARE, where the squares and products of
 * the entries underflow (singular values below ≈ 2⁻⁴⁵⁰·σ_max, whose rotations the squared norms and dot products
 * would miss or get wrong): the rotation from scale-free quantities, as LAPACK's dgesvj computes them, the cosine of
 * the pair's angle and the ratio of their norms,
 *   cos θ = y_pᵀy_q/(‖y_p‖‖y_q‖),  r = ‖y_q‖/‖y_p‖,  ζ = (r − 1/r)/(2·cos θ)  (= (b − a)/(2g) of jacobiPair),
 * each column's sums taken on its entries scaled by a power of two that brings its largest to [1, 2) (exact). No
 * rotation when |cos θ| ≤ tol, or when t underflows to 0 (r beyond float64's range). The squared norms are then
 * recomputed. The WASM builds' jacobiPairScaled, step for step.
 */
function jacobiPairScaled(m: number, n: number, y: Float64Array, v: Float64Array | null, norms: Float64Array, tol: number, p: number, q: number): number {
  const yp = p * m;
  const yq = q * m;
  const kp = maxExponent(y, yp, m);
  const kq = maxExponent(y, yq, m);
  const [fp1, fp2] = pow2Halves(-kp);
  const [fq1, fq2] = pow2Halves(-kq);
  let pp = 0;
  let qq = 0;
  let pq = 0;
  for (let i = 0; i < m; i++) {
    const x = y[yp + i] * fp1 * fp2;
    const z = y[yq + i] * fq1 * fq2;
    pp += x * x;
    qq += z * z;
    pq += x * z;
  }
  const cos = pq / (Math.sqrt(pp) * Math.sqrt(qq));
  if (Math.abs(cos) <= tol) return 0;
  // r = ‖y_q‖/‖y_p‖ = (√qq/√pp)·2^(kq − kp), the power of two in two exact halves
  const [r1, r2] = pow2Halves(kq - kp);
  const r = (Math.sqrt(qq) / Math.sqrt(pp)) * r1 * r2;
  const t = jacobiTangent((r - 1 / r) / (2 * cos));
  if (t === 0) return 0;
  const c = 1 / Math.sqrt(1 + t * t);
  const s = c * t;
  rotateAt(y, yp, yq, m, c, s);
  norms[p] = squaredNorm(y, yp, m);
  norms[q] = squaredNorm(y, yq, m);
  if (v) rotateAt(v, p * n, q * n, n, c, s);
  return 1;
}

/** The k with max|x[xo + i]| ∈ [2ᵏ, 2ᵏ⁺¹) over n doubles, not all zero. */
function maxExponent(x: Float64Array, xo: number, n: number): number {
  let mx = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(x[xo + i]));
  const k = Math.floor(Math.log2(mx));
  // log2 rounds to the integer just below a power of two; step back so that 2ᵏ ≤ mx
  return 2 ** k > mx ? k - 1 : k;
}

/** x ← c·x − s·y, y ← s·x + c·y for x = w[xo : xo + n], y = w[yo : yo + n]. */
function rotateAt(w: Float64Array, xo: number, yo: number, n: number, c: number, s: number): void {
  for (let i = 0; i < n; i++) {
    const xi = w[xo + i];
    const yi = w[yo + i];
    w[xo + i] = c * xi - s * yi;
    w[yo + i] = s * xi + c * yi;
  }
}

/** ‖x[xo : xo + n]‖₂ without underflow of the squares: rescaled by 2^600 when ‖x‖² < 2^-900. */
function robustNorm(x: Float64Array, xo: number, n: number): number {
  const ss = dotAt(x, xo, x, xo, n);
  if (ss >= 1.2e-271) return Math.sqrt(ss);
  const up = 2 ** 600;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const t = x[xo + i] * up;
    acc += t * t;
  }
  return Math.sqrt(acc) / up;
}

/**
 * Replace the columns j of the n×k column-major U with bad[j] ≠ 0 by unit vectors orthogonal to all other columns
 * (Gram–Schmidt, twice, on the first coordinate vector whose projection keeps at least half of the average norm,
 * ‖·‖² ≥ 1/(2n): one exists, since the projections of e₁…eₙ have squared norms summing to n − k + 1 ≥ 1).
 */
function completeOrthonormal(n: number, k: number, u: Float64Array, bad: Uint8Array): void {
  for (let j = 0; j < k; j++) {
    if (!bad[j]) continue;
    const uj = j * n;
    for (let e = 0; e < n; e++) {
      u.fill(0, uj, uj + n);
      u[uj + e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let l = 0; l < k; l++) {
          if (l === j || bad[l]) continue;
          const d = dotAt(u, l * n, u, uj, n);
          for (let i = 0; i < n; i++) u[uj + i] -= d * u[l * n + i];
        }
      }
      const nrm2 = dotAt(u, uj, u, uj, n);
      if (nrm2 >= 0.5 / n) {
        const f = 1 / Math.sqrt(nrm2);
        for (let i = 0; i < n; i++) u[uj + i] *= f;
        bad[j] = 0;
        break;
      }
    }
  }
}

/** Lower-triangular L with A = LLᵀ, or null when A is not (numerically) positive definite. */
export function tsCholesky(a: Mat): Mat | null {
  // The step itself, not ml-matrix's: its exact symmetry test threw an untyped "Matrix is not symmetric" on inputs
  // `checkSymmetric` accepts (within 1e-12). Row-oriented Cholesky–Crout on the lower triangle, the recurrence the WASM
  // builds run on their diagonal blocks: l_ij = (a_ij − Σ_{k<j} l_ik·l_jk)/l_jj, l_ii = √(a_ii − Σ_{k<i} l_ik²); null at
  // a pivot ≤ 0 (not positive definite).
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
/** dlarfg's safe minimum: reflectors whose |beta| is below it are computed on x·2⁹⁶⁹. */
const SAFMIN = 2 ** -969;

/**
 * ‖x[xo : xo + n]‖₂ as the WASM builds' facNrm2 (assembly/vector.ts): √(Σ xᵢ²) in `dotAt`'s order when the sum is
 * finite and ≥ 2⁻⁹⁶⁸, else with every entry scaled by the power of two 2ˢ that brings max|xᵢ| into [1, 2), summed in
 * the same order, ‖x‖ = 2⁻ˢ·√(Σ (2ˢxᵢ)²). Scaling by a power of two is exact, so ‖2ᵏx‖ = 2ᵏ‖x‖ to the last bit
 * wherever no entry is subnormal, whichever branch each takes (unlike Blue's three accumulators of core's `nrm2`).
 */
function normAt(x: Float64Array, xo: number, n: number): number {
  const ss = dotAt(x, xo, x, xo, n);
  if (ss >= 2 ** -968 && ss < Infinity) return Math.sqrt(ss);
  let amax = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[xo + i]));
  if (amax === 0 || !Number.isFinite(amax)) return amax;
  // 2^s·amax ∈ [1, 2), s ∈ [−1023, 1074], applied in two halves (2^s alone overflows for s ≥ 1024).
  const scaledMax = (e: number) => {
    const [f1, f2] = pow2Halves(e);
    return amax * f1 * f2;
  };
  let s = -Math.floor(Math.log2(amax)); // log2 may round across an integer: make 2^s·amax ∈ [1, 2) exactly
  if (scaledMax(s) >= 2) s--;
  else if (scaledMax(s) < 1) s++;
  const [c1, c2] = pow2Halves(s);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = x[xo + i] * c1 * c2;
  const [u1, u2] = pow2Halves(-s);
  return Math.sqrt(dotAt(t, 0, t, 0, n)) * u1 * u2;
}

/**
 * Thin QR, A = QR with Q m×n orthonormal columns and R n×n upper triangular with a non-negative diagonal (m ≥ n):
 * the algorithm of the WASM builds' qrThin (assembly/factor.ts): `householderQrInPlace` without pivoting (the
 * reflectors of the SVD's QR too) on a column-major copy; Q by backward accumulation of the reflectors on [I; 0]
 * (`householderApplyQ`); then row i of R and column i of Q negated together where r_ii < 0.
 */
export function tsQr(a: Mat): { q: Mat; r: Mat } {
  const { rows: m, cols: n } = a;
  const x = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) x[j * m + i] = a.data[i * n + j];
  const tau = new Float64Array(n);
  householderQrInPlace(m, n, x, tau, new Int32Array(n), false);
  const qw = new Float64Array(m * n);
  for (let j = 0; j < n; j++) qw[j * m + j] = 1;
  householderApplyQ(m, n, x, tau, n, qw);
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
