import { checkEighOrder, checkNumber, DEFAULT_INERTIA_TOL, eigh, eigvalsh, inertiaFromEigenvalues, inertiaThreshold, nrm2, type Inertia, checkOptions } from "@losscape/core";
import { hessian, hessianVectorProduct, lossAndGradient, validateData, validateModel, type Dataset, type Model, type ModelInput, type DatasetInput } from "@losscape/mlp";
import { splitNeuron, type SplitStep } from "./embed.js";
import { hiddenGradients, splitBlocksOfLayer, splitSubspaceHessianRaw } from "./split-block.js";

/** The α tried for each neuron: α(1−α) = 1/4 (both copies carry the same sign) and α(1−α) = −2 (opposite signs). */
const CANDIDATE_ALPHAS = [0.5, -1] as const;
import { criticalGradientTol, maxAbs } from "./certificate.js";

/** Γ_s of one hidden neuron, as reported by `strictSaddleEmbedding`. */
export interface NeuronSplitBlock {
  layer: number;
  neuron: number;
  /** Eigenvalues of Γ_s, ascending. */
  eigenvalues: number[];
  /** max|B| of the row-move coupling of `splitSubspaceHessian` (0 when m_{l+1} = 1 at a critical point). */
  coupling: number;
  /** max|eig Γ_s| and max|B| are ≤ the zero threshold tol·max(1, max|λ(H)|). */
  vanishes: boolean;
}

/** The escape found by `strictSaddleEmbedding`: an embedding that turns the point into a strict saddle. */
export interface StrictSaddleEscape extends SplitStep {
  /** The embedded (wider) critical point. */
  model: Model;
  /** The smallest eigenvalue of the split-subspace Hessian K (α(1−α)Γ_s when m_{l+1} = 1): predicted < 0. */
  predictedNegativeBlockEigenvalue: number;
  /** Smallest eigenvalue of the wide Hessian and its unit eigenvector (a direction of negative curvature). */
  minEigenvalue: number;
  direction: Float64Array;
  /** vᵀHv recomputed with the R-operator HVP (independent of the dense eigensolver). */
  curvature: number;
  gradNorm: number;
  /**
   * The wide point's criticality threshold, refineCriticalPoint's rule max(1e-12, ε·‖H‖₂·‖max(1, |θ|)‖₂) (that of
   * `certifyEmbedding`): a strict saddle is a critical point, so `verified` needs gradNorm ≤ gtol.
   */
  gtol: number;
  inertia: Inertia;
  /**
   * A strict saddle: minEigenvalue < −tol·max(1, max|λ_wide|), curvature < 0 and gradNorm ≤ gtol. The last fails
   * where the model is not a critical point, or has l2 > 0: (l2/2)‖θ‖² is not invariant under a split (the copied
   * incoming weights count twice, α² + (1 − α)² ≠ 1), so the split of a critical point of the regularised loss is
   * not critical (∂R/∂(original's incoming) = (1 − α)·l2·w_in ≠ 0).
   */
  verified: boolean;
}

/** Result of `strictSaddleEmbedding`. */
export interface StrictSaddleReport {
  loss: number;
  gradNorm: number;
  inertia: Inertia;
  /** The absolute zero threshold tol·max(1, max|λ(H)|) used for "Γ_s vanishes". */
  threshold: number;
  blocks: NeuronSplitBlock[];
  /**
   * Every Γ_s (and every coupling B) vanishes: the necessary condition of arXiv:2111.15527 for a truly bad
   * critical point holds — no one-step split creates negative curvature.
   */
  trulyBadNecessaryCondition: boolean;
  /** Null when every Γ_s vanishes. */
  escape: StrictSaddleEscape | null;
}

/**
 * Strict-saddle detection and the "truly bad" test of arXiv:2111.15527 (§5): at a critical point compute, for
 * every hidden neuron, the split block Γ_s = Σᵢ gᵢσ″(z_{s,i})[h^{l−1}_i; 1][h^{l−1}_i; 1]ᵀ and the split-subspace
 * Hessian K = [[0, B], [Bᵀ, α(1−α)Γ_s]] of `splitSubspaceHessian` (B = 0 when m_{l+1} = 1, and then the wide
 * inertia is inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0)). Where some Γ_s or B is non-zero, the one-step
 * embedding T^α_{l,s} with the most negative eigenvalue of K over α ∈ {1/2, −1} (α(1−α) = 1/4 turns a negative
 * eigenvalue of Γ_s into negative curvature, α(1−α) = −2 a positive one) is returned and verified on the wide
 * Hessian: its smallest eigenvalue, its eigenvector v, vᵀHv by the R-operator HVP, and ‖∇R‖ there (a strict saddle is
 * critical; a non-critical model, or l2 > 0, leaves the split non-critical and the escape unverified). Where every
 * Γ_s and B vanish (|·| ≤ tol·max(1, max|λ(H)|)), no one-step split creates negative curvature: the paper's necessary condition for a
 * truly bad critical point holds (for one-hidden-layer relu nets with one output, always: σ″ = 0 and B = 0).
 * @example
 * const r = strictSaddleEmbedding(globalMin, data);
 * r.escape?.verified; // true: the global minimum of the narrow net is a strict saddle of the wider one
 */
export function strictSaddleEmbedding(model: ModelInput, data: DatasetInput, options: { tol?: number } = {}): StrictSaddleReport {
  const fn = "strictSaddleEmbedding";
  options = checkOptions(fn, options, ["tol"]);
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  const { loss, gradient } = lossAndGradient(model, data);
  const lam = eigvalsh(hessian(model, data));
  const inertia = inertiaFromEigenvalues(lam, { tol });
  const threshold = inertiaThreshold(lam, tol);
  const grads = hiddenGradients(model, data);
  const blocks: NeuronSplitBlock[] = [];
  let best: { step: SplitStep; value: number } | null = null;
  const L = model.widths.length - 1;
  for (let l = 1; l < L; l++) {
    const neurons = Array.from({ length: model.widths[l] }, (_, s) => s);
    const gammas = splitBlocksOfLayer(model, data, l, grads, neurons);
    gammas.forEach((g, s) => {
      const ev = Array.from(eigvalsh(g));
      // α = 1 removes α(1−α)Γ_s from K and leaves the coupling B alone.
      const coupling = maxAbs(splitSubspaceHessianRaw(model, data, grads, { layer: l, neuron: s, alpha: 1 }).data);
      const vanishes = maxAbs(ev) <= threshold && coupling <= threshold;
      blocks.push({ layer: l, neuron: s, eigenvalues: ev, coupling, vanishes });
      if (vanishes) return;
      for (const alpha of CANDIDATE_ALPHAS) {
        const value = eigvalsh(splitSubspaceHessianRaw(model, data, grads, { layer: l, neuron: s, alpha }))[0];
        if (value < -threshold && (best === null || value < best.value)) best = { step: { layer: l, neuron: s, alpha }, value };
      }
    });
  }
  const trulyBadNecessaryCondition = blocks.every((b) => b.vanishes);
  let escape: StrictSaddleEscape | null = null;
  if (best !== null) {
    const { step, value } = best as { step: SplitStep; value: number };
    const wide = splitNeuron(model, step);
    checkEighOrder(fn, "the wide net's Hessian", wide.params.length);
    const { values, vectors } = eigh(hessian(wide, data));
    const M = values.length;
    const direction = new Float64Array(M);
    for (let i = 0; i < M; i++) direction[i] = vectors.data[i * M];
    const hv = hessianVectorProduct(wide, data, direction);
    let curvature = 0;
    for (let i = 0; i < M; i++) curvature += direction[i] * hv[i];
    const thrWide = inertiaThreshold(values, tol);
    const gradNorm = nrm2(lossAndGradient(wide, data).gradient);
    const gtol = criticalGradientTol(values, wide.params);
    escape = {
      ...step,
      model: wide,
      predictedNegativeBlockEigenvalue: value,
      minEigenvalue: values[0],
      direction,
      curvature,
      gradNorm,
      gtol,
      inertia: inertiaFromEigenvalues(values, { tol }),
      verified: values[0] < -thrWide && curvature < 0 && gradNorm <= gtol,
    };
  }
  return { loss, gradNorm: nrm2(gradient), inertia, threshold, blocks, trulyBadNecessaryCondition, escape };
}
