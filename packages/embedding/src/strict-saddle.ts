import { checkNumber, eigh, eigvalsh, inertiaFromEigenvalues, type Inertia } from "@losscape/core";
import { hessian, hessianVectorProduct, lossAndGradient, validateData, type Dataset, type Model } from "@losscape/mlp";
import { splitNeuron, type SplitStep } from "./embed.js";
import { norm2, toLayers } from "./layers.js";
import { hiddenGradients, splitBlocksOfLayer } from "./split-block.js";
import { maxAbs } from "./certificate.js";

/** Γ_s of one hidden neuron, as reported by `strictSaddleEmbedding`. */
export interface NeuronSplitBlock {
  layer: number;
  neuron: number;
  /** Eigenvalues of Γ_s, ascending. */
  eigenvalues: number[];
  /** max|eig Γ_s| ≤ the zero threshold tol·max(1, max|λ(H)|). */
  vanishes: boolean;
}

/** The escape found by `strictSaddleEmbedding`: an embedding that turns the point into a strict saddle. */
export interface StrictSaddleEscape extends SplitStep {
  /** The embedded (wider) critical point. */
  model: Model;
  /** The negative eigenvalue of α(1−α)Γ_s that the theory predicts to appear (up to congruence). */
  predictedNegativeBlockEigenvalue: number;
  /** Smallest eigenvalue of the wide Hessian and its unit eigenvector (a direction of negative curvature). */
  minEigenvalue: number;
  direction: Float64Array;
  /** vᵀHv recomputed with the R-operator HVP (independent of the dense eigensolver). */
  curvature: number;
  gradNorm: number;
  inertia: Inertia;
  /** minEigenvalue < −tol·max(1, max|λ_wide|) and curvature < 0. */
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
  /** Every Γ_s vanishes: the necessary condition of arXiv:2111.15527 for a truly bad critical point holds. */
  trulyBadNecessaryCondition: boolean;
  /** Null when every Γ_s vanishes. */
  escape: StrictSaddleEscape | null;
}

/**
 * Strict-saddle detection and the "truly bad" test of arXiv:2111.15527 (§5, Thm. 5.1 and Cor. 5.2): at a critical
 * point compute the split block Γ_s = Σᵢ gᵢσ″(z_{s,i})[h^{l−1}_i; 1][h^{l−1}_i; 1]ᵀ of every hidden neuron.
 * If some Γ_s ≠ 0, the one-step embedding T^α_{l,s} with α(1−α)Γ_s indefinite-or-negative makes the point a
 * strict saddle of the wider net: α = 1/2 (α(1−α) = 1/4) when Γ_s has a negative eigenvalue, α = −1
 * (α(1−α) = −2) when it has a positive one; the neuron and α giving the most negative eigenvalue of α(1−α)Γ_s are
 * chosen and the result is verified on the wide Hessian (smallest eigenvalue and its eigenvector v, vᵀHv by the
 * HVP). If every Γ_s vanishes (|eig| ≤ tol·max(1, max|λ(H)|)), no one-step split creates negative curvature
 * and the paper's necessary condition for a truly bad critical point holds (relu nets: σ″ = 0, always).
 * @example
 * const r = strictSaddleEmbedding(globalMin, data);
 * r.escape?.verified; // true: the global minimum of the narrow net is a strict saddle of the wider one
 */
export function strictSaddleEmbedding(model: Model, data: Dataset, options: { tol?: number } = {}): StrictSaddleReport {
  const fn = "strictSaddleEmbedding";
  toLayers(fn, model);
  validateData(model, data, fn);
  const tol = options.tol ?? 1e-9;
  checkNumber(fn, "tol", tol, { min: 0 });
  const { loss, gradient } = lossAndGradient(model, data);
  const lam = eigvalsh(hessian(model, data));
  const inertia = inertiaFromEigenvalues(lam, { tol });
  const threshold = tol * Math.max(1, maxAbs(lam));
  const grads = hiddenGradients(model, data);
  const blocks: NeuronSplitBlock[] = [];
  let best: { step: SplitStep; value: number } | null = null;
  const L = model.widths.length - 1;
  for (let l = 1; l < L; l++) {
    const neurons = Array.from({ length: model.widths[l] }, (_, s) => s);
    const gammas = splitBlocksOfLayer(model, data, l, grads, neurons);
    gammas.forEach((g, s) => {
      const ev = Array.from(eigvalsh(g));
      const vanishes = maxAbs(ev) <= threshold;
      blocks.push({ layer: l, neuron: s, eigenvalues: ev, vanishes });
      if (vanishes) return;
      const lo = ev[0];
      const hi = ev[ev.length - 1];
      const candidates: [number, number][] = [];
      if (lo < -threshold) candidates.push([0.5, 0.25 * lo]);
      if (hi > threshold) candidates.push([-1, -2 * hi]);
      for (const [alpha, value] of candidates) {
        if (best === null || value < best.value) best = { step: { layer: l, neuron: s, alpha }, value };
      }
    });
  }
  const trulyBadNecessaryCondition = blocks.every((b) => b.vanishes);
  let escape: StrictSaddleEscape | null = null;
  if (best !== null) {
    const { step, value } = best as { step: SplitStep; value: number };
    const wide = splitNeuron(model, step);
    const { values, vectors } = eigh(hessian(wide, data));
    const M = values.length;
    const direction = new Float64Array(M);
    for (let i = 0; i < M; i++) direction[i] = vectors.data[i * M];
    const hv = hessianVectorProduct(wide, data, direction);
    let curvature = 0;
    for (let i = 0; i < M; i++) curvature += direction[i] * hv[i];
    const thrWide = tol * Math.max(1, maxAbs(values));
    escape = {
      ...step,
      model: wide,
      predictedNegativeBlockEigenvalue: value,
      minEigenvalue: values[0],
      direction,
      curvature,
      gradNorm: norm2(lossAndGradient(wide, data).gradient),
      inertia: inertiaFromEigenvalues(values, { tol }),
      verified: values[0] < -thrWide && curvature < 0,
    };
  }
  return { loss, gradNorm: norm2(gradient), inertia, threshold, blocks, trulyBadNecessaryCondition, escape };
}
