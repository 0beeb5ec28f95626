import { activeWasm } from "./backend.js";
import { ensureGemmBlocking } from "./blas.js";
import { AUTO_MIN_GAP, AUTO_ZERO_CEILING, DEFAULT_INERTIA_TOL } from "./defaults.js";
import { ConvergenceError, OutOfMemoryError, ValueError } from "./errors.js";
import type { Mat } from "./mat.js";
import { pow2Halves } from "./pow2.js";
import { tsEigh } from "./ts-backend.js";
import { checkNumber, checkOptions, checkSquare, checkSymmetric, checkVector, type MatInput } from "./validate.js";
import { checkedSymmetricRange, withKernels, type KernelSession, type WasmBuffer } from "./kernel-session.js";

/** Result of `eigh`: eigenvalues ascending, eigenvectors as the columns of `vectors` (orthonormal). */
export interface EighResult {
  values: Float64Array;
  vectors: Mat;
}

/**
 * Symmetric eigendecomposition A = V·diag(λ)·Vᵀ with λ₁ ≤ … ≤ λₙ and V orthogonal; column j of `vectors`
 * (row-major n×n) is the unit eigenvector of λⱼ.
 *
 * Sign convention (deterministic): in every column the component of largest magnitude is positive (the first
 * such component when several tie). For a repeated eigenvalue any orthonormal basis of its eigenspace is correct;
 * the one returned depends on the backend.
 *
 * WASM (LAPACK dsyevd's structure; Golub & Van Loan, Matrix Computations, 4th ed., §8.3 and §8.4.4):
 *  1. Householder tridiagonalisation A = Q·T·Qᵀ on a column-major working copy (lower triangle; one fused pass per
 *     step does the rank-2 update of the previous step and the symmetric product of the next);
 *  2. divide and conquer on T (Cuppen 1981): split, solve halves (implicit QL on ≤ 16 rows), merge through the
 *     secular equation with deflation, eigenvectors by Gu & Eisenstat (1995), updates as GEMMs;
 *  3. back-transformation V = Q·W with Q's reflectors in compact WY blocks (GEMMs), those acting below the first row
 *     of a trailing subproblem [lo, n) of step 2 applied to its n − lo eigenvectors as soon as it is solved, before
 *     the merge mixes them (Q·(Z·U) = (Q·Z)·U): ≈ 0.28·n³ of the 2n³ flops saved (14 %).
 * Backward stable: ‖AV − VΛ‖_F/‖A‖_F and ‖VᵀV − I‖_F are O(n·ε) (measured at n = 1000, random A: 3e−15 and
 * 1.2e−13). The `ts` backend uses ml-matrix's EigenvalueDecomposition (tred2/tql2 in plain JavaScript).
 *
 * Inputs with max|aᵢⱼ| outside [2⁻²⁵⁶, 2²⁵⁶] are scaled by an exact power of two first; entries below
 * 2⁻⁶⁰⁰·max|aᵢⱼ| are treated as zero (a backward error far below rounding).
 * A must be symmetric to the relative `DEFAULT_SYMMETRY_TOL` (max|aᵢⱼ − aⱼᵢ| ≤ 1e-12·max|a|); the WASM path reads
 * the upper triangle (row-major). Errors: `ShapeError` (not a square Mat, empty), `ValueError` (NaN/Inf, asymmetric),
 * `ConvergenceError` (implicit QL or QR needed more than 60 iterations for one eigenvalue: not observed in practice).
 * @example
 * const { values, vectors } = eigh(matFromRows([[2, 1], [1, 2]]));
 * // values: Float64Array [1, 3]; the columns of vectors are ±[1, −1]/√2 and [1, 1]/√2
 */
export function eigh(a: MatInput): EighResult {
  const fn = "eigh";
  const w = activeWasm(fn);
  if (w === null) {
    const { m, scale } = conditioned(checkSymmetric(fn, "a", a));
    const r = tsEigh(m);
    normaliseSigns(r.vectors);
    return { values: representable(fn, r.values.map((x) => unscale(x, scale))), vectors: r.vectors };
  }
  const r = wasmEigh(fn, checkSquare(fn, "a", a, { finite: false }), true) as EighResult;
  representable(fn, r.values);
  return r;
}

/**
 * The eigenvalues, when float64 can hold them: a matrix with entries near the largest double can have eigenvalues
 * beyond it (|λ| ≤ n·max|aᵢⱼ|), which would come back as ±∞; that is refused by name instead.
 */
function representable(fn: string, values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ValueError(`${fn}: an eigenvalue of 'a' exceeds the float64 range (|λ| > ${Number.MAX_VALUE}); scale 'a' down first`);
    }
  }
  return values;
}

/**
 * Eigenvalues of a symmetric matrix, ascending (no eigenvectors, so O(n²) after the O(n³) reduction).
 * WASM: Householder tridiagonalisation, then the Pal–Walker–Kahan root-free QL/QR iteration on the tridiagonal
 * (LAPACK dsterf; Parlett, The Symmetric Eigenvalue Problem, ch. 8), each unreduced block scaled by a power of two
 * to max|entry| ∈ [0.5, 1) first; each iteration is two sweeps with the same Wilkinson shift, pipelined (the second
 * one row behind the first). Same input rules and errors as `eigh`.
 * @example
 * eigvalsh(matFromRows([[2, 1], [1, 2]])); // Float64Array [1, 3]
 */
export function eigvalsh(a: MatInput): Float64Array {
  return symmetricEigenvalues("eigvalsh", a);
}

/** Counts of negative, zero and positive eigenvalues, with the tolerance that decided "zero". */
export interface Inertia {
  negative: number;
  zero: number;
  positive: number;
  /** The relative tolerance used: |λ| ≤ tol·max(1, max|λ|) counts as zero. */
  tol: number;
}

/**
 * Inertia of a list of eigenvalues with the zero rule: λ counts as zero when |λ| ≤ tol · max(1, max|μ|), the
 * maximum over `options.reference` (default: the values themselves, i.e. |λ| ≤ tol · max(1, max|λ|)), default
 * tol = `DEFAULT_INERTIA_TOL` = 1e-9. A `reference` counts the eigenvalues of a block against the threshold of the
 * whole matrix they belong to.
 * @example
 * inertiaFromEigenvalues([-2, 0, 1e-12, 3]); // { negative: 1, zero: 2, positive: 1, tol: 1e-9 }
 * inertiaFromEigenvalues([1e-6], { reference: [1e4] }); // { negative: 0, zero: 1, positive: 0, tol: 1e-9 }
 */
export function inertiaFromEigenvalues(values: ArrayLike<number>, options: { tol?: number; reference?: ArrayLike<number> } = {}): Inertia {
  const fn = "inertiaFromEigenvalues";
  options = checkOptions(fn, options, ["tol", "reference"]);
  if (options.reference !== undefined) checkVector(fn, "reference", options.reference);
  return countInertia(fn, values, options.tol, options.reference);
}

/**
 * The absolute zero threshold of the inertia rule for these eigenvalues: tol · max(1, max|λ|), default
 * tol = `DEFAULT_INERTIA_TOL`. An eigenvalue counts as zero when its magnitude is ≤ this.
 * @example
 * inertiaThreshold([-2, 0.5]); // 2e-9
 */
export function inertiaThreshold(values: ArrayLike<number>, tol: number = DEFAULT_INERTIA_TOL): number {
  const fn = "inertiaThreshold";
  checkVector(fn, "values", values);
  checkNumber(fn, "tol", tol, { min: 0 });
  return zeroThreshold(values, tol);
}

/** `inertiaThreshold` on checked arguments. */
function zeroThreshold(values: ArrayLike<number>, tol: number): number {
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  return tol * Math.max(1, maxAbs);
}

/**
 * The spectral-gap zero rule: sort a = |λ| ascending and let s = max(1, max|λ|); for every split k (k values counted
 * zero) with a_{k−1} ≤ `AUTO_ZERO_CEILING`·s (1e-6·s), the gap ratio is a_k / max(a_{k−1}, ε·s); the split with the
 * widest gap wins when its ratio is ≥ `AUTO_MIN_GAP` (1e3), and the threshold is √(a_{k−1}·a_k), so the relative
 * tolerance is threshold/s. A float64 Hessian at a degenerate critical point has its "zeros" at O(ε·‖H‖) and the rest
 * well above, so this gap is the numerical rank decision of Golub & Van Loan §5.4.1 made where the spectrum itself
 * says so. Returns null when no split qualifies (then `DEFAULT_INERTIA_TOL` is the usual choice).
 * @example
 * zeroToleranceFromGap([1e-17, -3e-16, 0.5, 2]); // { tol: ≈7.5e-9, gapRatio: ≈1.1e15, zeros: 2 }
 */
export function zeroToleranceFromGap(values: ArrayLike<number>): { tol: number; gapRatio: number; zeros: number } | null {
  checkVector("zeroToleranceFromGap", "values", values);
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  const scale = Math.max(1, maxAbs);
  const abs = Float64Array.from(values, Math.abs).sort();
  const floor = Number.EPSILON * scale;
  let best = -1;
  let bestRatio = 0;
  for (let k = 1; k < abs.length; k++) {
    if (abs[k - 1] > AUTO_ZERO_CEILING * scale) break;
    const ratio = abs[k] / Math.max(abs[k - 1], floor);
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = k;
    }
  }
  if (best <= 0 || bestRatio < AUTO_MIN_GAP) return null;
  // √a·√b, not √(a·b): the product overflows for spectra above ≈ 1e154
  return { tol: (Math.sqrt(Math.max(abs[best - 1], floor)) * Math.sqrt(abs[best])) / scale, gapRatio: bestRatio, zeros: best };
}

/**
 * Inertia (negative, zero, positive eigenvalue counts) of a symmetric matrix, zero rule
 * |λ| ≤ tol · max(1, max|λ|), default tol = `DEFAULT_INERTIA_TOL` = 1e-9. By Sylvester's law of inertia the counts
 * are invariant under congruence A → SᵀAS with S invertible. Computed from `eigvalsh`'s eigenvalues.
 * @example
 * inertia(matFromRows([[1, 0], [0, -1]])); // { negative: 1, zero: 0, positive: 1, tol: 1e-9 }
 */
export function inertia(a: MatInput, options: { tol?: number } = {}): Inertia {
  const fn = "inertia";
  options = checkOptions(fn, options, ["tol"]);
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  return countInertia(fn, symmetricEigenvalues(fn, a), tol);
}

function countInertia(fn: string, values: ArrayLike<number>, tolOption: number | undefined, reference: ArrayLike<number> = values): Inertia {
  const tol = tolOption ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  checkVector(fn, "values", values);
  const thr = zeroThreshold(reference, tol);
  let negative = 0;
  let zero = 0;
  let positive = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Math.abs(v) <= thr) zero++;
    else if (v < 0) negative++;
    else positive++;
  }
  return { negative, zero, positive, tol };
}

/** Eigenvalues, ascending, with errors naming `fn`. */
function symmetricEigenvalues(fn: string, a: MatInput): Float64Array {
  const w = activeWasm(fn);
  if (w === null) {
    const { m, scale } = conditioned(checkSymmetric(fn, "a", a));
    return representable(fn, tsEigh(m).values.map((x) => unscale(x, scale)));
  }
  return representable(fn, wasmEigh(fn, checkSquare(fn, "a", a, { finite: false }), false) as Float64Array);
}

/** Capacity of the QL rotation log used on the divide-and-conquer leaves (≤ 16 rows each). */
const ROTATION_LOG = 4096;

function notConverged(fn: string, n: number, status: number): ConvergenceError {
  return new ConvergenceError(
    `${fn}: the implicit QL/QR iteration did not converge for eigenvalue ${status - 1} of the ${n}×${n} ` +
      `tridiagonal matrix within 60 iterations`,
  );
}

/**
 * How the solvers see a matrix with max|aᵢⱼ| = maxAbs and smallest nonzero |aᵢⱼ| = minAbs: scaled by an exact
 * power of two 2ᵏ to max|a| ∈ [0.5, 1) when maxAbs lies outside [2⁻²⁵⁶, 2²⁵⁶] (so nothing overflows or underflows
 * in the reduction), with entries below floor = 2⁻⁶⁰⁰·maxAbs set to zero (a backward error ≤ n·2⁻⁶⁰⁰·‖A‖, far
 * below rounding, that keeps subnormals out of the iterations). `needed` is false when neither applies.
 */
function conditioning(maxAbs: number, minAbs: number): { k: number; floor: number; needed: boolean } {
  if (maxAbs === 0) return { k: 0, floor: 0, needed: false };
  const k = maxAbs > 2 ** 256 || maxAbs < 2 ** -256 ? -Math.ceil(Math.log2(maxAbs)) : 0;
  const floor = maxAbs * 2 ** -600;
  return { k, floor, needed: k !== 0 || minAbs < floor };
}

/** The ts backend's copy of `a` under `conditioning` (`a` itself when nothing is needed), and its exponent. */
function conditioned(a: Mat): { m: Mat; scale: number } {
  const d = a.data;
  let maxAbs = 0;
  let minAbs = Infinity; // smallest nonzero magnitude
  for (let i = 0; i < d.length; i++) {
    const x = Math.abs(d[i]);
    if (x > maxAbs) maxAbs = x;
    if (x < minAbs && x !== 0) minAbs = x;
  }
  const { k, floor, needed } = conditioning(maxAbs, minAbs);
  if (!needed) return { m: a, scale: 0 };
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.abs(d[i]) < floor ? 0 : timesPow2(d[i], k);
  return { m: { rows: a.rows, cols: a.cols, data: out }, scale: k };
}

/** x·2ᵏ in two exact steps (`pow2Halves`). */
function timesPow2(x: number, k: number): number {
  const [f1, f2] = pow2Halves(k);
  return x * f1 * f2;
}

/** An eigenvalue of the conditioned matrix (scaled by 2^scale) mapped back to the original. */
function unscale(x: number, scale: number): number {
  return scale === 0 ? x : timesPow2(x, -scale);
}

/**
 * The WASM path of eigh/eigvalsh: the square `a` (its entries not yet checked) is copied into the arena, checked there
 * (finite and symmetric, with the messages of `checkFinite` and `checkSymmetric`) and conditioned.
 */
function wasmEigh(fn: string, a: Mat, wantVectors: boolean): EighResult | Float64Array {
  // the eigenvectors' back-transformation and divide-and-conquer merges are GEMMs (≈ 2n³ flops), as is most of the
  // two-stage reduction
  if (wantVectors || twoStageReduction(a.rows, wantVectors)) ensureGemmBlocking(2 * a.rows ** 3);
  return withKernels(fn, (k) => {
    const n = a.rows;
    k.reserve(eighArenaBytes(k, n, wantVectors), `argument 'a' (${n} × ${n}${wantVectors ? ", with its eigenvectors" : ""})`);
    const r = symmetricEigenInArena(k, k.put(a.data), n, wantVectors, a);
    return wantVectors ? { values: r.values, vectors: { rows: a.rows, cols: a.rows, data: k.read(r.vectors!) } } : r.values;
  });
}

/**
 * The orders n for which eigenvalues alone (`eigvalsh`, `inertia`, `eigvalshInArena`) reduce A to tridiagonal form in
 * two stages (the kernel dsytrdBand: dense to a band of width 32 by GEMMs, then band to tridiagonal by bulge chasing;
 * Bischof, Lang & Sun 2000) instead of one (dsytrdLower, Householder with the rank-2 update of each step fused into
 * the next step's symmetric product). The one-stage pass reads and writes the trailing matrix once a column, the
 * two-stage one once a panel of 32 columns, for ≈ 4n³/3 flops in GEMMs that run at 9–13 GFLOP/s, plus ≈ 6·32·n² in the
 * bulge chasing. In node 20 on a Zen 3 (x86 family 25 model 1, one thread): at n = 1500 (A = 18 MB, inside the 32 MB
 * L3) one stage took 0.62 s against 0.74; at 2000 1.86 against 1.77; at 2500 4.0 against 3.1; at 4780 (A = 183 MB)
 * 23.3 s against 17.5. Hence from n = 2048 (A = 32 MiB) on. Up to n = 22000: above, the two-stage workspace
 * (≈ 4·32·n doubles and the GEMM's) would not fit beside A in wasm32's 4 GiB (eigvalsh takes n ≤ 23164), and one stage
 * is used. The two reductions round differently: eigenvalues agree to a small multiple of n·ε·‖A‖, not bit for bit.
 */
const TWO_STAGE_ORDERS = { min: 2048, max: 22000 } as const;

function twoStageReduction(n: number, wantVectors: boolean): boolean {
  return !wantVectors && n >= TWO_STAGE_ORDERS.min && n <= TWO_STAGE_ORDERS.max;
}

/**
 * The largest n whose `eigh` (values and vectors) fits in the 4 GiB of WASM memory wasm32 addresses: 10329, from
 * `eighArenaBytes` (≈ 5n² doubles) and the arena's base on every build (eigh-arena.test.ts checks both sides of it);
 * less while resident buffers hold memory. `eigvalsh` holds one n × n matrix (n ≤ 23164). Callers that build a dense
 * matrix for `eigh` check its order against this before the work.
 */
export const EIGH_MAX_ORDER = 10329;

/**
 * Refuse, before the work that builds it, an n × n matrix for `eigh` beyond EIGH_MAX_ORDER: an OutOfMemoryError
 * "`fn`: `what` (n × n) needs … GiB of WASM memory for its eigendecomposition (five n × n matrices); at most
 * n = 10329 fit in the 4 GiB of wasm32".
 * @example
 * checkEighOrder("strictSaddleEmbedding", "the wide net's Hessian", M); // before hessian(wide, data)
 */
export function checkEighOrder(fn: string, what: string, n: number): void {
  if (n <= EIGH_MAX_ORDER) return;
  throw new OutOfMemoryError(
    `${fn}: ${what} (${n} × ${n}) needs ${((5 * n * n * 8) / 2 ** 30).toFixed(1)} GiB of WASM memory for its eigendecomposition (five n × n matrices); at most n = ${EIGH_MAX_ORDER} fit in the 4 GiB of wasm32`,
  );
}

/**
 * An upper bound of the arena bytes `symmetricEigenInArena` allocates for an n × n matrix it copies in, reserved before
 * any work (a matrix too large for wasm32's 4 GiB is then refused before the reduction, not minutes later at the
 * eigenvectors' allocation): the matrix and its O(n) vectors; with vectors, the divide-and-conquer eigenvectors, their
 * 2n² + 8n workspace and the row-major copy returned (five n × n matrices in all), the GEMM and back-transformation
 * workspaces and the QL rotation log; 64 bytes of alignment for each of its ≤ 16 allocations.
 */
function eighArenaBytes(k: KernelSession, n: number, wantVectors: boolean): number {
  const q = k.workSizes;
  let f64 = n * n + 12 * n; // a; d, e, tau, work (8n)
  let i32 = 0;
  if (twoStageReduction(n, wantVectors)) f64 += q.dsytrdBandWorkSize({ n }) + q.dgemmWorkSize({ m: n, n, k: n });
  if (wantVectors) {
    f64 += q.dgemmWorkSize({ m: n, n, k: n }) + n * n + q.dstedcWorkSize({ n }) + 2 * ROTATION_LOG + q.dormtrWorkSize({ n }); // gemmWork, w, work, rot, back
    f64 += n * n + n; // the row-major eigenvectors and their signs
    i32 += 5 * n + 3 * ROTATION_LOG + n; // iwork, sweeps, order
  }
  return 8 * f64 + 4 * i32 + 64 * 16;
}

/**
 * `eigvalsh` of a symmetric n×n matrix already in a `withKernels` session (e.g. a kernel's output), without copying
 * it out and back: the same operations, so the same eigenvalues bit for bit. `a` is overwritten. Not validated
 * (the caller guarantees a finite, symmetric matrix).
 * @example
 * const values = withKernels("myFn", (k) => eigvalshInArena(k, k.mlpHessian({ … }).h0, M));
 */
export function eigvalshInArena(k: KernelSession, a: WasmBuffer<"f64">, n: number): Float64Array {
  return symmetricEigenInArena(k, a, n, false).values;
}

/**
 * Eigenvalues (ascending) and, with `wantVectors`, eigenvectors (columns of a row-major n×n arena buffer) of the
 * symmetric n×n matrix `a` already in the session's arena; `a` is overwritten (conditioned, then reduced).
 * `input`: the caller's matrix that `a` is a copy of, when `a` is still to be checked (finite and symmetric); the
 * checks run on the copy, in the pass that finds the conditioning, and only an error goes back to `input`.
 */
function symmetricEigenInArena(
  k: KernelSession,
  a: WasmBuffer<"f64">,
  n: number,
  wantVectors: boolean,
  input?: Mat,
): { values: Float64Array; vectors?: WasmBuffer<"f64"> } {
  const fn = k.fn;
  // A symmetric row-major matrix is its own column-major layout: the kernels reference its lower triangle
  // (column-major), i.e. the upper triangle of the row-major input.
  const d = k.alloc("f64", n, true);
  const e = k.alloc("f64", n, true);
  const tau = k.alloc("f64", n, true);
  const work = k.alloc("f64", 8 * n);
  const [maxAbs, minAbs] = checkedSymmetricRange(k, a, n, work, input);
  // Apply `conditioning` to a in place.
  const { k: exponent, floor, needed } = conditioning(maxAbs, minAbs);
  if (needed) {
    const [f1, f2] = pow2Halves(exponent);
    k.scaleAndFlush({ len: n * n, x: a, f1, f2, floor });
  }
  if (twoStageReduction(n, wantVectors)) k.dsytrdBand({ n, a, d, e });
  else k.dsytrdLower({ n, a, d, e, tau, work });
  let z: WasmBuffer<"f64"> | undefined;
  if (!wantVectors) {
    const status = k.dsterfQL({ n, d, e }).result;
    if (status !== 0) throw notConverged(fn, n, status);
  } else {
    const gemmWork = k.alloc("f64", k.workSizes.dgemmWorkSize({ m: n, n, k: n }));
    // the tridiagonal's eigenvectors by divide and conquer, multiplied by the reflectors along the way
    const r = k.dstedcVectors({ n, d, e, rotCap: ROTATION_LOG, sweepCap: ROTATION_LOG, gemmWork, a, tau });
    if (r.result !== 0) throw notConverged(fn, n, r.result);
    z = r.w;
  }
  const dv = k.view(d);
  // Plain loops: Array.from and Float64Array.from with a map function take the slow generic path (half the time
  // of a 10×10 eigvalsh).
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  order.sort((i, j) => dv[i] - dv[j] || i - j);
  const values = new Float64Array(n);
  for (let c = 0; c < n; c++) values[c] = unscale(dv[order[c]], exponent);
  if (z === undefined) return { values };
  // column c of the result is ±z[:, order[c]] (z column-major), largest-magnitude entry positive
  return { values, vectors: k.eigenvectorsRowMajor({ n, z, order: k.putI32(order) }).out };
}

/** Flip columns of a row-major matrix in place so that each column's largest-magnitude entry is positive. */
function normaliseSigns(v: Mat): void {
  const { rows, cols, data } = v;
  for (let c = 0; c < cols; c++) {
    let best = 0;
    let sign = 1;
    for (let r = 0; r < rows; r++) {
      const x = data[r * cols + c];
      if (Math.abs(x) > best) {
        best = Math.abs(x);
        sign = x < 0 ? -1 : 1;
      }
    }
    if (sign < 0) for (let r = 0; r < rows; r++) data[r * cols + c] = -data[r * cols + c];
  }
}
