import { createRng, forward, initParams, withParams, type Dataset, type Model } from "@losscape/mlp";
import { checkNumber, ConvergenceError, type Mat, checkOptions } from "@losscape/core";
import { globalMinimumDimension, type DimensionRecord } from "./dimension.js";
import { embeddingLine } from "./slice.js";
import { pullToLevel } from "./internal.js";

/** Result of `cooperShowcase`. */
export interface CooperShowcase {
  /** A generic exact fit: 1 → 10 → 1 tanh on n = 10 points (M = 31, Cooper's dimension M − n = 21). */
  generic: { model: Model; data: Dataset; dimension: DimensionRecord };
  /** A split teacher: a 1 → 2 → 1 tanh teacher's labels fitted by the teacher with neuron 0 split (α = 0.3):
   * M = 10 = n, so Cooper's count is 0, but rank J < n and the Hessian has extra zero directions. */
  split: { model: Model; data: Dataset; teacher: Model; dimension: DimensionRecord };
}

function column(values: number[]): Mat {
  return { rows: values.length, cols: 1, data: Float64Array.from(values) };
}

/**
 * "Cooper's dimension on an overparameterised fit", for `losscape demo`: fits a 1 → 10 → 1 tanh net exactly to 10
 * seeded random points (minimum-norm Gauss–Newton with step halving from a seeded init until R ≤ 1e-25) and
 * measures `globalMinimumDimension` — rank J = n, local dimension = Cooper's M − n·r = 21 = Hessian corank; then
 * a teacher with a split (redundant) neuron, an exact zero-loss point where rank J < n·r and the Hessian corank
 * exceeds M − n·r (the embedding bound m_total − m_min = 1 explains part of it). A few hundred milliseconds.
 * @example
 * const { generic, split } = cooperShowcase({ seed: 0 });
 * generic.dimension.agrees // true; split.dimension.agrees // false
 */
export function cooperShowcase(options: { seed?: number } = {}): CooperShowcase {
  const fn = "cooperShowcase";
  options = checkOptions(fn, options, ["seed"]);
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const rng = createRng(seed);
  const n = 10;
  const xs = Array.from({ length: n }, () => -2 + 4 * rng.next()).sort((a, b) => a - b);
  const data: Dataset = { x: column(xs), y: column(xs.map(() => rng.normal())) };
  const spec = { widths: [1, 10, 1], activation: "tanh" as const };
  let fit: Model | null = null;
  for (let attempt = 0; attempt < 10 && fit === null; attempt++) {
    const start: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: 1.5, seed: seed * 101 + attempt }) };
    const p = pullToLevel(start, data, start.params, 1e-25, 200);
    if (p !== null) fit = withParams(start, p);
  }
  if (fit === null) throw new ConvergenceError(`${fn}: no exact fit (R ≤ 1e-25) from 10 seeded starts (seed ${seed})`);

  const tSpec = { widths: [1, 2, 1], activation: "tanh" as const };
  const teacher: Model = { ...tSpec, params: initParams(tSpec, { scheme: "normal", std: 1.5, seed: seed * 101 + 57 }) };
  const tData: Dataset = { x: data.x, y: forward(teacher, data.x) };
  const split = embeddingLine(teacher, { layer: 1, neuron: 0, alpha: 0.3 }).model;
  return {
    generic: { model: fit, data, dimension: globalMinimumDimension(fit, data) },
    split: { model: split, data: tData, teacher, dimension: globalMinimumDimension(split, tData) },
  };
}
