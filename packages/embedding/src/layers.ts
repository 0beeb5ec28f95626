import { ValueError, checkNumber } from "@losscape/core";
import { activationDerivatives, packParams, unpackParams, validateModel, type Activation, type Model, type ModelInput } from "@losscape/mlp";

/**
 * Internal helpers: a model as editable layers (copies), and back. Layer l (1-based) has W (mₗ × mₗ₋₁,
 * row-major) and b (length mₗ, empty without bias), as in the flat order of docs/conventions.md#flat-parameter-order.
 */
export interface EditableLayer {
  rows: number;
  cols: number;
  W: Float64Array;
  b: Float64Array;
}

/** Validate `model` (spec and params; ShapeError/ValueError from @losscape/mlp) and copy it into layers. */
export function toLayers(fn: string, model: ModelInput): EditableLayer[] {
  model = validateModel(model, fn);
  return unpackParams(model, model.params).map(({ W, b }) => ({ rows: W.rows, cols: W.cols, W: W.data, b }));
}

/** The model with these layers (widths read from them); spec fields and meta are kept. */
export function fromLayers(model: Model, layers: EditableLayer[]): Model {
  const widths = [layers[0].cols, ...layers.map((L) => L.rows)];
  const params = packParams({ ...model, widths }, layers.map((L) => ({ W: { rows: L.rows, cols: L.cols, data: L.W }, b: L.b })));
  return { ...model, widths, params };
}

/** The activation of hidden layer l (1-based). */
export function hiddenActivation(model: Model, l: number): Activation {
  const a = model.activation;
  return (Array.isArray(a) ? a[l - 1] : a) as Activation;
}

/** σ, σ′, σ″ of an activation at z. */
export function sigma(a: Activation, z: number): { value: number; first: number; second: number } {
  return activationDerivatives(a, z);
}

/**
 * Check that `layer` is a hidden layer 1..L−1 of `model` (the output layer L and the input 0 are refused) and,
 * when given, that `neuron` is 0..mₗ−1.
 */
export function checkHiddenIndex(fn: string, model: Model, layer: unknown, neuron?: unknown, argPrefix = ""): void {
  const L = model.widths.length - 1;
  if (typeof layer !== "number" || !Number.isInteger(layer) || layer < 1 || layer > L - 1) {
    throw new ValueError(
      L < 2
        ? `${fn}: '${argPrefix}layer' must be a hidden layer, but widths [${model.widths.join(", ")}] have none; found ${String(layer)}`
        : `${fn}: '${argPrefix}layer' must be a hidden layer 1..${L - 1} of widths [${model.widths.join(", ")}] (the output layer ${L} cannot be split); found ${String(layer)}`,
    );
  }
  if (neuron === undefined) return;
  const m = model.widths[layer];
  if (typeof neuron !== "number" || !Number.isInteger(neuron) || neuron < 0 || neuron >= m) {
    throw new ValueError(`${fn}: '${argPrefix}neuron' must be an integer 0..${m - 1} (layer ${layer} has ${m} neurons); found ${String(neuron)}`);
  }
}

/** α must be a finite real number (any sign, any size). */
export function checkAlpha(fn: string, alpha: unknown, arg = "alpha"): asserts alpha is number {
  checkNumber(fn, arg, alpha);
}

/** max |a − b| over two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

