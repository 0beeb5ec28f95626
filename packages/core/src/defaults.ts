/**
 * The default tolerances of @losscape/core, one named constant each (a leaf module without imports, also published
 * as `@losscape/core/defaults` for callers that need only the values, e.g. a command line's help text).
 */

/**
 * Relative zero tolerance of the inertia rule: an eigenvalue λ of a spectrum counts as zero when
 * |λ| ≤ tol · max(1, max|λ|) (`inertiaFromEigenvalues`, `inertia`, `inertiaThreshold`).
 */
export const DEFAULT_INERTIA_TOL = 1e-9;

/** The spectral-gap rule (`zeroToleranceFromGap`): the "zeros" below a gap must be ≤ this · max(1, max|λ|). */
export const AUTO_ZERO_CEILING = 1e-6;

/** The spectral-gap rule (`zeroToleranceFromGap`): the smallest ratio (smallest non-zero)/(largest zero) that counts as a gap. */
export const AUTO_MIN_GAP = 1e3;

/**
 * Relative symmetry tolerance of the symmetric solvers (`eigh`, `eigvalsh`, `cholesky`, `checkSymmetric`): a matrix
 * is accepted as symmetric when max|aᵢⱼ − aⱼᵢ| ≤ tol · max|aᵢⱼ|.
 */
export const DEFAULT_SYMMETRY_TOL = 1e-12;
