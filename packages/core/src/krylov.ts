import { eigh } from "./eigen.js";
import { ShapeError, ValueError } from "./errors.js";
import { checkNumber, checkOptions, checkVector } from "./validate.js";
import { pow2Halves, unitMaxScaled } from "./pow2.js";
import { axpy, dot, nrm2 } from "./vector.js";

/** A symmetric linear operator known through its products v ↦ A·v (a Hessian through HVPs). */
export type MatVec = (v: Float64Array) => ArrayLike<number>;

/** The Lanczos tridiagonalisation Qᵀ A Q = T of `lanczos`. */
export interface LanczosResult {
  /** Diagonal of T (length k). */
  alpha: Float64Array;
  /** Off-diagonal of T (length k − 1). */
  beta: Float64Array;
  /** The orthonormal Lanczos vectors q₀ … q_{k−1} (columns of Q). */
  basis: Float64Array[];
}

function checkMatVec(fn: string, matvec: unknown): asserts matvec is MatVec {
  if (typeof matvec !== "function") throw new ValueError(`${fn}: argument 'matvec' must be a function; found ${matvec === null ? "null" : typeof matvec}`);
}

/**
 * The largest ‖A·v‖ (v a unit vector) a Krylov method accepts: with every product at most MAX_VALUE/4 in norm, the
 * Lanczos and MINRES recurrences (each vector a sum of at most three terms no larger) stay within float64's range.
 */
export const MAX_PRODUCT_NORM = Number.MAX_VALUE / 4;

/**
 * The product A·v of a caller's `matvec` for a unit vector v, checked for `fn` (named in the errors): an array of
 * v.length finite numbers whose norm is at most MAX_PRODUCT_NORM, so that an operator of norm beyond ≈ 4.5e307 is
 * refused instead of overflowing inside the recurrence. Returns a fresh Float64Array.
 * @example
 * const w = checkedProduct("myKrylovMethod", (v) => matVec(a, v), q);
 */
export function checkedProduct(fn: string, matvec: MatVec, v: Float64Array): Float64Array {
  const r = matvec(v);
  if (typeof r !== "object" || r === null || typeof r.length !== "number") {
    throw new ValueError(`${fn}: 'matvec' must return an array of ${v.length} numbers; found ${r === null ? "null" : typeof r}`);
  }
  if (r.length !== v.length) throw new ValueError(`${fn}: 'matvec' must return ${v.length} values; found ${r.length}`);
  const w = Float64Array.from(r);
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new ValueError(`${fn}: 'matvec' must return finite values; found ${String(r[i])} at [${i}]`);
  }
  const norm = nrm2(w);
  if (!(norm <= MAX_PRODUCT_NORM)) {
    throw new ValueError(`${fn}: 'matvec' returned a product of norm ${norm}, beyond float64's range for the recurrence (at most ${MAX_PRODUCT_NORM}); scale the operator down`);
  }
  return w;
}

/**
 * Lanczos tridiagonalisation of a symmetric operator from v₀ (normalised), in float64 with full reorthogonalisation
 * (classical Gram–Schmidt applied twice against every earlier Lanczos vector, "twice is enough", Parlett), for
 * `steps` steps or until β_k ≤ 1e-13·max|T| (an invariant subspace). The eigenvalues of T (Ritz values) approximate
 * the extreme eigenvalues of A from inside: λ_min(T) ≥ λ_min(A), λ_max(T) ≤ λ_max(A) (Golub & Van Loan §10.1).
 * The products are checked (`checkedProduct`): an operator of norm beyond MAX_PRODUCT_NORM is refused, so T is finite.
 * @example
 * const { alpha, beta, basis } = lanczos((v) => matVec(a, v), v0, 30);
 */
export function lanczos(matvec: MatVec, v0: ArrayLike<number>, steps: number): LanczosResult {
  const fn = "lanczos";
  checkMatVec(fn, matvec);
  checkVector(fn, "v0", v0);
  const n = v0.length;
  if (!(n > 0)) throw new ValueError(`${fn}: argument 'v0' must be a non-empty vector; found length ${n}`);
  checkNumber(fn, "steps", steps, { min: 1, integer: true });
  const m = Math.min(steps, n);
  const basis: Float64Array[] = [];
  let q = unitMaxScaled(v0).scaled;
  let nrm = nrm2(q);
  if (!(nrm > 0) || !Number.isFinite(nrm)) throw new ValueError(`${fn}: argument 'v0' must be finite and non-zero`);
  for (let i = 0; i < n; i++) q[i] /= nrm;
  const alpha: number[] = [];
  const beta: number[] = [];
  let scale = 0;
  for (let k = 0; k < m; k++) {
    basis.push(q);
    const w = checkedProduct(fn, matvec, q);
    const a = dot(w, q);
    alpha.push(a);
    for (let pass = 0; pass < 2; pass++) {
      for (const u of basis) axpy(-dot(w, u), u, w);
    }
    nrm = nrm2(w);
    scale = Math.max(scale, Math.abs(a), nrm);
    if (k === m - 1 || nrm <= 1e-13 * scale) break;
    beta.push(nrm);
    q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = w[i] / nrm;
  }
  return { alpha: Float64Array.from(alpha), beta: Float64Array.from(beta), basis };
}

/**
 * The Ritz pairs of a Lanczos run: the eigenvalues θ_j of T (ascending), the first components u_j[0] of T's
 * eigenvectors (their squares are the Gauss quadrature weights of v₀'s spectral measure, Golub & Meurant 2010) and,
 * for the ones asked for, the Ritz vectors y_j = Q·u_j (unit vectors with y_jᵀ A y_j = θ_j up to rounding).
 * @example
 * const { values, vector } = ritzPairs(lanczos(mv, v0, 30)); values[0]; vector(0);
 */
export function ritzPairs(l: LanczosResult): { values: Float64Array; firstComponents: Float64Array; vector: (j: number) => Float64Array } {
  const fn = "ritzPairs";
  if (typeof l !== "object" || l === null || !Array.isArray(l.basis)) {
    throw new ValueError(`${fn}: argument 'l' must be a LanczosResult {alpha, beta, basis} from lanczos; found ${l === null ? "null" : typeof l}`);
  }
  const k = l.alpha?.length;
  if (!(k >= 1) || l.beta?.length !== k - 1 || l.basis.length !== k) {
    throw new ShapeError(`${fn}: argument 'l' must have k ≥ 1 alpha, k − 1 beta and k basis vectors; found ${String(k)}, ${String(l.beta?.length)} and ${l.basis.length}`);
  }
  checkVector(fn, "l.alpha", l.alpha);
  checkVector(fn, "l.beta", l.beta);
  const t = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    t[i * k + i] = l.alpha[i];
    if (i + 1 < k) {
      t[i * k + i + 1] = l.beta[i];
      t[(i + 1) * k + i] = l.beta[i];
    }
  }
  const { values, vectors } = eigh({ rows: k, cols: k, data: t });
  const n = l.basis[0].length;
  return {
    values,
    firstComponents: vectors.data.slice(0, k),
    vector: (j: number) => {
      checkNumber("ritzPairs.vector", "j", j, { min: 0, max: k - 1, integer: true });
      const y = new Float64Array(n);
      for (let i = 0; i < k; i++) axpy(vectors.data[i * k + j], l.basis[i], y);
      return y;
    },
  };
}

/** Result of `minres`. */
export interface MinresResult {
  x: Float64Array;
  iterations: number;
  /** ‖b − A x‖, recurred (Paige & Saunders' φ̄). */
  residualNorm: number;
  /** ‖A r‖/(‖A‖‖r‖) estimate: small when x is a least-squares solution of an inconsistent (singular) system. */
  leastSquaresResidual: number;
}

/**
 * MINRES (Paige & Saunders 1975): x_k minimises ‖b − A x‖ over the Krylov space K_k(A, b), for symmetric A that may
 * be indefinite or singular, from x₀ = 0, without preconditioning. Stops when ‖b − Ax‖ ≤ rtol·(‖A‖‖x‖ + ‖b‖) or, for an
 * inconsistent singular system, when ‖A r‖ ≤ rtol·‖A‖‖r‖ (checked before a step that would follow ker A), when the
 * Krylov space is exhausted (β_{k+1} ≤ 1e-13·‖A‖), or after `maxIter` products. The recurrences follow Choi,
 * Paige & Saunders (SIAM J. Sci. Comput. 33, 2011, Table 2.5); ‖A‖ is estimated as ‖T_k‖_F, the Frobenius norm of the
 * Lanczos tridiagonal (A·V_k = V_{k+1}·T_k), so the tests are invariant under A → c·A for any scale c: x(c·A, b) =
 * x(A, b)/c, bit for bit when c is a power of two and otherwise to the rounding of the recurrences, which Krylov
 * iterations amplify (measured: 4e-16 relative on a well-conditioned SPD system, 3e-10 on an indefinite one, n = 30,
 * that took 33 iterations; the same iteration count for every c); b enters scaled by a power of two to
 * max|bᵢ| ∈ [1, 2), so x(A, c·b) = c·x(A, b) too, bit for bit for c = 2ᵏ, down to subnormal b.
 * The products are checked (`checkedProduct`): an operator of norm beyond MAX_PRODUCT_NORM is refused, and so is a
 * solution beyond float64's range.
 * Newton-MR (Roosta, Liu, Xu & Mahoney 2018; Liu & Roosta 2022) takes its Newton steps with it.
 * @example
 * const { x } = minres((v) => matVec(a, v), b, { rtol: 1e-10, maxIter: 200 });
 */
export function minres(matvec: MatVec, b: ArrayLike<number>, options: { rtol?: number; maxIter?: number } = {}): MinresResult {
  const fn = "minres";
  options = checkOptions(fn, options, ["rtol", "maxIter"]);
  checkMatVec(fn, matvec);
  checkVector(fn, "b", b);
  const n = b.length;
  const rtol = options.rtol ?? 1e-10;
  checkNumber(fn, "rtol", rtol, { min: 0 });
  const maxIter = options.maxIter ?? 5 * n;
  checkNumber(fn, "maxIter", maxIter, { min: 0, integer: true });
  const x = new Float64Array(n);
  // MINRES runs on b·2⁻ᵏ (max|bᵢ| in [1, 2)) and scales x and the residual back: x(A, c·b) = c·x(A, b) exactly for
  // c = 2⁻ᵏ, so a tiny b loses no digits and its first recurrence coefficient α/β₁ cannot overflow.
  const { scaled, k: bExp } = unitMaxScaled(b);
  let r1: Float64Array = scaled;
  let r2: Float64Array = Float64Array.from(scaled);
  const beta1 = nrm2(r1);
  if (beta1 === 0) return { x, iterations: 0, residualNorm: 0, leastSquaresResidual: 0 };
  let y: Float64Array = Float64Array.from(scaled);
  let oldb = 0;
  let beta = beta1;
  let dbar = 0;
  let epsln = 0;
  let phibar = beta1;
  let anorm = 0;
  let cs = -1;
  let sn = 0;
  let w = new Float64Array(n);
  let w2 = new Float64Array(n);
  let it = 0;
  let lsr = Infinity;
  while (it < maxIter) {
    it++;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = y[i] / beta;
    y = checkedProduct(fn, matvec, v);
    if (it >= 2) axpy(-beta / oldb, r1, y);
    const alfa = dot(v, y);
    axpy(-alfa / beta, r2, y);
    r1 = r2;
    r2 = y;
    oldb = beta;
    beta = nrm2(r2);
    // ‖T_k‖_F of the Lanczos tridiagonal (α_k, β_{k+1}, and β_k from the second step: β₁ = ‖b‖ is not part of T, and
    // counting it would tie the stopping tests to b's scale instead of A's), accumulated without overflow or underflow.
    anorm = Math.hypot(anorm, alfa, it >= 2 ? oldb : 0, beta);
    // The previous plane rotation, then the next one (QR of the Lanczos tridiagonal).
    const oldeps = epsln;
    const delta = cs * dbar + sn * alfa;
    const gbar = sn * dbar - cs * alfa;
    epsln = sn * beta;
    dbar = -cs * beta;
    // ‖A r_{k−1}‖/(‖A‖‖r_{k−1}‖) of the current iterate: when it is below rtol the iterate is a least-squares
    // solution of an inconsistent system, and the next step (along ker A, γ ≈ 0) would divide by rounding noise.
    // (A·b = 0 makes T zero: b ⟂ range A, and x = 0 is the least-squares solution.)
    lsr = anorm > 0 ? Math.hypot(gbar, dbar) / anorm : 0;
    if (lsr <= rtol) break;
    const gamma = Math.max(Math.hypot(gbar, beta), Number.EPSILON * anorm);
    cs = gbar / gamma;
    sn = beta / gamma;
    const phi = cs * phibar;
    phibar = sn * phibar;
    const w1 = w2;
    w2 = w;
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma;
    axpy(phi, w, x);
    // β_{k+1} ≈ 0: the Krylov space is invariant (exhausted); another step would divide by rounding noise.
    if (phibar <= rtol * (anorm * nrm2(x) + beta1) || beta <= 1e-13 * anorm) break;
  }
  const [g1, g2] = pow2Halves(bExp);
  for (let i = 0; i < n; i++) {
    x[i] = x[i] * g1 * g2;
    if (!Number.isFinite(x[i])) throw new ValueError(`${fn}: the solution overflows float64 (|x| > ${Number.MAX_VALUE} at [${i}]): A is too small for b; scale A up or b down`);
  }
  return { x, iterations: it, residualNorm: phibar * g1 * g2, leastSquaresResidual: lsr };
}
