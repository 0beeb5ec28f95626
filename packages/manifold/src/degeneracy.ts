import { checkBoolean, checkMat, checkVector, isLosscapeError, ShapeError, DEFAULT_INERTIA_TOL, zeroToleranceFromGap, eigvalsh, inertiaFromEigenvalues, nullspace as coreNullspace, svd, type Inertia, type Mat, checkOptions, wasmActive } from "@losscape/core";
import { hessian, hessianWithoutJacobian, jacobian, MAX_DENSE_ENTRIES, validateData, validateModel, type Dataset, type Model } from "@losscape/mlp";
import { DEFAULT_RANK_TOL } from "./defaults.js";
import { checkRelativeTol, ToleranceError } from "./errors.js";

/** The degree of degeneracy of a symmetric matrix (a Hessian) and the gap that decided it. */
export interface Degeneracy {
  /** Number of eigenvalues counted as zero (the corank, "degree of degeneracy"). */
  corank: number;
  /** Negative, zero, positive counts with the relative tolerance used (the zero rule of docs/conventions.md#inertia). */
  inertia: Inertia;
  /** All eigenvalues, ascending. */
  eigenvalues: Float64Array;
  /** The relative tolerance used: |λ| ≤ tol·max(1, max|λ|) counts as zero. */
  tol: number;
  /** The absolute threshold tol·max(1, max|λ|). */
  threshold: number;
  /** Largest |λ| counted as zero (null when there is none). */
  largestZero: number | null;
  /** Smallest |λ| counted as non-zero (null when there is none). */
  smallestNonzero: number | null;
  /** smallestNonzero / largestZero (Infinity when the largest zero is exactly 0; null when either is missing). */
  gapRatio: number | null;
  /** How the tolerance was chosen: given by the caller, from the gap (auto), or `DEFAULT_INERTIA_TOL` = 1e-9 (auto, no gap). */
  tolSource: "given" | "gap" | "default";
}

/** Options of the degeneracy functions. */
export interface DegeneracyOptions {
  /**
   * Relative zero tolerance (|λ| ≤ tol·max(1, max|λ|)), or "auto" (default): the widest gap in the sorted |λ|
   * whose lower side is ≤ 1e-6·max(1, max|λ|) and whose ratio is ≥ 1e3 sets the threshold at the geometric mean of
   * the two sides; without such a gap @losscape/core's `DEFAULT_INERTIA_TOL` = 1e-9 is used.
   */
  tol?: number | "auto";
}

/**
 * Degree of degeneracy of a spectrum: the number of eigenvalues counted as zero by the rule of docs/conventions.md#inertia
 * |λ| ≤ tol·max(1, max|λ|), with the gap around the threshold (largest "zero", smallest "non-zero", their ratio).
 *
 * Automatic tolerance (`tol: "auto"`, the default): @losscape/core's spectral-gap rule `zeroToleranceFromGap` (the
 * widest gap in the sorted |λ| whose lower side is ≤ 1e-6·max(1, max|λ|) and whose ratio is ≥ 1e3; the threshold at
 * the geometric mean of its two sides), else `DEFAULT_INERTIA_TOL`. A float64 Hessian at an exact fit has its
 * "zeros" at O(ε·‖H‖) and the rest at σ²/n of the Jacobian, so the gap is where the spectrum itself decides the rank.
 * @example
 * degeneracyOfSpectrum([1e-17, -3e-16, 0.5, 2]) // corank 2, gap 0.5/3e-16, tolSource "gap"
 */
export function degeneracyOfSpectrum(eigenvalues: ArrayLike<number>, options: DegeneracyOptions = {}): Degeneracy {
  const fn = "degeneracyOfSpectrum";
  options = checkOptions(fn, options, ["tol"]);
  checkVector(fn, "eigenvalues", eigenvalues);
  const values = Float64Array.from(eigenvalues).sort();
  return degeneracyOf(fn, values, options);
}

/** `tol`: undefined, "auto" or a relative tolerance in [0, 1); anything else is a ToleranceError naming `fn`. */
function checkTolOption(fn: string, opt: unknown): void {
  if (opt === undefined || opt === "auto") return;
  if (typeof opt !== "number") throw new ToleranceError(`${fn}: 'tol' must be a number in [0, 1) or "auto"; found ${String(opt)}`);
  checkRelativeTol(fn, "tol", opt);
}

function degeneracyOf(fn: string, values: Float64Array, options: DegeneracyOptions): Degeneracy {
  const opt = options.tol ?? "auto";
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = Math.max(1, maxAbs);
  const abs = Float64Array.from(values, Math.abs).sort();
  let tol: number;
  let tolSource: Degeneracy["tolSource"];
  if (opt === "auto") {
    const gap = zeroToleranceFromGap(values);
    tol = gap?.tol ?? DEFAULT_INERTIA_TOL;
    tolSource = gap ? "gap" : "default";
  } else {
    checkTolOption(fn, opt);
    tol = opt as number;
    tolSource = "given";
  }
  const inertia = inertiaFromEigenvalues(values, { tol });
  const threshold = tol * scale;
  let largestZero: number | null = null;
  let smallestNonzero: number | null = null;
  for (const a of abs) {
    if (a <= threshold) largestZero = a;
    else if (smallestNonzero === null) smallestNonzero = a;
  }
  const gapRatio =
    largestZero === null || smallestNonzero === null ? null : largestZero === 0 ? Infinity : smallestNonzero / largestZero;
  return { corank: inertia.zero, inertia, eigenvalues: values, tol, threshold, largestZero, smallestNonzero, gapRatio, tolSource };
}

/**
 * The most entries a dense result of @losscape/mlp may have (its `jacobian` and `hessian` refuse more): 2²⁸ float64
 * values, 2 GiB. `jacobianRank` and `hessianDegeneracy` check their sizes against it in their own names, before any work.
 */

/** "2.949e+8 entries (2.2 GiB)". */
function entries(count: number): string {
  return `${count.toExponential(3)} entries (${((count * 8) / 2 ** 30).toFixed(1)} GiB)`;
}

/**
 * Run `inner` (mlp's `jacobian` or `hessian`) for the public function `fn`: an error the inner function raises in its
 * own name (a NaN at these parameters) is raised in `fn`'s, the public function the user called.
 */
function asCaller<T>(fn: string, innerName: string, inner: () => T): T {
  try {
    return inner();
  } catch (e) {
    if (isLosscapeError(e) && e.message.startsWith(`${innerName}: `)) e.message = `${fn}: ${e.message.slice(innerName.length + 2)}`;
    throw e;
  }
}

/**
 * Degree of degeneracy of the exact loss Hessian H = ∇²R(θ) (mlp's `hessian`, H = H₀ + H₁): its corank by
 * the zero rule of docs/conventions.md#inertia with the gap around the threshold; see `degeneracyOfSpectrum` for the automatic tolerance.
 * At an exact fit H = H₀ = JᵀJ/n and the corank is M − rank J (Cooper 2021).
 * Sizes: H (M × M) and the Jacobian J it is built from ((n·r) × M) at most 2²⁸ entries each (2 GiB, M ≤ 16384),
 * mlp's limit (not for the nets WASM builds without J: mlp's `hessianWithoutJacobian`); beyond it a ShapeError naming 'model' or 'data' (and a bad 'tol'), before any work.
 * @example
 * hessianDegeneracy(model, data).corank // e.g. M − n·r at a generic exact fit
 */
export function hessianDegeneracy(model: Model, data: Dataset, options: DegeneracyOptions = {}): Degeneracy {
  const fn = "hessianDegeneracy";
  options = checkOptions(fn, options, ["tol"]);
  // Checked here, so a bad model or data set is refused in this function's name (not in hessian's).
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  checkTolOption(fn, options.tol);
  const M = model.params.length;
  if (M * M > MAX_DENSE_ENTRIES) {
    throw new ShapeError(`${fn}: 'model' has M = ${M} parameters: its dense Hessian (M × M) would have ${entries(M * M)}; at most 2^28 = ${MAX_DENSE_ENTRIES} entries (2 GiB, M ≤ 16384) are supported — @losscape/curvature estimates spectra matrix-free`);
  }
  const nr = data.x.rows * model.widths[model.widths.length - 1];
  if (nr * M > MAX_DENSE_ENTRIES && !(wasmActive(fn) && hessianWithoutJacobian(model))) {
    throw new ShapeError(`${fn}: 'data' has n = ${data.x.rows} samples: the Jacobian the Hessian is built from ((n·r) × M = ${nr} × ${M}) would have ${entries(nr * M)}; at most 2^28 = ${MAX_DENSE_ENTRIES} entries (2 GiB) are supported — use at most ${Math.floor(MAX_DENSE_ENTRIES / M / (nr / data.x.rows))} samples`);
  }
  const h = asCaller(fn, "hessian", () => hessian(model, data));
  return degeneracyOf(fn, eigvalsh(h), options);
}

/** Rank of a matrix with its singular values and (optionally) an orthonormal null-space basis. */
export interface JacobianRank {
  rank: number;
  /** All min(n·r, M) singular values, descending. */
  singularValues: Float64Array;
  /** Relative rank tolerance: σᵢ counts when σᵢ > tol·σ_max. */
  tol: number;
  /** tol·σ_max. */
  threshold: number;
  /** Smallest σ counted (null if none). */
  smallestNonzero: number | null;
  /** Largest σ not counted (null if none; the M − min(n·r, M) structural zeros are not listed). */
  largestZero: number | null;
  /** M × (M − rank) orthonormal basis of the null space {v : Jv = 0} (the tangent space of the zero-loss set at a regular point). */
  nullspace: Mat | null;
}


/**
 * Rank, singular values and null space of a matrix A (m × M) with the rule σᵢ > tol·σ_max (default 1e-10).
 * The null space is core's `nullspace` with the same rule (right singular vectors of the σᵢ ≤ threshold and the
 * M − m directions orthogonal to the row space when m < M).
 * @example
 * matrixRank(matFromRows([[1, 1, 0]])) // rank 1, nullspace 3×2
 */
export function matrixRank(a: Mat, options: { rankTol?: number; nullspace?: boolean } = {}): JacobianRank {
  const fn = "matrixRank";
  options = checkOptions(fn, options, ["rankTol", "nullspace"]);
  return rankOf(fn, a, options);
}

function rankOf(fn: string, a: Mat, options: { rankTol?: number; nullspace?: boolean }): JacobianRank {
  checkMat(fn, "a", a);
  const tol = options.rankTol ?? DEFAULT_RANK_TOL;
  checkRelativeTol(fn, "rankTol", tol);
  checkBoolean(fn, "nullspace", options.nullspace);
  const wantNull = options.nullspace ?? true;
  const s = svd(a, { vectors: false }).s;
  const threshold = tol * (s.length ? s[0] : 0);
  let rank = 0;
  for (const v of s) if (v > threshold) rank++;
  // core's nullspace uses the same rule σᵢ > tol·σ_max on the same SVD algorithm, so its column count is M − rank.
  const nullspace = wantNull ? coreNullspace(a, { tol }) : null;
  return {
    rank,
    singularValues: Float64Array.from(s),
    tol,
    threshold,
    smallestNonzero: rank > 0 ? s[rank - 1] : null,
    largestZero: rank < s.length ? s[rank] : null,
    nullspace,
  };
}

/**
 * Rank, singular values and null space of the output Jacobian J = ∂f(xᵢ)/∂θ ((n·r) × M, mlp's `jacobian`), rank
 * rule σᵢ > rankTol·σ_max (default 1e-10). At a zero-loss point where rank J = n·r, the null space is the tangent
 * space of the zero-loss manifold (Cooper 2021).
 * Size: J at most 2²⁸ entries (2 GiB), mlp's limit; beyond it a ShapeError naming 'x' (and bad options), before any work.
 * @example
 * const { rank, singularValues, nullspace } = jacobianRank(model, data.x);
 */
export function jacobianRank(model: Model, x: Mat, options: { rankTol?: number; nullspace?: boolean } = {}): JacobianRank {
  const fn = "jacobianRank";
  options = checkOptions(fn, options, ["rankTol", "nullspace"]);
  // Checked here, so a bad model or x is refused in this function's name (not in jacobian's).
  model = validateModel(model, fn);
  const X = checkInputsOf(fn, model, x);
  checkRelativeTol(fn, "rankTol", options.rankTol ?? DEFAULT_RANK_TOL);
  checkBoolean(fn, "nullspace", options.nullspace);
  const M = model.params.length;
  const r = model.widths[model.widths.length - 1];
  if (X.rows * r * M > MAX_DENSE_ENTRIES) {
    throw new ShapeError(`${fn}: 'x' has n = ${X.rows} rows: the Jacobian ((n·r) × M = ${X.rows * r} × ${M}) would have ${entries(X.rows * r * M)}; at most 2^28 = ${MAX_DENSE_ENTRIES} entries (2 GiB) are supported — use at most ${Math.floor(MAX_DENSE_ENTRIES / (r * M))} rows`);
  }
  return rankOf(fn, asCaller(fn, "jacobian", () => jacobian(model, X)), options);
}

/**
 * The inputs `x` of `model` as a Mat: a Mat or rows of d_in finite numbers (a flat array of numbers when d_in = 1,
 * as mlp takes it), at least one row. Anything else is a typed error naming `fn` and 'x'.
 */
function checkInputsOf(fn: string, model: Model, x: unknown): Mat {
  const dIn = model.widths[0];
  const flat =
    typeof x === "object" && x !== null && !("data" in x) && typeof (x as ArrayLike<unknown>).length === "number" &&
    (x as ArrayLike<unknown>).length > 0 && typeof (x as ArrayLike<unknown>)[0] === "number";
  const X = flat ? checkMat(fn, "x", Array.from(x as ArrayLike<number>, (v) => [v])) : checkMat(fn, "x", x as Mat);
  if (X.cols !== dIn) throw new ShapeError(`${fn}: 'x' must have d_in = ${dIn} columns (widths[0]); found ${X.rows}×${X.cols}`);
  return X;
}
