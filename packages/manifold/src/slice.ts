import { checkEighOrder, checkNumber, eigh, nrm2, ShapeError, ValueError, checkOptions } from "@losscape/core";
import {
  affineLossPlane,
  affineLossPlaneApplies,
  createRng,
  hessian,
  lossPlane,
  packParams,
  paramCount,
  unpackParams,
  validateData,
  validateModel,
  type Dataset,
  type Model,
  type ModelInput,
  type DatasetInput,
} from "@losscape/mlp";
import { splitNeuron } from "@losscape/embedding";
import { checkInt, checkParamsVector } from "./internal.js";

/**
 * A random filter-normalised direction (Li, Xu, Taylor, Studer, Goldstein, Visualizing the loss landscape of
 * neural nets, NeurIPS 2018): d has N(0, 1) entries, then every filter — row s of a weight matrix Wˡ, the incoming
 * weights of neuron s — is rescaled to the norm of the same row of θ: d_s ← d_s·‖W_s‖/‖d_s‖. Bias entries of d
 * are 0 (Li et al. leave biases out of the direction). Seeded.
 * @example
 * const d = filterNormalizedDirection(model, { seed: 1 }); // Float64Array of length M
 */
export function filterNormalizedDirection(model: ModelInput, options: { seed?: number } = {}): Float64Array {
  const fn = "filterNormalizedDirection";
  options = checkOptions(fn, options, ["seed"]);
  model = validateModel(model, fn);
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const rng = createRng(seed);
  const layers = unpackParams(model, model.params);
  const M = paramCount(model);
  const d = new Float64Array(M);
  let off = 0;
  const bias = model.bias ?? true;
  for (const { W, b } of layers) {
    for (let s = 0; s < W.rows; s++) {
      const row = W.data.subarray(s * W.cols, (s + 1) * W.cols);
      const r = new Float64Array(W.cols).map(() => rng.normal());
      const nr = nrm2(r);
      const nw = nrm2(row);
      for (let j = 0; j < W.cols; j++) d[off + s * W.cols + j] = nr > 0 ? (r[j] * nw) / nr : 0;
    }
    off += W.rows * W.cols;
    if (bias) off += b.length; // bias directions stay 0
  }
  return d;
}

/**
 * The eigenvectors of the `count` largest eigenvalues of the exact Hessian (mlp's `hessian`), largest first
 * (the directions of strongest curvature, used for slices in Yao et al. PyHessian 2020).
 * @example
 * const [d1, d2] = hessianDirections(model, data, { count: 2 });
 */
export function hessianDirections(model: ModelInput, data: DatasetInput, options: { count?: number } = {}): Float64Array[] {
  const fn = "hessianDirections";
  options = checkOptions(fn, options, ["count"]);
  // Checked here, so a bad model or data set is refused in this function's name (not paramCount's or hessian's).
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  const count = options.count ?? 2;
  checkInt(fn, "count", count, 1);
  const M = paramCount(model);
  if (count > M) throw new ValueError(`${fn}: 'count' must be ≤ M = ${M}; found ${count}`);
  checkEighOrder(fn, "the Hessian (its eigenvectors are the directions)", M);
  const { vectors } = eigh(hessian(model, data));
  const out: Float64Array[] = [];
  for (let c = M - 1; c >= M - count; c--) {
    const v = new Float64Array(M);
    for (let i = 0; i < M; i++) v[i] = vectors.data[i * M + c];
    out.push(v);
  }
  return out;
}

/**
 * The embedding line of a neuron split (T^α_{l,s} of docs/conventions.md#one-step-embedding): the model with neuron s of hidden layer l split at
 * `alpha` (default 0.5; the copy appended last in layer l, incoming weights and bias copied, outgoing weights α·w
 * and (1 − α)·w), and the unit direction ∂T^α(θ)/∂α / ‖·‖ = (w on the original, −w on the copy)/(√2‖w‖), along
 * which the output — hence the data loss — is constant (Zhang et al., Embedding Principle, NeurIPS 2021; Fukumizu &
 * Amari 2000). A slice along it is flat without l2: the landscape's degenerate line through an embedded critical
 * point. With l2 > 0 the total loss is not constant: the term (l2/2)·‖θ‖² changes along the line (a parabola).
 * (The wide model is @losscape/embedding's `splitNeuron`.)
 * @example
 * const { model: wide, direction } = embeddingLine(model, { layer: 1, neuron: 0 });
 */
export function embeddingLine(model: ModelInput, options: { layer: number; neuron: number; alpha?: number }): { model: Model; direction: Float64Array } {
  const fn = "embeddingLine";
  options = checkOptions(fn, options, ["layer", "neuron", "alpha"], { required: true });
  return splitLine(fn, validateModel(model, fn), options, "");
}

/** `embeddingLine` in the name of `fn`, its options named `${prefix}layer`, … (a validated model). */
function splitLine(fn: string, model: Model, options: { layer: number; neuron: number; alpha?: number }, prefix: string): { model: Model; direction: Float64Array } {
  const L = model.widths.length - 1;
  const { layer, neuron } = options;
  checkInt(fn, `${prefix}layer`, layer, 1);
  if (layer > L - 1) throw new ValueError(`${fn}: '${prefix}layer' must be a hidden layer in 1..${L - 1}; found ${layer}`);
  const m = model.widths[layer];
  checkInt(fn, `${prefix}neuron`, neuron, 0);
  if (neuron >= m) throw new ValueError(`${fn}: '${prefix}neuron' must be in 0..${m - 1}; found ${neuron}`);
  const alpha = options.alpha ?? 0.5;
  checkNumber(fn, `${prefix}alpha`, alpha);
  const wide = splitNeuron(model, { layer, neuron, alpha });
  // The direction: zero except on the outgoing weights of the original (column s of W^{l+1}) and of the copy
  // (column m, the last), (w, −w)/(√2‖w‖).
  const outW = unpackParams(model, model.params)[layer].W;
  const dirLayers = unpackParams(wide, new Float64Array(wide.params.length));
  const D2 = dirLayers[layer].W.data;
  let wn = 0;
  for (let k = 0; k < outW.rows; k++) {
    const w = outW.data[k * m + neuron];
    D2[k * (m + 1) + neuron] = w;
    D2[k * (m + 1) + m] = -w;
    wn += 2 * w * w;
  }
  const direction = packParams(wide, dirLayers);
  const dn = Math.sqrt(wn);
  if (dn > 0) for (let i = 0; i < direction.length; i++) direction[i] /= dn;
  return { model: wide, direction };
}

/** A loss slice: grid[i][j] = R(θ + axes[0][i]·d₁ + axes[1][j]·d₂) (2-D) or grid[0][i] = R(θ + axes[0][i]·d₁) (1-D). */
export interface LossSlice {
  grid: number[][];
  axes: number[][];
  /** The directions used (unit or filter-normalised, as given). */
  directions: Float64Array[];
  /**
   * Which evaluator ran: "affine-plane" (one hidden layer, linear output, mse, no l2: mlp's `affineLossPlane`, no
   * forward pass per point) or "forward-per-point" (every other net: one forward pass per grid point, mlp's `lossPlane`).
   */
  evaluator: "affine-plane" | "forward-per-point";
}

/**
 * The loss on a 1-D line or 2-D plane through θ: R(θ + a·d₁ [+ b·d₂]) for a, b on a uniform grid of `points`
 * values in [−range, range] (default 51 and 1). Directions are given (length M each, 1 or 2 of them).
 *
 * One-hidden-layer nets with a linear output, mse and no l2 (any activation) are evaluated "affine-plane" by mlp's
 * `affineLossPlane`: along θ(a, b) the hidden pre-activations are affine in (a, b), so a grid point costs O(n·m)
 * instead of a forward pass, and tanh and sigmoid are carried along each row by exp products (one WASM kernel call
 * for the grid; the `ts` backend runs its TypeScript oracle; both equal the forward pass to ≤ 1e-11 relative).
 * Every other network (deeper, non-linear output, cross-entropy, l2 > 0) is evaluated "forward-per-point" by mlp's
 * `lossPlane`: on WASM one kernel call for the whole grid (a forward pass of values per point, the first layer's
 * pre-activations taken from their plane Z¹₀ + aZ¹₁ + bZ¹₂), on `ts` one TypeScript forward pass per point; both equal
 * mlp's `loss` at each point (the l2 term included).
 * @example
 * const d1 = filterNormalizedDirection(model, { seed: 1 }), d2 = filterNormalizedDirection(model, { seed: 2 });
 * const { grid, axes } = lossSlice(model, data, { directions: [d1, d2], points: 51, range: 1 });
 */
export function lossSlice(model: ModelInput, data: DatasetInput, options: { directions: Float64Array[]; points?: number; range?: number }): LossSlice {
  const fn = "lossSlice";
  options = checkOptions(fn, options, ["directions", "points", "range"]);
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  const dirs = options?.directions;
  if (!Array.isArray(dirs) || dirs.length < 1 || dirs.length > 2) {
    throw new ShapeError(`${fn}: 'directions' must be an array of 1 or 2 vectors; found ${Array.isArray(dirs) ? dirs.length : String(dirs)}`);
  }
  const M = paramCount(model);
  dirs.forEach((d, i) => checkParamsVector(fn, `directions[${i}]`, d, M));
  return evaluateSlice(model, data, dirs, gridAxis(fn, options.points, options.range));
}

/** The grid axis: `points` (default 51, ≥ 2) values uniform in [−range, range] (default 1, > 0), all finite. */
function gridAxis(fn: string, pointsOption: number | undefined, rangeOption: number | undefined): number[] {
  const points = pointsOption ?? 51;
  const range = rangeOption ?? 1;
  checkInt(fn, "points", points, 2);
  checkNumber(fn, "range", range, { min: 0, exclusiveMin: true });
  const axis = Array.from({ length: points }, (_, i) => -range + (2 * range * i) / (points - 1));
  // A range near the largest double overflows the grid (2·range·i): refused here, not by the plane evaluator.
  if (!axis.every(Number.isFinite)) {
    throw new ValueError(`${fn}: 'range' is too large for a grid of ${points} points (its coordinates overflow float64); found ${range}`);
  }
  return axis;
}

/** R(θ + a·d₁ [+ b·d₂]) on axis × axis (validated arguments: 1 or 2 directions of length M). */
function evaluateSlice(model: Model, data: Dataset, dirs: Float64Array[], axis: number[]): LossSlice {
  const M = model.params.length;
  const points = axis.length;
  const d1 = dirs[0];
  const d2 = dirs.length === 2 ? dirs[1] : new Float64Array(M);
  const axes = dirs.length === 2 ? [axis, axis.slice()] : [axis];
  if (affineLossPlaneApplies(model)) {
    const flat = affineLossPlane(model, data, dirs.length === 2 ? { directions: [d1, d2], aAxis: axis, bAxis: axis } : { directions: [d1], aAxis: axis });
    const grid = dirs.length === 2 ? Array.from({ length: points }, (_, i) => Array.from(flat.subarray(i * points, (i + 1) * points))) : [Array.from(flat)];
    return { grid, axes, directions: dirs, evaluator: "affine-plane" };
  }
  if (dirs.length === 1) {
    const line = lossPlane(model, data, { directions: [d1], aAxis: axis });
    return { grid: [Array.from(line)], axes, directions: dirs, evaluator: "forward-per-point" };
  }
  const flat = lossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: axis });
  const grid = Array.from({ length: points }, (_, i) => Array.from(flat.subarray(i * points, (i + 1) * points)));
  return { grid, axes, directions: dirs, evaluator: "forward-per-point" };
}

/** Options of `landscapeSlice`. */
export interface LandscapeSliceOptions {
  /** random (filter-normalised, default), hessian (top eigenvectors), embedding (split line × random), or given vectors. */
  dirs?: "random" | "hessian" | "embedding" | Float64Array[];
  /** 1 or 2 (default 2) directions when `dirs` is a name. */
  dimensions?: 1 | 2;
  /** Grid points per axis (default 51). */
  points?: number;
  /** Half-width of each axis (default 1). */
  range?: number;
  /** Seed of the random directions (default 0). */
  seed?: number;
  /** For dirs "embedding": the neuron to split (default layer 1, neuron 0) and α (default 0.5). */
  split?: { layer: number; neuron: number; alpha?: number };
}

/**
 * A landscape slice as the CLI's `losscape slice --json` prints it: `{grid, axes, dirs}` (plus the directions and
 * the evaluator). dirs "random": filter-normalised random directions (Li et al. 2018); "hessian": the eigenvectors
 * of the largest Hessian eigenvalues; "embedding": the model is first widened by a neuron split and the first
 * direction is its embedding line (`embeddingLine`; the data loss is constant along it, the l2 term is not), the
 * second a random filter-normalised direction; or explicit vectors. See `lossSlice` for the evaluation. Every
 * argument is checked first, in this function's name (options `split.layer`, …; given vectors `dirs[i]`).
 * @example
 * const { grid, axes, dirs } = landscapeSlice(model, data, { dirs: "random", points: 101, range: 1, seed: 0 });
 */
export function landscapeSlice(
  model: ModelInput,
  data: DatasetInput,
  options: LandscapeSliceOptions = {},
): LossSlice & { dirs: "random" | "hessian" | "embedding" | "given"; model: Model } {
  const fn = "landscapeSlice";
  options = checkOptions(fn, options, ["dirs", "dimensions", "points", "range", "seed", "split"]);
  // Checked here, before any direction is computed, so errors name this function (not lossSlice or hessian).
  model = validateModel(model, fn);
  data = validateData(model, data, fn);
  const kind = options.dirs ?? "random";
  const dims = options.dimensions ?? 2;
  if (dims !== 1 && dims !== 2) throw new ValueError(`${fn}: 'dimensions' must be 1 or 2; found ${String(dims)}`);
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const axis = gridAxis(fn, options.points, options.range);
  let base = model;
  let directions: Float64Array[];
  let name: "random" | "hessian" | "embedding" | "given";
  if (Array.isArray(kind)) {
    if (kind.length < 1 || kind.length > 2) throw new ShapeError(`${fn}: 'dirs' must be a name or an array of 1 or 2 vectors; found ${kind.length} vectors`);
    const M = model.params.length;
    kind.forEach((d, i) => checkParamsVector(fn, `dirs[${i}]`, d, M));
    directions = kind;
    name = "given";
  } else if (kind === "random") {
    directions = Array.from({ length: dims }, (_, i) => filterNormalizedDirection(model, { seed: seed + i }));
    name = kind;
  } else if (kind === "hessian") {
    directions = hessianDirections(model, data, { count: dims });
    name = kind;
  } else if (kind === "embedding") {
    const sp = options.split ?? { layer: 1, neuron: 0 };
    if (typeof sp !== "object" || sp === null || Array.isArray(sp)) throw new ValueError(`${fn}: 'split' must be {layer, neuron, alpha?}; found ${String(sp)}`);
    for (const key of Object.keys(sp)) {
      if (!["layer", "neuron", "alpha"].includes(key)) throw new ValueError(`${fn}: unknown option 'split.${key}'; expected one of 'split.layer', 'split.neuron', 'split.alpha'`);
    }
    const e = splitLine(fn, model, sp, "split.");
    base = e.model;
    directions = dims === 1 ? [e.direction] : [e.direction, filterNormalizedDirection(base, { seed })];
    name = kind;
  } else {
    throw new ValueError(`${fn}: 'dirs' must be "random", "hessian", "embedding" or an array of vectors; found ${String(kind)}`);
  }
  return { ...evaluateSlice(base, data, directions, axis), dirs: name, model: base };
}
