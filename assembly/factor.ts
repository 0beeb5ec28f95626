// Dense factorisations on raw pointers: f64, explicit dimensions and strides; kernels never allocate and never
// validate (core does both). Cholesky, LU with partial pivoting and triangular solves work on row-major storage
// (their inner loops run along rows); Householder QR works on a column-major copy (its inner loops run down
// columns). Each inner loop is contiguous and has an f64x2 branch (`ASC_FEATURE_SIMD`) and a scalar branch.

import { dgemm, dgemmWorkSize, dsyrk } from "./blas";
import { facAxpy, facDiv, facDot, facNrm2, facScal, facSwap } from "./vector";

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** perm[i] ↔ perm[j] (i32 entries). */
@inline function swapI32(perm: usize, i: i32, j: i32): void {
  const pi = perm + (<usize>i << 2);
  const pj = perm + (<usize>j << 2);
  const t = load<i32>(pi);
  store<i32>(pi, load<i32>(pj));
  store<i32>(pj, t);
}

/** Rows (Cholesky) or columns (LU) of a block of the blocked factorisations. */
const FACTOR_NB: i32 = 64;

/**
 * Columns of qrThin's panels, and the crossover: it factors panel by panel while more than QR_CROSSOVER columns
 * remain, the rest unblocked (LAPACK dgeqrf's nb and nx). Below the crossover the GEMMs that form and apply a block
 * reflector (S = VᵀV and Z = V·T, 4·m·QR_NB² flops) cost more than they save. Measured in node 20 on a Zen 4 (qr of
 * an n×n A): panels of 32 columns were faster than 64 at every n from 200 to 1000 (n = 300: 6.7 against 7.7 ms;
 * 1000: 167 against 171), 16 and 24 no faster at 300 and slower at 1000 (180 ms with 16).
 */
const QR_NB: i32 = 32;
const QR_CROSSOVER: i32 = 128;

/**
 * Doubles of workspace `cholFactor(n, …)` and `luFactor(n, …)` need: the packed kernel's for their trailing updates
 * (order < n, FACTOR_NB inner; `dsyrk` needs dgemm's workspace).
 */
export function factorWorkSize(n: i32): i32 {
  return n > FACTOR_NB ? dgemmWorkSize(n - FACTOR_NB, n - FACTOR_NB, FACTOR_NB) : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Cholesky

/**
 * In-place Cholesky of the n×n symmetric positive-definite A (row-major, leading dimension lda): on return the
 * lower triangle holds L with A = L·Lᵀ and the strict upper triangle is zero. Only the lower triangle of A is read.
 * Blocked, right-looking (Golub & Van Loan §4.2.9; LAPACK dpotrf): for each diagonal block of FACTOR_NB rows,
 *   L₁₁ = chol(A₁₁)            (Cholesky–Crout on the block: cholBlock),
 *   L₂₁ = A₂₁·L₁₁⁻ᵀ            (forward substitution along each row of the panel: cholPanel),
 *   A₂₂ ← A₂₂ − L₂₁·L₂₁ᵀ       (dsyrk, the packed GEMM on the lower triangle: ≈ all n³/3 flops for n ≫ FACTOR_NB).
 * `work` holds factorWorkSize(n) doubles. Returns 0, or i + 1 when the pivot of row i is not positive (A is not
 * positive definite; the factor is then incomplete).
 */
export function cholFactor(n: i32, a: usize, lda: i32, work: usize): i32 {
  assert(n >= 0 && lda >= n && (n == 0 || a != 0), "cholFactor: n must be >= 0, lda >= n, a not null");
  const row = <usize>lda << 3;
  for (let k0 = 0; k0 < n; k0 += FACTOR_NB) {
    const kb = n - k0 < FACTOR_NB ? n - k0 : FACTOR_NB;
    const a11 = a + <usize>k0 * row + (<usize>k0 << 3);
    const info = cholBlock(kb, a11, lda);
    if (info != 0) return k0 + info;
    const rest = n - k0 - kb;
    if (rest == 0) break;
    const a21 = a11 + <usize>kb * row;
    cholPanel(rest, kb, a11, a21, lda);
    dsyrk(0, rest, kb, -1.0, a21, lda, 1.0, a21 + (<usize>kb << 3), lda, work);
  }
  // the strict upper triangle (dsyrk mirrored its updates there)
  for (let i = 0; i < n; i++) memory.fill(a + <usize>i * row + (<usize>(i + 1) << 3), 0, <usize>(n - i - 1) << 3);
  return 0;
}

/**
 * Cholesky–Crout of the kb×kb diagonal block at a (leading dimension lda), lower triangle in place:
 * l_ij = (a_ij − Σ_{p<j} l_ip l_jp)/l_jj, l_ii = √(a_ii − Σ_{p<i} l_ip²), each sum a contiguous dot product of two
 * rows. Returns 0, or i + 1 when the pivot of row i is not positive.
 */
function cholBlock(kb: i32, a: usize, lda: i32): i32 {
  for (let i = 0; i < kb; i++) {
    const ri = a + ((<usize>i * <usize>lda) << 3);
    lowerRowSolve(ri, a, lda, i);
    const d = ld(ri, i) - facDot(ri, ri, i);
    if (!(d > 0)) return i + 1;
    st(ri, i, Math.sqrt(d));
  }
  return 0;
}

/**
 * L₂₁ = A₂₁·L₁₁⁻ᵀ in place: each of the m rows of the panel at a21 solved against the kb×kb L₁₁ at l11
 * (lowerRowSolve; leading dimension lda for both).
 */
function cholPanel(m: i32, kb: i32, l11: usize, a21: usize, lda: i32): void {
  for (let i = 0; i < m; i++) lowerRowSolve(a21 + ((<usize>i * <usize>lda) << 3), l11, lda, kb);
}

/**
 * The first `len` entries of the row x at ri ← the solution of L·xᵀ = aᵀ (a the row as it is, L the lower triangle at
 * l, leading dimension lda) by forward substitution: x_j = (a_j − Σ_{p<j} x_p l_jp)/l_jj, each sum a contiguous dot
 * product of two rows. Cholesky–Crout's off-diagonal step (cholBlock: l the block itself, len = i) and the panel solve
 * (cholPanel).
 */
@inline function lowerRowSolve(ri: usize, l: usize, lda: i32, len: i32): void {
  for (let j = 0; j < len; j++) {
    const rj = l + ((<usize>j * <usize>lda) << 3);
    st(ri, j, (ld(ri, j) - facDot(ri, rj, j)) / ld(rj, j));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// LU with partial pivoting

/**
 * In-place LU with partial pivoting of the n×n A (row-major, leading dimension lda): P·A = L·U with L unit lower
 * (stored below the diagonal) and U upper (on and above it). `perm` (n × i32) receives the permutation: row i of
 * P·A is row perm[i] of A. Blocked, right-looking (Golub & Van Loan §3.2.11; LAPACK dgetrf), panels of FACTOR_NB columns:
 *   [L₁₁; L₂₁]·U₁₁ = P·[A₁₁; A₂₁]   (the panel by unblocked elimination: at step k the row with the largest |a_ik|,
 *                                    i ≥ k, is swapped up, whole rows, and the rows below are updated by axpys),
 *   U₁₂ = L₁₁⁻¹·A₁₂                  (forward substitution by rows, triSolve: axpys along the rows of U₁₂),
 *   A₂₂ ← A₂₂ − L₂₁·U₁₂              (dgemm: ≈ all of the 2n³/3 flops for n ≫ FACTOR_NB).
 * For n ≤ FACTOR_NB it is the unblocked elimination. `work` holds factorWorkSize(n) doubles. Returns 0, or k + 1 for the first
 * exactly zero pivot (the elimination of that column is skipped).
 */
export function luFactor(n: i32, a: usize, lda: i32, perm: usize, work: usize): i32 {
  assert(n >= 0 && lda >= n && (n == 0 || (a != 0 && perm != 0)), "luFactor: n must be >= 0, lda >= n, a and perm not null");
  let info = 0;
  const row = <usize>lda << 3;
  for (let i = 0; i < n; i++) store<i32>(perm + (<usize>i << 2), i);
  for (let k0 = 0; k0 < n; k0 += FACTOR_NB) {
    const k1 = n - k0 < FACTOR_NB ? n : k0 + FACTOR_NB;
    for (let k = k0; k < k1; k++) {
      let p = k;
      let big: f64 = 0;
      for (let i = k; i < n; i++) {
        const v = Math.abs(ld(a, i * lda + k));
        if (v > big) {
          big = v;
          p = i;
        }
      }
      const rk = a + <usize>k * row;
      if (p != k) {
        facSwap(rk, a + <usize>p * row, n);
        swapI32(perm, k, p);
      }
      const piv = ld(rk, k);
      if (piv == 0) {
        if (info == 0) info = k + 1;
        continue;
      }
      // the panel's columns only (the whole row when the panel reaches column n − 1: the unblocked elimination)
      const len = k1 - k - 1;
      for (let i = k + 1; i < n; i++) {
        const ri = a + <usize>i * row;
        const l = ld(ri, k) / piv;
        st(ri, k, l);
        if (l != 0) facAxpy(-l, rk + ((<usize>(k + 1)) << 3), ri + ((<usize>(k + 1)) << 3), len);
      }
    }
    const rest = n - k1;
    if (rest == 0) break;
    // U₁₂ = L₁₁⁻¹·A₁₂ (L₁₁ unit lower), then A₂₂ ← A₂₂ − L₂₁·U₁₂
    const u12 = a + <usize>k0 * row + (<usize>k1 << 3);
    triSolve(k1 - k0, rest, a + <usize>k0 * row + (<usize>k0 << 3), lda, 1, 0, 1, u12, lda);
    const l21 = a + <usize>k1 * row + (<usize>k0 << 3);
    dgemm(0, 0, rest, rest, k1 - k0, -1.0, l21, lda, u12, lda, 1.0, l21 + (<usize>(k1 - k0) << 3), lda, work);
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------------------
// Triangular solves

/**
 * Solve op(T)·X = B in place for X (B is n×k row-major with leading dimension ldb), T n×n triangular (row-major,
 * leading dimension ldt): `lower` = 1 uses the lower triangle, 0 the upper; `trans` = 1 solves with Tᵀ;
 * `unit` = 1 takes the diagonal as ones. Substitution by rows: every update is a contiguous axpy over k columns,
 * and row i is divided by t_ii (as the reference BLAS dtrsm; a product with 1/t_ii would overflow for a subnormal
 * t_ii although x_i is representable). The caller guarantees a non-zero diagonal.
 */
export function triSolve(n: i32, k: i32, t: usize, ldt: i32, lower: i32, trans: i32, unit: i32, b: usize, ldb: i32): void {
  assert(n >= 0 && k >= 0 && ldt >= n && ldb >= k, "triSolve: n, k must be >= 0, ldt >= n, ldb >= k");
  assert((n == 0 || t != 0) && (n == 0 || k == 0 || b != 0), "triSolve: null pointer");
  // op(T) lower ⇔ (lower and not trans) or (upper and trans): forward substitution; otherwise backward.
  const forward = (lower != 0) != (trans != 0);
  if (trans == 0) {
    // Row i of X: x_i = (b_i − Σ_p t_ip x_p)/t_ii over the solved p (p < i forward, p > i backward).
    for (let s = 0; s < n; s++) {
      const i = forward ? s : n - 1 - s;
      const bi = b + ((<usize>i * <usize>ldb) << 3);
      const ti = t + ((<usize>i * <usize>ldt) << 3);
      const p0 = forward ? 0 : i + 1;
      const p1 = forward ? i : n;
      for (let p = p0; p < p1; p++) {
        const tip = ld(ti, p);
        if (tip != 0) facAxpy(-tip, b + ((<usize>p * <usize>ldb) << 3), bi, k);
      }
      if (!unit) facDiv(bi, ld(ti, i), k);
    }
  } else {
    // Tᵀ: once x_i is known, subtract t_ip·x_i (row i of T, column p of Tᵀ) from the rows p still unsolved.
    for (let s = 0; s < n; s++) {
      const i = forward ? s : n - 1 - s;
      const bi = b + ((<usize>i * <usize>ldb) << 3);
      const ti = t + ((<usize>i * <usize>ldt) << 3);
      if (!unit) facDiv(bi, ld(ti, i), k);
      const p0 = forward ? i + 1 : 0;
      const p1 = forward ? n : i;
      for (let p = p0; p < p1; p++) {
        const tip = ld(ti, p);
        if (tip != 0) facAxpy(-tip, bi, b + ((<usize>p * <usize>ldb) << 3), k);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Householder QR (column-major working storage)

// LAPACK's safe minimum over ε (dlamch('S')/dlamch('E') = 2⁻¹⁰²² / 2⁻⁵³), the threshold of dlarfg's rescaling,
// and its reciprocal.
const SAFMIN: f64 = 2.0041683600089728e-292; // 2^-969
const RSAFMIN: f64 = 4.9896007738367995e+291; // 2^969

/**
 * The Householder reflector of x[r:r+len+1] (column-major column at c, LAPACK dlarfg): H·x = β·e₁ with
 * β = −sign(α)·‖x‖, α = x[r], v = x/(α − β) written below row r, β at row r; returns τ = (β − α)/β (0, H = I, when
 * x[r+1:] = 0). ‖x[r+1:]‖ by facNrm2 (no underflow or overflow of the squares).
 */
export function householderReflector(c: usize, r: i32, len: i32): f64 {
  const vk = c + (<usize>(r + 1) << 3);
  let alpha = ld(c, r);
  let xnorm = facNrm2(vk, len);
  if (xnorm == 0) return 0;
  let beta = -copysign<f64>(Math.hypot(alpha, xnorm), alpha);
  // |beta| < SAFMIN: scale x and alpha up by 1/SAFMIN (exactly, a power of 2) until it is not, so that
  // 1/(alpha − beta) stays finite and v accurate; beta is scaled back at the end (at most 20 rounds, as dlarfg).
  let knt = 0;
  if (Math.abs(beta) < SAFMIN) {
    do {
      knt++;
      facScal(RSAFMIN, vk, len);
      beta *= RSAFMIN;
      alpha *= RSAFMIN;
    } while (Math.abs(beta) < SAFMIN && knt < 20);
    xnorm = facNrm2(vk, len);
    beta = -copysign<f64>(Math.hypot(alpha, xnorm), alpha);
  }
  const t = (beta - alpha) / beta;
  facScal(1 / (alpha - beta), vk, len);
  for (let j = 0; j < knt; j++) beta *= SAFMIN;
  st(c, r, beta);
  return t;
}

/**
 * householderQr with pivoting factors panels of QR_NB columns (pivotedPanel) while more than PIVOTED_CROSSOVER
 * columns remain. In node 20 on a Zen 4 (svd without vectors, whose first step this QR is): 1993×200 took 36.6 ms
 * with 64 against 38.1 with 32 or 128 and 41.0 unblocked; 500×300 67.4 against 67.2–69.9 and 71.0; 300×300 and
 * 400×160 the same within noise.
 */
const PIVOTED_CROSSOVER: i32 = 64;

/** √ε: a downdated partial column norm is recomputed when (1 − (r/ν)²)·(ν/ν₀)² falls to it (LAPACK dlaqp2, dlaqps). */
const TOL3Z: f64 = 1.4901161193847656e-8;

/**
 * A column's partial norm ν after a step whose row of R gave it the entry r (LAPACK dlaqp2's downdate):
 * ν·√(1 − (r/ν)²), or −1 when (1 − (r/ν)²)·(ν/ν₀)² ≤ TOL3Z (ν₀ its norm when last computed) and cancellation calls
 * for recomputing it. A zero norm stays zero.
 */
@inline function downdatedNorm(nu: f64, nu0: f64, r: f64): f64 {
  if (nu == 0) return 0;
  const ratio = Math.abs(r) / nu;
  let temp = 1 - ratio * ratio;
  temp = temp < 0 ? 0 : temp;
  const q = nu / nu0;
  return temp * q * q <= TOL3Z ? -1 : nu * Math.sqrt(temp);
}

/**
 * Householder QR of the m×n column-major X (leading dimension ldx, m ≥ n), optionally with column pivoting
 * (Businger–Golub: at step k the remaining column of largest norm moves to position k; partial norms are
 * downdated and recomputed when cancellation threatens, as in LAPACK dlaqp2). On return R is on and above the
 * diagonal; below it the Householder vectors vₖ (vₖ[k] = 1 implied), with H_k = I − tau[k]·vₖvₖᵀ and
 * X·P = H_0·H_1·…·H_{n−1}·[R; 0]. `perm` (n × i32): column j of X·P is column perm[j] of X.
 * With pivoting and more than PIVOTED_CROSSOVER columns, the first n − PIVOTED_CROSSOVER are factored in panels of
 * up to QR_NB (pivotedPanel, LAPACK dgeqp3), the rest one column at a time. `work` holds
 * householderQrWorkSize(m, n, pivot) doubles (none without pivoting).
 */
export function householderQr(m: i32, n: i32, x: usize, ldx: i32, tau: usize, perm: usize, pivot: i32, work: usize): void {
  assert(n >= 0 && m >= n && ldx >= m, "householderQr: m >= n >= 0, ldx >= m");
  assert(n == 0 || (x != 0 && tau != 0 && perm != 0 && (!pivot || work != 0)), "householderQr: null pointer");
  const vn1 = work;
  const vn2 = work + (<usize>n << 3);
  for (let j = 0; j < n; j++) {
    store<i32>(perm + (<usize>j << 2), j);
    if (pivot) {
      const cj = x + ((<usize>j * <usize>ldx) << 3);
      const nj = facNrm2(cj, m);
      st(vn1, j, nj);
      st(vn2, j, nj);
    }
  }
  let k0 = 0;
  if (pivot && n > PIVOTED_CROSSOVER) {
    const f = vn2 + (<usize>n << 3);
    const auxv = f + ((<usize>n * QR_NB) << 3);
    const gemmWork = auxv + (<usize>QR_NB << 3);
    const top = n - PIVOTED_CROSSOVER;
    while (k0 < top) {
      const nb = top - k0 < QR_NB ? top - k0 : QR_NB;
      k0 += pivotedPanel(m, n, k0, nb, x, ldx, tau, perm, vn1, vn2, f, auxv, gemmWork);
    }
  }
  for (let k = k0; k < n; k++) {
    const ck = x + ((<usize>k * <usize>ldx) << 3);
    if (pivot) pivotColumn(m, n, k, x, ldx, perm, vn1, vn2, 0, 0);
    const len = m - k - 1;
    const vk = ck + ((<usize>(k + 1)) << 3);
    const tk = householderReflector(ck, k, len);
    st(tau, k, tk);
    // Apply H_k to the columns on the right: c ← c − tau·(vᵀc)·v.
    for (let j = k + 1; j < n; j++) {
      const cj = x + ((<usize>j * <usize>ldx) << 3);
      if (tk != 0) {
        const wj = tk * (ld(cj, k) + facDot(vk, cj + ((<usize>(k + 1)) << 3), len));
        st(cj, k, ld(cj, k) - wj);
        facAxpy(-wj, vk, cj + ((<usize>(k + 1)) << 3), len);
      }
      if (pivot) {
        const nu = downdatedNorm(ld(vn1, j), ld(vn2, j), ld(cj, k));
        if (nu < 0) {
          const nn = facNrm2(cj + ((<usize>(k + 1)) << 3), len);
          st(vn1, j, nn);
          st(vn2, j, nn);
        } else {
          st(vn1, j, nu);
        }
      }
    }
  }
}

/**
 * Column pivoting at step k: the column of largest partial norm vn1[j] (j ≥ k; the first of equals) is swapped
 * into column k (all m rows), with its entries of perm, vn1 and vn2 — and, inside a panel (f ≠ 0), its row of F
 * (the first kl entries; F row-major, QR_NB per row, row j − k0 for column j).
 */
@inline function pivotColumn(
  m: i32, n: i32, k: i32, x: usize, ldx: i32, perm: usize, vn1: usize, vn2: usize, f: usize, fk: i32,
): void {
  let p = k;
  let big = ld(vn1, k);
  for (let j = k + 1; j < n; j++) {
    if (ld(vn1, j) > big) {
      big = ld(vn1, j);
      p = j;
    }
  }
  if (p == k) return;
  facSwap(x + ((<usize>k * <usize>ldx) << 3), x + ((<usize>p * <usize>ldx) << 3), m);
  swapI32(perm, k, p);
  st(vn1, p, ld(vn1, k));
  st(vn2, p, ld(vn2, k));
  if (f != 0) facSwap(f + ((<usize>fk * QR_NB) << 3), f + ((<usize>(fk + p - k) * QR_NB) << 3), fk);
}

/**
 * Up to nb steps k = k0, k0+1, … of QR with column pivoting on the m×n column-major X, the reflectors' update of
 * the columns on the right deferred (LAPACK dlaqps; Quintana-Ortí, Sun & Bischof, "A BLAS-3 version of the QR
 * factorization with column pivoting", SIAM J. Sci. Comput. 19, 1998): with V the panel's reflectors and
 * F = τ-weighted Xᵀ·V (row j − k0 of F for column j; F(:, l) = τ_l·(X − V·Fᵀ)ᵀ·v_l, built one column a step from a
 * GEMV over the trailing columns), step k first brings column k up to date (x_k −= V·F(k, :)ᵀ), forms its
 * reflector, F's column and row k of R (x(k, j) −= Σ_l x(k, k0+l)·F(j, l)), and downdates the partial norms from
 * that row; after the last step X(rk:m, rk:n) −= V(rk:m, :)·F(rk:n, :)ᵀ in one GEMM. The panel ends early after a
 * step that marks a norm for recomputation (its column cannot be compared until updated); those norms are then
 * recomputed. Returns the number of steps taken (≥ 1). f: (n − k0) × QR_NB row-major; auxv: QR_NB; gemmWork:
 * dgemmWorkSize(n, m, QR_NB) doubles.
 */
function pivotedPanel(
  m: i32, n: i32, k0: i32, nb: i32, x: usize, ldx: i32, tau: usize, perm: usize, vn1: usize, vn2: usize,
  f: usize, auxv: usize, gemmWork: usize,
): i32 {
  const nt = n - k0;
  let marked = -1; // columns whose norm must be recomputed, linked through vn2
  let kl = 0;
  while (kl < nb && marked < 0) {
    const k = k0 + kl;
    const ck = x + ((<usize>k * <usize>ldx) << 3);
    pivotColumn(m, n, k, x, ldx, perm, vn1, vn2, f, kl);
    const len = m - k;
    const vk = ck + (<usize>k << 3);
    const fk = f + ((<usize>kl * QR_NB) << 3);
    // x(k:m, k) −= V(k:m, 0:kl)·F(k, 0:kl)ᵀ
    for (let l = 0; l < kl; l++) {
      const cl = x + ((<usize>(k0 + l) * <usize>ldx) << 3);
      facAxpy(-ld(fk, l), cl + (<usize>k << 3), vk, len);
    }
    const tk = householderReflector(ck, k, len - 1);
    st(tau, k, tk);
    const akk = ld(ck, k);
    st(ck, k, 1);
    // F(j, kl) = τ·x(k:m, j)ᵀ·v for the columns on the right; 0 for the panel's own rows
    for (let j = k + 1; j < n; j++) {
      const cj = x + ((<usize>j * <usize>ldx) << 3);
      st(f + ((<usize>(j - k0) * QR_NB) << 3), kl, tk * facDot(vk, cj + (<usize>k << 3), len));
    }
    for (let jj = 0; jj <= kl; jj++) st(f + ((<usize>jj * QR_NB) << 3), kl, 0);
    // F(:, kl) −= τ·F(:, 0:kl)·(V(k:m, 0:kl)ᵀ·v)
    if (kl > 0) {
      for (let l = 0; l < kl; l++) {
        const cl = x + ((<usize>(k0 + l) * <usize>ldx) << 3);
        st(auxv, l, -tk * facDot(cl + (<usize>k << 3), vk, len));
      }
      for (let jj = 0; jj < nt; jj++) {
        const fj = f + ((<usize>jj * QR_NB) << 3);
        let s = ld(fj, kl);
        for (let l = 0; l < kl; l++) s += ld(fj, l) * ld(auxv, l);
        st(fj, kl, s);
      }
    }
    // row k of R: x(k, j) −= Σ_{l ≤ kl} x(k, k0+l)·F(j, l) (x(k, k) = 1 for now)
    for (let j = k + 1; j < n; j++) {
      const fj = f + ((<usize>(j - k0) * QR_NB) << 3);
      let s: f64 = 0;
      for (let l = 0; l <= kl; l++) s += ld(x + ((<usize>(k0 + l) * <usize>ldx) << 3), k) * ld(fj, l);
      const cj = x + ((<usize>j * <usize>ldx) << 3);
      st(cj, k, ld(cj, k) - s);
    }
    // downdate the partial norms from row k; mark those that cancel
    for (let j = k + 1; j < n; j++) {
      const nu = downdatedNorm(ld(vn1, j), ld(vn2, j), ld(x + ((<usize>j * <usize>ldx) << 3), k));
      if (nu < 0) {
        st(vn2, j, <f64>marked);
        marked = j;
      } else {
        st(vn1, j, nu);
      }
    }
    st(ck, k, akk);
    kl++;
  }
  const rk = k0 + kl;
  // X(rk:m, rk:n) −= V(rk:m, :)·F(kl:nt, :)ᵀ, as row-major products of the transposes (Xᵀ is X read row-major)
  if (rk < n && rk < m) {
    const fRest = f + ((<usize>kl * QR_NB) << 3);
    const vRows = x + ((<usize>k0 * <usize>ldx + <usize>rk) << 3);
    const rest = x + ((<usize>rk * <usize>ldx + <usize>rk) << 3);
    dgemm(0, 0, n - rk, m - rk, kl, -1, fRest, QR_NB, vRows, ldx, 1, rest, ldx, gemmWork);
  }
  while (marked >= 0) {
    const next = <i32>ld(vn2, marked);
    const nn = facNrm2(x + ((<usize>marked * <usize>ldx + <usize>rk) << 3), m - rk);
    st(vn1, marked, nn);
    st(vn2, marked, nn);
    marked = next;
  }
  return kl;
}

/**
 * Doubles of workspace householderQr(m, n, …, pivot, …) needs: none without pivoting; with it the partial norms (2n)
 * and, above PIVOTED_CROSSOVER columns, pivotedPanel's F (n × QR_NB), auxv (QR_NB) and GEMM work.
 */
export function householderQrWorkSize(m: i32, n: i32, pivot: i32): f64 {
  if (!pivot) return 0;
  if (n <= PIVOTED_CROSSOVER) return 2 * <f64>n;
  return 2 * <f64>n + <f64>n * QR_NB + QR_NB + <f64>dgemmWorkSize(n, m, QR_NB);
}

/**
 * Apply Q = H_0·…·H_{kq−1} (reflectors from `householderQr`, column-major X with leading dimension ldx) to the
 * m×c column-major C (leading dimension ldc) in place: C ← Q·C. Backward accumulation: H_{kq−1} first. The
 * reflectors go in blocks small enough (≈ 256 KiB) to stay in cache while every column of C is swept through
 * them, so C is streamed from memory once per block rather than once per reflector (same arithmetic, same
 * order per column, so the result does not depend on the blocking).
 */
export function householderApplyQ(m: i32, kq: i32, x: usize, ldx: i32, tau: usize, c: i32, cm: usize, ldc: i32): void {
  assert(kq >= 0 && kq <= m && c >= 0 && ldx >= m && ldc >= m, "householderApplyQ: 0 <= kq <= m, c >= 0, ldx >= m, ldc >= m");
  assert(kq == 0 || c == 0 || (x != 0 && tau != 0 && cm != 0), "householderApplyQ: null pointer");
  const nb = max(1, min(64, 32768 / max(m, 1)));
  for (let k1 = kq; k1 > 0; k1 -= nb) {
    const k0 = max(0, k1 - nb);
    for (let j = 0; j < c; j++) {
      const cj = cm + ((<usize>j * <usize>ldc) << 3);
      for (let k = k1 - 1; k >= k0; k--) {
        const tk = ld(tau, k);
        if (tk == 0) continue;
        const vk = x + ((<usize>k * <usize>ldx + <usize>(k + 1)) << 3);
        const len = m - k - 1;
        const ckj = ld(cj, k);
        const rest = cj + ((<usize>(k + 1)) << 3);
        const wj = tk * (ckj + facDot(vk, rest, len));
        if (wj == 0) continue;
        st(cj, k, ckj - wj);
        facAxpy(-wj, vk, rest, len);
      }
    }
  }
}

/**
 * T of the compact WY form H₀·H₁⋯H_{nb−1} = I − V·T·Vᵀ of nb reflectors H_j = I − τ_j·v_j·v_jᵀ (LAPACK dlarft,
 * forward, columnwise; Schreiber & Van Loan 1989): T (nb×nb at tb, column-major) is upper triangular with
 * T[j, j] = τ_j and T[0:j, j] = −τ_j·T[0:j, 0:j]·S[0:j, j], from τ (nb at tau) and S = VᵀV (nb×nb at sb, read only
 * above its diagonal, S[l, j] at sb[l·nb + j] for l < j). τ_j = 0 (H_j = I) gives a zero column j.
 */
export function compactWyT(nb: i32, tau: usize, sb: usize, tb: usize): void {
  for (let j = 0; j < nb; j++) {
    const tj = ld(tau, j);
    const ct = tb + ((<usize>j * <usize>nb) << 3);
    for (let i = 0; i < nb; i++) st(ct, i, 0);
    for (let i = 0; i < j; i++) {
      let sum: f64 = 0;
      for (let l = i; l < j; l++) sum += ld(tb + ((<usize>l * <usize>nb) << 3), i) * ld(sb, l * nb + j);
      st(ct, i, -tj * sum);
    }
    st(ct, j, tj);
  }
}

/**
 * C (m×c, column-major, leading dimension ldc) ← H·C (trans = 0) or Hᵀ·C (trans = 1), H = H₀·H₁⋯H_{nb−1} the nb
 * reflectors H_j = I − τ_j·v_j·v_jᵀ whose vectors are the columns of V (m×nb at vb, column-major; v_j[i] = 0 for
 * i < top + j, v_j[top + j] = 1: copyReflectors), in the compact WY form H = I − V·T·Vᵀ (Schreiber & Van Loan 1989;
 * LAPACK dlarft and dlarfb):
 *   S = VᵀV,  T from S (compactWyT),  Z = V·T (trans = 0) or V·Tᵀ (trans = 1),  W = Vᵀ·C,  C −= Z·W,
 * all but T's recurrence GEMMs on the row-major views (a column-major X is the row-major Xᵀ). T is applied to V
 * rather than to W (LAPACK's W·Tᵀ): Z has m rows where W has c columns. S (only its upper triangle is read) and Z (T
 * is triangular) each take two GEMMs that skip a quarter of the full product (≈ 0.75·m·nb² flops each, beside the
 * 4·m·nb·c of the two GEMMs with C). Serves qrThin and applyQ (top = 0) and eigh's back-transformation (eigen.ts).
 * work: (m + c)·nb + 2·nb² doubles; gemmWork: dgemmWorkSize(d, d, d) doubles for d = max(m, c).
 */
export function applyBlockReflector(
  trans: i32, m: i32, nb: i32, top: i32, vb: usize, tau: usize, c: i32, cm: usize, ldc: i32, work: usize, gemmWork: usize,
): void {
  const zb = work; // Zᵀ: nb × m, row-major
  const wb = zb + ((<usize>m * <usize>nb) << 3); // Wᵀ: c × nb, row-major
  const tb = wb + ((<usize>c * <usize>nb) << 3); // T: nb × nb, column-major
  const sb = tb + ((<usize>nb * <usize>nb) << 3); // S: nb × nb, row-major
  // S where T's recurrence reads it, above the diagonal: rows 0:h, and the square [h:nb, h:nb] (V's columns h:nb are
  // zero above row top + h)
  const h = nb >> 1;
  if (h > 0) dgemm(0, 1, h, nb, m, 1.0, vb, m, vb, m, 0.0, sb, nb, gemmWork);
  const vh = vb + ((<usize>h * <usize>m + <usize>(top + h)) << 3);
  dgemm(0, 1, nb - h, nb - h, m - top - h, 1.0, vh, m, vh, m, 0.0, sb + ((<usize>(h * nb + h)) << 3), nb, gemmWork);
  compactWyT(nb, tau, sb, tb);
  // Zᵀ (nb × m) = Tᵀ·Vᵀ or T·Vᵀ (T's row-major view is Tᵀ, lower triangular): rows 0:h of Tᵀ need its columns 0:h,
  // rows h:nb of T its columns h:nb
  if (trans == 0) {
    if (h > 0) dgemm(0, 0, h, m, h, 1.0, tb, nb, vb, m, 0.0, zb, m, gemmWork);
    dgemm(0, 0, nb - h, m, nb, 1.0, tb + ((<usize>(h * nb)) << 3), nb, vb, m, 0.0, zb + ((<usize>h * <usize>m) << 3), m, gemmWork);
  } else {
    if (h > 0) dgemm(1, 0, h, m, nb, 1.0, tb, nb, vb, m, 0.0, zb, m, gemmWork);
    const th = tb + ((<usize>(h * nb + h)) << 3);
    dgemm(1, 0, nb - h, m, nb - h, 1.0, th, nb, vb + ((<usize>h * <usize>m) << 3), m, 0.0, zb + ((<usize>h * <usize>m) << 3), m, gemmWork);
  }
  // Wᵀ = Cᵀ·V, then Cᵀ −= Wᵀ·Zᵀ
  dgemm(0, 1, c, nb, m, 1.0, cm, ldc, vb, m, 0.0, wb, nb, gemmWork);
  dgemm(0, 0, c, m, nb, -1.0, wb, nb, zb, m, 1.0, cm, ldc, gemmWork);
}

/**
 * V (m×nb at vb, column-major) ← the nb reflector vectors stored below row top + j of column j at x (leading dimension
 * ldx), with the zeros above and the unit at row top + j written out: householderQr's (top = 0) and dsytrdLower's
 * (top = 1, or 2 from an even row above: eigen.ts).
 */
export function copyReflectors(m: i32, nb: i32, top: i32, x: usize, ldx: i32, vb: usize): void {
  for (let j = 0; j < nb; j++) {
    const cv = vb + ((<usize>j * <usize>m) << 3);
    const one = top + j;
    for (let i = 0; i < one; i++) st(cv, i, 0);
    st(cv, one, 1);
    memory.copy(cv + (<usize>(one + 1) << 3), x + ((<usize>j * <usize>ldx + <usize>(one + 1)) << 3), <usize>(m - one - 1) << 3);
  }
}

/** applyBlockReflector's work in the workspace of applyQ (and qrThin's panels) at vb: after V (m × QR_NB). */
@inline function blockWork(vb: usize, m: i32): usize {
  return vb + ((<usize>m * QR_NB) << 3);
}

/** The packed kernel's workspace in that workspace: after applyBlockReflector's work for c columns. */
@inline function blockGemmWork(vb: usize, m: i32, c: i32): usize {
  return blockWork(vb, m) + ((<usize>(m + c) * QR_NB + 2 * QR_NB * QR_NB) << 3);
}

/** The first of kq reflectors left unblocked: panels of QR_NB are taken while more than QR_CROSSOVER remain. */
@inline function unblockedFrom(kq: i32): i32 {
  return kq > QR_CROSSOVER ? ((kq - QR_CROSSOVER + QR_NB - 1) / QR_NB) * QR_NB : 0;
}

/**
 * Doubles of workspace `applyQ(m, kq, …, c, …)` needs: none up to QR_CROSSOVER reflectors; above, V (m × QR_NB),
 * applyBlockReflector's work ((m + c)·QR_NB + 2·QR_NB²) and the packed kernel's for its GEMMs.
 */
export function applyQWorkSize(m: i32, kq: i32, c: i32): f64 {
  if (kq <= QR_CROSSOVER) return 0;
  const d = m > c ? m : c;
  return (2 * <f64>m + <f64>c) * QR_NB + 2 * QR_NB * QR_NB + <f64>dgemmWorkSize(d, d, d);
}

/**
 * C (m×c, column-major, leading dimension ldc) ← Q·C, Q = H₀·H₁⋯H_{kq−1} the reflectors householderQr (or qrThin's
 * panels) left in X (leading dimension ldx) and tau. Up to QR_CROSSOVER reflectors householderApplyQ; above
 * (LAPACK dormqr, dorgqr), the last kq mod QR_NB by householderApplyQ, then the blocks of QR_NB before them, last
 * first, each as one block reflector (applyBlockReflector): a block costs 4·m·QR_NB² flops in S and Z besides its
 * 4·m·QR_NB·c in the two GEMMs with C, so blocking pays wherever C is wide, which the panels' trailing matrices near
 * the end of a factorisation are not (hence qrThin's crossover). With `identity` (C = [I; 0] on entry,
 * c = kq, as when Q itself is formed) a block from reflector k₀ on leaves C's columns left of k₀ alone: they are
 * still e_j, zero in its rows (4mc² − 4c³/3 flops instead of 4mc²). work: applyQWorkSize(m, kq, c) doubles.
 */
export function applyQ(
  m: i32, kq: i32, x: usize, ldx: i32, tau: usize, c: i32, cm: usize, ldc: i32, identity: bool, work: usize,
): void {
  if (kq <= QR_CROSSOVER) {
    householderApplyQ(m, kq, x, ldx, tau, c, cm, ldc);
    return;
  }
  const kk = (kq / QR_NB) * QR_NB;
  const vb = work;
  const wy = blockWork(vb, m);
  const gemmWork = blockGemmWork(vb, m, c);
  const c1 = identity ? kk : 0;
  const rest = (<usize>kk * <usize>ldx + <usize>kk) << 3;
  householderApplyQ(m - kk, kq - kk, x + rest, ldx, tau + (<usize>kk << 3), c - c1, cm + ((<usize>c1 * <usize>ldc + <usize>kk) << 3), ldc);
  for (let k0 = kk - QR_NB; k0 >= 0; k0 -= QR_NB) {
    const c0 = identity ? k0 : 0;
    copyReflectors(m - k0, QR_NB, 0, x + ((<usize>k0 * <usize>ldx + <usize>k0) << 3), ldx, vb);
    applyBlockReflector(0, m - k0, QR_NB, 0, vb, tau + (<usize>k0 << 3), c - c0, cm + ((<usize>c0 * <usize>ldc + <usize>k0) << 3), ldc, wy, gemmWork);
  }
}

/**
 * Householder QR of the m×n column-major X (leading dimension ldx, m ≥ n) without pivoting, as householderQr leaves
 * it (R on and above the diagonal, the reflectors below, τ in tau), blocked (Golub & Van Loan §5.2.3; LAPACK dgeqrf):
 * panels of QR_NB columns by householderQr, each panel's reflectors applied to the columns on its right as one block
 * (Hᵀ, applyBlockReflector), while more than QR_CROSSOVER columns remain; the rest unblocked (householderQr's steps,
 * so up to QR_CROSSOVER columns the same bits). perm: n i32 of scratch; vb: applyQWorkSize(m, n, n) doubles.
 */
export function blockedQr(m: i32, n: i32, x: usize, ldx: i32, tau: usize, perm: usize, vb: usize): void {
  const wy = blockWork(vb, m);
  const gemmWork = blockGemmWork(vb, m, n);
  const kk = unblockedFrom(n);
  for (let k0 = 0; k0 < kk; k0 += QR_NB) {
    const panel = x + ((<usize>k0 * <usize>ldx + <usize>k0) << 3);
    householderQr(m - k0, QR_NB, panel, ldx, tau + (<usize>k0 << 3), perm, 0, 0);
    copyReflectors(m - k0, QR_NB, 0, panel, ldx, vb);
    const right = panel + ((<usize>QR_NB * <usize>ldx) << 3);
    applyBlockReflector(1, m - k0, QR_NB, 0, vb, tau + (<usize>k0 << 3), n - k0 - QR_NB, right, ldx, wy, gemmWork);
  }
  householderQr(m - kk, n - kk, x + ((<usize>kk * <usize>ldx + <usize>kk) << 3), ldx, tau + (<usize>kk << 3), perm, 0, 0);
}

/**
 * Doubles of workspace `qrThin(m, n, …)` needs: the column-major copies of A and Q (m·n each), τ and the n pivots,
 * then applyQ's (which the panels' block reflectors share).
 */
export function qrWorkSize(m: i32, n: i32): f64 {
  return 2 * <f64>m * <f64>n + 2 * <f64>n + applyQWorkSize(m, n, n);
}

/**
 * Thin Householder QR of the m×n A (m ≥ n): A = Q·R with Q m×n orthonormal columns and R n×n upper triangular
 * with a non-negative diagonal. A(i, j) is read at a[i·ars + j·acs], Q(i, j) is written to q[i·qrs + j·qcs] and
 * R(i, j) to r[i·rrs + j·rcs] (element strides, so row- or column-major either way).
 * R and the reflectors by blockedQr, then Q = H₀⋯H_{n−1}·[I; 0] by applyQ (LAPACK dgeqrf and dorgqr): above
 * QR_CROSSOVER columns most of the 4mn² − 4n³/3 flops are in GEMMs. `work` holds qrWorkSize(m, n) doubles.
 */
export function qrThin(
  m: i32, n: i32, a: usize, ars: i32, acs: i32,
  q: usize, qrs: i32, qcs: i32, r: usize, rrs: i32, rcs: i32, work: usize,
): void {
  assert(n >= 0 && m >= n, "qrThin: m >= n >= 0");
  assert(n == 0 || (a != 0 && q != 0 && r != 0 && work != 0), "qrThin: null pointer");
  const x = work;
  const qw = x + ((<usize>m * <usize>n) << 3);
  const tau = qw + ((<usize>m * <usize>n) << 3);
  const perm = tau + (<usize>n << 3);
  const vb = perm + (<usize>n << 3); // applyQ's workspace, which the panels' block reflectors share
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) st(x, j * m + i, ld(a, i * ars + j * acs));
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) st(qw, j * m + i, i == j ? 1 : 0);
  blockedQr(m, n, x, m, tau, perm, vb);
  applyQ(m, n, x, m, tau, n, qw, m, true, vb);
  for (let i = 0; i < n; i++) {
    // Make R's diagonal non-negative: flip row i of R and column i of Q together (Q·R is unchanged).
    const sgn: f64 = ld(x, i * m + i) < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) st(r, i * rrs + j * rcs, j < i ? 0 : sgn * ld(x, j * m + i));
    for (let k = 0; k < m; k++) st(q, k * qrs + i * qcs, sgn * ld(qw, i * m + k));
  }
}
