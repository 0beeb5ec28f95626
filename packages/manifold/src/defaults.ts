/**
 * The default tolerances of @losscape/manifold, one named constant each (a leaf module without imports, also
 * published as `@losscape/manifold/defaults` for callers that need only the values, e.g. a command line's help
 * text). The Hessian's zero tolerance without a spectral gap is @losscape/core's `DEFAULT_INERTIA_TOL`; the
 * reduction's is @losscape/embedding's `DEFAULT_REDUCE_TOL`.
 */

/** Relative rank tolerance of the Jacobian (and of the Gauss–Newton pseudo-inverse): σᵢ > tol·σ_max counts. */
export const DEFAULT_RANK_TOL = 1e-10;

/** A point is a global minimum (on the zero-loss set) when R ≤ this; the start of the manifold samplers. */
export const DEFAULT_ZERO_LOSS_TOL = 1e-10;

/** `projectToZeroLoss` iterates until R ≤ this (near the smallest R that float64 residuals of order 1 can reach). */
export const DEFAULT_PROJECTION_LOSS_TOL = 1e-26;
