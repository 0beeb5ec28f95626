// Singular value decomposition on raw pointers: one-sided Jacobi (Hestenes) preconditioned by Householder QR with
// column pivoting (Drmač & Veselić, "New fast and accurate Jacobi SVD algorithm", SIAM J. Matrix Anal. Appl. 29,
// 2008). The working matrices are column-major so every dot product and plane rotation runs over contiguous
// memory; each has an f64x2 branch (`ASC_FEATURE_SIMD`) and a scalar branch. Kernels never allocate: the caller
// passes `work`.
import { applyQ, applyQWorkSize, blockedQr, householderQr, householderQrWorkSize } from "./factor";
import { facDot, facScal, pow2 } from "./vector";

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

@inline function col(p: usize, j: i32, ldp: i32): usize {
  return p + ((<usize>j * <usize>ldp) << 3);
}

/** x ← c·x − s·y, y ← s·x + c·y over n contiguous doubles. */
function rotateColumns(x: usize, y: usize, n: i32, c: f64, s: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vc = f64x2.splat(c);
    const vs = f64x2.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      const x0 = v128.load(x + o);
      const y0 = v128.load(y + o);
      const x1 = v128.load(x + o + 16);
      const y1 = v128.load(y + o + 16);
      v128.store(x + o, f64x2.sub(f64x2.mul(vc, x0), f64x2.mul(vs, y0)));
      v128.store(y + o, f64x2.add(f64x2.mul(vs, x0), f64x2.mul(vc, y0)));
      v128.store(x + o + 16, f64x2.sub(f64x2.mul(vc, x1), f64x2.mul(vs, y1)));
      v128.store(y + o + 16, f64x2.add(f64x2.mul(vs, x1), f64x2.mul(vc, y1)));
    }
  }
  for (; i < n; i++) {
    const xi = ld(x, i);
    const yi = ld(y, i);
    st(x, i, c * xi - s * yi);
    st(y, i, s * xi + c * yi);
  }
}

/**
 * rotateColumns(x, y, n, c, s), returning the dot product of the new x with z (n contiguous doubles): the same bits as
 * facDot(x, z, n) after the rotation (the same lanes, accumulators and order), without reading x again. facDot's
 * accumulator pattern is spelt out again here, as in vector.ts's facSumSqScaled: AssemblyScript has no macro or
 * closure that could share it, and the order is what keeps the bits.
 */
function rotateColumnsThenDot(x: usize, y: usize, z: usize, n: i32, c: f64, s: f64): f64 {
  let i = 0;
  let d: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    const vc = f64x2.splat(c);
    const vs = f64x2.splat(s);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    // eight rows a pass, their products with z in facDot's four accumulators (rows 0–1, 2–3, 4–5, 6–7)
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 3;
      const x0 = v128.load(x + o);
      const y0 = v128.load(y + o);
      const x1 = v128.load(x + o, 16);
      const y1 = v128.load(y + o, 16);
      const u0 = f64x2.sub(f64x2.mul(vc, x0), f64x2.mul(vs, y0));
      const u1 = f64x2.sub(f64x2.mul(vc, x1), f64x2.mul(vs, y1));
      v128.store(x + o, u0);
      v128.store(y + o, f64x2.add(f64x2.mul(vs, x0), f64x2.mul(vc, y0)));
      v128.store(x + o, u1, 16);
      v128.store(y + o, f64x2.add(f64x2.mul(vs, x1), f64x2.mul(vc, y1)), 16);
      a0 = f64x2.add(a0, f64x2.mul(u0, v128.load(z + o)));
      a1 = f64x2.add(a1, f64x2.mul(u1, v128.load(z + o, 16)));
      const x2 = v128.load(x + o, 32);
      const y2 = v128.load(y + o, 32);
      const x3 = v128.load(x + o, 48);
      const y3 = v128.load(y + o, 48);
      const u2 = f64x2.sub(f64x2.mul(vc, x2), f64x2.mul(vs, y2));
      const u3 = f64x2.sub(f64x2.mul(vc, x3), f64x2.mul(vs, y3));
      v128.store(x + o, u2, 32);
      v128.store(y + o, f64x2.add(f64x2.mul(vs, x2), f64x2.mul(vc, y2)), 32);
      v128.store(x + o, u3, 48);
      v128.store(y + o, f64x2.add(f64x2.mul(vs, x3), f64x2.mul(vc, y3)), 48);
      a2 = f64x2.add(a2, f64x2.mul(u2, v128.load(z + o, 32)));
      a3 = f64x2.add(a3, f64x2.mul(u3, v128.load(z + o, 48)));
    }
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      const x0 = v128.load(x + o);
      const y0 = v128.load(y + o);
      const u0 = f64x2.sub(f64x2.mul(vc, x0), f64x2.mul(vs, y0));
      v128.store(x + o, u0);
      v128.store(y + o, f64x2.add(f64x2.mul(vs, x0), f64x2.mul(vc, y0)));
      a0 = f64x2.add(a0, f64x2.mul(u0, v128.load(z + o)));
    }
    a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    d = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  } else {
    let d1: f64 = 0;
    for (; i + 2 <= n; i += 2) {
      const x0 = ld(x, i);
      const y0 = ld(y, i);
      const x1 = ld(x, i + 1);
      const y1 = ld(y, i + 1);
      const u0 = c * x0 - s * y0;
      const u1 = c * x1 - s * y1;
      st(x, i, u0);
      st(y, i, s * x0 + c * y0);
      st(x, i + 1, u1);
      st(y, i + 1, s * x1 + c * y1);
      d += u0 * ld(z, i);
      d1 += u1 * ld(z, i + 1);
    }
    d += d1;
  }
  for (; i < n; i++) {
    const xi = ld(x, i);
    const yi = ld(y, i);
    const u = c * xi - s * yi;
    st(x, i, u);
    st(y, i, s * xi + c * yi);
    d += u * ld(z, i);
  }
  return d;
}

/** tan θ of a Jacobi rotation: the smaller root of t² + 2ζt − 1 = 0, which keeps the rotation small. */
@inline function jacobiTangent(zeta: f64): f64 {
  const az = Math.abs(zeta);
  return az > 1e150 ? 0.5 / zeta : copysign<f64>(1, zeta) / (az + Math.sqrt(1 + zeta * zeta));
}

/** The dot product y_pᵀy_{q+1} that jacobiPair's rotation of (p, q) computed on the way (with `next`). */
let NEXT_DOT: f64 = 0;

/**
 * Squared column norms below this (2⁻⁹⁰⁰: norms below 2⁻⁴⁵⁰) lose digits to underflow in the squares and products of
 * their entries; jacobiPair hands pairs with such a column to jacobiPairScaled.
 */
const SMALL_SQUARE: f64 = 1.1830521861667747e-271;

/**
 * ‖x‖² over n contiguous doubles for jacobiOneSided's `norms`: facDot, except that a nonzero column whose squares all
 * underflow gets the least positive double, so that 0 marks zero columns only.
 */
function squaredNorm(x: usize, n: i32): f64 {
  const ss = facDot(x, x, n);
  return ss == 0 && hasNonZero(x, n) ? 5e-324 : ss;
}

/**
 * One Jacobi step on columns p < q of the m×n column-major Y: when |y_pᵀy_q| > tol·‖y_p‖‖y_q‖, rotate them (and
 * the same columns of V when `wantV`) so they become orthogonal. `norms` holds the ‖y_j‖² (squaredNorm). Returns 1 if
 * rotated. `known`: y_pᵀy_q is `gKnown` (the rotation of the pair (p, q − 1) computed it). `next`: the pair (p, q + 1)
 * comes next, so a rotation also leaves y_pᵀy_{q+1} in NEXT_DOT (rotateColumnsThenDot), the same bits as facDot would
 * give it; y_p is then read once for both (one-sided Jacobi on a 300×300 matrix ≈ 20 % faster, with vectors 12 %).
 * A pair with a column of squared norm below SMALL_SQUARE goes to jacobiPairScaled.
 */
function jacobiPair(
  m: i32, n: i32, y: usize, ldy: i32, wantV: i32, v: usize, ldv: i32, norms: usize, tol: f64, p: i32, q: i32,
  known: bool, gKnown: f64, next: bool,
): i32 {
  const a = ld(norms, p);
  const b = ld(norms, q);
  if (a == 0 || b == 0) return 0;
  if (a < SMALL_SQUARE || b < SMALL_SQUARE) return jacobiPairScaled(m, n, y, ldy, wantV, v, ldv, norms, tol, p, q, next);
  const yp = col(y, p, ldy);
  const yq = col(y, q, ldy);
  const g = known ? gKnown : facDot(yp, yq, m);
  if (Math.abs(g) <= tol * Math.sqrt(a) * Math.sqrt(b)) return 0;
  const t = jacobiTangent((b - a) / (2 * g));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = c * t;
  if (next) NEXT_DOT = rotateColumnsThenDot(yp, yq, yq + (<usize>ldy << 3), m, c, s);
  else rotateColumns(yp, yq, m, c, s);
  // New squared norms a − t·g and b + t·g (exact in real arithmetic); recomputed when the update cancels.
  const na = a - t * g;
  const nb = b + t * g;
  st(norms, p, na > 0.25 * a ? na : squaredNorm(yp, m));
  st(norms, q, nb > 0.25 * b ? nb : squaredNorm(yq, m));
  if (wantV) rotateColumns(col(v, p, ldv), col(v, q, ldv), n, c, s);
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
 * recomputed, and NEXT_DOT, when `next`, is facDot's y_pᵀy_{q+1}.
 */
function jacobiPairScaled(
  m: i32, n: i32, y: usize, ldy: i32, wantV: i32, v: usize, ldv: i32, norms: usize, tol: f64, p: i32, q: i32, next: bool,
): i32 {
  const yp = col(y, p, ldy);
  const yq = col(y, q, ldy);
  const kp = maxExponent(yp, m);
  const kq = maxExponent(yq, m);
  const fp1 = pow2(-kp >> 1), fp2 = pow2(-kp - (-kp >> 1));
  const fq1 = pow2(-kq >> 1), fq2 = pow2(-kq - (-kq >> 1));
  let pp: f64 = 0, qq: f64 = 0, pq: f64 = 0;
  for (let i = 0; i < m; i++) {
    const x = ld(yp, i) * fp1 * fp2;
    const z = ld(yq, i) * fq1 * fq2;
    pp += x * x;
    qq += z * z;
    pq += x * z;
  }
  const cos = pq / (Math.sqrt(pp) * Math.sqrt(qq));
  if (Math.abs(cos) <= tol) return 0;
  // r = ‖y_q‖/‖y_p‖ = (√qq/√pp)·2^(kq − kp), the power of two in two exact halves (|kq − kp| ≤ 1074: svdJacobi
  // scales the matrix to entries below 1, so both k are in [−1074, −1])
  const d = kq - kp;
  const r = (Math.sqrt(qq) / Math.sqrt(pp)) * pow2(d >> 1) * pow2(d - (d >> 1));
  const t = jacobiTangent((r - 1 / r) / (2 * cos));
  if (t == 0) return 0;
  const c = 1 / Math.sqrt(1 + t * t);
  const s = c * t;
  rotateColumns(yp, yq, m, c, s);
  if (next) NEXT_DOT = facDot(yp, yq + (<usize>ldy << 3), m);
  st(norms, p, squaredNorm(yp, m));
  st(norms, q, squaredNorm(yq, m));
  if (wantV) rotateColumns(col(v, p, ldv), col(v, q, ldv), n, c, s);
  return 1;
}

/** The k with max|xᵢ| ∈ [2ᵏ, 2ᵏ⁺¹) over n contiguous doubles, not all zero (k ∈ [−1074, 1023]). */
function maxExponent(x: usize, n: i32): i32 {
  let mx: f64 = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(ld(x, i)));
  // the biased exponent field; a subnormal mx is first brought up by 2⁶⁴ (exact)
  const bits = reinterpret<u64>(mx);
  if ((bits >> 52) != 0) return <i32>(bits >> 52) - 1023;
  return <i32>(reinterpret<u64>(mx * 18446744073709551616.0) >> 52) - 1023 - 64;
}

/**
 * One-sided Jacobi on the m×n column-major Y (leading dimension ldy): plane rotations Y ← Y·J until every pair of
 * columns is orthogonal to |y_pᵀy_q| ≤ √m·ε·‖y_p‖‖y_q‖ (the de Rijk / Demmel–Veselić stopping rule, which
 * yields singular values with high relative accuracy). When `wantV` the rotations are also applied to the n×n
 * column-major V (leading dimension ldv), which should start as I. `norms` (n doubles) holds the ‖y_j‖² (updated
 * after each rotation, recomputed at the start of each sweep).
 * Each sweep visits every pair once, block by block (blocks of columns small enough that two stay in cache: a
 * block-cyclic ordering, convergent like the row-cyclic one).
 * Returns the number of sweeps, or −1 when `maxSweeps` sweeps did not converge.
 */
function jacobiOneSided(m: i32, n: i32, y: usize, ldy: i32, wantV: i32, v: usize, ldv: i32, norms: usize, maxSweeps: i32): i32 {
  const tol = Math.sqrt(<f64>m) * 2.220446049250313e-16;
  // Two blocks of bs columns of m doubles ≈ 512 KiB.
  const bs = max(8, min(n, 32768 / max(m, 1)));
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    // Exact norms at the start of each sweep, so rounding in the updates cannot accumulate.
    for (let j = 0; j < n; j++) {
      st(norms, j, squaredNorm(col(y, j, ldy), m));
    }
    let rotated = 0;
    for (let bp = 0; bp < n; bp += bs) {
      const pEnd = min(bp + bs, n);
      for (let bq = bp; bq < n; bq += bs) {
        const qEnd = min(bq + bs, n);
        for (let p = bp; p < pEnd; p++) {
          let known = false;
          for (let q = max(bq, p + 1); q < qEnd; q++) {
            const r = jacobiPair(m, n, y, ldy, wantV, v, ldv, norms, tol, p, q, known, NEXT_DOT, q + 1 < qEnd);
            rotated += r;
            known = r != 0 && q + 1 < qEnd;
          }
        }
      }
    }
    if (rotated == 0) return sweep + 1;
  }
  return -1;
}

/** Sort the n i32 indices at `idx` by decreasing key[idx[i]] (Shell sort, Knuth's gaps 1, 4, 13, 40, …). */
function sortIndicesDescending(idx: usize, key: usize, n: i32): void {
  let gap = 1;
  while (gap < n / 3) gap = 3 * gap + 1;
  for (; gap >= 1; gap = (gap - 1) / 3) {
    for (let i = gap; i < n; i++) {
      const t = load<i32>(idx + (<usize>i << 2));
      const kt = ld(key, t);
      let j = i;
      while (j >= gap && ld(key, load<i32>(idx + (<usize>(j - gap) << 2))) < kt) {
        store<i32>(idx + (<usize>j << 2), load<i32>(idx + (<usize>(j - gap) << 2)));
        j -= gap;
      }
      store<i32>(idx + (<usize>j << 2), t);
    }
  }
}

/** ‖x‖₂ over n contiguous doubles, without underflow of the squares: rescaled by 2^600 when ‖x‖² < 2^-900. */
function robustNorm(x: usize, n: i32): f64 {
  const ss = facDot(x, x, n);
  if (ss >= 1.2e-271 || ss == 0 && !hasNonZero(x, n)) return Math.sqrt(ss);
  let acc: f64 = 0;
  const up = Math.pow(2, 600);
  for (let i = 0; i < n; i++) {
    const t = ld(x, i) * up;
    acc += t * t;
  }
  return Math.sqrt(acc) / up;
}

function hasNonZero(x: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (ld(x, i) != 0) return true;
  return false;
}

/**
 * Replace the columns j of the n×k column-major U (leading dimension ldu) with `bad[j]` ≠ 0 by unit vectors
 * orthogonal to all other columns (Gram–Schmidt, twice, on the first coordinate vector whose projection keeps at
 * least half of the average norm). Completes U to orthonormal columns where a singular value is zero.
 */
function completeOrthonormal(n: i32, k: i32, u: usize, ldu: i32, bad: usize): void {
  for (let j = 0; j < k; j++) {
    if (load<i32>(bad + (<usize>j << 2)) == 0) continue;
    const uj = col(u, j, ldu);
    for (let e = 0; e < n; e++) {
      for (let i = 0; i < n; i++) st(uj, i, i == e ? 1 : 0);
      for (let pass = 0; pass < 2; pass++) {
        for (let l = 0; l < k; l++) {
          if (l == j || load<i32>(bad + (<usize>l << 2)) != 0) continue;
          const ul = col(u, l, ldu);
          const d = facDot(ul, uj, n);
          for (let i = 0; i < n; i++) st(uj, i, ld(uj, i) - d * ld(ul, i));
        }
      }
      const nrm2 = facDot(uj, uj, n);
      if (nrm2 >= 0.5 / <f64>n) {
        facScal(1 / Math.sqrt(nrm2), uj, n);
        store<i32>(bad + (<usize>j << 2), 0);
        break;
      }
    }
  }
}

/**
 * SVD of the m×n A with m ≥ n: A = U·diag(s)·Vᵀ, s descending, V n×n orthogonal, U m×uc with orthonormal columns
 * (uc = n: thin; uc = m: full, the extra columns spanning the orthogonal complement of range(A)).
 *
 * Method (Drmač & Veselić 2008, Alg. 1 with both preconditioners): scale A by a power of two (exact) so
 * max|aᵢⱼ| ∈ [½, 1) and sort its rows by decreasing ∞-norm; Householder QR with column pivoting A·P = Q·R; a
 * second QR, Rᵀ = Q₁·R₁; one-sided Jacobi on X = R₁ᵀ, X·J = U_x·Σ (the second QR is a step of QR iteration on
 * R·Rᵀ: it concentrates X on its diagonal when the σ are spread, which saves sweeps; random matrices with
 * clustered σ still take about 7 rotating sweeps at n = 300). Then A·P = Q·R = (Q·U_x)·Σ·(Q₁·J)ᵀ, so
 * U = Q·[U_x; 0] and V = P·Q₁·J. Zero singular values get orthonormal completions of U_x.
 *
 * A(i, j) is read at a[i·ars + j·acs]; s receives n values; when `wantVectors` U(i, j) is written to
 * u[i·urs + j·ucs] and V(i, j) to v[i·vrs + j·vcs] (uc may be 0 without vectors). `work` holds
 * `svdWorkSize(m, n, uc)` doubles.
 * Returns the number of Jacobi sweeps, or −1 when Jacobi did not converge in 60 sweeps.
 */
export function svdJacobi(
  m: i32, n: i32, a: usize, ars: i32, acs: i32, s: usize, wantVectors: i32, uc: i32,
  u: usize, urs: i32, ucs: i32, v: usize, vrs: i32, vcs: i32, work: usize,
): i32 {
  assert(n >= 0 && m >= n && uc >= 0 && uc <= m && (!wantVectors || uc >= n), "svdJacobi: m >= n >= 0, n <= uc <= m with vectors");
  assert(n == 0 || (a != 0 && s != 0 && work != 0 && (!wantVectors || (u != 0 && v != 0))), "svdJacobi: null pointer");
  const x = work; // m×n, column-major: A, then its QR factors (R and Q's reflectors)
  const y = x + ((<usize>m * <usize>n) << 3); // n×n: Rᵀ, then its QR factors (R₁ and Q₁'s reflectors)
  const z = y + ((<usize>n * <usize>n) << 3); // n×n: X = R₁ᵀ, then U_x·Σ, then U_x
  const jv = z + ((<usize>n * <usize>n) << 3); // n×n: J, then Q₁·J
  const uw = jv + ((<usize>n * <usize>n) << 3); // m×uc: Q·[U_x 0; 0 I]
  const tau = uw + ((<usize>m * <usize>uc) << 3); // n
  const tau1 = tau + (<usize>n << 3); // n
  const norms = tau1 + (<usize>n << 3); // n
  const sval = norms + (<usize>n << 3); // n
  const rowMax = sval + (<usize>n << 3); // m: max_j |a_ij|
  const perm = rowMax + (<usize>m << 3); // n i32: QR column pivots
  const perm1 = perm + (<usize>n << 2); // n i32: (identity) pivots of the second QR
  const order = perm1 + (<usize>n << 2); // n i32: sort order
  const bad = order + (<usize>n << 2); // n i32: zero singular values
  const rowPerm = bad + (<usize>n << 2); // m i32: row i of X is row rowPerm[i] of A
  const qwork = work + (<usize>svdArraysSize(m, n, uc) << 3); // the first QR's, then applyQ's workspace

  // Cox–Higham row sorting: rows by decreasing ∞-norm make Householder QR with column pivoting row-wise backward
  // stable, which the relative accuracy for row-graded A needs (Drmač & Veselić 2008, §2).
  for (let i = 0; i < m; i++) {
    let r: f64 = 0;
    for (let j = 0; j < n; j++) r = Math.max(r, Math.abs(ld(a, i * ars + j * acs)));
    st(rowMax, i, r);
    store<i32>(rowPerm + (<usize>i << 2), i);
  }
  sortIndicesDescending(rowPerm, rowMax, m);

  // Copy and scale by 2^e so the largest entry has magnitude in [0.5, 1): keeps ‖·‖² clear of overflow.
  let amax: f64 = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      const aij = ld(a, load<i32>(rowPerm + (<usize>i << 2)) * ars + j * acs);
      st(x, j * m + i, aij);
      const t = Math.abs(aij);
      if (t > amax) amax = t;
    }
  }
  // e ∈ [−1024, 1074]; 2^e overflows for e ≥ 1024 (subnormal amax), so the scaling goes in two exact halves.
  const e: i32 = amax > 0 ? -(<i32>Math.ceil(Math.log2(amax))) : 0;
  const e1 = e / 2;
  const e2 = e - e1;
  if (e1 != 0) facScal(Math.pow(2, <f64>e1), x, m * n);
  if (e2 != 0) facScal(Math.pow(2, <f64>e2), x, m * n);

  householderQr(m, n, x, m, tau, perm, 1, qwork);
  // Y = Rᵀ (lower triangular): Y(i, j) = R(j, i) for i ≥ j; then Y = Q₁·R₁.
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) st(y, j * n + i, i >= j ? ld(x, i * m + j) : 0);
  }
  blockedQr(n, n, y, n, tau1, perm1, qwork);
  // X = R₁ᵀ.
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) st(z, j * n + i, i >= j ? ld(y, i * n + j) : 0);
  }
  if (wantVectors) {
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) st(jv, j * n + i, i == j ? 1 : 0);
  }
  const sweeps = jacobiOneSided(n, n, z, n, wantVectors, jv, n, norms, 60);
  if (sweeps < 0) return -1;

  // Singular values: the column norms of X·J, sorted descending (selection sort keeps the result deterministic).
  for (let j = 0; j < n; j++) {
    st(sval, j, robustNorm(col(z, j, n), n));
    store<i32>(order + (<usize>j << 2), j);
  }
  for (let i = 0; i < n; i++) {
    let best = i;
    for (let j = i + 1; j < n; j++) {
      if (ld(sval, load<i32>(order + (<usize>j << 2))) > ld(sval, load<i32>(order + (<usize>best << 2)))) best = j;
    }
    const t = load<i32>(order + (<usize>i << 2));
    store<i32>(order + (<usize>i << 2), load<i32>(order + (<usize>best << 2)));
    store<i32>(order + (<usize>best << 2), t);
  }
  const u1 = Math.pow(2, <f64>-e1);
  const u2 = Math.pow(2, <f64>-e2);
  for (let i = 0; i < n; i++) st(s, i, ld(sval, load<i32>(order + (<usize>i << 2))) * u1 * u2);
  if (!wantVectors) return sweeps;

  // U_x = (X·J)·Σ⁻¹, completed where σ = 0.
  for (let j = 0; j < n; j++) {
    const sj = ld(sval, j);
    const isZero = sj == 0 || !isFinite(1 / sj);
    store<i32>(bad + (<usize>j << 2), isZero ? 1 : 0);
    if (!isZero) facScal(1 / sj, col(z, j, n), n);
  }
  completeOrthonormal(n, n, z, n, bad);

  // U = Q·[U_x 0; 0 I] (m×uc), columns in sorted order; the extra columns (full U) are Q·e_j.
  for (let j = 0; j < uc; j++) {
    const src = j < n ? load<i32>(order + (<usize>j << 2)) : j;
    const dst = col(uw, j, m);
    for (let i = 0; i < m; i++) st(dst, i, j < n ? (i < n ? ld(z, src * n + i) : 0) : i == j ? 1 : 0);
  }
  applyQ(m, n, x, m, tau, uc, uw, m, false, qwork);
  for (let j = 0; j < uc; j++) {
    for (let i = 0; i < m; i++) st(u, load<i32>(rowPerm + (<usize>i << 2)) * urs + j * ucs, ld(uw, j * m + i));
  }

  // V = P·(Q₁·J): row perm[i] of V is row i of Q₁·J.
  applyQ(n, n, y, n, tau1, n, jv, n, false, qwork);
  for (let j = 0; j < n; j++) {
    const src = load<i32>(order + (<usize>j << 2));
    for (let i = 0; i < n; i++) {
      const pi = load<i32>(perm + (<usize>i << 2));
      st(v, pi * vrs + j * vcs, ld(jv, src * n + i));
    }
  }
  return sweeps;
}

/** Doubles of svdJacobi's own arrays in its workspace (its i32 arrays counted as whole doubles, rounded up). */
@inline function svdArraysSize(m: i32, n: i32, uc: i32): f64 {
  return <f64>m * <f64>n + <f64>m * <f64>uc + 3 * <f64>n * <f64>n + 6 * <f64>n + 2 * <f64>m;
}

/**
 * Doubles of workspace `svdJacobi` needs: its arrays, then the largest of the pivoted QR's workspace, the second
 * QR's (blockedQr of n×n) and, with vectors (uc > 0), applyQ's for U = Q·[U_x 0; 0 I] (which serves V = Q₁·J too:
 * m ≥ n, uc ≥ n).
 */
export function svdWorkSize(m: i32, n: i32, uc: i32): f64 {
  const qr = householderQrWorkSize(m, n, 1);
  const second = applyQWorkSize(n, n, n);
  const apply = uc > 0 ? applyQWorkSize(m, n, uc) : 0;
  const most = qr > second ? qr : second;
  return svdArraysSize(m, n, uc) + (most > apply ? most : apply);
}
