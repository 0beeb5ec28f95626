import { activeWasm } from "./backend.js";
import type { Mat } from "./mat.js";
import { tsEigh } from "./ts-backend.js";
import { checkNumber, checkSymmetric, checkVector } from "./validate.js";

/** Result of `eigh`: eigenvalues ascending, eigenvectors as the columns of `vectors` (orthonormal). */
export interface EighResult {
  values: Float64Array;
  vectors: Mat;
}

/**
 * Symmetric eigendecomposition A = V·diag(λ)·Vᵀ, λ ascending, V orthogonal (columns are eigenvectors).
 * A must be symmetric to a relative 1e-12 (max|aᵢⱼ − aⱼᵢ| ≤ 1e-12·max|a|); only that much asymmetry is tolerated.
 */
export function eigh(a: Mat): EighResult {
  const fn = "eigh";
  checkSymmetric(fn, "a", a);
  const w = activeWasm(fn);
  if (w === null) return tsEigh(a);
  return tsEigh(a); // WASM path: lands with the eigensolver kernels
}

/** Eigenvalues of a symmetric matrix, ascending (no eigenvectors: faster). */
export function eigvalsh(a: Mat): Float64Array {
  const fn = "eigvalsh";
  checkSymmetric(fn, "a", a);
  const w = activeWasm(fn);
  if (w === null) return tsEigh(a).values;
  return tsEigh(a).values; // WASM path: lands with the eigensolver kernels
}

/** Counts of negative, zero and positive eigenvalues, with the tolerance that decided "zero". */
export interface Inertia {
  negative: number;
  zero: number;
  positive: number;
  /** The relative tolerance used: |λ| ≤ tol·max(1, max|λ|) counts as zero. */
  tol: number;
}

/** Default relative tolerance of the zero rule (DESIGN.md). */
export const DEFAULT_INERTIA_TOL = 1e-9;

/**
 * Inertia of a list of eigenvalues with DESIGN.md's zero rule: λ counts as zero when
 * |λ| ≤ tol · max(1, max|λ|), default tol = 1e-9.
 */
export function inertiaFromEigenvalues(values: ArrayLike<number>, options: { tol?: number } = {}): Inertia {
  const fn = "inertiaFromEigenvalues";
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  checkVector(fn, "values", values);
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  const thr = tol * Math.max(1, maxAbs);
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

/**
 * Inertia (negative, zero, positive eigenvalue counts) of a symmetric matrix, zero rule
 * |λ| ≤ tol · max(1, max|λ|) (DESIGN.md), default tol = 1e-9. Sylvester: invariant under congruence.
 */
export function inertia(a: Mat, options: { tol?: number } = {}): Inertia {
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber("inertia", "tol", tol, { min: 0 });
  return inertiaFromEigenvalues(eigvalsh(a), { tol });
}
