import { checkNumber, nrm2, ValueError, checkOptions } from "@losscape/core";
import { createRng, forward, lossAndGradient, validateData, validateModel, type Dataset, type Model, type ModelInput, type DatasetInput } from "@losscape/mlp";
import { splitNeuron } from "./embed.js";
import { checkHiddenIndex, maxAbsDiff, toLayers } from "./layers.js";
import { probeInputs } from "./certificate.js";

/** One added neuron of a K-neuron-wider net: a copy of neuron `neuron` (0-based) of hidden layer `layer`. */
export interface NeuronCopy {
  layer: number;
  neuron: number;
}

/** The critical affine subspace θ_B + Σᵢ αᵢvᵢ of `criticalEmbeddingSubspace`. */
export interface CriticalSubspace {
  /** θ_B: every copy appended with the incoming weights of its source and zero outgoing weights. */
  base: Model;
  /** v₁, …, v_K (flat, in the wide net's parameter order), one per copy. */
  directions: Float64Array[];
  /** For each copy i, the layer, its index in the wide net, and the original neuron it copies (its root). */
  copies: { layer: number; index: number; root: number }[];
  /** The wide model at θ_B + Σᵢ αᵢvᵢ. */
  at(alphas: ArrayLike<number>): Model;
  /**
   * Directions that are numerically zero, ‖vᵢ‖ ≤ 1e-12·max(1, max|θ|) (the root's outgoing weights vanish, e.g. a
   * neuron the output does not use): the subspace then has fewer than K dimensions. One message per such copy.
   */
  warnings: string[];
}

/**
 * The K-dimensional critical affine subspace of a K-neuron-wider net (arXiv:2111.15527, §4, general compatible
 * critical embeddings; the splitting embeddings of Fukumizu & Amari 2000). Copy i duplicates neuron sᵢ of hidden
 * layer lᵢ (a copy of a copy duplicates the original, its root rᵢ) and is appended to its layer. θ_B gives every
 * copy its root's incoming weights and bias and zero outgoing weights; vᵢ moves outgoing weight from the root to
 * copy i: vᵢ has +w on copy i's outgoing column of W^{lᵢ+1} and −w on the root's, w = the root's column at θ_B.
 * At θ_B + Σαᵢvᵢ the root's column is (1 − Σ_{i: rᵢ = r} αᵢ)·w and copy i's is αᵢ·w: a composition of one-step
 * embeddings, so for every α ∈ ℝ^K the output equals the narrow net's and a critical point maps to a critical
 * point. `checkCriticalSubspace` samples it and checks both.
 * @example
 * const S = criticalEmbeddingSubspace(cp, [{ layer: 1, neuron: 0 }, { layer: 1, neuron: 2 }]);
 * const wide = S.at([0.3, -1.2]); // widths [1, 5, 1], same output as cp
 */
export function criticalEmbeddingSubspace(model: ModelInput, copies: readonly NeuronCopy[]): CriticalSubspace {
  const fn = "criticalEmbeddingSubspace";
  model = validateModel(model, fn);
  if (!Array.isArray(copies) || copies.length < 1) {
    throw new ValueError(`${fn}: 'copies' must be a non-empty array of {layer, neuron}; found ${Array.isArray(copies) ? "an empty array" : String(copies)}`);
  }
  const roots: number[][] = model.widths.map((w) => Array.from({ length: w }, (_, i) => i));
  let base = model;
  const info: { layer: number; index: number; root: number }[] = [];
  copies.forEach((c, i) => {
    checkHiddenIndex(fn, base, c?.layer, c?.neuron, `copies[${i}].`);
    const root = roots[c.layer][c.neuron];
    base = splitNeuron(base, { layer: c.layer, neuron: root, alpha: 1 });
    const index = base.widths[c.layer] - 1;
    roots[c.layer].push(root);
    info.push({ layer: c.layer, index, root });
  });
  const layers = toLayers(fn, base);
  const offsets: number[] = [];
  let off = 0;
  for (const L of layers) {
    offsets.push(off);
    off += L.W.length + L.b.length;
  }
  const directions = info.map(({ layer, index, root }) => {
    const v = new Float64Array(base.params.length);
    const next = layers[layer]; // W^{l+1}
    const o = offsets[layer];
    for (let r = 0; r < next.rows; r++) {
      const w = next.W[r * next.cols + root];
      v[o + r * next.cols + index] = w;
      v[o + r * next.cols + root] = -w;
    }
    return v;
  });
  const at = (alphas: ArrayLike<number>): Model => {
    if (alphas === null || typeof alphas !== "object" || alphas.length !== directions.length) {
      throw new ValueError(`criticalEmbeddingSubspace.at: 'alphas' must have K = ${directions.length} entries; found ${alphas === null || typeof alphas !== "object" ? String(alphas) : alphas.length}`);
    }
    const p = Float64Array.from(base.params);
    for (let i = 0; i < directions.length; i++) {
      checkNumber("criticalEmbeddingSubspace.at", `alphas[${i}]`, alphas[i]);
      const v = directions[i];
      for (let k = 0; k < p.length; k++) if (v[k] !== 0) p[k] += alphas[i] * v[k];
    }
    return { ...base, params: p };
  };
  let scale = 1;
  for (let k = 0; k < model.params.length; k++) scale = Math.max(scale, Math.abs(model.params[k]));
  const warnings = directions.flatMap((v, i) => {
    const norm = nrm2(v);
    return norm <= ZERO_DIRECTION_TOL * scale
      ? [`direction v${i + 1} (copy of neuron ${info[i].root} of layer ${info[i].layer}) is numerically zero: ‖v${i + 1}‖ = ${norm.toExponential(2)} ≤ 1e-12·max(1, max|θ|); the neuron's outgoing weights vanish, so the subspace has fewer than ${directions.length} dimensions`]
      : [];
  });
  return { base, directions, copies: info, at, warnings };
}

/** ‖vᵢ‖ ≤ ZERO_DIRECTION_TOL·max(1, max|θ|) counts as a zero direction of the critical subspace. */
const ZERO_DIRECTION_TOL = 1e-12;

/** One sampled point of the critical subspace with its checks. */
export interface SubspaceSample {
  alphas: number[];
  loss: number;
  gradNorm: number;
  maxOutputDiff: number;
}

/**
 * Sample `samples` points θ_B + Σαᵢvᵢ (αᵢ ~ scale·N(0, 1), seeded) of `criticalEmbeddingSubspace(model, copies)`
 * and check each: ‖∇R‖ there (≈ the narrow point's ‖∇R‖ when it is critical), the loss (equal to the narrow one)
 * and max|f_wide − f_narrow| on the data and on 32 probe inputs.
 * @example
 * const r = checkCriticalSubspace(cp, data, [{ layer: 1, neuron: 0 }], { samples: 5 });
 * r.maxGradNorm; // ≈ 1e-15 at a refined critical point
 */
export function checkCriticalSubspace(
  model: ModelInput,
  data: DatasetInput,
  copies: readonly NeuronCopy[],
  options: { samples?: number; seed?: number; scale?: number } = {},
): { dimension: number; widths: number[]; narrowLoss: number; narrowGradNorm: number; samples: SubspaceSample[]; maxGradNorm: number; maxOutputDiff: number; maxLossDiff: number } {
  const fn = "checkCriticalSubspace";
  options = checkOptions(fn, options, ["samples", "seed", "scale"]);
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  const samples = options.samples ?? 8;
  checkNumber(fn, "samples", samples, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const scale = options.scale ?? 1;
  checkNumber(fn, "scale", scale, { min: 0 });
  const S = criticalEmbeddingSubspace(model, copies);
  const narrow = lossAndGradient(model, data);
  const probes = probeInputs(data.x, 32, seed + 1);
  const fData = forward(model, data.x).data;
  const fProbe = forward(model, probes).data;
  const rng = createRng(seed);
  const out: SubspaceSample[] = [];
  for (let t = 0; t < samples; t++) {
    const alphas = S.directions.map(() => scale * rng.normal());
    const wide = S.at(alphas);
    const e = lossAndGradient(wide, data);
    const d = Math.max(maxAbsDiff(fData, forward(wide, data.x).data), maxAbsDiff(fProbe, forward(wide, probes).data));
    out.push({ alphas, loss: e.loss, gradNorm: nrm2(e.gradient), maxOutputDiff: d });
  }
  return {
    dimension: S.directions.length,
    widths: S.base.widths.slice(),
    narrowLoss: narrow.loss,
    narrowGradNorm: nrm2(narrow.gradient),
    samples: out,
    maxGradNorm: largest(out, (s) => s.gradNorm),
    maxOutputDiff: largest(out, (s) => s.maxOutputDiff),
    maxLossDiff: largest(out, (s) => Math.abs(s.loss - narrow.loss)),
  };
}

/**
 * max over the samples by a loop: `Math.max(...array)` passes every entry as an argument and overflows the call stack
 * beyond ≈ 1.2e5 entries (RangeError), far below the 2^23 samples a caller (`losscape subspace --samples`) may ask for.
 */
function largest(samples: readonly SubspaceSample[], value: (s: SubspaceSample) => number): number {
  let m = -Infinity;
  for (const s of samples) m = Math.max(m, value(s));
  return m;
}
