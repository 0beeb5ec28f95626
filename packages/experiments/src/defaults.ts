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

/**
 * Steps of a descent (`steps`, `descent.steps`) and iterations of a refinement (`refine.maxIter`): at most 2^24.
 * mlp's `train` keeps one `history` row per step and `refineCriticalPoint` one trace row per iteration, ≈ 64 bytes
 * each on node 20 (measured: {epoch, loss} objects in an array), so 2^24 steps hold 1 GiB in the task's thread, and
 * 2^26 alone would fill node's default 4 GiB heap; `descent.steps: [1e12]` ran until the thread died. (Each step also
 * costs at least one pass over the data: 2^24 steps of the smallest net take minutes.) The command line bounds
 * `train --epochs`, `critical --max-iter` and `index-energy --steps/--max-iter` alike.
 */
export const MAX_STEPS = 2 ** 24;
