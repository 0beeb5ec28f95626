import { backpropagate, validateData, validateModel, type Dataset, type Model, type ModelInput, type DatasetInput } from "@losscape/mlp";
import { checkAlpha, checkHiddenIndex, hiddenActivation, sigma } from "./layers.js";
import type { Mat } from "@losscape/core";

/** Backpropagated quantities (internal): G[l] = ∂R/∂hˡ, D[l] = δˡ = ∂R/∂Zˡ (l = 1..L), Z[l−1] = Zˡ, H[l] = hˡ (H[0] = x). */
export interface Grads {
  G: Float64Array[];
  D: Float64Array[];
  Z: Mat[];
  H: Float64Array[];
}

/**
 * ∂R/∂hˡ for every hidden layer l = 1..L−1 (n × mₗ each), δˡ and the pre-activations Zˡ, from @losscape/mlp's
 * `backpropagate`: δ^L = ∂R/∂f ⊙ σ_out′(Z^L), Gˡ = δ^{l+1} W^{l+1}, δˡ = Gˡ ⊙ σ′(Zˡ), re-indexed by layer.
 * Internal; inputs already validated.
 */
export function hiddenGradients(model: Model, data: Dataset): Grads {
  const bp = backpropagate(model, data);
  const L = model.widths.length - 1;
  const G: Float64Array[] = new Array(L);
  const D: Float64Array[] = new Array(L + 1);
  const H: Float64Array[] = [data.x.data];
  for (let l = 1; l <= L; l++) {
    D[l] = bp.deltas[l - 1].data;
    if (l < L) {
      G[l] = bp.activationGradients[l - 1].data;
      H.push(bp.activations[l - 1].data);
    }
  }
  return { G, D, Z: bp.preActivations, H };
}

/**
 * The split block ("inner Hessian") of neuron s of hidden layer l (docs/conventions.md#split-block; arXiv:2111.15527, §5):
 * Γ_s = Σᵢ gᵢ σ″(z_{s,i}) [h^{l−1}_i; 1][h^{l−1}_i; 1]ᵀ with gᵢ = ∂R_S/∂(activation of neuron s at sample i),
 * a (m_{l−1} + 1) × (m_{l−1} + 1) symmetric matrix (m_{l−1} × m_{l−1} without biases; the last row/column is the
 * bias). After T^α_{l,s} at a critical point the Hessian restricted to the antisymmetric direction (u, −u) of the
 * two copies' incoming weights is α(1−α)Γ_s (up to congruence), so at a non-degenerate critical point
 * inertia(H_wide) = inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0). Γ_s vanishes for relu/leaky-relu/linear (σ″ = 0).
 * @example
 * const gamma = splitBlock(model, data, { layer: 1, neuron: 0 }); // 2 × 2 for a 1-input net
 */
export function splitBlock(model: ModelInput, data: DatasetInput, where: { layer: number; neuron: number }): Mat {
  const fn = "splitBlock";
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  checkHiddenIndex(fn, model, where?.layer, where?.neuron);
  return splitBlocksOfLayer(model, data, where.layer, hiddenGradients(model, data), [where.neuron])[0];
}

/** Γ_s for the given neurons of layer l from precomputed gradients (internal). */
export function splitBlocksOfLayer(
  model: Model,
  data: Dataset,
  l: number,
  grads: Grads,
  neurons: readonly number[],
): Mat[] {
  const n = data.x.rows;
  const m = model.widths[l];
  const p = model.widths[l - 1];
  const bias = model.bias ?? true;
  const k = p + (bias ? 1 : 0);
  const a = hiddenActivation(model, l);
  const hPrev = grads.H[l - 1];
  const z = grads.Z[l - 1].data;
  const g = grads.G[l];
  return neurons.map((s) => {
    const out = new Float64Array(k * k);
    const v = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = g[i * m + s] * sigma(a, z[i * m + s]).second;
      if (c === 0) continue;
      for (let j = 0; j < p; j++) v[j] = hPrev[i * p + j];
      if (bias) v[p] = 1;
      for (let r = 0; r < k; r++) {
        const cr = c * v[r];
        for (let q = 0; q <= r; q++) out[r * k + q] += cr * v[q];
      }
    }
    for (let r = 0; r < k; r++) for (let q = r + 1; q < k; q++) out[r * k + q] = out[q * k + r]; // exactly symmetric
    return { rows: k, cols: k, data: out };
  });
}

/**
 * The Hessian of the wide net T^α_{l,s}(θ) on the split directions (derived from the block argument of
 * arXiv:2111.15527, §5): with r = m_{l+1} "row moves" εⱼ (W^{l+1}_{j,s} −= ε, W^{l+1}_{j,c} += ε, c the copy) and
 * the k = m_{l−1} + 1 antisymmetric incoming directions tₖ (δv_s = (1−α)eₖ, δv_c = −αeₖ), both of which leave the
 * output unchanged to first order,
 *   K = [[0_{r×r}, B], [Bᵀ, α(1−α)Γ_s]],  B_{j,k} = −Σᵢ δ^{l+1}_{j,i} σ′(z_{s,i}) [h^{l−1}_i; 1]ₖ,
 * and at a critical point these directions decouple from the embedded base directions, so by Sylvester's law
 * inertia(H_wide) = inertia(H) + inertia(K). At a critical point Σⱼ W^{l+1}_{j,s}B_{j,·} = ∂R/∂[W^l_s; b^l_s] = 0;
 * when m_{l+1} = 1 this makes B = 0 and gives the r = 1 rule of docs/conventions.md#split-subspace-hessian: inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0). For
 * m_{l+1} > 1 the coupling B generally does not vanish, and K (not Γ_s alone) predicts the inertia.
 * @example
 * const K = splitSubspaceHessian(cp, data, { layer: 1, neuron: 0, alpha: 0.5 }); // (m₂ + m₀ + 1) square
 */
export function splitSubspaceHessian(model: ModelInput, data: DatasetInput, step: { layer: number; neuron: number; alpha: number }): Mat {
  const fn = "splitSubspaceHessian";
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  checkHiddenIndex(fn, model, step?.layer, step?.neuron);
  checkAlpha(fn, step.alpha);
  return splitSubspaceHessianRaw(model, data, hiddenGradients(model, data), step);
}

/** Unchecked `splitSubspaceHessian` from precomputed gradients (internal). */
export function splitSubspaceHessianRaw(model: Model, data: Dataset, grads: Grads, step: { layer: number; neuron: number; alpha: number }): Mat {
  const { layer: l, neuron: s, alpha } = step;
  const gamma = splitBlocksOfLayer(model, data, l, grads, [s])[0];
  const k = gamma.rows;
  const r = model.widths[l + 1];
  const m = model.widths[l];
  const p = model.widths[l - 1];
  const n = data.x.rows;
  const N = r + k;
  const K = new Float64Array(N * N);
  const c = alpha * (1 - alpha);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) K[(r + a) * N + r + b] = c * gamma.data[a * k + b];
  const a = hiddenActivation(model, l);
  const z = grads.Z[l - 1].data;
  const hPrev = grads.H[l - 1];
  const dNext = grads.D[l + 1];
  for (let i = 0; i < n; i++) {
    const sp = sigma(a, z[i * m + s]).first;
    for (let j = 0; j < r; j++) {
      const w = -dNext[i * r + j] * sp;
      if (w === 0) continue;
      for (let q = 0; q < k; q++) K[j * N + r + q] += w * (q < p ? hPrev[i * p + q] : 1);
    }
  }
  for (let j = 0; j < r; j++) for (let q = 0; q < k; q++) K[(r + q) * N + j] = K[j * N + r + q];
  return { rows: N, cols: N, data: K };
}
