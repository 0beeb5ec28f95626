// The embedding lower bound m_total − m_min on the extra degeneracy of redundant neurons, counted by
// @losscape/embedding's reduction (the one reduction of the project).
import { checkNumber, checkOptions } from "@losscape/core";
import { DEFAULT_REDUCE_TOL, reduceNetwork, type RemovedNeuron } from "@losscape/embedding";
import { validateModel, type Model } from "@losscape/mlp";

export type { RemovedNeuron };

/** The embedding bound: hidden neurons of the net, of the narrowest net it reduces to, and the difference. */
export interface EmbeddingBound {
  mTotal: number;
  mMin: number;
  /** m_total − m_min: a lower bound on the number of degenerate directions that redundancy adds. */
  bound: number;
  /** The neurons the reduction removed (indices in the input model), with the reason. */
  removed: RemovedNeuron[];
  /** The relative tolerance the reduction used. */
  tol: number;
}

/**
 * Lower bound m_total − m_min on the Hessian degeneracy added by redundant neurons (Embedding Principle: a
 * critical point of the narrowest net, embedded by splitting neurons, gains at least one zero direction per split,
 * the α-line of T^α; Zhang et al. 2021/2022, Fukumizu & Amari 2000). m_min comes from `reduceNetwork` of
 * @losscape/embedding (zero-outgoing, constant, duplicate and sign-symmetric duplicate neurons removed layer by
 * layer until nothing changes; relative tolerance `tol`, default `DEFAULT_REDUCE_TOL` = 1e-8, as documented there).
 * @example
 * embeddingLowerBound(splitModel).bound // 1 for a net with one neuron split
 */
export function embeddingLowerBound(model: Model, options: { tol?: number } = {}): EmbeddingBound {
  const fn = "embeddingLowerBound";
  options = checkOptions(fn, options, ["tol"]);
  const tol = options.tol ?? DEFAULT_REDUCE_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  // Checked here, so a bad model is refused in this function's name (not in reduceNetwork's).
  model = validateModel(model, fn);
  const r = reduceNetwork(model, { tol });
  const hidden = (w: readonly number[]) => w.slice(1, -1).reduce((s, m) => s + m, 0);
  const mTotal = hidden(r.widthsBefore);
  const mMin = hidden(r.widthsAfter);
  return { mTotal, mMin, bound: mTotal - mMin, removed: r.removed, tol };
}
