import { OutOfMemoryError, ShapeError, ValueError, checkOptions } from "@losscape/core";
import { MAX_PARAMS, validateModel, type Model, type ModelInput } from "@losscape/mlp";
import { checkAlpha, checkHiddenIndex, fromLayers, hiddenActivation, sigma, toLayers, type EditableLayer } from "./layers.js";

/** One splitting step T^α_{l,s}: hidden layer l (1-based), neuron s (0-based), any real α. */
export interface SplitStep {
  layer: number;
  neuron: number;
  alpha: number;
}

/**
 * Append k copies of neuron s of hidden layer l (same incoming row and bias) and scale the outgoing columns:
 * column s ← β₀·w, copy j ← βⱼ·w. Unchecked (internal).
 */
function splitInto(layers: EditableLayer[], l: number, s: number, betas: readonly number[]): void {
  const k = betas.length - 1;
  const inL = layers[l - 1];
  const m = inL.rows;
  const W = new Float64Array((m + k) * inL.cols);
  W.set(inL.W);
  const row = inL.W.subarray(s * inL.cols, (s + 1) * inL.cols);
  for (let j = 0; j < k; j++) W.set(row, (m + j) * inL.cols);
  let b = inL.b;
  if (b.length > 0) {
    b = new Float64Array(m + k);
    b.set(inL.b);
    for (let j = 0; j < k; j++) b[m + j] = inL.b[s];
  }
  layers[l - 1] = { rows: m + k, cols: inL.cols, W, b };
  const outL = layers[l];
  const W2 = new Float64Array(outL.rows * (m + k));
  for (let r = 0; r < outL.rows; r++) {
    for (let c = 0; c < m; c++) W2[r * (m + k) + c] = outL.W[r * m + c];
    const w = outL.W[r * m + s];
    W2[r * (m + k) + s] = betas[0] * w;
    for (let j = 0; j < k; j++) W2[r * (m + k) + m + j] = betas[j + 1] * w;
  }
  layers[l] = { rows: outL.rows, cols: m + k, W: W2, b: outL.b };
}

/**
 * The one-step critical embedding T^α_{l,s} (Zhang et al. 2021, arXiv:2105.14573, Def. 3; docs/conventions.md#one-step-embedding): neuron s
 * (0-based) of hidden layer l (1-based) is split; the copy has the same incoming weights and bias and is appended
 * as the last neuron of layer l; the outgoing weights w (column s of W^{l+1}) become α·w on the original and
 * (1−α)·w on the copy. For every input f_wide(x) = f(x), since α·σ(z_s) + (1−α)·σ(z_s) = σ(z_s); a critical
 * point of the narrow loss maps to a critical point of the wide one. Any real α is allowed (α < 0 and α > 1 too),
 * as long as α·w and (1−α)·w are finite numbers.
 *
 * Errors: `ValueError` when `layer` is not a hidden layer (the output layer included), `neuron` is out of range,
 * `alpha` is not finite, or α·w or (1−α)·w overflows float64 (|α|·max|w| beyond ≈ 1.8e308: the result never holds
 * ±∞); the model's own errors (`ShapeError` for parameters not matching the spec).
 * @example
 * const wide = splitNeuron({ widths: [1, 3, 1], activation: "tanh", params }, { layer: 1, neuron: 0, alpha: 0.5 });
 * wide.widths; // [1, 4, 1]
 */
export function splitNeuron(model: Model, step: SplitStep): Model {
  const fn = "splitNeuron";
  const layers = toLayers(fn, model);
  checkStep(fn, model, step);
  checkAlphaFinite(fn, "alpha", step, columnMaxes(layers[step.layer])[step.neuron]);
  splitInto(layers, step.layer, step.neuron, [step.alpha, 1 - step.alpha]);
  return fromLayers(model, layers);
}

/**
 * The general splitting embedding of arXiv:2111.15527 (§4, "general compatible critical embedding" of one neuron):
 * neuron s of hidden layer l becomes k + 1 neurons with identical incoming weights and bias — the original and
 * k copies appended at the end of layer l — whose outgoing weights are β₀·w, β₁·w, …, β_k·w with Σⱼβⱼ = 1
 * (checked to 1e-12·max(1, Σ|βⱼ|)). Output-preserving and critical-point preserving for every such β;
 * `splitNeuron` is the case β = (α, 1 − α). A βⱼ whose βⱼ·w overflows float64 is a `ValueError` naming it.
 * @example
 * splitNeuronGeneral(model, { layer: 1, neuron: 2, betas: [0.2, 0.3, 0.5] }).widths; // m₁ + 2 neurons in layer 1
 */
export function splitNeuronGeneral(model: Model, split: { layer: number; neuron: number; betas: readonly number[] }): Model {
  const fn = "splitNeuronGeneral";
  const layers = toLayers(fn, model);
  checkHiddenIndex(fn, model, split?.layer, split?.neuron);
  const betas = split.betas as unknown;
  if (!Array.isArray(betas) || betas.length < 2) {
    throw new ShapeError(`${fn}: 'betas' must be an array of at least 2 numbers (original + copies); found ${Array.isArray(betas) ? `length ${betas.length}` : String(betas)}`);
  }
  let sum = 0;
  let sumAbs = 0;
  betas.forEach((b, i) => {
    checkAlpha(fn, b, `betas[${i}]`);
    sum += b;
    sumAbs += Math.abs(b);
  });
  if (Math.abs(sum - 1) > 1e-12 * Math.max(1, sumAbs)) {
    throw new ValueError(`${fn}: 'betas' must sum to 1 (so that the output is preserved); found Σβ = ${sum}`);
  }
  const wMax = columnMaxes(layers[split.layer])[split.neuron];
  betas.forEach((b: number, j) => {
    if (!(Math.abs(b * wMax) <= Number.MAX_VALUE)) {
      throw new ValueError(
        `${fn}: 'betas[${j}]' must keep the outgoing weight β·w finite (max|w| = ${wMax} on neuron ${split.neuron} of layer ${split.layer}); found betas[${j}] = ${b} (β·w overflows float64)`,
      );
    }
  });
  splitInto(layers, split.layer, split.neuron, betas as number[]);
  return fromLayers(model, layers);
}

/**
 * A multi-step embedding: the steps T^{α₁}_{l₁,s₁}, then T^{α₂}_{l₂,s₂}, … applied in order (each step's neuron
 * index refers to the net after the previous steps; copies are appended, so original indices never move).
 * Errors name the failing step (`steps[i].layer`, …), also a step whose α·w or (1−α)·w overflows float64 (w the
 * column of the neuron after the earlier steps: repeated splits multiply the α's).
 * Built in one pass, O(M + steps) for the wide net's M parameters, with the same floating-point operations as the
 * steps one after the other (`splitNeuron` repeated, O(steps·M)), so the same bits: see `splitPlan`.
 * @example
 * embedSequence(model, [{ layer: 1, neuron: 0, alpha: 0.5 }, { layer: 1, neuron: 3, alpha: 2 }]).widths; // [1, 5, 1]
 */
export function embedSequence(model: Model, steps: readonly SplitStep[]): Model {
  return embedSteps("embedSequence", model, steps, (i) => `steps[${i}].alpha`);
}

/** `embedSequence` in the name of `fn`; a step whose split weights overflow is refused as `alphaArg(i)`. */
function embedSteps(fn: string, model: Model, steps: readonly SplitStep[], alphaArg: (i: number) => string): Model {
  const layers = toLayers(fn, model);
  if (!Array.isArray(steps)) throw new ValueError(`${fn}: 'steps' must be an array of {layer, neuron, alpha}; found ${String(steps)}`);
  const widths = [...model.widths];
  const current: Model = { ...model, widths }; // the widths after the steps so far, for checkStep
  const L = layers.length;
  // Hidden layer l's plan starts from the sizes max_r |W^{l+1}_{r,c}| of its outgoing columns (layers[l]).
  const plans = widths.map((m, l) => splitPlan(m, l > 0 && l < L ? columnMaxes(layers[l]) : []));
  steps.forEach((step, i) => {
    checkStep(fn, current, step, `steps[${i}].`);
    const plan = plans[step.layer];
    checkAlphaFinite(fn, alphaArg(i), step, plan.size[plan.at[step.neuron]]);
    plan.split(step.neuron, step.alpha);
    widths[step.layer]++;
  });
  const wide = layers.map((layer, k) => applyPlans(layer, k + 1 < L ? plans[k + 1] : undefined, k > 0 ? plans[k] : undefined));
  return fromLayers(model, wide);
}

/**
 * The splits of one hidden layer as a tree, so that a sequence of them can be applied at once. Rows (a neuron's
 * incoming weights and bias) are only copied: neuron c ends as a copy of original neuron `origin[c]`. Columns (its
 * outgoing weights) are multiplied: T^α on neuron s takes its column w to α·w and appends (1 − α)·w. Every node of the
 * tree is one such product β·(parent's value); the roots are the original columns, node `at[c]` is column c's value
 * now. Row and column operations commute exactly (a column split does the same to every row, so copied rows stay
 * equal), and evaluating the nodes in creation order does each product on the same operands as the steps in turn.
 * `size[v]` is max_r |value of node v on row r|, from the roots' `colMax`: |fl(β·x)| = fl(|β|·|x|) grows with |x|, so
 * the largest row stays the largest and size[v] = fl(|β_v|·size[parent]) exactly — the node overflows on some row
 * exactly when its size does.
 */
function splitPlan(
  m: number,
  colMax: readonly number[],
): { origin: number[]; at: number[]; parent: number[]; beta: number[]; size: number[]; split(s: number, alpha: number): void } {
  const origin = Array.from({ length: m }, (_, i) => i);
  const at = origin.slice();
  const parent = origin.map(() => -1);
  const beta = origin.map(() => 1);
  const size = colMax.slice();
  return {
    origin,
    at,
    parent,
    beta,
    size,
    split(s, alpha) {
      const node = at[s];
      parent.push(node, node);
      beta.push(alpha, 1 - alpha);
      size.push(Math.abs(alpha * size[node]), Math.abs((1 - alpha) * size[node]));
      at[s] = parent.length - 2;
      at.push(parent.length - 1);
      origin.push(origin[s]);
    },
  };
}

/**
 * Layer W (rows × cols) and b after the splits of the layer it feeds (`rowPlan`, absent for the output layer) and of
 * the layer it reads (`colPlan`, absent for the input): row r is original row origin[r], entry (r, c) the value of
 * node at[c] of the column tree evaluated on that row.
 */
function applyPlans(layer: EditableLayer, rowPlan: ReturnType<typeof splitPlan> | undefined, colPlan: ReturnType<typeof splitPlan> | undefined): EditableLayer {
  const origin = rowPlan?.origin ?? Array.from({ length: layer.rows }, (_, i) => i);
  const at = colPlan?.at ?? Array.from({ length: layer.cols }, (_, i) => i);
  const rows = origin.length;
  const cols = at.length;
  const W = new Float64Array(rows * cols);
  const nodes = new Float64Array(colPlan ? colPlan.parent.length : layer.cols);
  let evaluated = -1; // original row whose column tree `nodes` holds
  for (let r = 0; r < rows; r++) {
    const o = origin[r];
    if (o !== evaluated) {
      nodes.set(layer.W.subarray(o * layer.cols, (o + 1) * layer.cols));
      if (colPlan) for (let v = layer.cols; v < nodes.length; v++) nodes[v] = colPlan.beta[v] * nodes[colPlan.parent[v]];
      evaluated = o;
    }
    for (let c = 0; c < cols; c++) W[r * cols + c] = nodes[at[c]];
  }
  const b = layer.b.length > 0 ? Float64Array.from(origin, (o) => layer.b[o]) : layer.b;
  return { rows, cols, W, b };
}

/**
 * Widen `model` to `widths` by one-step embeddings: in every hidden layer l = 1..L−1, in order, the k-th added
 * neuron (k = 0, 1, …) splits original neuron k mod mₗ with the given α (default 1/2), so the added width is
 * spread evenly over the original neurons. Returns the wide model and the steps taken (replayable with
 * `embedSequence`). `widths` must have the same d_in, d_out and depth, and every hidden width ≥ the current one.
 * A neuron split r times carries α^r·w: an α for which that overflows float64 is a `ValueError` naming 'alpha'.
 * @example
 * const { model: wide, steps } = widenTo(model, [1, 5, 1]); // steps: T_{1,0}, T_{1,1}
 */
export function widenTo(model: ModelInput, widths: readonly number[], options: { alpha?: number } = {}): { model: Model; steps: SplitStep[] } {
  const fn = "widenTo";
  options = checkOptions(fn, options, ["alpha"]);
  model = validateModel(model, fn);
  const alpha = options.alpha ?? 0.5;
  checkAlpha(fn, alpha);
  const cur = model.widths;
  if (!Array.isArray(widths) || widths.length !== cur.length) {
    throw new ShapeError(`${fn}: 'widths' must have ${cur.length} entries like [${cur.join(", ")}]; found ${JSON.stringify(widths)}`);
  }
  if (widths[0] !== cur[0] || widths[cur.length - 1] !== cur[cur.length - 1]) {
    throw new ShapeError(`${fn}: 'widths' must keep d_in = ${cur[0]} and d_out = ${cur[cur.length - 1]}; found [${widths.join(", ")}]`);
  }
  for (let l = 1; l < cur.length - 1; l++) {
    const w = widths[l];
    if (!Number.isInteger(w) || w < cur[l]) {
      throw new ShapeError(`${fn}: 'widths[${l}]' must be an integer ≥ the current width ${cur[l]} (embeddings only widen); found ${String(w)}`);
    }
  }
  // The wide network's size, before a step is listed or a parameter allocated (mlp's limit: 2^28 parameters).
  let M = 0;
  for (let l = 1; l < widths.length; l++) M += widths[l] * widths[l - 1] + (model.bias === false ? 0 : widths[l]);
  if (M > MAX_PARAMS) {
    throw new OutOfMemoryError(`${fn}: the widened network [${widths.join(", ")}] would have M = ${M.toExponential(3)} parameters; at most 2^28 = ${MAX_PARAMS} are supported`);
  }
  const steps: SplitStep[] = [];
  for (let l = 1; l < cur.length - 1; l++) {
    const w = widths[l];
    for (let k = 0; k < w - cur[l]; k++) steps.push({ layer: l, neuron: k % cur[l], alpha });
  }
  return { model: embedSteps(fn, model, steps, () => "alpha"), steps };
}


/** The condition under which the null embedding is critical, as checked by `nullEmbedding`. */
export interface NullEmbeddingCondition {
  /** σ(0) of layer l's activation. */
  sigmaAtZero: number;
  /** Whether layer l + 1 has a bias (the output layer when l = L − 1). */
  nextLayerHasBias: boolean;
  /** True when σ(0) = 0 or layer l + 1 has a bias: then every critical point stays critical. */
  criticalPreserved: boolean;
}

/**
 * The null embedding (arXiv:2111.15527, §4): append to hidden layer l a neuron with zero incoming weights, zero
 * bias and zero outgoing weights. The output is unchanged. At a critical point θ of the narrow net the new
 * gradient entries are ∂R/∂w_in = 0 (its outgoing weights vanish, so its δ does) and
 * ∂R/∂w_out,r = σ(0)·Σᵢ δ^{l+1}_{r,i} = σ(0)·∂R/∂b^{l+1}_r, which vanishes when σ(0) = 0 or when layer l + 1
 * has a bias (then ∂R/∂b^{l+1} = 0 at θ). The returned condition says which holds.
 * @example
 * const { model: wide, condition } = nullEmbedding(model, { layer: 1 }); // condition.criticalPreserved
 */
export function nullEmbedding(model: Model, options: { layer: number }): { model: Model; condition: NullEmbeddingCondition } {
  const fn = "nullEmbedding";
  options = checkOptions(fn, options, ["layer"]);
  const layers = toLayers(fn, model);
  checkHiddenIndex(fn, model, options?.layer);
  const l = options.layer;
  splitInto(layers, l, 0, [1, 0]);
  const L = layers[l - 1];
  L.W.fill(0, (L.rows - 1) * L.cols);
  if (L.b.length > 0) L.b[L.rows - 1] = 0;
  const sigmaAtZero = sigma(hiddenActivation(model, l), 0).value;
  const nextLayerHasBias = model.bias ?? true;
  return {
    model: fromLayers(model, layers),
    condition: { sigmaAtZero, nextLayerHasBias, criticalPreserved: sigmaAtZero === 0 || nextLayerHasBias },
  };
}

/** max_r |W_{r,c}| of every column c of a layer (layers[l]'s column s: the outgoing weights of neuron s of layer l). */
function columnMaxes(layer: EditableLayer): number[] {
  const mx = new Array<number>(layer.cols).fill(0);
  for (let r = 0; r < layer.rows; r++) for (let c = 0; c < layer.cols; c++) mx[c] = Math.max(mx[c], Math.abs(layer.W[r * layer.cols + c]));
  return mx;
}

/**
 * Refuse a finite α whose split weights α·w or (1 − α)·w overflow float64, `wMax` = max|w| of the column split:
 * fl(β·w_r) is finite on every row exactly when fl(β·max|w|) is (rounding is monotone in |w|), so one product decides.
 */
function checkAlphaFinite(fn: string, arg: string, step: SplitStep, wMax: number): void {
  const { alpha, layer, neuron } = step;
  if (!(Math.abs(alpha * wMax) <= Number.MAX_VALUE && Math.abs((1 - alpha) * wMax) <= Number.MAX_VALUE)) {
    throw new ValueError(
      `${fn}: '${arg}' must keep the split's outgoing weights α·w and (1 − α)·w finite (max|w| = ${wMax} on neuron ${neuron} of layer ${layer}); found alpha = ${alpha} (they overflow float64)`,
    );
  }
}

function checkStep(fn: string, model: Model, step: SplitStep, prefix = ""): void {
  if (typeof step !== "object" || step === null) {
    throw new ValueError(`${fn}: '${prefix || "step"}' must be {layer, neuron, alpha}; found ${String(step)}`);
  }
  checkHiddenIndex(fn, model, step.layer, step.neuron, prefix);
  checkAlpha(fn, step.alpha, `${prefix}alpha`);
}
