import { checkNumber, DEFAULT_INERTIA_TOL, eigvalsh, nrm2, ShapeError, ValueError, type Inertia, type Mat, checkOptions } from "@losscape/core";
import {
  forward,
  hessian,
  hiddenActivations,
  lossAndGradient,
  paramCount,
  preActivations,
  validateData,
  validateModel,
  type Activation,
  type Dataset,
  type DatasetInput,
  type Model,
  type ModelInput,
} from "@losscape/mlp";
import { criticalGradientTol, inertiaByGap, maxAbs } from "./certificate.js";
import { DEFAULT_CERTIFY_OUTPUT_TOL } from "./defaults.js";
import { fromLayers, hiddenActivation, maxAbsDiff, sigma, toLayers, type EditableLayer } from "./layers.js";

/**
 * The Embedding Principle in depth (Bai, Luo, Xu & Zhang, arXiv:2205.13283): critical lifting inserts a layer that
 * acts linearly on the data ("layer linearization"), so that a critical point of a network maps to a critical
 * manifold of a deeper one with the same outputs; layer pruning removes such a layer again.
 *
 * The operators here are derived from first principles and are the liftings that are exactly critical. Let σ be
 * affine on an open interval I, σ(z) = s·z + t there (s ≠ 0), and let the new layer read hᵠ (the output of layer q)
 * with z = α·hᵠ + c, every zᵢⱼ on the data inside I. With W′ = W^{q+1}/(sα) and b′ = b^{q+1} − W′(s·c + t), the
 * deep net equals the shallow one on the data, and near the lifted point R_deep = R ∘ φ with the submersion
 * φ(θ′) = (…, W^{q+1} = s·W′A, b^{q+1} = b′ + W′(s·c + t), …). Hence: ∇R_deep = Jφᵀ∇R = 0 (critical); the fibres of
 * φ are critical manifolds of dimension ΔN = M_deep − M; and H_deep = JφᵀHJφ, so by Sylvester's law of inertia the
 * lifted Hessian has the inertia (n₋, n₀ + ΔN, n₊) of H plus exactly ΔN zeros. In particular a local minimum lifts
 * to a (degenerate) local minimum with these liftings; the admissible set {(α, c): zᵢⱼ ∈ I for every row i} is an
 * intersection over the data, so it shrinks as data are added.
 *
 * The paper's local minima lifted to strict saddles need a new layer that is linear on the data points but not on a
 * neighbourhood of them, so that sums over subsets of the rows enter the derivatives. Two such liftings are here
 * (`liftDepth`'s `kind: "split"` and `extraNeurons`, derived there): the split h = (σ(αh) − σ(−αh))/(α(1 + s)) keeps
 * the outputs but is critical only when partial gradient sums vanish; an extra neuron with zero outgoing weight on
 * a subset S of the rows is critical when G_S w = 0 and then a strict saddle whenever the partial sum G_S ≠ 0
 * (`strictSaddleLift` finds one and verifies the descent).
 *
 * Smooth activations that are affine on no interval (tanh, sigmoid, softplus, gelu, …) admit such a layer only in a
 * limit (α → 0 around a point with σ″ = 0), never exactly: they are refused.
 */

/** An affine piece σ(z) = s·z + t for z in [lo, hi] (lo, hi may be ±∞). */
interface AffinePiece {
  slope: number;
  intercept: number;
  lo: number;
  hi: number;
}

/** The affine pieces of an activation (closed intervals), or null when it has none. */
function affinePieces(a: Activation): AffinePiece[] | null {
  const name = typeof a === "string" ? a : a.name;
  if (name === "linear") return [{ slope: 1, intercept: 0, lo: -Infinity, hi: Infinity }];
  if (name === "relu" || name === "leaky-relu") {
    return [
      { slope: sigma(a, -1).first, intercept: 0, lo: -Infinity, hi: 0 },
      { slope: 1, intercept: 0, lo: 0, hi: Infinity },
    ];
  }
  return null;
}

/** The least and largest entry of every column of X (n × m). */
function columnRanges(X: Mat): { lo: number[]; hi: number[] } {
  const lo = new Array<number>(X.cols).fill(Infinity);
  const hi = new Array<number>(X.cols).fill(-Infinity);
  for (let i = 0; i < X.rows; i++)
    for (let j = 0; j < X.cols; j++) {
      const v = X.data[i * X.cols + j];
      if (v < lo[j]) lo[j] = v;
      if (v > hi[j]) hi[j] = v;
    }
  return { lo, hi };
}

function activationName(a: Activation): string {
  return typeof a === "string" ? a : a.name;
}

/** Options of `liftDepth`. */
export interface LiftOptions {
  /** q: the new layer reads the output of layer q (0 = the input, up to L − 1) and becomes layer q + 1. */
  layer: number;
  /** σ of the new layer (default: the model's activation when it has one for every layer, else hidden layer max(q, 1)'s). */
  activation?: Activation;
  /** α > 0 in z = α·hᵠ + c (default 1). */
  scale?: number;
  /**
   * δ > 0: each new neuron's smallest pre-activation on the data sits δ inside the slope-1 piece (default 1; relu
   * and leaky-relu: cⱼ = max(0, δ − α·min_i hᵠᵢⱼ); linear: c = 0).
   */
  margin?: number;
  /**
   * The lifting (default "affine"): "affine" inserts m_q neurons linear on a neighbourhood of the data (exactly
   * critical, inertia (n₋, n₀ + ΔN, n₊)); "split" inserts 2·m_q neurons z± = ±α·hᵠ (no shift) and reads them with
   * W′ = [W, −W]/(α(1 + s)), from hᵠ = (σ(αhᵠ) − σ(−αhᵠ))/(α(1 + s)) for relu (s = 0) and leaky-relu of slope s:
   * the same outputs, but each row activates one neuron of each pair, so the lifted point is critical only when
   * the partial sums below vanish (see `liftDepth`).
   */
  kind?: LiftKind;
  /**
   * Extra neurons σ(aᵀhᵠ + c) appended to the new layer with zero outgoing weights (a lift wider than m_q; the
   * outputs are unchanged everywhere). `bias` must be 0 or absent for a net without biases.
   */
  extraNeurons?: { weights: ArrayLike<number>; bias?: number }[];
}

/** The liftings of `liftDepth`: "affine" (linear near the data) or "split" (hᵠ = σ(αhᵠ) − σ(−αhᵠ), kinked). */
export type LiftKind = "affine" | "split";

/** What `liftDepth` returns. */
export interface LiftResult {
  /** The deeper network (one more hidden layer: m_q neurons for "affine", 2·m_q for "split", plus the extra ones). */
  model: Model;
  /** Index of the new hidden layer in `model` (q + 1). */
  layer: number;
  kind: LiftKind;
  /** Width of the new layer. */
  width: number;
  activation: Activation;
  /** The affine piece used, σ(z) = slope·z + intercept on (lo, hi). */
  piece: { slope: number; intercept: number; lo: number; hi: number };
  scale: number;
  /** The new layer's bias c (zeros for "split"; the extra neurons' biases last). */
  shift: number[];
  /**
   * Per new neuron of the affine lifting, the least shift that keeps every row inside the piece:
   * cⱼ > lo − α·min_i hᵠᵢⱼ (−∞ for linear). Adding rows can only raise it: the lifted manifold shrinks as data grow.
   * Empty for "split", which has no shift.
   */
  shiftLowerBound: number[];
  /**
   * ΔN = M_deep − M: for the affine lifting the dimension of the lifted critical manifold through the point (the
   * extra zero eigenvalues); for a kinked one (split, extra neurons) only the number of added parameters.
   */
  manifoldDimension: number;
}

/**
 * Critical lifting in depth (arXiv:2205.13283, derived from first principles as above): insert after layer q a layer
 * z = α·hᵠ + c, σ affine on the data's z (linear; relu and leaky-relu on z > 0, c shifting every row in), and
 * rescale the next layer, W′ = W^{q+1}/(sα), b′ = b^{q+1} − W′(s·c + t). The outputs on the data are unchanged;
 * a critical point lifts to a critical point whose Hessian has the inertia (n₋, n₀ + ΔN, n₊) (see `certifyLift`).
 * Activations affine on no interval are refused (ValueError naming the activation), as is a relu lift without
 * biases when some hᵠᵢⱼ ≤ 0 (no shift can move it inside).
 *
 * `kind: "split"` (relu, leaky-relu of slope s ≠ 1): the new layer is g = [σ(αhᵠ), σ(−αhᵠ)] (2·m_q neurons, no
 * shift) and W′ = [W, −W]/(α(1 + s)), b′ = b. As σ(x) − σ(−x) = (1 + s)x for every x, W′g = W·hᵠ: the outputs are
 * unchanged everywhere. Write σ(x) = s·x + (1 − s)·relu(x), δᵢ = ∂R/∂u^{q+1}ᵢ (the shallow net's back-propagated
 * error at layer q + 1), eᵢⱼ = (Wᵀδᵢ)ⱼ and h̃ᵢ = [hᵠᵢ; 1]. At a critical point Σᵢ δᵢh̃ᵢᵀ = 0 (the gradient of
 * W^{q+1}, b^{q+1}), and the derivatives of the lifted point are exactly
 *   ∂R/∂W′_{·j±} = (1 − s)·α·Pⱼ,  Pⱼ = Σ_{i: hᵢⱼ > 0} δᵢhᵢⱼ,
 *   ∂R/∂A_{j±,·} = (1 − s)/(α(1 + s))·Qⱼ,  Qⱼ = Σ_{i: hᵢⱼ > 0} eᵢⱼh̃ᵢ (A the new layer's weights and bias),
 * and zero for every other parameter (the layers below see Aᵀdiag(σ′)W′ᵀ = Wᵀ when no hᵢⱼ = 0). So the split lift
 * of a critical point is critical if and only if every partial sum Pⱼ, Qⱼ over the rows with hᵢⱼ > 0 vanishes:
 * always when column j has one sign on the data (then they are the full sums), generically not when it has both;
 * a point that is not critical has −∇R as a first-order descent from the shallow loss R. Other scales do not help
 * (α > 0 keeps the rows with hᵢⱼ > 0), nor do kinks moved to hⱼ = tⱼ (the same m_{q+1} + m_q + 1 sums over
 * {i: hᵢⱼ > tⱼ} must vanish, one unknown tⱼ per pair): see `strictSaddleLift` for the kinked neurons that can be
 * critical. A row with hᵢⱼ = 0 sits
 * on the kink of both neurons of pair j, where the lifted loss is not differentiable: refused (ValueError naming
 * the output and the row).
 *
 * `extraNeurons`: neurons gₖ = σ(wₖᵀh̃) appended to the new layer with zero outgoing weights vₖ = 0 (wider than
 * m_q; the outputs are unchanged everywhere). At an affine lift of a critical point, with Sₖ = {i: wₖᵀh̃ᵢ > 0} and
 * G_S = Σ_{i∈S} δᵢh̃ᵢᵀ: ∂R/∂vₖ = (1 − s)·G_{Sₖ}wₖ, ∂R/∂wₖ = 0, and the Hessian restricted to (vₖ, wₖ) is
 * [[P, (1 − s)G_{Sₖ}], [(1 − s)G_{Sₖ}ᵀ, 0]] (the Gauss–Newton part of the cross term vanishes with vₖ). Hence the
 * lifted point is critical iff G_{Sₖ}wₖ = 0, and then it is a strict saddle whenever G_{Sₖ} ≠ 0 (with y such that
 * G_{Sₖ}y ≠ 0, the direction (−t·G_{Sₖ}y, y) has curvature t²(G y)ᵀP(G y) − 2t(1 − s)‖G y‖² < 0 for small t > 0):
 * a local minimum becomes a strict saddle (`strictSaddleLift` searches such wₖ).
 * @example
 * const { model: deep, layer } = liftDepth(model, data, { layer: 1 });
 * certifyLift(model, deep, data, { layer }).certified; // true at a critical point
 */
export function liftDepth(model: ModelInput, data: DatasetInput, options: LiftOptions): LiftResult {
  const fn = "liftDepth";
  options = checkOptions(fn, options, ["layer", "activation", "scale", "margin", "kind", "extraNeurons"]);
  const { m, d, q, L } = checkLift(fn, model, data, options?.layer);
  const kind = options.kind ?? "affine";
  if (kind !== "affine" && kind !== "split") throw new ValueError(`${fn}: 'kind' must be "affine" or "split"; found ${String(kind)}`);
  const alpha = options.scale ?? 1;
  checkNumber(fn, "scale", alpha);
  if (!(alpha > 0)) throw new ValueError(`${fn}: 'scale' must be > 0; found ${alpha}`);
  const delta = options.margin ?? 1;
  checkNumber(fn, "margin", delta);
  if (!(delta > 0)) throw new ValueError(`${fn}: 'margin' must be > 0; found ${delta}`);
  const uniform = !Array.isArray(m.activation);
  const act = options.activation ?? defaultLiftActivation(m, q);
  const pieces = affinePieces(act);
  if (pieces === null) {
    throw new ValueError(
      `${fn}: activation '${activationName(act)}' is affine on no interval, so no inserted layer is linear near the data and the lifting is not exactly critical (it holds only in a limit); use linear, relu or leaky-relu for the new layer`,
    );
  }
  const piece = pieces.find((p) => p.slope === 1 && p.hi === Infinity)!;
  const bias = m.bias ?? true;
  const dq = m.widths[q];
  const H = q === 0 ? d.x : hiddenActivations(m, d.x)[q - 1];
  const extra = checkExtraNeurons(fn, options.extraNeurons, dq, bias);
  const layers = toLayers(fn, m);
  const next = layers[q];
  const lift = kind === "split" ? splitLayers(fn, act, H, q, next, alpha) : affineLayers(fn, act, piece, H, q, next, alpha, delta, bias);
  const { inserted, out } = withExtraNeurons(lift.inserted, lift.out, extra);
  const deepLayers = [...layers.slice(0, q), inserted, out, ...layers.slice(q + 1)];
  const sameAct = uniform && JSON.stringify(act) === JSON.stringify(m.activation);
  const acts: Activation[] = Array.from({ length: L - 1 }, (_, k) => hiddenActivation(m, k + 1));
  acts.splice(q, 0, act);
  const deep = fromLayers({ ...m, activation: sameAct ? m.activation : acts }, deepLayers);
  return {
    model: deep,
    layer: q + 1,
    kind,
    width: inserted.rows,
    activation: act,
    piece: { slope: piece.slope, intercept: piece.intercept, lo: piece.lo, hi: piece.hi },
    scale: alpha,
    shift: bias ? Array.from(inserted.b) : new Array<number>(inserted.rows).fill(0),
    shiftLowerBound: lift.lower,
    manifoldDimension: deep.params.length - m.params.length,
  };
}

/** The validated model and data of a lift and its layer q (0..L − 1: the new layer reads layer q's output). */
export function checkLift(fn: string, model: ModelInput, data: DatasetInput, q: unknown): { m: Model; d: Dataset; q: number; L: number } {
  const m = validateModel(model, fn);
  const d = validateData(m, data, fn);
  const L = m.widths.length - 1;
  if (typeof q !== "number" || !Number.isInteger(q) || q < 0 || q > L - 1) {
    throw new ValueError(`${fn}: 'layer' must be an integer 0..${L - 1} (the new layer reads layer q's output; widths [${m.widths.join(", ")}]); found ${String(q)}`);
  }
  return { m, d, q, L };
}

/** The new layer's activation by default: the model's when it has one for every layer, else hidden layer max(q, 1)'s. */
export function defaultLiftActivation(m: Model, q: number): Activation {
  return Array.isArray(m.activation) ? hiddenActivation(m, Math.max(q, 1)) : (m.activation as Activation);
}

/** The new layer and the next one of an affine lift (see `liftDepth`), with each neuron's least shift. */
function affineLayers(fn: string, act: Activation, piece: AffinePiece, H: Mat, q: number, next: EditableLayer, alpha: number, delta: number, bias: boolean) {
  const dq = H.cols;
  const lower = new Array<number>(dq).fill(-Infinity);
  const shift = new Array<number>(dq).fill(0);
  if (piece.lo > -Infinity) {
    const { lo: least } = columnRanges(H);
    for (let j = 0; j < dq; j++) {
      const mn = least[j];
      lower[j] = piece.lo - alpha * mn;
      shift[j] = Math.max(0, lower[j] + delta);
      if (!bias && !(lower[j] < 0)) {
        throw new ValueError(
          `${fn}: without biases the new ${activationName(act)} layer cannot shift its pre-activations into z > ${piece.lo}, and output ${j} of layer ${q} reaches ${mn} on the data; lift a net with biases, or at a layer whose outputs are > 0 on every row`,
        );
      }
    }
  }
  const sAlpha = piece.slope * alpha;
  const Wn = next.W.map((w) => w / sAlpha);
  const bn = Float64Array.from(next.b);
  if (bias) {
    for (let r = 0; r < next.rows; r++) {
      let s = 0;
      for (let j = 0; j < dq; j++) s += Wn[r * dq + j] * (piece.slope * shift[j] + piece.intercept);
      bn[r] -= s;
    }
  }
  const inserted: EditableLayer = { rows: dq, cols: dq, W: new Float64Array(dq * dq), b: new Float64Array(bias ? dq : 0) };
  for (let j = 0; j < dq; j++) {
    inserted.W[j * dq + j] = alpha;
    if (bias) inserted.b[j] = shift[j];
  }
  return { inserted, out: { rows: next.rows, cols: dq, W: Wn, b: bn }, lower };
}

/** The new layer [σ(αh), σ(−αh)] and the next one [W, −W]/(α(1 + s)) of a split lift (see `liftDepth`). */
function splitLayers(fn: string, act: Activation, H: Mat, q: number, next: EditableLayer, alpha: number) {
  const name = activationName(act);
  if (name !== "relu" && name !== "leaky-relu") {
    throw new ValueError(`${fn}: the split lifting hᵠ = (σ(αhᵠ) − σ(−αhᵠ))/(α(1 + s)) needs a kinked activation for the new layer (relu or leaky-relu); found '${name}'`);
  }
  const s = sigma(act, -1).first;
  if (s === 1) throw new ValueError(`${fn}: the split lifting needs a leaky-relu slope s ≠ 1 (σ(x) − σ(−x) = (1 + s)x must differ from an affine layer); found ${s}`);
  const dq = H.cols;
  for (let i = 0; i < H.rows; i++)
    for (let j = 0; j < dq; j++)
      if (H.data[i * dq + j] === 0) {
        throw new ValueError(
          `${fn}: the split lifting needs hᵠᵢⱼ ≠ 0 on the data, but output ${j} of layer ${q} is exactly 0 at row ${i}: that row sits on the kink of both neurons of pair ${j}, where the lifted loss is not differentiable; use kind "affine" there`,
        );
      }
  const inserted: EditableLayer = { rows: 2 * dq, cols: dq, W: new Float64Array(2 * dq * dq), b: new Float64Array(next.b.length === 0 ? 0 : 2 * dq) };
  for (let j = 0; j < dq; j++) {
    inserted.W[j * dq + j] = alpha;
    inserted.W[(dq + j) * dq + j] = -alpha;
  }
  const k = alpha * (1 + s);
  const W = new Float64Array(next.rows * 2 * dq);
  for (let r = 0; r < next.rows; r++)
    for (let j = 0; j < dq; j++) {
      W[r * 2 * dq + j] = next.W[r * dq + j] / k;
      W[r * 2 * dq + dq + j] = -next.W[r * dq + j] / k;
    }
  return { inserted, out: { rows: next.rows, cols: 2 * dq, W, b: Float64Array.from(next.b) }, lower: [] as number[] };
}

interface ExtraNeuron {
  weights: Float64Array;
  bias: number;
}

function checkExtraNeurons(fn: string, extra: LiftOptions["extraNeurons"], dq: number, bias: boolean): ExtraNeuron[] {
  if (extra === undefined) return [];
  if (!Array.isArray(extra)) throw new ValueError(`${fn}: 'extraNeurons' must be an array of { weights, bias }; found ${typeof extra}`);
  return extra.map((e, k) => {
    const w = e?.weights;
    if (w === undefined || typeof w.length !== "number" || w.length !== dq) {
      throw new ShapeError(`${fn}: 'extraNeurons[${k}].weights' must have length m_q = ${dq} (the new layer reads layer q's ${dq} outputs); found ${w === undefined ? "none" : w.length}`);
    }
    const weights = Float64Array.from(w);
    weights.forEach((v, j) => checkNumber(fn, `extraNeurons[${k}].weights[${j}]`, v));
    const b = e.bias ?? 0;
    checkNumber(fn, `extraNeurons[${k}].bias`, b);
    if (!bias && b !== 0) throw new ValueError(`${fn}: 'extraNeurons[${k}].bias' must be 0 for a net without biases; found ${b}`);
    return { weights, bias: b };
  });
}

/** Append neurons with zero outgoing weights to the new layer (rows of `inserted`, zero columns of `out`). */
function withExtraNeurons(inserted: EditableLayer, out: EditableLayer, extra: ExtraNeuron[]): { inserted: EditableLayer; out: EditableLayer } {
  if (extra.length === 0) return { inserted, out };
  const p = inserted.rows + extra.length;
  const cols = inserted.cols;
  const W = new Float64Array(p * cols);
  W.set(inserted.W);
  extra.forEach((e, k) => W.set(e.weights, (inserted.rows + k) * cols));
  const b = inserted.b.length === 0 ? inserted.b : Float64Array.from([...inserted.b, ...extra.map((e) => e.bias)]);
  const Wo = new Float64Array(out.rows * p);
  for (let r = 0; r < out.rows; r++) Wo.set(out.W.subarray(r * inserted.rows, (r + 1) * inserted.rows), r * p);
  return { inserted: { rows: p, cols, W, b }, out: { rows: out.rows, cols: p, W: Wo, b: out.b } };
}

/** Options of `pruneLayer`. */
export interface PruneOptions {
  /** The hidden layer l (1..L − 1) to remove. */
  layer: number;
}

/** What `pruneLayer` returns. */
export interface PruneResult {
  /** The shallower network (layer l composed into layer l + 1). */
  model: Model;
  layer: number;
  /** Per neuron of layer l, the slope s and intercept t of the affine piece holding its pre-activations on the data. */
  slopes: number[];
  intercepts: number[];
  /** max|f_pruned − f| on the data (rounding only). */
  maxOutputDiffData: number;
}

/**
 * Layer pruning (arXiv:2205.13283; the inverse of `liftDepth`): when every neuron j of hidden layer l keeps its
 * pre-activations on the data inside one affine piece of σ, σ(z) = sⱼz + tⱼ (a relu neuron on one side of its kink,
 * a dead one with s = 0; or constant on the data), the layer acts on the data as the affine map
 * hˡ = diag(s)(Wˡhˡ⁻¹ + bˡ) + t, and composing it into the next layer, W″ = W^{l+1}·diag(s)·Wˡ,
 * b″ = b^{l+1} + W^{l+1}(s ⊙ bˡ + t), removes it with the same outputs on the data. A lifted point prunes back to
 * its source (up to rounding); a critical point whose pruned layer has full rank stays critical. A layer that is
 * not affine on the data is refused (ValueError naming the first such neuron).
 * @example
 * pruneLayer(liftDepth(model, data, { layer: 1 }).model, data, { layer: 2 }).model; // ≈ model
 */
export function pruneLayer(model: ModelInput, data: DatasetInput, options: PruneOptions): PruneResult {
  const fn = "pruneLayer";
  options = checkOptions(fn, options, ["layer"]);
  const m = validateModel(model, fn);
  const d = validateData(m, data, fn);
  const L = m.widths.length - 1;
  const l = options?.layer;
  if (typeof l !== "number" || !Number.isInteger(l) || l < 1 || l > L - 1) {
    throw new ValueError(`${fn}: 'layer' must be a hidden layer 1..${L - 1} of widths [${m.widths.join(", ")}]; found ${String(l)}`);
  }
  const a = hiddenActivation(m, l);
  const Z = preActivations(m, d.x)[l - 1];
  const ml = m.widths[l];
  const pieces = affinePieces(a);
  const slopes: number[] = [];
  const intercepts: number[] = [];
  const range = columnRanges(Z);
  for (let j = 0; j < ml; j++) {
    const lo = range.lo[j];
    const hi = range.hi[j];
    const p = pieces?.find((pc) => pc.lo <= lo && hi <= pc.hi);
    if (p) {
      slopes.push(p.slope);
      intercepts.push(p.intercept);
    } else if (lo === hi) {
      slopes.push(0);
      intercepts.push(sigma(a, lo).value);
    } else {
      throw new ValueError(
        pieces === null
          ? `${fn}: layer ${l} is not affine on the data: activation '${activationName(a)}' is affine on no interval and neuron ${j}'s pre-activations span [${lo}, ${hi}]`
          : `${fn}: layer ${l} is not affine on the data: neuron ${j}'s pre-activations span [${lo}, ${hi}], across a kink of '${activationName(a)}' at 0`,
      );
    }
  }
  const bias = m.bias ?? true;
  if (!bias && intercepts.some((t) => t !== 0)) {
    throw new ValueError(`${fn}: layer ${l} is constant on the data at a non-zero value and the net has no biases to absorb it`);
  }
  const layers = toLayers(fn, m);
  const inL = layers[l - 1];
  const outL = layers[l];
  const p = inL.cols;
  const r = outL.rows;
  const W = new Float64Array(r * p);
  const b = Float64Array.from(outL.b);
  for (let o = 0; o < r; o++) {
    for (let j = 0; j < ml; j++) {
      const w = outL.W[o * ml + j] * slopes[j];
      if (w !== 0) for (let k = 0; k < p; k++) W[o * p + k] += w * inL.W[j * p + k];
      if (bias) b[o] += outL.W[o * ml + j] * (slopes[j] * inL.b[j] + intercepts[j]);
    }
  }
  const shallowLayers = [...layers.slice(0, l - 1), { rows: r, cols: p, W, b }, ...layers.slice(l + 1)];
  const acts = Array.from({ length: L - 1 }, (_, k) => hiddenActivation(m, k + 1));
  acts.splice(l - 1, 1);
  const activation = !Array.isArray(m.activation) ? m.activation : acts.length === 0 ? "linear" : acts;
  const pruned = fromLayers({ ...m, activation }, shallowLayers);
  return { model: pruned, layer: l, slopes, intercepts, maxOutputDiffData: maxAbsDiff(forward(m, d.x).data, forward(pruned, d.x).data) };
}

/** Options of `certifyLift`. */
export interface LiftCertificateOptions {
  /** The index of the inserted hidden layer in the deep net (`LiftResult.layer`). */
  layer: number;
  /** Relative zero tolerance of the inertia where a spectrum has no clear gap (default `DEFAULT_INERTIA_TOL`). */
  tol?: number;
  /** Critical when ‖∇R‖ ≤ gtol (default: refineCriticalPoint's rule on each side, as `certifyEmbedding`). */
  gtol?: number;
}

/** What `certifyLift` returns. */
export interface LiftCertificate {
  /** max|f_deep − f| on the data, and the tolerance: 1e-10·max(1, max|f|, Σⱼ max|W′_{·j}|·max|hⱼ|) (the terms the next layer sums). */
  maxOutputDiffData: number;
  outputTol: number;
  lossBefore: number;
  lossAfter: number;
  gradNormBefore: number;
  gradNormAfter: number;
  gtolBefore: number;
  gtolAfter: number;
  /** Inertias with zeros decided at each spectrum's gap (as `certifyEmbedding`'s inertiaAtGap). */
  inertiaBefore: Inertia;
  inertiaAfter: Inertia;
  /**
   * (n₋, n₀ + ΔN, n₊) of the shallow Hessian: H_deep = JφᵀHJφ with Jφ onto (Sylvester's law of inertia). A statement
   * about liftings linear near the data only (`linearNearData`); a kinked one (split, extra neurons) can gain negative
   * eigenvalues.
   */
  predictedInertia: Inertia;
  predictionMatches: boolean;
  /** ΔN = M_deep − M, the dimension of the lifted critical manifold; the deep Hessian has ≥ ΔN zero eigenvalues. */
  manifoldDimension: number;
  /**
   * The smallest distance of the inserted layer's pre-activations on the data to the ends of an affine piece of σ
   * (> 0: the layer is linear on a neighbourhood of the data, which the argument needs; ∞ for linear).
   */
  linearityMargin: number;
  /** linearityMargin > 0: every neuron of the new layer is affine on a neighbourhood of the data (the affine lifting). */
  linearNearData: boolean;
  /**
   * The smallest distance of the new layer's pre-activations on the data to a kink of σ (∞ for linear and smooth σ): > 0 means
   * the lifted loss is twice differentiable at the point, so its Hessian and gradient are the true ones.
   */
  kinkDistance: number;
  eigenvaluesBefore: number[];
  eigenvaluesAfter: number[];
  /**
   * Shallow point critical, deep point critical, output preserved, no row on a kink of the new layer, and, when it is
   * linear near the data, the predicted inertia; `reasons` says what failed.
   */
  certified: boolean;
  reasons: string[];
}

/**
 * Certificate of a lifting shallow → deep on data (arXiv:2205.13283; the statements as derived for `liftDepth`):
 * output preserved on the data; ‖∇R‖ before and after (a critical point stays critical); the inserted layer linear
 * on a neighbourhood of the data (margin > 0); and the Hessian inertia after equal to (n₋, n₀ + ΔN, n₊) before, ΔN
 * the lifted manifold's dimension, zeros decided at each spectrum's gap. For a kinked lifting (`kind: "split"`,
 * extra neurons active on part of the data) the inertia is not predicted: the certificate is output preserved,
 * critical before and after, and no row on a kink (the Hessian is then the true one; see `strictSaddleLift` for
 * its negative eigenvalues). Exact Hessians and a dense eigensolver: for nets of up to a few thousand parameters.
 * @example
 * const lift = liftDepth(cp, data, { layer: 1 });
 * certifyLift(cp, lift.model, data, { layer: lift.layer }).predictionMatches; // true
 */
export function certifyLift(shallow: ModelInput, deep: ModelInput, data: DatasetInput, options: LiftCertificateOptions): LiftCertificate {
  const fn = "certifyLift";
  options = checkOptions(fn, options, ["layer", "tol", "gtol"]);
  const s = validateModel(shallow, fn);
  const dm = validateModel(deep, fn);
  const d: Dataset = validateData(s, data, fn);
  validateData(dm, d, fn);
  const sw = s.widths;
  const dw = dm.widths;
  const Ld = dw.length - 1;
  const k = options?.layer;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > Ld - 1) {
    throw new ValueError(`${fn}: 'layer' must be the inserted hidden layer 1..${Ld - 1} of the deep widths [${dw.join(", ")}]; found ${String(k)}`);
  }
  if (dw.length !== sw.length + 1 || dw.some((w, i) => w !== (i < k ? sw[i] : i === k ? dw[k] : sw[i - 1]))) {
    throw new ShapeError(`${fn}: 'deep' must be 'shallow' with one hidden layer inserted at ${k}: shallow [${sw.join(", ")}], deep [${dw.join(", ")}]`);
  }
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  if (options.gtol !== undefined) checkNumber(fn, "gtol", options.gtol, { min: 0 });
  const f = forward(s, d.x).data;
  const maxOutputDiffData = maxAbsDiff(f, forward(dm, d.x).data);
  const Hk = hiddenActivations(dm, d.x)[k - 1];
  const Zk = preActivations(dm, d.x)[k - 1];
  const next = toLayers(fn, dm)[k];
  let terms = 0;
  for (let j = 0; j < Hk.cols; j++) {
    let w = 0;
    let h = 0;
    for (let r = 0; r < next.rows; r++) w = Math.max(w, Math.abs(next.W[r * Hk.cols + j]));
    for (let i = 0; i < Hk.rows; i++) h = Math.max(h, Math.abs(Hk.data[i * Hk.cols + j]));
    terms += w * h;
  }
  const outputTol = DEFAULT_CERTIFY_OUTPUT_TOL * Math.max(1, maxAbs(f), terms);
  const pieces = affinePieces(hiddenActivation(dm, k));
  let linearityMargin = -Infinity;
  let kinkDistance = Infinity;
  if (pieces !== null) {
    const kinks = pieces.flatMap((pc) => [pc.lo, pc.hi]).filter((v) => Number.isFinite(v));
    for (const z of Zk.data) for (const t of kinks) kinkDistance = Math.min(kinkDistance, Math.abs(z - t));
    linearityMargin = Infinity;
    const range = columnRanges(Zk);
    for (let j = 0; j < Zk.cols; j++) {
      const lo = range.lo[j];
      const hi = range.hi[j];
      const p = pieces.find((pc) => pc.lo <= lo && hi <= pc.hi && pc.slope !== 0);
      linearityMargin = Math.min(linearityMargin, p ? Math.min(lo - p.lo, p.hi - hi) : -Infinity);
    }
  }
  const before = lossAndGradient(s, d);
  const after = lossAndGradient(dm, d);
  const eigBefore = eigvalsh(hessian(s, d));
  const eigAfter = eigvalsh(hessian(dm, d));
  const inertiaBefore = inertiaByGap(eigBefore, tol).inertia;
  const inertiaAfter = inertiaByGap(eigAfter, tol).inertia;
  const manifoldDimension = paramCount(dm) - paramCount(s);
  const predictedInertia: Inertia = { negative: inertiaBefore.negative, zero: inertiaBefore.zero + manifoldDimension, positive: inertiaBefore.positive, tol: inertiaAfter.tol };
  const predictionMatches =
    predictedInertia.negative === inertiaAfter.negative && predictedInertia.zero === inertiaAfter.zero && predictedInertia.positive === inertiaAfter.positive;
  const gradNormBefore = nrm2(before.gradient);
  const gradNormAfter = nrm2(after.gradient);
  const gtolBefore = options.gtol ?? criticalGradientTol(eigBefore, s.params);
  const gtolAfter = options.gtol ?? criticalGradientTol(eigAfter, dm.params);
  const reasons: string[] = [];
  const counts = (i: Inertia) => `(${i.negative}, ${i.zero}, ${i.positive})`;
  if (!(gradNormBefore <= gtolBefore)) reasons.push(`the shallow model is not a critical point (‖∇R‖ = ${gradNormBefore.toExponential(2)} > ${gtolBefore.toExponential(2)})`);
  else if (!(gradNormAfter <= gtolAfter)) reasons.push(`the lifted point is not critical (‖∇R‖ = ${gradNormAfter.toExponential(2)} > ${gtolAfter.toExponential(2)})`);
  if (!(maxOutputDiffData <= outputTol)) reasons.push(`the output on the data changes (max|Δf| = ${maxOutputDiffData.toExponential(2)} > ${outputTol.toExponential(2)})`);
  const linearNearData = linearityMargin > 0;
  if (!(kinkDistance > 0)) reasons.push(`a row's pre-activation in the inserted layer ${k} sits on a kink of σ (distance ${kinkDistance}): the lifted loss is not twice differentiable there`);
  if (linearNearData && !predictionMatches) reasons.push(`the inertia ${counts(inertiaAfter)} is not the predicted ${counts(predictedInertia)} = before + ${manifoldDimension} zeros`);
  return {
    maxOutputDiffData,
    outputTol,
    lossBefore: before.loss,
    lossAfter: after.loss,
    gradNormBefore,
    gradNormAfter,
    gtolBefore,
    gtolAfter,
    inertiaBefore,
    inertiaAfter,
    predictedInertia,
    predictionMatches,
    manifoldDimension,
    linearityMargin,
    linearNearData,
    kinkDistance,
    eigenvaluesBefore: Array.from(eigBefore),
    eigenvaluesAfter: Array.from(eigAfter),
    certified: reasons.length === 0,
    reasons,
  };
}
