import { checkNumber, eigh, matmul, nrm2, ValueError, wasmActive, withKernels, checkOptions } from "@losscape/core";
import { createRng } from "@losscape/mlp";
import { Basis, checkBasisSize, normalize, orthogonalize, gaussian, pack, vectorOf } from "./block.js";
import type { SymmetricOperator } from "./operator.js";

/** Default relative residual of `eigenpairs`: ‖Av − λv‖ ≤ tol·‖A‖ (‖A‖ estimated by the largest |Ritz value|). */
export const DEFAULT_EIGEN_TOL = 1e-8;

/** The default block of `eigenpairs(op, k)` on an operator of dimension `dim`: min(k, 16, dim) vectors applied together. */
export function defaultBlock(k: number, dim: number): number {
  return Math.min(k, 16, dim);
}

/** Most values the default basis of `eigenpairs` holds: 2²⁵ doubles (256 MiB, and as much again resident in WASM). */
export const DEFAULT_BASIS_VALUES = 2 ** 25;

/**
 * The default `maxBasis` of `eigenpairs(op, k)` with block b (default min(k, 16)): k + 30b vectors, about 30 block
 * steps between thick restarts, at most DEFAULT_BASIS_VALUES values of the dimension but never fewer than
 * max(2k + 2b, k + 3b) (the kept Ritz vectors and two blocks), and at most the dimension. The smallest eigenvalues of
 * a network's Hessian sit at the edge of its bulk near zero, so their Ritz values converge slowly and need a long
 * Krylov polynomial between restarts: bottom-5 of a 784-32-10 tanh net (M = 25,450, 2000 samples) took 325
 * products with 155 vectors (this default) and 385 with 120, but 855 with 60, 1755 with 40 and did not converge in 2000 with 20
 * (the former default, max(2k + 2b, k + 3b)); ARPACK (scipy's eigsh, 20 vectors, one at a time) took 785 at a
 * comparable tolerance. The top eigenvalues, well separated, converge before the first restart either way.
 * @example
 * eigenpairsBasisSize(101770, 5); // 155
 */
export function eigenpairsBasisSize(dim: number, k: number, block = defaultBlock(k, dim)): number {
  const b = block;
  const least = Math.max(2 * k + 2 * b, k + 3 * b);
  return Math.min(dim, Math.max(least, Math.min(k + 30 * b, Math.floor(DEFAULT_BASIS_VALUES / dim))));
}

export interface EigenpairsOptions {
  /** "largest" (default): the k largest eigenvalues; "smallest": the k smallest. */
  which?: "largest" | "smallest";
  /** Relative residual target (default 1e-8). */
  tol?: number;
  /** Block size b (default min(k, 16)): vectors applied together. */
  block?: number;
  /** Largest basis before a thick restart (default `eigenpairsBasisSize`: k + 30b, at most 2²⁵ values). */
  maxBasis?: number;
  /** Most operator products (vectors) before giving up unconverged (default 200·k + 1000). */
  maxProducts?: number;
  seed?: number;
  /** Called after every block: products so far and the largest relative residual of the wanted pairs. */
  onProgress?: (p: { products: number; residual: number }) => void;
}

export interface Eigenpairs {
  /** The eigenvalues, wanted first (largest: descending; smallest: ascending), as Rayleigh quotients vᵀAv. */
  values: Float64Array;
  /** Unit eigenvectors, one per value. */
  vectors: Float64Array[];
  /** ‖Av − λv‖ of each pair, from a fresh product A·v. */
  residuals: Float64Array;
  /** The scale ‖A‖ the relative residuals are measured against (largest |Ritz value| seen). */
  scale: number;
  /** Operator products (vectors) used, the final check included. */
  products: number;
  converged: boolean;
}

/**
 * The k largest (or smallest) eigenpairs of a symmetric operator by block Lanczos with full reorthogonalisation
 * (classical Gram–Schmidt twice against the whole basis) and thick restart (Wu & Simon 2000; block form as in
 * Golub & Underwood 1977): the basis Q grows by blocks P → orth(AP); the Rayleigh–Ritz pairs (θ, Qu) of T = QᵀAQ
 * (assembled from the orthogonalisation coefficients, no extra products) have residuals ‖R·u_last‖ with R the
 * triangular factor of the next block; when the basis reaches `maxBasis`, it restarts from the wanted Ritz vectors,
 * keeping the next block, so the Krylov relation A·Q = Q·T + P·R·E_lastᵀ holds throughout. Converged when every
 * wanted pair has ‖Av − λv‖ ≤ tol·‖A‖; the residuals returned are recomputed from one more product.
 * @example
 * const { values, residuals } = await eigenpairs(op, 10);
 */
export async function eigenpairs(op: SymmetricOperator, k: number, options: EigenpairsOptions = {}): Promise<Eigenpairs> {
  const fn = "eigenpairs";
  options = checkOptions(fn, options, ["which", "tol", "block", "maxBasis", "maxProducts", "seed", "onProgress"]);
  const M = op.dim;
  checkNumber(fn, "k", k, { min: 1, max: M, integer: true });
  const which = options.which ?? "largest";
  if (which !== "largest" && which !== "smallest") throw new ValueError(`${fn}: 'which' must be 'largest' or 'smallest'; found ${String(which)}`);
  const tol = options.tol ?? DEFAULT_EIGEN_TOL;
  checkNumber(fn, "tol", tol, { min: 0, exclusiveMin: true });
  const b = Math.min(options.block ?? defaultBlock(k, M), M);
  checkNumber(fn, "block", b, { min: 1, integer: true });
  const maxBasis = Math.min(M, options.maxBasis ?? eigenpairsBasisSize(M, k, b));
  checkNumber(fn, "maxBasis", maxBasis, { min: Math.min(M, k + b), integer: true });
  checkBasisSize(fn, options.maxBasis === undefined ? `k = ${k}` : `'maxBasis' = ${options.maxBasis}`, maxBasis, M);
  const maxProducts = options.maxProducts ?? 200 * k + 1000;
  checkNumber(fn, "maxProducts", maxProducts, { min: 1, integer: true });
  const rng = createRng(options.seed ?? 0);
  const sign = which === "largest" ? 1 : -1;

  using Q = new Basis(M, maxBasis);
  let T = new Float64Array(maxBasis * maxBasis);
  let P = nextBlock(Q, pack(Array.from({ length: b }, () => gaussian(rng, M)), M), b, rng);
  let products = 0;
  let scale = 0;
  let theta: Float64Array = new Float64Array(0);
  let U: Float64Array = new Float64Array(0);
  let wanted: number[] = [];
  let converged = false;
  for (;;) {
    const nb = P.k;
    const AP = await op.apply(P.block, nb);
    products += nb;
    const j0 = Q.count;
    Q.append(P.block, nb);
    const j = Q.count;
    const c = Q.orthogonalize(AP, nb);
    for (let r = 0; r < j; r++) for (let i = 0; i < nb; i++) T[r * maxBasis + j0 + i] = c[r * nb + i];
    for (let r = 0; r < j; r++) {
      for (let i = j0; i < j; i++) {
        if (r >= j0 && r > i) continue;
        const s = r >= j0 ? 0.5 * (T[r * maxBasis + i] + T[i * maxBasis + r]) : T[r * maxBasis + i];
        T[r * maxBasis + i] = s;
        T[i * maxBasis + r] = s;
      }
    }
    const next = j < M ? nextBlock(Q, AP, nb, rng) : { block: new Float64Array(0), k: 0, R: new Float64Array(0) };
    // Rayleigh–Ritz on T (j × j).
    const t = new Float64Array(j * j);
    for (let r = 0; r < j; r++) for (let q = 0; q < j; q++) t[r * j + q] = T[r * maxBasis + q];
    const e = eigh({ rows: j, cols: j, data: t });
    theta = e.values;
    U = e.vectors.data;
    for (let i = 0; i < j; i++) scale = Math.max(scale, Math.abs(theta[i]));
    wanted = Array.from({ length: Math.min(k, j) }, (_, i) => (sign > 0 ? j - 1 - i : i));
    let worst = 0;
    for (const i of wanted) {
      // ‖R·u_last‖: u's last nb components (the block just added) times the next block's factor R (k' × nb).
      let s = 0;
      for (let r = 0; r < next.k; r++) {
        let a = 0;
        for (let q = 0; q < nb; q++) a += next.R[r * nb + q] * U[(j0 + q) * j + i];
        s += a * a;
      }
      worst = Math.max(worst, Math.sqrt(s) / (scale || 1));
    }
    options.onProgress?.({ products, residual: worst });
    converged = wanted.length === k && worst <= tol;
    if (converged || next.k === 0 || products + b > maxProducts) break;
    P = next;
    if (j + P.k > maxBasis) {
      if (maxBasis === M) {
        P = { ...P, k: M - j, block: P.block.subarray(0, (M - j) * M) };
      } else {
        // Thick restart: keep the `keep` most wanted Ritz vectors (T becomes diagonal) and continue with P.
        const keep = Math.max(k, Math.min(j - b, k + Math.floor((maxBasis - k - b) / 2)));
        const order = Array.from({ length: keep }, (_, i) => (sign > 0 ? j - 1 - i : i));
        Q.reset(Q.combine(ritzCoefficients(U, j, order), keep), keep);
        T = new Float64Array(maxBasis * maxBasis);
        order.forEach((i, r) => (T[r * maxBasis + r] = theta[i]));
      }
    }
  }
  const Y = Q.combine(ritzCoefficients(U, Q.count, wanted), wanted.length);
  const vectors = wanted.map((_, i) => {
    const y = Y.slice(i * M, (i + 1) * M);
    normalize(y);
    return y;
  });
  const AY = await op.apply(pack(vectors, M), vectors.length);
  products += vectors.length;
  const values = new Float64Array(vectors.length);
  const residuals = new Float64Array(vectors.length);
  vectors.forEach((y, i) => {
    const ay = vectorOf(AY, M, i);
    let q = 0;
    for (let r = 0; r < M; r++) q += y[r] * ay[r];
    values[i] = q;
    const res = new Float64Array(M);
    for (let r = 0; r < M; r++) res[r] = ay[r] - q * y[r];
    residuals[i] = nrm2(res);
  });
  return { values, vectors, residuals, scale, products, converged };
}

/** The coefficient rows (r × j, row-major) of the Ritz vectors Q·u_i for the columns i of the j × j U. */
function ritzCoefficients(U: Float64Array, j: number, columns: number[]): Float64Array {
  const c = new Float64Array(columns.length * j);
  columns.forEach((i, r) => {
    for (let t = 0; t < j; t++) c[r * j + t] = U[t * j + i];
  });
  return c;
}

/**
 * The next block: the k rows of W (already orthogonal to Q) orthonormalised, W = P·R with R (k′ × k, row-major)
 * upper triangular — by CholeskyQR2 (`choleskyQrBlock`) when W is well conditioned, else by classical Gram–Schmidt
 * twice row by row, a vanishing direction (an invariant subspace) replaced by a random one orthogonal to Q and P (its
 * R column zero) as long as Q and P do not yet span the space; then once more against Q (block products) and
 * normalised.
 */
function nextBlock(Q: Basis, W: Float64Array, k: number, rng: ReturnType<typeof createRng>): { block: Float64Array; k: number; R: Float64Array } {
  const M = Q.M;
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, nrm2(vectorOf(W, M, i)));
  let next = scale > 0 && k <= M ? choleskyQrBlock(W, k, M, scale) : undefined;
  next ??= gramSchmidtBlock(Q, W, k, rng, scale);
  Q.orthogonalize(next.block, next.k);
  for (let i = 0; i < next.k; i++) normalize(vectorOf(next.block, M, i));
  return next;
}

/** Largest ‖L‖_F·‖L⁻¹‖_F (≥ κ(W), at most k·κ(W)) of the first pass that `choleskyQrBlock` accepts. */
const CHOLESKY_QR_MAX_CONDITION = 1e6;

/**
 * W = P·R by CholeskyQR2 (Fukaya, Nakatsukasa, Yanagisawa & Yamamoto 2014; Yamamoto et al. 2015): twice, the Gram
 * matrix G = WWᵀ (k × k) = LLᵀ and W ← L⁻¹W, so W = (L₁L₂)·P and R = (L₁L₂)ᵀ. The first pass leaves P orthogonal to
 * about κ(W)²·ε, the second to working precision while κ(W)²·ε ≪ 1. Both passes are GEMMs (on WASM in one kernel
 * session: W copied in and out once) — no M-long loops in JavaScript. Undefined when a pivot fails, when
 * ‖L₁‖_F·‖L₁⁻¹‖_F > 1e6 (an upper bound of κ(W) = κ(L₁)), or when a diagonal entry of R is ≤ 1e-12·scale: the
 * caller falls back to Gram–Schmidt.
 */
function choleskyQrBlock(W: Float64Array, k: number, M: number, scale: number): { block: Float64Array; k: number; R: Float64Array } | undefined {
  const rows = W.subarray(0, k * M);
  const factors: Float64Array[] = [];
  // One pass on the current rows X from their Gram matrix XXᵀ: L (kept) and L⁻¹, or undefined when not accepted
  // (nrm2 of a k × k array is its Frobenius norm).
  const pass = (gram: Float64Array): Float64Array | undefined => {
    const L = choleskyLower(gram, k);
    if (L === undefined) return undefined;
    const inv = lowerInverse(L, k);
    if (factors.length === 0 && !(nrm2(L) * nrm2(inv) <= CHOLESKY_QR_MAX_CONDITION)) return undefined;
    factors.push(L);
    return inv;
  };
  let block: Float64Array | undefined;
  if (wasmActive("eigenpairs")) {
    block = withKernels("eigenpairs", (s) => {
      let x = s.put(rows);
      for (let p = 0; p < 2; p++) {
        const inv = pass(s.read(s.dgemm({ ta: 0, tb: 1, m: k, n: k, k: M, alpha: 1, a: x, lda: M, b: x, ldb: M, beta: 0, ldc: k }).c));
        if (inv === undefined) return undefined;
        x = s.dgemm({ ta: 0, tb: 0, m: k, n: M, k: k, alpha: 1, a: inv, lda: k, b: x, ldb: M, beta: 0, ldc: M }).c;
      }
      return s.read(x);
    });
  } else {
    let x = { rows: k, cols: M, data: rows };
    for (let p = 0; p < 2; p++) {
      const inv = pass(matmul(x, x, { transB: true }).data);
      if (inv === undefined) return undefined;
      x = matmul({ rows: k, cols: k, data: inv }, x);
    }
    block = x.data;
  }
  if (block === undefined) return undefined;
  // R = (L₁L₂)ᵀ, row-major: R[r][q] = (L₁L₂)[q][r].
  const [L1, L2] = factors;
  const R = new Float64Array(k * k);
  for (let q = 0; q < k; q++)
    for (let r = 0; r <= q; r++) {
      let a = 0;
      for (let t = r; t <= q; t++) a += L1[q * k + t] * L2[t * k + r];
      R[r * k + q] = a;
    }
  for (let i = 0; i < k; i++) if (!(Math.abs(R[i * k + i]) > 1e-12 * scale)) return undefined;
  return { block, k, R };
}

/** The lower Cholesky factor L (k × k, row-major) of a symmetric G = LLᵀ; undefined when a pivot is not > 0. */
function choleskyLower(G: Float64Array, k: number): Float64Array | undefined {
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let a = G[i * k + j];
      for (let t = 0; t < j; t++) a -= L[i * k + t] * L[j * k + t];
      if (i === j) {
        if (!(a > 0)) return undefined;
        L[i * k + i] = Math.sqrt(a);
      } else L[i * k + j] = a / L[j * k + j];
    }
  }
  return L;
}

/** L⁻¹ (lower triangular, k × k, row-major) by forward substitution on the columns of I. */
function lowerInverse(L: Float64Array, k: number): Float64Array {
  const X = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    for (let i = c; i < k; i++) {
      let a = i === c ? 1 : 0;
      for (let t = c; t < i; t++) a -= L[i * k + t] * X[t * k + c];
      X[i * k + c] = a / L[i * k + i];
    }
  }
  return X;
}

/** W = P·R by classical Gram–Schmidt twice, row by row, with random replacements of vanishing directions. */
function gramSchmidtBlock(Q: Basis, W: Float64Array, k: number, rng: ReturnType<typeof createRng>, scale: number): { block: Float64Array; k: number; R: Float64Array } {
  const M = Q.M;
  const R = new Float64Array(k * k);
  const P: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    const w = Float64Array.from(vectorOf(W, M, i));
    const c = orthogonalize(w, P);
    const s = nrm2(w);
    if (!(s > 1e-12 * scale) || scale === 0) {
      if (Q.count + P.length >= M) break;
      const z = gaussian(rng, M);
      Q.orthogonalize(z, 1);
      orthogonalize(z, P);
      normalize(z);
      P.push(z);
      continue;
    }
    for (let r = 0; r < P.length; r++) R[r * k + i] = c[r];
    R[P.length * k + i] = normalize(w);
    P.push(w);
  }
  return { block: pack(P, M), k: P.length, R };
}
