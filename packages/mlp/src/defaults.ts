/**
 * The default tolerances of @losscape/mlp, one named constant each (a leaf module without imports, also published
 * as `@losscape/mlp/defaults` for callers that need only the values, e.g. a command line's help text). The inertia's
 * zero tolerance is @losscape/core's `DEFAULT_INERTIA_TOL`.
 */

/** Target gradient norm of `refineCriticalPoint` and `findCriticalPoints`: converged when ‖∇R‖ ≤ this. */
export const DEFAULT_GTOL = 1e-12;

/**
 * Relative tolerance of `findCriticalPoints` for "the same critical point": losses equal to this relative tolerance
 * (absolute floor 1e-6 of it) and sorted Hessian spectra equal to it times max(1, max|λ|).
 */
export const DEFAULT_DISTINCT_TOL = 1e-6;
