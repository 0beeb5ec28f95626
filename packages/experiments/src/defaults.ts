/**
 * The defaults of @losscape/experiments, one named constant each (a leaf module without imports, also published as
 * `@losscape/experiments/defaults` for callers that need only the values, e.g. a command line's help text).
 */

/**
 * The default τ of `endPointFit`: ‖∇R‖ ≤ 1e-3. No threshold makes an end point critical (a certified critical point
 * has ‖∇R‖ ≤ 1e-12); τ only says how flat an end point must be for its (ε, α) to be read as a point of the curve.
 * On the committed 16-16-16 sweep (apps/docs/guide/experiments.md, "Figure 6: what the runs reach") the fitted ε_c
 * moves by less than its interval between τ = 1e-2 and 1e-3, and 1e-3 keeps 61–96 points per φ in the window
 * 0 < α ≤ 0.1; at τ = 1e-4 only 14–26 are left and the intervals widen several-fold. 1e-3 is about the upper quartile
 * of the end points' ‖∇R‖ there.
 */
export const DEFAULT_END_POINT_GRAD_TOL = 1e-3;
