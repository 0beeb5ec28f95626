/**
 * The default tolerances of @losscape/mlp, one named constant each (a leaf module without imports, also published
 * as `@losscape/mlp/defaults` for callers that need only the values, e.g. a command line's help text). The inertia's
 * zero tolerance is @losscape/core's `DEFAULT_INERTIA_TOL`.
 */

/** Absolute target gradient norm of `refineCriticalPoint` and `findCriticalPoints`: critical when ‖∇R‖ ≤ max(this, DEFAULT_GTOL_REL·‖|H|·max(1, |θ|)‖₂). */
export const DEFAULT_GTOL = 1e-12;

/** Relative target of `refineCriticalPoint`: the scale ‖|H|·max(1, |θ|)‖₂ (componentwise) times this (ε = 2.2e-16; rounding θ moves ∇R by up to ε|H||θ|). */
export const DEFAULT_GTOL_REL = Number.EPSILON;

/** `refineCriticalPoint` works matrix-free (Newton-MR on Hessian-vector products) above this many parameters, densely up to it. */
export const DEFAULT_DENSE_LIMIT = 1024;

/** `refineCriticalPoint` computes the dense spectrum (and inertia) of a matrix-free end point up to this many parameters. */
export const DEFAULT_SPECTRUM_LIMIT = 2048;

/** `refineCriticalPoint` reports `gradient-flat` when ρ = ‖H∇R‖/(‖H‖₂‖∇R‖) ≤ this at a non-critical end point. */
export const DEFAULT_FLAT_TOL = 1e-3;

/**
 * Relative tolerance of `findCriticalPoints` for "the same critical point": losses equal to this relative tolerance
 * (absolute floor 1e-6 of it) and sorted Hessian spectra equal to it times max(1, max|λ|).
 */
export const DEFAULT_DISTINCT_TOL = 1e-6;

/**
 * Relative tolerance of `linearCriticalPoints`' assumptions: Σ_XX is invertible when its smallest eigenvalue is
 * > this × its largest, and Σ's eigenvalues are positive and distinct when λ_{d_out} and every gap are > this·λ₁.
 */
export const DEFAULT_LINEAR_TOL = 1e-10;

/**
 * The largest dense result (a Jacobian, a Hessian) the package builds: 2²⁸ doubles (2 GiB), below both wasm32's 4 GiB
 * and typed-array limits; a dense M × M Hessian has M ≤ 16384.
 */
export const MAX_DENSE_ENTRIES = 2 ** 28;
