import { checkNumber, eigh, nrm2, ValueError } from "@losscape/core";
import { createRng } from "@losscape/mlp";
import { combine, normalize, orthogonalize, pack, rademacher, vectorOf } from "./block.js";
import type { SymmetricOperator } from "./operator.js";

/** Default relative residual of `eigenpairs`: ‖Av − λv‖ ≤ tol·‖A‖ (‖A‖ estimated by the largest |Ritz value|). */
export const DEFAULT_EIGEN_TOL = 1e-8;

export interface EigenpairsOptions {
  /** "largest" (default): the k largest eigenvalues; "smallest": the k smallest. */
  which?: "largest" | "smallest";
  /** Relative residual target (default 1e-8). */
  tol?: number;
  /** Block size b (default min(k, 16)): vectors applied together. */
  block?: number;
  /** Largest basis before a thick restart (default max(2k + 2b, k + 3b), at most the dimension). */
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
  const M = op.dim;
  checkNumber(fn, "k", k, { min: 1, max: M, integer: true });
  const which = options.which ?? "largest";
  if (which !== "largest" && which !== "smallest") throw new ValueError(`${fn}: 'which' must be 'largest' or 'smallest'; found ${String(which)}`);
  const tol = options.tol ?? DEFAULT_EIGEN_TOL;
  checkNumber(fn, "tol", tol, { min: 0, exclusiveMin: true });
  const b = Math.min(options.block ?? Math.min(k, 16), M);
  checkNumber(fn, "block", b, { min: 1, integer: true });
  const maxBasis = Math.min(M, options.maxBasis ?? Math.max(2 * k + 2 * b, k + 3 * b));
  checkNumber(fn, "maxBasis", maxBasis, { min: Math.min(M, k + b), integer: true });
  const maxProducts = options.maxProducts ?? 200 * k + 1000;
  checkNumber(fn, "maxProducts", maxProducts, { min: 1, integer: true });
  const rng = createRng(options.seed ?? 0);
  const sign = which === "largest" ? 1 : -1;

  let Q: Float64Array[] = [];
  let T = new Float64Array(maxBasis * maxBasis);
  let P = nextBlock([], Array.from({ length: b }, () => rademacher(rng, M)), rng, M).block;
  let products = 0;
  let scale = 0;
  let theta: Float64Array = new Float64Array(0);
  let U: Float64Array = new Float64Array(0);
  let wanted: number[] = [];
  let converged = false;
  for (;;) {
    const AP = await op.apply(pack(P, M), P.length);
    products += P.length;
    const j0 = Q.length;
    Q = Q.concat(P);
    const j = Q.length;
    const W: Float64Array[] = [];
    for (let i = 0; i < P.length; i++) {
      const w = Float64Array.from(vectorOf(AP, M, i));
      const c = orthogonalize(w, Q);
      for (let r = 0; r < j; r++) T[r * maxBasis + j0 + i] = c[r];
      W.push(w);
    }
    for (let r = 0; r < j; r++) {
      for (let i = j0; i < j; i++) {
        if (r >= j0 && r > i) continue;
        const s = r >= j0 ? 0.5 * (T[r * maxBasis + i] + T[i * maxBasis + r]) : T[r * maxBasis + i];
        T[r * maxBasis + i] = s;
        T[i * maxBasis + r] = s;
      }
    }
    const next = j < M ? nextBlock(Q, W, rng, M) : { block: [], R: new Float64Array(0) };
    // Rayleigh–Ritz on T (j × j).
    const t = new Float64Array(j * j);
    for (let r = 0; r < j; r++) for (let c = 0; c < j; c++) t[r * j + c] = T[r * maxBasis + c];
    const e = eigh({ rows: j, cols: j, data: t });
    theta = e.values;
    U = e.vectors.data;
    for (let i = 0; i < j; i++) scale = Math.max(scale, Math.abs(theta[i]));
    wanted = Array.from({ length: Math.min(k, j) }, (_, i) => (sign > 0 ? j - 1 - i : i));
    const nb = P.length;
    let worst = 0;
    for (const i of wanted) {
      // ‖R·u_last‖: u's last nb components (the block just added) times the next block's factor R (nb × nb).
      let s = 0;
      for (let r = 0; r < next.block.length; r++) {
        let a = 0;
        for (let c = 0; c < nb; c++) a += next.R[r * nb + c] * U[(j0 + c) * j + i];
        s += a * a;
      }
      worst = Math.max(worst, Math.sqrt(s) / (scale || 1));
    }
    options.onProgress?.({ products, residual: worst });
    converged = wanted.length === k && worst <= tol;
    if (converged || next.block.length === 0 || products + b > maxProducts) break;
    P = next.block;
    if (j + P.length > maxBasis) {
      if (maxBasis === M) {
        P = P.slice(0, M - j);
      } else {
        // Thick restart: keep the `keep` most wanted Ritz vectors (T becomes diagonal) and continue with P.
        const keep = Math.max(k, Math.min(j - b, k + Math.floor((maxBasis - k - b) / 2)));
        const order = Array.from({ length: keep }, (_, i) => (sign > 0 ? j - 1 - i : i));
        Q = order.map((i) => combine(Q, columnOf(U, j, i), M));
        T = new Float64Array(maxBasis * maxBasis);
        order.forEach((i, r) => (T[r * maxBasis + r] = theta[i]));
      }
    }
  }
  const vectors = wanted.map((i) => {
    const y = combine(Q, columnOf(U, Q.length, i), M);
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

/** Column i of the j × j row-major U. */
function columnOf(U: Float64Array, j: number, i: number): Float64Array {
  const c = new Float64Array(j);
  for (let r = 0; r < j; r++) c[r] = U[r * j + i];
  return c;
}

/**
 * The next block: W (already orthogonal to Q) orthonormalised, W = P·R with R upper triangular (nb × nb, row-major);
 * a direction that vanishes (an invariant subspace) is replaced by a random one orthogonal to Q and P (its R column
 * zero), as long as Q and P do not yet span the space.
 */
function nextBlock(Q: readonly Float64Array[], W: Float64Array[], rng: ReturnType<typeof createRng>, M: number): { block: Float64Array[]; R: Float64Array } {
  const nb = W.length;
  const R = new Float64Array(nb * nb);
  const P: Float64Array[] = [];
  const scale = Math.max(...W.map((w) => nrm2(w)), 0);
  for (let i = 0; i < nb; i++) {
    const w = W[i];
    const c = orthogonalize(w, P);
    orthogonalize(w, Q);
    let s = nrm2(w);
    if (!(s > 1e-12 * scale) || scale === 0) {
      if (Q.length + P.length >= M) break;
      const z = rademacher(rng, M);
      orthogonalize(z, Q);
      orthogonalize(z, P);
      normalize(z);
      P.push(z);
      continue;
    }
    for (let r = 0; r < P.length; r++) R[r * nb + i] = c[r];
    s = normalize(w);
    R[P.length * nb + i] = s;
    P.push(w);
  }
  return { block: P, R };
}
