import { activeWasm } from "./backend.js";
import { ensureGemmBlocking } from "./blas.js";
import { ShapeError, ValueError } from "./errors.js";
import type { Mat } from "./mat.js";
import { tsCholesky, tsLu, tsQr, tsTriangularSolve } from "./ts-backend.js";
import { checkFinite, checkMat, checkOptions, checkSquare, checkSymmetric, describeShape, type MatInput } from "./validate.js";
import { checkedSymmetricRange, kernels, withKernels, type KernelSession } from "./kernel-session.js";

/**
 * Cholesky factor of a symmetric positive-definite A: the lower-triangular L with positive diagonal and A = L·Lᵀ
 * (Golub & Van Loan, Matrix Computations, Alg. 4.2.1: l_ij = (a_ij − Σ_{k<j} l_ik·l_jk)/l_jj,
 * l_ii = √(a_ii − Σ_{k<i} l_ik²)). WASM: blocked (§4.2.9, LAPACK dpotrf) — 64-row diagonal blocks by that recurrence,
 * the panels below them by forward substitution, the trailing matrix by core's dsyrk (the packed GEMM); the `ts`
 * backend runs the recurrence unblocked (the same L to rounding).
 * A must be symmetric to a relative `DEFAULT_SYMMETRY_TOL` = 1e-12 (`checkSymmetric`; in WASM checked on the copy by
 * one pass, as `eigh`'s input); only its lower triangle is used.
 * An A with max|aᵢⱼ| outside [2⁻⁵⁰⁰, 2⁵⁰⁰] is factored as 2ᵖ·A (p even, `choleskyExponent`) and L scaled back, so
 * cholesky(4ʲ·A) = 2ʲ·cholesky(A) to the last bit, subnormal A included.
 * Throws `ValueError` when A is not positive definite (a pivot a_ii − Σ l_ik² is ≤ 0 in floating point; a
 * semidefinite A may pass with a tiny pivot or fail, depending on rounding). WASM: `OutOfMemoryError` before any
 * work when A does not fit in WASM memory (n > 23166).
 * @example
 * cholesky(matFromRows([[4, 2], [2, 5]])).data // Float64Array [2, 0, 1, 2]
 */
export function cholesky(a: MatInput): Mat {
  const fn = "cholesky";
  if (activeWasm(fn) === null) {
    a = checkSymmetric(fn, "a", a);
    const p = choleskyExponent(a.data);
    const l = tsCholesky(p === 0 ? a : { rows: a.rows, cols: a.cols, data: timesPowerOfTwo(a.data, p) });
    if (l === null) throw new ValueError(`${fn}: argument 'a' (${describeShape(a)}) must be positive definite; it is not`);
    return p === 0 ? l : { rows: l.rows, cols: l.cols, data: timesPowerOfTwo(l.data, -p / 2) };
  }
  const m = checkSquare(fn, "a", a, { finite: false });
  const n = m.rows;
  ensureGemmBlocking(n ** 3 / 3); // the trailing updates are dsyrk's
  return withKernels(fn, (k) => {
    // The whole need first: the copy and the check pass would otherwise run before cholFactor's workspace is
    // found not to fit (and the range pass over `m` before either).
    k.reserve(choleskyArenaBytes(k, n), `argument 'a' (${n} × ${n})`);
    const p = choleskyExponent(m.data);
    // checked (finite, symmetric) in the arena by one WASM pass, as eigh's input; errors built from `m`
    const c = k.put(p === 0 ? m.data : timesPowerOfTwo(m.data, p));
    checkedSymmetricRange(k, c, n, k.alloc("f64", 3), m);
    const info = k.cholFactor({ n, a: c, lda: n }).result;
    if (info !== 0) {
      throw new ValueError(
        `${fn}: argument 'a' (${describeShape(m)}) must be positive definite; the pivot of row ${info - 1} is ≤ 0`,
      );
    }
    const l = k.read(c);
    return { rows: n, cols: n, data: p === 0 ? l : timesPowerOfTwo(l, -p / 2) };
  });
}

/**
 * The arena bytes `cholesky` allocates for an n × n A, reserved before any work: the copy of A, symmetricRange's
 * three results and cholFactor's workspace, with 64 bytes of alignment for each of the three allocations.
 * 8n² + O(1) bytes: n ≤ 23166 fit in wasm32's 4 GiB.
 */
function choleskyArenaBytes(k: KernelSession, n: number): number {
  return 8 * (n * n + 3 + k.workSizes.factorWorkSize({ n })) + 64 * 3;
}

/**
 * The even power p with which cholesky factors 2ᵖ·A (L = 2^(p/2)·L_A, undone exactly on L): 0 for max|aᵢⱼ| within
 * [2⁻⁵⁰⁰, 2⁵⁰⁰] (`rangeExponent`), else the exponent that brings it there, rounded to even — a subnormal A factors
 * with full precision instead of losing digits in every product (‖A − LLᵀ‖/‖A‖ was 4e-6 at 2⁻¹⁰⁶⁰). Non-finite
 * input is left to the checks (p = 0).
 */
function choleskyExponent(data: Float64Array): number {
  const amax = maxAbs(data);
  if (!Number.isFinite(amax)) return 0;
  const p = rangeExponent(amax);
  return p % 2 === 0 ? p : p - Math.sign(p);
}

/**
 * LU with partial pivoting of a square A: P·A = L·U (Golub & Van Loan, Alg. 3.4.1). `lu` packs the unit-lower L
 * (strictly below the diagonal; its unit diagonal is implied) and U (on and above it); `pivots[i]` is the row of A
 * that became row i of P·A. At each step the entry of largest magnitude in the column is the pivot, so |l_ij| ≤ 1.
 * WASM: blocked (§3.2.11, LAPACK dgetrf) — 64-column panels by that elimination, U₁₂ = L₁₁⁻¹A₁₂ by substitution, the
 * trailing matrix A₂₂ − L₂₁U₁₂ by core's dgemm (for n ≤ 64 the unblocked elimination itself); the `ts` backend runs
 * ml-matrix's unblocked LU.
 * A singular A still factors (U then has a zero on its diagonal); `solve` rejects it.
 * @example
 * const { lu: packed, pivots } = lu(matFromRows([[1, 2], [3, 4]]));
 * // pivots Int32Array [1, 0]; packed.data ≈ [3, 4, 1/3, 2/3]
 */
export function lu(a: MatInput): { lu: Mat; pivots: Int32Array } {
  const fn = "lu";
  a = checkSquare(fn, "a", a);
  if (activeWasm(fn) === null) return tsLu(a);
  const n = a.rows;
  ensureGemmBlocking((2 * n ** 3) / 3); // the trailing updates are dgemm's
  const { a: packed, perm } = kernels.luFactor(fn, { n, a: a.data, lda: n });
  return { lu: { rows: n, cols: n, data: packed }, pivots: perm };
}

/**
 * Thin Householder QR of an m×n A with m ≥ n: A = Q·R, Q m×n with orthonormal columns, R n×n upper triangular
 * with a non-negative diagonal (then Q and R are unique when A has full column rank; Golub & Van Loan, Alg. 5.2.1).
 * Any finite A whose R is representable factors: column norms never overflow or underflow (LAPACK's dnrm2 and
 * dlarfg), and an A with max|a| outside [2⁻⁵⁰⁰, 2⁵⁰⁰] is first scaled into it by a power of two (`rangeExponent`:
 * exact from below; from above it rounds only entries 2¹⁵²¹ below the largest, and keeps 1/(alpha − beta) of
 * the reflectors clear of the subnormals). So qr(2ᵏ·A) = (Q, 2ᵏ·R) to the last bit wherever 2ᵏ·A and 2ᵏ·R have
 * no subnormal entry (R is then 2ᵏ·R rounded).
 * Throws `ShapeError` when m < n.
 * @example
 * const { q, r } = qr(matFromRows([[3], [4]])); // q ≈ [[0.6], [0.8]], r = [[5]]
 */
export function qr(a: MatInput): { q: Mat; r: Mat } {
  const fn = "qr";
  a = checkMat(fn, "a", a);
  if (a.rows < a.cols) throw new ShapeError(`${fn}: argument 'a' must have rows ≥ cols; found ${describeShape(a)}`);
  const { rows: m, cols: n } = a;
  // above 128 columns the reflectors are applied in blocks by dgemm: 4mn² − 4n³/3 flops (factor and Q)
  if (activeWasm(fn) !== null) ensureGemmBlocking(4 * m * n * n - (4 * n ** 3) / 3);
  // Q·R of 2ᵖ·A, R scaled back by 2⁻ᵖ.
  const factor = (p: number) => {
    const scaled = p === 0 ? a.data : timesPowerOfTwo(a.data, p);
    let q: Float64Array;
    let r: Float64Array;
    if (activeWasm(fn) === null) ({ q: { data: q }, r: { data: r } } = tsQr({ rows: m, cols: n, data: scaled }));
    else ({ q, r } = kernels.qrThin(fn, { m, n, a: scaled, ars: n, acs: 1, qrs: n, qcs: 1, rrs: n, rcs: 1 }));
    return { q: { rows: m, cols: n, data: q }, r: { rows: n, cols: n, data: p === 0 ? r : timesPowerOfTwo(r, -p) } };
  };
  return factor(rangeExponent(maxAbs(a.data)));
}

/** Options of `triangularSolve`. */
export interface TriangularSolveOptions {
  /** Use the lower triangle of T (default true) or the upper one; the other triangle is ignored. */
  lower?: boolean;
  /** Solve Tᵀ·X = B instead of T·X = B (default false). */
  transpose?: boolean;
  /** Take T's diagonal as ones without reading it (default false), as for the L of `lu`. */
  unitDiagonal?: boolean;
}

/**
 * Solve op(T)·X = B by forward or back substitution, op(T) = T or Tᵀ, T n×n triangular (Golub & Van Loan,
 * Alg. 3.1.1–3.1.2). Only the chosen triangle of T is read. B is a vector (length n) or a matrix (n × k); the
 * result has B's shape. x_i is divided by t_ii, and unless the diagonal is a unit one, T and B are scaled by one
 * power of two (`rangeExponent`; X is unchanged) when max|t_ii| < 2⁻⁵⁰⁰, or when max|t_ii| > 2⁵⁰⁰ and the
 * unscaled solve overflowed; so subnormal pivots and systems scaled near the ends of the f64 range solve whenever
 * X is representable. Throws `ValueError` when T has a zero on its diagonal (and `unitDiagonal` is false) or the
 * solution overflows.
 * @example
 * triangularSolve(matFromRows([[2, 0], [1, 1]]), Float64Array.from([2, 3])) // Float64Array [1, 2]
 */
export function triangularSolve(t: MatInput, b: MatInput, options?: TriangularSolveOptions): Mat;
export function triangularSolve(t: MatInput, b: Float64Array | readonly number[], options?: TriangularSolveOptions): Float64Array;
export function triangularSolve(t: MatInput, b: MatInput | ArrayLike<number>, options: TriangularSolveOptions = {}): Mat | Float64Array {
  const fn = "triangularSolve";
  options = checkOptions(fn, options, ["lower", "transpose", "unitDiagonal"]);
  t = checkSquare(fn, "t", t);
  const { B, isVec } = rightHandSide(fn, t, "t", b);
  const lower = options.lower ?? true;
  const trans = options.transpose ?? false;
  const unit = options.unitDiagonal ?? false;
  for (const [name, v] of [["lower", lower], ["transpose", trans], ["unitDiagonal", unit]] as const) {
    if (typeof v !== "boolean") throw new ValueError(`${fn}: '${name}' must be a boolean; found ${String(v)}`);
  }
  const n = t.rows;
  let dmax = 0; // max |t_ii|
  if (!unit) {
    for (let i = 0; i < n; i++) {
      if (t.data[i * n + i] === 0) {
        throw new ValueError(`${fn}: argument 't' (${describeShape(t)}) is singular: its diagonal entry (${i}, ${i}) is 0`);
      }
      dmax = Math.max(dmax, Math.abs(t.data[i * n + i]));
    }
  }
  // op(T)·X = B ⇔ (2ᵖ·op(T))·X = 2ᵖ·B: scale T's diagonal into range and B alike (X needs no scaling back). The
  // pivots t_ii set the scale of x_i = (b_i − Σ t_ip·x_p)/t_ii, and reading them is free (a scan of the triangle
  // would cost a fifth of the solve). Only an off-diagonal entry 2⁵²⁴ beyond max|t_ii| can be pushed out of range,
  // and it makes κ(T) ≥ |t_ij|/max|t_ii| > 2⁵²⁴ (‖T⁻¹‖ ≥ ρ(T⁻¹) = 1/min|t_ii|), far beyond what f64 resolves.
  // Scaling down rounds the entries 2¹⁵²¹ below max|t_ii| (as in diag(2¹⁰⁰⁰, 2⁻⁶⁰⁰), which solves exactly
  // unscaled), so it is only the fallback when the unscaled solve overflowed. An implied unit diagonal does not
  // scale: such a T is solved as given.
  const substitute = (p: number): Mat => {
    const T = p === 0 ? t : { rows: n, cols: n, data: timesPowerOfTwo(t.data, p) };
    const Bs = p === 0 ? B.data : timesPowerOfTwo(B.data, p);
    if (activeWasm(fn) === null) return tsTriangularSolve(T, { rows: n, cols: B.cols, data: Bs }, lower, trans, unit);
    const flags = { lower: lower ? 1 : 0, trans: trans ? 1 : 0, unit: unit ? 1 : 0 };
    const { b: solution } = kernels.triSolve(fn, { n, k: B.cols, t: T.data, ldt: n, ...flags, b: Bs, ldb: B.cols });
    return { rows: n, cols: B.cols, data: solution };
  };
  const p = rangeExponent(dmax);
  let x = substitute(p < 0 ? 0 : p);
  if (p < 0 && !allFinite(x.data)) x = substitute(p);
  checkSolution(fn, t, "t", x);
  return isVec ? x.data : x;
}

/**
 * Solve A·X = B for square A by LU with partial pivoting (P·A = L·U, then L·Y = P·B and U·X = Y; Golub & Van
 * Loan, §3.4). B is a vector (length n) or a matrix (n × k); the result has B's shape.
 * Throws `ValueError` when A is singular to working precision: some pivot |u_kk| ≤ n·ε·max|a_ij| (the rounding
 * already committed in the factorisation is then as large as the pivot, so the answer would be noise). The test is
 * relative to A's scale: A and B are scaled by one power of two when max|A| lies outside [2⁻⁵⁰⁰, 2⁵⁰⁰]
 * (`rangeExponent`; X is unchanged), so a well-conditioned A solves at any magnitude, subnormal entries included.
 * WASM: A and B must fit in WASM memory together (8(n² + nk) bytes: n ≤ 16381 for an n × n B, n ≤ 23166 for a
 * vector), else `OutOfMemoryError` before any work. Shape errors come before non-finite entries.
 * @example
 * solve(matFromRows([[2, 1], [1, 3]]), Float64Array.from([3, 5])) // ≈ Float64Array [0.8, 1.4]
 */
export function solve(a: MatInput, b: MatInput): Mat;
export function solve(a: MatInput, b: Float64Array | readonly number[]): Float64Array;
export function solve(a: MatInput, b: MatInput | ArrayLike<number>): Mat | Float64Array {
  const fn = "solve";
  // Shapes first; the entries are checked (finite) after the WASM path has reserved its memory, so that a system
  // too large for it is refused before any pass over it.
  a = checkSquare(fn, "a", a, { finite: false });
  const { B, isVec } = rightHandSide(fn, a, "a", b, false);
  const n = a.rows;
  const k = B.cols;
  const A = a;
  // A·X = B ⇔ (2ᵖ·A)·X = 2ᵖ·B: factor A scaled into range, B alike (X needs no scaling back).
  const scaledSystem = () => {
    checkFinite(fn, "a", A.data, n);
    checkFinite(fn, "b", B.data, k);
    const amax = maxAbs(A.data);
    const p = rangeExponent(amax);
    const As = p === 0 ? A.data : timesPowerOfTwo(A.data, p);
    const Bs = p === 0 ? B.data : timesPowerOfTwo(B.data, p);
    const pivotFloor = n * Number.EPSILON * (amax * 2 ** p); // on the scaled matrix (n·ε·amax may underflow)
    const singular = (U: Float64Array) => {
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(U[i * n + i]) > pivotFloor)) {
          return new ValueError(
            `${fn}: argument 'a' (${describeShape(A)}) is singular to working precision: ` +
              `pivot ${i} of its LU is ${U[i * n + i] * 2 ** -p}, |u| ≤ n·ε·max|a| = ${n * Number.EPSILON * amax}`,
          );
        }
      }
      return null;
    };
    return { As, Bs, singular };
  };
  /** Row i of P·B (B scaled) into row i of `pb`: row pivots[i] of B. */
  const permuteInto = (pb: Float64Array, Bs: Float64Array, pivots: ArrayLike<number>) => {
    for (let i = 0; i < n; i++) pb.set(Bs.subarray(pivots[i] * k, pivots[i] * k + k), i * k);
    return pb;
  };
  let x: Mat;
  if (activeWasm(fn) === null) {
    const { As, Bs, singular } = scaledSystem();
    const { lu: LU, pivots } = tsLu({ rows: n, cols: n, data: As });
    const err = singular(LU.data);
    if (err) throw err;
    const y = tsTriangularSolve(LU, { rows: n, cols: k, data: permuteInto(new Float64Array(n * k), Bs, pivots) }, true, false, true);
    x = tsTriangularSolve(LU, y, false, false, false);
  } else {
    ensureGemmBlocking((2 * n ** 3) / 3); // lu's trailing updates are dgemm's
    x = withKernels(fn, (s) => {
      // P·B is allocated after the O(n³) LU: without this, a B that did not fit beside A was found out after it.
      s.reserve(solveArenaBytes(s, n, k), `argument 'a' (${n} × ${n}) with 'b' (${n} × ${k})`);
      const { As, Bs, singular } = scaledSystem();
      const { a: packed, perm } = s.luFactor({ n, a: As, lda: n });
      const b = s.alloc("f64", n * k);
      const err = singular(s.view(packed));
      if (err) throw err;
      permuteInto(s.view(b), Bs, s.view(perm));
      s.triSolve({ n, k, t: packed, ldt: n, lower: 1, trans: 0, unit: 1, b, ldb: k });
      s.triSolve({ n, k, t: packed, ldt: n, lower: 0, trans: 0, unit: 0, b, ldb: k });
      return { rows: n, cols: k, data: s.read(b) };
    });
  }
  checkSolution(fn, a, "a", x);
  return isVec ? x.data : x;
}

/**
 * The arena bytes `solve` allocates for an n × n A and an n × k B, reserved before any work: luFactor's copy of A,
 * its pivots and workspace, then (after the factorisation) P·B, solved in place; 64 bytes of alignment for each of
 * the four allocations. 8(n² + nk) + O(n) bytes: n ≤ 23166 for a vector b, n ≤ 16381 for an n × n b.
 */
function solveArenaBytes(s: KernelSession, n: number, k: number): number {
  return 8 * (n * n + s.workSizes.factorWorkSize({ n }) + n * k) + 4 * n + 64 * 4;
}

/**
 * The right-hand side `b` as an n×k matrix whose n matches the square `a`, its entries checked finite unless `finite`
 * is false: a vector (a Float64Array or an array of numbers, taken as one column) or a matrix (a Mat or an array of
 * rows).
 */
function rightHandSide(fn: string, a: Mat, aName: string, b: MatInput | ArrayLike<number>, finite = true): { B: Mat; isVec: boolean } {
  const isVec = b instanceof Float64Array || (Array.isArray(b) && (b.length === 0 || typeof b[0] === "number"));
  const B = checkMat(fn, "b", isVec ? { rows: b.length, cols: 1, data: Float64Array.from(b as ArrayLike<number>) } : (b as MatInput), { finite });
  if (B.rows !== a.rows) {
    throw new ShapeError(
      `${fn}: 'b' must have ${a.rows} rows to match '${aName}' (${describeShape(a)}); found ${describeShape(B)}`,
    );
  }
  return { B, isVec };
}

/** The solution overflowed (finite input, ill-conditioned system): a ValueError rather than Infinity/NaN. */
function checkSolution(fn: string, a: Mat, aName: string, x: Mat): void {
  try {
    checkFinite(fn, "x", x.data, x.cols);
  } catch {
    throw new ValueError(`${fn}: the solution overflowed: '${aName}' (${describeShape(a)}) is too ill-conditioned for f64`);
  }
}

/** max |xᵢ| (0 for an empty array). */
function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** The exponent e with 2ᵉ ≤ x < 2ᵉ⁺¹ of a positive finite x, from its bits (subnormals included). */
function binaryExponent(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x < 2 ** -1022 ? x * 2 ** 64 : x);
  const biased = (view.getUint32(0) >>> 20) & 0x7ff;
  return biased - 1023 - (x < 2 ** -1022 ? 64 : 0);
}

const RANGE_MIN_EXPONENT = -500;
const RANGE_MAX_EXPONENT = 500;

/**
 * The power of two 2ᵖ that brings the largest magnitude `amax` of a matrix into [2⁻⁵⁰⁰, 2⁵⁰⁰] by the least
 * scaling: p = 0 inside (and for amax = 0), else 2ᵖ·amax ∈ [2⁻⁵⁰⁰, 2⁻⁴⁹⁹) from below or [2⁴⁹⁹, 2⁵⁰⁰) from above,
 * so |p| ≤ 574 and 2ᵖ, 2⁻ᵖ are representable. In that range products and sums of squares of entries neither
 * overflow nor underflow, except for entries below 2⁻⁵²² of the largest, whose contribution is far below ε.
 * Scaling up is exact; scaling down rounds the entries that become subnormal, those 2¹⁵²¹ below the largest.
 * Scaling by a power of two commutes exactly with every floating-point operation that does not underflow or
 * overflow, so results inside the range are those of the unscaled computation, bit for bit.
 */
function rangeExponent(amax: number): number {
  if (amax === 0 || (amax >= 2 ** RANGE_MIN_EXPONENT && amax <= 2 ** RANGE_MAX_EXPONENT)) return 0;
  const e = binaryExponent(amax);
  return amax < 2 ** RANGE_MIN_EXPONENT ? RANGE_MIN_EXPONENT - e : RANGE_MAX_EXPONENT - 1 - e;
}

/** Whether every entry is finite. */
function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** A new array 2ᵖ·x (|p| ≤ 1023: 2ᵖ representable). */
function timesPowerOfTwo(x: Float64Array, p: number): Float64Array {
  const f = 2 ** p;
  return x.map((v) => v * f);
}
