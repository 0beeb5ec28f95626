import { checkNumber, DEFAULT_INERTIA_TOL, eigvalsh, inertiaFromEigenvalues, nrm2, ShapeError, ValueError, zeroToleranceFromGap, type Inertia, type Mat, checkOptions } from "@losscape/core";
import { DEFAULT_GTOL, DEFAULT_GTOL_REL } from "@losscape/mlp/defaults";
import { DEFAULT_CERTIFY_OUTPUT_TOL } from "./defaults.js";
import { createRng, forward, hessian, lossAndGradient, validateData, validateModel, type Dataset, type Model, type ModelInput, type DatasetInput } from "@losscape/mlp";
import type { SplitStep } from "./embed.js";
import { checkAlpha, checkHiddenIndex, maxAbsDiff } from "./layers.js";
import { hiddenGradients, splitBlocksOfLayer, splitSubspaceHessianRaw } from "./split-block.js";

/** Options of `certifyEmbedding`. */
export interface CertificateOptions {
  /** The one step T^α_{l,s} that made `wide` from `narrow`: enables the split-block prediction of the inertia. */
  step?: SplitStep;
  /** Relative zero tolerance of the inertia (|λ| ≤ tol·max(1, max|λ|)), default `DEFAULT_INERTIA_TOL` = 1e-9. */
  tol?: number;
  /** Number of random probe inputs (default 64): x̄ + 2·sd·N(0, I) per input column of the data. */
  probes?: number;
  /** Seed of the probe inputs (default 0). */
  seed?: number;
  /**
   * Critical when ‖∇R‖ ≤ gtol. Default: `refineCriticalPoint`'s rule (what `losscape critical` calls critical) on
   * each side, max(DEFAULT_GTOL, DEFAULT_GTOL_REL·‖H‖₂·‖max(1, |θ|)‖₂) = max(1e-12, ε·max|λ|·‖max(1, |θ|)‖₂).
   */
  gtol?: number;
}

/** What `certifyEmbedding` returns (the `check` object of `losscape embed --json`, plus extra detail). */
export interface EmbeddingCertificate {
  /** max |f_wide − f_narrow| over the data and the probe inputs. */
  maxOutputDiff: number;
  maxOutputDiffData: number;
  maxOutputDiffProbes: number;
  lossBefore: number;
  lossAfter: number;
  gradNormBefore: number;
  gradNormAfter: number;
  inertiaBefore: Inertia;
  inertiaAfter: Inertia;
  /** negative, zero and positive counts all ≥ before (the Embedding Principle's monotonicity). */
  countsNeverDecrease: boolean;
  /**
   * The inertia predicted from the split blocks: inertia(H) + inertia(K), K = [[0, B], [Bᵀ, α(1−α)Γ_s]] of
   * `splitSubspaceHessian`, which is inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0) (docs/conventions.md#split-subspace-hessian) when m_{l+1} = 1.
   * Null without `step` or when the base Hessian is degenerate (a zero eigenvalue).
   */
  predictedInertia: Inertia | null;
  /** predictedInertia equals inertiaAfter (null when there is no prediction). */
  predictionMatches: boolean | null;
  /**
   * The split-block formula inertia(base) + inertia(α(1−α)Γ_s) + (0, 1, 0) evaluated whether or not the base is
   * degenerate (the reference data's "predicted_counts_from_split_block"); only informative for a degenerate base.
   * Null without `step`.
   */
  splitBlockFormulaInertia: Inertia | null;
  /** Eigenvalues of α(1−α)Γ_s, ascending (null without `step`), whether or not the prediction applies. */
  splitBlockEigenvalues: number[] | null;
  /**
   * inertia(H) + inertia(K) evaluated whether or not the base is degenerate (a proof needs a non-degenerate base;
   * on the reference data it also matches every degenerate case). Null without `step`.
   */
  splitSubspaceFormulaInertia: Inertia | null;
  /** Eigenvalues of the split-subspace Hessian K of `splitSubspaceHessian`, ascending (null without `step`). */
  splitSubspaceEigenvalues: number[] | null;
  /** Hessian eigenvalues before and after, ascending. */
  eigenvaluesBefore: number[];
  eigenvaluesAfter: number[];
  /** The relative zero tolerance used. */
  tol: number;
  /**
   * The inertias with zero decided at each spectrum's gap (core's `zeroToleranceFromGap`: the widest ratio between
   * consecutive |λ| below 1e-6·max(1, max|λ|), when ≥ 1e3), or by `tol` for a spectrum without such a gap; and the
   * monotonicity at those. A fixed tolerance can count a small negative and a small positive eigenvalue of the wide
   * net as zeros and report a spurious decrease; the gap separates the rounding-level zeros from them.
   */
  inertiaAtGap: { before: Inertia; after: Inertia; beforeRule: "gap" | "tol"; afterRule: "gap" | "tol" };
  countsNeverDecreaseAtGap: boolean;
  /** `predictionMatches` with the zeros of H and K decided at the gaps (null without a prediction). */
  predictionMatchesAtGap: boolean | null;
  /** The criticality thresholds used before and after (`options.gtol`, or refineCriticalPoint's rule on each side). */
  gtolBefore: number;
  gtolAfter: number;
  /** The output tolerance used: 1e-10·max(1, max|f|)·(|α| + |1 − α|) (`DEFAULT_CERTIFY_OUTPUT_TOL`; factor 1 without a step). */
  outputTol: number;
  /**
   * One overall verdict: the base point is critical (‖∇R‖ ≤ gtolBefore), so is the embedded one, the output is
   * preserved (max|Δf| ≤ outputTol), the counts never decrease and the split-block prediction matches (where there is
   * one), both with zeros decided at the gaps. `reasons` says what failed (empty when certified).
   */
  certified: boolean;
  reasons: string[];
}

/**
 * Certificate of an embedding narrow → wide on data (arXiv:2111.15527, Thms. 4.1, 5.1 and Prop. 5.4):
 * max|f_wide − f_narrow| on the data and on random probe inputs (an embedding preserves the output everywhere);
 * R and ‖∇R‖ before and after (a critical point stays critical with the same loss); the Hessian inertias with
 * the zero rule of docs/conventions.md#inertia, |λ| ≤ tol·max(1, max|λ|) and `countsNeverDecrease`; and, for a one-step embedding
 * T^α_{l,s} (`options.step`) from a non-degenerate base, the predicted inertia
 * inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0), where the eigenvalues of α(1−α)Γ_s are counted with the wide
 * Hessian's absolute threshold tol·max(1, max|λ_wide|). Exact Hessians (from @losscape/mlp) and a dense
 * eigensolver: meant for nets with up to a few thousand parameters.
 * @example
 * const wide = splitNeuron(cp, { layer: 1, neuron: 0, alpha: 0.5 });
 * const check = certifyEmbedding(cp, wide, data, { step: { layer: 1, neuron: 0, alpha: 0.5 } });
 * check.countsNeverDecrease; // true
 */
export function certifyEmbedding(narrow: ModelInput, wide: ModelInput, data: DatasetInput, options: CertificateOptions = {}): EmbeddingCertificate {
  const fn = "certifyEmbedding";
  options = checkOptions(fn, options, ["step", "tol", "probes", "seed", "gtol"]);
  narrow = validateModel(narrow, fn);
  wide = validateModel(wide, fn);
  data = validateData(narrow, data, fn);
  data = validateData(wide, data, fn);
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  const probes = options.probes ?? 64;
  checkNumber(fn, "probes", probes, { min: 0, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const nw = narrow.widths;
  const ww = wide.widths;
  if (ww.length !== nw.length || ww[0] !== nw[0] || ww[ww.length - 1] !== nw[nw.length - 1] || ww.some((w, i) => w < nw[i])) {
    throw new ShapeError(`${fn}: 'wide' must have the depth, d_in and d_out of 'narrow' and no narrower layer: narrow [${nw.join(", ")}], wide [${ww.join(", ")}]`);
  }
  const step = options.step;
  if (step !== undefined) {
    checkHiddenIndex(fn, narrow, step.layer, step.neuron, "step.");
    checkAlpha(fn, step.alpha, "step.alpha");
    if (ww.some((w, i) => w !== nw[i] + (i === step.layer ? 1 : 0))) {
      throw new ValueError(`${fn}: 'step' is one split of layer ${step.layer}, so 'wide' must have widths [${nw.map((w, i) => w + (i === step.layer ? 1 : 0)).join(", ")}]; found [${ww.join(", ")}]`);
    }
  }
  if (options.gtol !== undefined) checkNumber(fn, "gtol", options.gtol, { min: 0 });
  const fNarrow = forward(narrow, data.x).data;
  const maxOutputDiffData = maxAbsDiff(fNarrow, forward(wide, data.x).data);
  let outputScale = Math.max(1, maxAbs(fNarrow));
  let maxOutputDiffProbes = 0;
  if (probes > 0) {
    const x = probeInputs(data.x, probes, seed);
    const fProbe = forward(narrow, x).data;
    outputScale = Math.max(outputScale, maxAbs(fProbe));
    maxOutputDiffProbes = maxAbsDiff(fProbe, forward(wide, x).data);
  }
  const before = lossAndGradient(narrow, data);
  const after = lossAndGradient(wide, data);
  const eigBefore = eigvalsh(hessian(narrow, data));
  const eigAfter = eigvalsh(hessian(wide, data));
  const inertiaBefore = inertiaFromEigenvalues(eigBefore, { tol });
  const inertiaAfter = inertiaFromEigenvalues(eigAfter, { tol });
  let predictedInertia: Inertia | null = null;
  let splitBlockFormulaInertia: Inertia | null = null;
  let splitBlockEigenvalues: number[] | null = null;
  let splitSubspaceEigenvalues: number[] | null = null;
  let splitSubspaceFormulaInertia: Inertia | null = null;
  if (step !== undefined) {
    // step, narrow and data are validated above: one backpropagation serves Γ_s and K.
    const grads = hiddenGradients(narrow, data);
    const gamma = splitBlocksOfLayer(narrow, data, step.layer, grads, [step.neuron])[0];
    const c = step.alpha * (1 - step.alpha);
    splitBlockEigenvalues = Array.from(eigvalsh(gamma), (v) => c * v).sort((a, b) => a - b);
    // Both spectra are counted against the wide Hessian's threshold tol·max(1, max|λ_wide|).
    const blk = inertiaFromEigenvalues(splitBlockEigenvalues, { tol, reference: eigAfter });
    splitBlockFormulaInertia = {
      negative: inertiaBefore.negative + blk.negative,
      zero: inertiaBefore.zero + blk.zero + 1,
      positive: inertiaBefore.positive + blk.positive,
      tol,
    };
    splitSubspaceEigenvalues = Array.from(eigvalsh(splitSubspaceHessianRaw(narrow, data, grads, step)));
    const ks = inertiaFromEigenvalues(splitSubspaceEigenvalues, { tol, reference: eigAfter });
    splitSubspaceFormulaInertia = {
      negative: inertiaBefore.negative + ks.negative,
      zero: inertiaBefore.zero + ks.zero,
      positive: inertiaBefore.positive + ks.positive,
      tol,
    };
    if (inertiaBefore.zero === 0) predictedInertia = splitSubspaceFormulaInertia;
  }
  const maxOutputDiff = Math.max(maxOutputDiffData, maxOutputDiffProbes);
  const gapBefore = inertiaByGap(eigBefore, tol);
  const gapAfter = inertiaByGap(eigAfter, tol);
  const countsNeverDecreaseAtGap = countsNeverDecrease(gapBefore.inertia, gapAfter.inertia);
  const gradNormBefore = nrm2(before.gradient);
  const gradNormAfter = nrm2(after.gradient);
  const predictionMatches = predictedInertia === null ? null : sameCounts(predictedInertia, inertiaAfter);
  // The prediction again with the zeros decided at the gaps: K's eigenvalues against the wide spectrum's tolerance.
  let predictionMatchesAtGap: boolean | null = null;
  if (splitSubspaceEigenvalues !== null && gapBefore.inertia.zero === 0) {
    const ks = inertiaFromEigenvalues(splitSubspaceEigenvalues, { tol: gapAfter.inertia.tol, reference: eigAfter });
    const predicted = { negative: gapBefore.inertia.negative + ks.negative, zero: gapBefore.inertia.zero + ks.zero, positive: gapBefore.inertia.positive + ks.positive, tol: gapAfter.inertia.tol };
    predictionMatchesAtGap = sameCounts(predicted, gapAfter.inertia);
  }
  const gtolBefore = options.gtol ?? criticalGradientTol(eigBefore, narrow.params);
  const gtolAfter = options.gtol ?? criticalGradientTol(eigAfter, wide.params);
  const outputTol = DEFAULT_CERTIFY_OUTPUT_TOL * outputScale * (step ? Math.abs(step.alpha) + Math.abs(1 - step.alpha) : 1);
  const reasons: string[] = [];
  if (!(gradNormBefore <= gtolBefore)) reasons.push(`the model is not a critical point (‖∇R‖ = ${gradNormBefore.toExponential(2)} > ${gtolBefore.toExponential(2)}), so the Embedding Principle says nothing about it`);
  else if (!(gradNormAfter <= gtolAfter)) reasons.push(`the embedded point is not critical (‖∇R‖ = ${gradNormAfter.toExponential(2)} > ${gtolAfter.toExponential(2)})`);
  if (!(maxOutputDiff <= outputTol)) reasons.push(`the output changes (max|Δf| = ${maxOutputDiff.toExponential(2)} > ${outputTol.toExponential(2)})`);
  if (!countsNeverDecreaseAtGap) reasons.push(`an inertia count decreases ${fmtCounts(gapBefore.inertia)} → ${fmtCounts(gapAfter.inertia)} (zeros at the spectral gap where there is one)`);
  if (predictionMatchesAtGap === false) reasons.push(`the split-block prediction of the inertia does not match ${fmtCounts(gapAfter.inertia)}`);
  return {
    maxOutputDiff,
    maxOutputDiffData,
    maxOutputDiffProbes,
    lossBefore: before.loss,
    lossAfter: after.loss,
    gradNormBefore,
    gradNormAfter,
    inertiaBefore,
    inertiaAfter,
    countsNeverDecrease: countsNeverDecrease(inertiaBefore, inertiaAfter),
    predictedInertia,
    predictionMatches,
    splitBlockFormulaInertia,
    splitSubspaceEigenvalues,
    splitSubspaceFormulaInertia,
    splitBlockEigenvalues,
    eigenvaluesBefore: Array.from(eigBefore),
    eigenvaluesAfter: Array.from(eigAfter),
    tol,
    inertiaAtGap: { before: gapBefore.inertia, after: gapAfter.inertia, beforeRule: gapBefore.rule, afterRule: gapAfter.rule },
    countsNeverDecreaseAtGap,
    predictionMatchesAtGap,
    gtolBefore,
    gtolAfter,
    outputTol,
    certified: reasons.length === 0,
    reasons,
  };
}

/** The inertia with zeros decided at the spectrum's gap when it has a clear one (zeroToleranceFromGap), else by `tol`. */
export function inertiaByGap(values: ArrayLike<number>, tol: number): { inertia: Inertia; rule: "gap" | "tol" } {
  const gap = zeroToleranceFromGap(values);
  return gap ? { inertia: inertiaFromEigenvalues(values, { tol: gap.tol }), rule: "gap" } : { inertia: inertiaFromEigenvalues(values, { tol }), rule: "tol" };
}

/**
 * refineCriticalPoint's zero-gradient rule from a spectrum: max(DEFAULT_GTOL, DEFAULT_GTOL_REL·‖H‖₂·‖max(1, |θ|)‖₂),
 * max|λ| = ‖H‖₂ standing in for |H| (as in its matrix-free branch).
 */
export function criticalGradientTol(eigenvalues: ArrayLike<number>, params: ArrayLike<number>): number {
  let s2 = 0;
  for (let i = 0; i < params.length; i++) s2 += Math.max(1, Math.abs(params[i])) ** 2;
  return Math.max(DEFAULT_GTOL, DEFAULT_GTOL_REL * maxAbs(eigenvalues) * Math.sqrt(s2));
}

function fmtCounts(i: Inertia): string {
  return `(${i.negative}, ${i.zero}, ${i.positive})`;
}

/**
 * The Embedding Principle's monotonicity (arXiv:2111.15527, Thm. 5.1): true when every count of `after`
 * (negative, zero, positive) is ≥ the same count of `before`.
 * @example
 * countsNeverDecrease({ negative: 0, zero: 0, positive: 10, tol: 1e-9 }, { negative: 1, zero: 1, positive: 11, tol: 1e-9 }); // true
 */
export function countsNeverDecrease(before: Inertia, after: Inertia): boolean {
  return after.negative >= before.negative && after.zero >= before.zero && after.positive >= before.positive;
}

function sameCounts(a: Inertia, b: Inertia): boolean {
  return a.negative === b.negative && a.zero === b.zero && a.positive === b.positive;
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** `count` probe inputs x̄ + 2·sd·ξ, ξ ~ N(0, I), from the column means and standard deviations of x (internal). */
export function probeInputs(x: Mat, count: number, seed: number): Mat {
  const d = x.cols;
  const n = x.rows;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (x.data[i * d + j] - mean[j]) ** 2 / n;
  const rng = createRng(seed);
  const out = new Float64Array(count * d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) out[i * d + j] = mean[j] + 2 * Math.max(Math.sqrt(sd[j]), 1e-3) * rng.normal();
  return { rows: count, cols: d, data: out };
}
