/**
 * The default tolerances of @losscape/embedding, one named constant each (a leaf module without imports, also
 * published as `@losscape/embedding/defaults` for callers that need only the values, e.g. a command line's help
 * text). The inertia's zero tolerance is @losscape/core's `DEFAULT_INERTIA_TOL`.
 */

/**
 * Relative tolerance of `reduceNetwork`'s tests (duplicate, sign-symmetric duplicate, zero-outgoing and constant
 * neurons), against the layer's own scale max|Wˡ, bˡ| (relative on small-weight nets too). Exact embeddings reduce at this tolerance; trained
 * nets whose condensed neurons are close but not equal need ≈ 1e-3.
 */
export const DEFAULT_REDUCE_TOL = 1e-8;

/**
 * `certifyEmbedding`'s output test: the output counts as preserved when max|f_wide − f_narrow| ≤ this ·
 * max(1, max|f|)·(|α| + |1 − α|) over the data and the probes (an embedding preserves it exactly; the two nets
 * round differently, by a few ulps of the largest terms each output sums, and the split weights α·w and (1 − α)·w
 * scale those terms; the factor is 1 without a one-step `step`).
 */
export const DEFAULT_CERTIFY_OUTPUT_TOL = 1e-10;
