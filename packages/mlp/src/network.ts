import { checkBoolean, checkOptions, checkVector, dot, ShapeError, syrk, ValueError, wasmActive, type Mat, type MatInput, type WasmBuffer } from "@losscape/core";
import { factoredHessian, wasmForward, wasmHessian, wasmHessianEigenvalues, wasmHvp, wasmHvpBlock, wasmJacobian, wasmLayers, wasmLoss, wasmLossGrad } from "./engine-wasm.js";
import {
  backwardTs,
  forwardTs,
  gaussNewtonFactorInPlace,
  HvpPart,
  hvpTs,
  jacobianTs,
  outputTs,
  residualHessianShallowTs,
} from "./engine-ts.js";
import { MAX_DENSE_ENTRIES } from "./defaults.js";
import { ACTIVATION_CODES } from "./activations.js";
import { asModel, checkData, checkInputs, checkModel, compileSpec, type Net } from "./spec.js";
import type { Dataset, DatasetInput, MlpSpec, Model, ModelInput } from "./types.js";

/**
 * Forward pass f(x) for every row of x (n × d_in) → n × d_out. hˡ = σ(Wˡhˡ⁻¹ + bˡ), f = σ_out(W^L h^{L−1} + b^L)
 * (docs/conventions.md#networks). For cross-entropy nets f are the logits (before the softmax).
 * @example
 * forward(model, matFromRows([[0.5], [1]])) // 2 × d_out
 */
export function forward(model: ModelInput, x: MatInput | ArrayLike<number>): Mat {
  const fn = "forward";
  model = asModel(model);
  const net = checkModel(fn, model);
  x = checkInputs(fn, net, x);
  const r = net.widths[net.L];
  return { rows: x.rows, cols: r, data: forwardRaw(fn, net, model.params, x.data, x.rows) };
}

/** Unchecked forward pass (internal): the n × d_out outputs of the n rows of X, a fresh array. */
export function forwardRaw(fn: string, net: Net, p: Float64Array, X: Float64Array, n: number): Float64Array {
  if (wasmActive(fn)) return wasmForward(fn, net, p, X, n);
  return Float64Array.from(forwardTs(net, p, X, n).A[net.L]);
}

/**
 * Post-activations hˡ = σ(Zˡ) of every hidden layer l = 1..L−1, each n × mₗ.
 * @example
 * hiddenActivations(model, x)[0] // n × m₁
 */
export function hiddenActivations(model: ModelInput, x: MatInput | ArrayLike<number>): Mat[] {
  const fn = "hiddenActivations";
  model = asModel(model);
  const net = checkModel(fn, model);
  x = checkInputs(fn, net, x);
  const { A } = layersOf(fn, net, model.params, x);
  const out: Mat[] = [];
  for (let l = 1; l < net.L; l++) out.push({ rows: x.rows, cols: net.widths[l], data: A[l - 1] });
  return out;
}

/**
 * Pre-activations Zˡ = hˡ⁻¹Wˡᵀ + 1bˡᵀ of every layer l = 1..L (the last one is the output layer's), each n × mₗ.
 * @example
 * preActivations(model, x)[0] // n × m₁
 */
export function preActivations(model: ModelInput, x: MatInput | ArrayLike<number>): Mat[] {
  const fn = "preActivations";
  model = asModel(model);
  const net = checkModel(fn, model);
  x = checkInputs(fn, net, x);
  const { Z } = layersOf(fn, net, model.params, x);
  return Z.map((z, l) => ({ rows: x.rows, cols: net.widths[l + 1], data: z }));
}

/** Per-sample backpropagated quantities of every layer l = 1..L (index l − 1), each n × mₗ. */
export interface Backpropagation {
  /** The loss R at the parameters (with the L2 term when `l2` is set). */
  loss: number;
  /** Zˡ = hˡ⁻¹Wˡᵀ + 1bˡᵀ. */
  preActivations: Mat[];
  /** hˡ = σₗ(Zˡ); the last one is the output f (the logits for cross-entropy). */
  activations: Mat[];
  /** ∂R/∂hˡ: row i is the derivative with respect to hˡ(xᵢ) (the 1/n of R included; the L2 term does not depend on hˡ). */
  activationGradients: Mat[];
  /** δˡ = ∂R/∂Zˡ = ∂R/∂hˡ ⊙ σₗ′(Zˡ). */
  deltas: Mat[];
}

/**
 * Backpropagation with every per-sample intermediate: the forward pass Zˡ, hˡ, then ∂R/∂f (mse: (f − y)/n;
 * cross-entropy: (sᵢ·softmax(fᵢ) − yᵢ)/n with sᵢ = Σₖyᵢₖ), δˡ = ∂R/∂hˡ ⊙ σₗ′(Zˡ) and ∂R/∂hˡ⁻¹ = δˡWˡ down to
 * l = 1. ∇R is Σᵢ δˡᵢ[hˡ⁻¹ᵢ; 1]ᵀ per layer (`gradient`). The forward pass runs on the active backend; the backward
 * pass in TypeScript (the WASM kernels keep δˡ in their scratch).
 * @example
 * const { deltas, activationGradients } = backpropagate(model, data); // deltas[0]: n × m₁
 */
export function backpropagate(model: ModelInput, data: DatasetInput): Backpropagation {
  const fn = "backpropagate";
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  const n = data.x.rows;
  const p = model.params;
  const { Z, A } = layersOf(fn, net, p, data.x);
  const out = outputTs(net, A[net.L - 1], data.y.data, n);
  const { GA, D } = backwardTs(net, p, { n, Z, A: [data.x.data, ...A] }, out.G);
  const asMats = (xs: Float64Array[]) => xs.map((x, l) => ({ rows: n, cols: net.widths[l + 1], data: x }));
  return {
    loss: out.loss + l2Term(net, p),
    preActivations: asMats(Z),
    activations: asMats(A),
    activationGradients: asMats(GA),
    // A linear layer's δ is its ∂R/∂h (the same array in the engine): a copy, so the results do not alias.
    deltas: asMats(D.map((d, l) => (d === GA[l] ? Float64Array.from(d) : d))),
  };
}

/** Zˡ and Aˡ (l = 1..L, fresh arrays) on the active backend. */
function layersOf(fn: string, net: Net, p: Float64Array, x: Mat): { Z: Float64Array[]; A: Float64Array[] } {
  if (wasmActive(fn)) return wasmLayers(fn, net, p, x.data, x.rows);
  const fw = forwardTs(net, p, x.data, x.rows);
  return { Z: fw.Z.map((z) => Float64Array.from(z)), A: fw.A.slice(1).map((a) => Float64Array.from(a)) };
}

function checkDenseSize(fn: string, what: string, entries: number, instead: string): void {
  if (entries > MAX_DENSE_ENTRIES) {
    throw new ShapeError(
      `${fn}: ${what} would have ${entries.toExponential(3)} entries (${((entries * 8) / 2 ** 30).toFixed(1)} GiB); at most ${MAX_DENSE_ENTRIES} (2 GiB) are supported — use ${instead}`,
    );
  }
}

function l2Term(net: Net, p: Float64Array): number {
  if (net.l2 === 0) return 0;
  return 0.5 * net.l2 * dot(p, p);
}

/**
 * The empirical risk R(θ): mse R = 1/(2n) Σᵢ‖f(xᵢ) − yᵢ‖² (docs/conventions.md#losses; the energy ε = R/d_out), or the mean softmax
 * cross-entropy R = (1/n) Σᵢ [ (Σₖyᵢₖ)·logΣₖe^{fᵢₖ} − Σₖ yᵢₖfᵢₖ ]; plus (l2/2)‖θ‖² when `l2` is set.
 * @example
 * loss(model, data) // a number ≥ 0
 */
export function loss(model: ModelInput, data: DatasetInput): number {
  const fn = "loss";
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  return notNaN(fn, lossRaw(net, model.params, data));
}

/**
 * R, unless it is NaN: finite parameters whose outputs overflow float64 give R = +∞ (an honest value) or, where the
 * overflow meets ∞ − ∞ (the softmax of infinite logits), NaN; that NaN is refused by name instead of passed on.
 */
function notNaN(fn: string, loss: number): number {
  if (Number.isNaN(loss)) throw new ValueError(`${fn}: the loss is NaN at these parameters: the network's outputs overflow float64 (∞ − ∞)`);
  return loss;
}

/**
 * A derivative (gradient, Hessian, H·v, Jacobian), unless it holds a NaN: where a unit saturates (σ' = 0) while ∂R/∂h
 * overflows to ±∞, backpropagation meets ∞·0, and the loss can still be finite. Refused by name, not passed on.
 */
function notNaNIn<T extends Float64Array>(fn: string, what: string, values: T): T {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      throw new ValueError(`${fn}: the ${what} is NaN at these parameters (entry ${i}): a saturated unit (σ' = 0) meets a derivative that overflows float64 (∞·0); scale the parameters down`);
    }
  }
  return values;
}

/**
 * θ, X and Y resident in WASM memory (mlp's `createProblem`): the unchecked functions below read them instead of
 * copying p, data.x and data.y in (p must hold the same θ: the L2 terms are computed from it).
 */
export interface ResidentData {
  readonly p: WasmBuffer<"f64">;
  readonly x: WasmBuffer<"f64">;
  readonly y: WasmBuffer<"f64">;
}

/** Unchecked loss (internal). */
export function lossRaw(net: Net, p: Float64Array, data: Dataset, resident?: ResidentData): number {
  const n = data.x.rows;
  if (wasmActive("loss")) {
    return wasmLoss("loss", net, resident?.p ?? p, resident?.x ?? data.x.data, resident?.y ?? data.y.data, n) + l2Term(net, p);
  }
  const fw = forwardTs(net, p, data.x.data, n);
  return outputTs(net, fw.A[net.L], data.y.data, n).loss + l2Term(net, p);
}

/**
 * R(θ) and ∇R(θ) by backpropagation (one forward and one backward pass), in the flat order of docs/conventions.md#flat-parameter-order.
 * @example
 * const { loss: r, gradient: g } = lossAndGradient(model, data);
 */
export function lossAndGradient(model: ModelInput, data: DatasetInput): { loss: number; gradient: Float64Array } {
  return lossAndGradientChecked("lossAndGradient", model, data);
}

function lossAndGradientChecked(fn: string, model: ModelInput, data: DatasetInput): { loss: number; gradient: Float64Array } {
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  const r = lossAndGradientRaw(net, model.params, data);
  notNaN(fn, r.loss);
  notNaNIn(fn, "gradient", r.gradient);
  return r;
}

/**
 * Unchecked loss and gradient (internal; training and critical-point loops call it with validated inputs). With
 * `into`, the gradient is written there (M values) instead of a fresh array.
 */
export function lossAndGradientRaw(net: Net, p: Float64Array, data: Dataset, resident?: ResidentData, into?: Float64Array): { loss: number; gradient: Float64Array } {
  const n = data.x.rows;
  let loss: number;
  let grad: Float64Array;
  if (wasmActive("gradient")) {
    ({ loss, grad } = wasmLossGrad("gradient", net, resident?.p ?? p, resident?.x ?? data.x.data, resident?.y ?? data.y.data, n, into));
  } else {
    const fw = forwardTs(net, p, data.x.data, n);
    const out = outputTs(net, fw.A[net.L], data.y.data, n);
    loss = out.loss;
    grad = backwardTs(net, p, fw, out.G).grad;
    if (into) grad = (into.set(grad), into);
  }
  if (net.l2 !== 0) for (let i = 0; i < grad.length; i++) grad[i] += net.l2 * p[i];
  return { loss: loss + l2Term(net, p), gradient: grad };
}

/**
 * ∇θR by backpropagation: δ^L = ∂R/∂f ⊙ σ_out', δˡ = (δˡ⁺¹Wˡ⁺¹) ⊙ σ'(Zˡ), ∇Wˡ = δˡᵀhˡ⁻¹, ∇bˡ = Σᵢδˡᵢ.
 * @example
 * gradient(model, data) // Float64Array of length paramCount(model)
 */
export function gradient(model: ModelInput, data: DatasetInput): Float64Array {
  return lossAndGradientChecked("gradient", model, data).gradient;
}

/**
 * The output Jacobian J, (n·r) × M: row i·r + k is ∂fₖ(xᵢ)/∂θ (r = d_out; f are the logits for cross-entropy).
 * @example
 * jacobian(model, data.x) // (n·d_out) × paramCount
 */
export function jacobian(model: ModelInput, x: MatInput | ArrayLike<number>): Mat {
  const fn = "jacobian";
  model = asModel(model);
  const net = checkModel(fn, model);
  x = checkInputs(fn, net, x);
  checkDenseSize(fn, "the Jacobian ((n·r) × M)", x.rows * net.widths[net.L] * net.M, "hessianVectorProduct or fewer samples");
  const rows = x.rows * net.widths[net.L];
  const fw = wasmActive(fn) ? null : forwardTs(net, model.params, x.data, x.rows);
  const data = fw === null ? wasmJacobian(fn, net, model.params, x.data, x.rows) : jacobianTs(net, model.params, fw);
  return { rows, cols: net.M, data: notNaNIn(fn, "Jacobian", data) };
}

/** The split of the exact Hessian: h = h0 + h1. */
export interface HessianSplit {
  /** The exact Hessian H = ∇²R (M × M). */
  h: Mat;
  /** Gauss–Newton part H₀ = JᵀΛJ/n (mse: Λ = I, so JᵀJ/n; cross-entropy: Λᵢ = sᵢ(diag pᵢ − pᵢpᵢᵀ)). */
  h0: Mat;
  /** The rest H₁ = H − H₀: the residual-weighted second derivatives of f, plus l2·I when l2 > 0. */
  h1: Mat;
}

/**
 * Whether `hessian` on a WASM backend assembles H₀ = JᵀΛJ/n without the output Jacobian J ((n·d_out) × M): H₀ summed
 * unit pair by unit pair from sample-weighted products of the layers' inputs (assembly/mlp.ts `gaussNewtonByUnits`:
 * about n·M²/2 multiply–adds, d_out times fewer than the SYRK of J), chosen for d_out ≥ 2 when an estimate of its cost
 * (GEMMs with fewer than 32 rows counted as 32, since packing bounds them) is below two thirds of the SYRK's: true for
 * 784-6-10, 100-32-32-10 or 16-16-16, false for 4-400-3 or 2-50-50-2. Then J's limit of 2^28 entries does not apply;
 * the `ts` backend always forms J.
 * @example
 * hessianWithoutJacobian({ widths: [784, 6, 10], activation: "tanh", loss: "cross-entropy" }) // true
 */
export function hessianWithoutJacobian(spec: MlpSpec): boolean {
  return factoredHessian(compileSpec("hessianWithoutJacobian", spec));
}

/**
 * The exact dense Hessian H = ∇²R (M × M), by H = H₀ + H₁ (docs/conventions.md#hessian-split): H₀ = JᵀΛJ/n (mse:
 * Λ = I; softmax cross-entropy: the generalised Gauss–Newton with the softmax Hessian Λᵢ = sᵢ(diag pᵢ − pᵢpᵢᵀ)),
 * H₁ = (1/n) Σᵢₖ ∂ℓ/∂fᵢₖ · ∇²fᵢₖ (+ l2·I). H₀ through core's SYRK of J, and H₁ from its block structure for one hidden
 * layer with linear output; deeper nets on WASM by GEMMs over chunks of samples (Hessian backpropagation,
 * assembly/mlp.ts `addResidualDeep`), on the `ts` backend column by column with the R-operator. On WASM, d_out ≥ 2
 * may assemble H₀ without J (`hessianWithoutJacobian`; one hidden layer with linear output then both parts at once). No
 * finite differences. With `{ split: true }` returns `{ h, h0, h1 }`.
 * H₁ vanishes exactly where the residuals do (an exact fit, mse, l2 = 0).
 * @example
 * const h = hessian(model, data);                       // M × M
 * const { h0, h1 } = hessian(model, data, { split: true });
 */
export function hessian(model: ModelInput, data: DatasetInput): Mat;
export function hessian(model: ModelInput, data: DatasetInput, options: { split: true }): HessianSplit;
export function hessian(model: ModelInput, data: DatasetInput, options: { split?: false }): Mat;
export function hessian(model: ModelInput, data: DatasetInput, options: { split?: boolean } = {}): Mat | HessianSplit {
  const fn = "hessian";
  options = checkOptions(fn, options, ["split"]);
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  checkBoolean(fn, "split", options.split);
  checkDenseSize(fn, "the dense Hessian (M × M)", net.M * net.M, "hessianVectorProduct");
  if (!(wasmActive(fn) && factoredHessian(net))) {
    checkDenseSize(fn, "the Jacobian it is built from ((n·r) × M)", data.x.rows * net.widths[net.L] * net.M, "hessianVectorProduct");
  }
  const r = options.split ? hessianRaw(net, model.params, data) : hessianOnlyRaw(net, model.params, data);
  notNaNIn(fn, "Hessian", "h" in r ? r.h.data : r.data);
  return r;
}

/** Unchecked exact Hessian without its split (internal; on WASM one M × M result instead of three). */
export function hessianOnlyRaw(net: Net, p: Float64Array, data: Dataset, resident?: ResidentData): Mat {
  if (!wasmActive("hessian")) return hessianRaw(net, p, data).h;
  const M = net.M;
  const h = wasmHessian("hessian", net, resident?.p ?? p, resident?.x ?? data.x.data, resident?.y ?? data.y.data, data.x.rows, false).h0;
  if (net.l2 !== 0) for (let i = 0; i < M; i++) h[i * M + i] += net.l2;
  return { rows: M, cols: M, data: h };
}

/**
 * Eigenvalues (ascending) of the exact Hessian, as `eigvalsh(hessianOnlyRaw(…))` gives them, on the WASM backend
 * (internal: `Problem.hessianEigenvalues`, which forms H itself on `ts`): H stays in WASM memory between the Hessian
 * kernel and the eigensolver.
 */
export function hessianEigenvaluesRaw(net: Net, p: Float64Array, data: Dataset, resident?: ResidentData): Float64Array {
  return wasmHessianEigenvalues("hessian", net, resident?.p ?? p, resident?.x ?? data.x.data, resident?.y ?? data.y.data, data.x.rows);
}

/** Unchecked exact Hessian with its split (internal). */
export function hessianRaw(net: Net, p: Float64Array, data: Dataset): HessianSplit {
  const M = net.M;
  let h0: Float64Array;
  let h1: Float64Array;
  if (wasmActive("hessian")) {
    const split = wasmHessian("hessian", net, p, data.x.data, data.y.data, data.x.rows, true);
    h0 = split.h0;
    h1 = split.h1!;
  } else {
    ({ h0, h1 } = hessianSplitTs(net, p, data));
  }
  if (net.l2 !== 0) for (let i = 0; i < M; i++) h1[i * M + i] += net.l2;
  const h = new Float64Array(M * M);
  for (let q = 0; q < h.length; q++) h[q] = h0[q] + h1[q];
  return { h: { rows: M, cols: M, data: h }, h0: { rows: M, cols: M, data: h0 }, h1: { rows: M, cols: M, data: h1 } };
}

/** H₀ and H₁ (without L2) on the TS backend. */
function hessianSplitTs(net: Net, p: Float64Array, data: Dataset): { h0: Float64Array; h1: Float64Array } {
  const n = data.x.rows;
  const M = net.M;
  const r = net.widths[net.L];
  const fw = forwardTs(net, p, data.x.data, n);
  const out = outputTs(net, fw.A[net.L], data.y.data, n);
  const J = jacobianTs(net, p, fw);
  gaussNewtonFactorInPlace(net, out, J, n);
  const h0 = finiteArray(J) ? syrk({ rows: n * r, cols: M, data: J }) : { data: unscreenedAtA(J, n * r, M) };
  for (let q = 0; q < h0.data.length; q++) h0.data[q] /= n;
  let h1: Float64Array;
  if (net.L === 2 && net.codes[1] === ACTIVATION_CODES.linear) {
    h1 = residualHessianShallowTs(net, p, fw, out.G);
  } else {
    const bw = backwardTs(net, p, fw, out.G);
    h1 = new Float64Array(M * M);
    const e = new Float64Array(M);
    for (let j = 0; j < M; j++) {
      e[j] = 1;
      const col = hvpTs(net, p, fw, out, bw, e, HvpPart.Residual);
      e[j] = 0;
      for (let i = 0; i < M; i++) h1[i * M + j] = col[i];
    }
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < i; j++) {
        const s = 0.5 * (h1[i * M + j] + h1[j * M + i]);
        h1[i * M + j] = s;
        h1[j * M + i] = s;
      }
    }
  }
  return { h0: h0.data, h1 };
}

/** Whether every entry is finite. */
function finiteArray(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * JᵀJ (M × M) of a row-major rows × M matrix holding ±∞ or NaN, which core's `syrk` refuses: the ts backend's H₀ where
 * an output overflows, so that, as on WASM, its NaNs (∞·0) reach `hessian`'s own check and message and its ±∞ are
 * returned. Plain loops: only such degenerate inputs take this path.
 */
function unscreenedAtA(J: Float64Array, rows: number, M: number): Float64Array {
  const h = new Float64Array(M * M);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < rows; k++) s += J[k * M + i] * J[k * M + j];
      h[i * M + j] = s;
      h[j * M + i] = s;
    }
  }
  return h;
}

/**
 * Hessian-vector product H·v by Pearlmutter's R-operator (one forward and one backward pass of the directional
 * derivative; exact, no finite differences). `part: 'gauss-newton'` gives H₀v, `'residual'` gives H₁v
 * (see `hessian`); default the full H·v.
 * @example
 * hessianVectorProduct(model, data, v) // Float64Array of length M
 */
export function hessianVectorProduct(
  model: ModelInput,
  data: DatasetInput,
  v: ArrayLike<number>,
  options: { part?: "full" | "gauss-newton" | "residual" } = {},
): Float64Array {
  const fn = "hessianVectorProduct";
  options = checkOptions(fn, options, ["part"]);
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  checkVector(fn, "v", v, net.M);
  return notNaNIn(fn, "Hessian-vector product", hvpRaw(net, model.params, data, Float64Array.from(v), partCode(fn, options.part)));
}

/** The R-operator's part code of a `part` option ('full' by default), refused by name when unknown (internal). */
export function partCode(fn: string, part: unknown): HvpPart {
  const p = part ?? "full";
  if (p === "full") return HvpPart.Full;
  if (p === "gauss-newton") return HvpPart.GaussNewton;
  if (p === "residual") return HvpPart.Residual;
  throw new ValueError(`${fn}: 'part' must be 'full', 'gauss-newton' or 'residual'; found ${String(p)}`);
}

/** Unchecked HVP (internal). */
export function hvpRaw(net: Net, p: Float64Array, data: Dataset, v: Float64Array, part: HvpPart, resident?: ResidentData): Float64Array {
  const n = data.x.rows;
  let hv: Float64Array;
  if (wasmActive("hessianVectorProduct")) {
    hv = wasmHvp("hessianVectorProduct", net, resident?.p ?? p, resident?.x ?? data.x.data, resident?.y ?? data.y.data, n, v, part);
  } else {
    const fw = forwardTs(net, p, data.x.data, n);
    const out = outputTs(net, fw.A[net.L], data.y.data, n);
    const bw = backwardTs(net, p, fw, out.G);
    hv = hvpTs(net, p, fw, out, bw, v, part);
  }
  if (net.l2 !== 0 && part !== HvpPart.GaussNewton) for (let i = 0; i < hv.length; i++) hv[i] += net.l2 * v[i];
  return hv;
}

/**
 * Unchecked block HVP (internal): HV (k·M) = H·V_j for the k directions V_j = V[j·M, (j+1)·M), one forward and
 * backward pass for all of them (on WASM the R-operator of the block batched into GEMMs, `mlpHvpBlock`).
 */
export function hvpBlockRaw(net: Net, p: Float64Array, data: Dataset, V: Float64Array, k: number, part: HvpPart, resident?: ResidentData): Float64Array {
  const n = data.x.rows;
  const M = net.M;
  let hv: Float64Array;
  if (wasmActive("Problem.hvpBlock")) {
    hv = wasmHvpBlock("Problem.hvpBlock", net, resident?.p ?? p, resident?.x ?? data.x.data, resident?.y ?? data.y.data, n, V, k, part);
  } else {
    const fw = forwardTs(net, p, data.x.data, n);
    const out = outputTs(net, fw.A[net.L], data.y.data, n);
    const bw = backwardTs(net, p, fw, out.G);
    hv = new Float64Array(k * M);
    for (let j = 0; j < k; j++) hv.set(hvpTs(net, p, fw, out, bw, V.subarray(j * M, (j + 1) * M), part), j * M);
  }
  if (net.l2 !== 0 && part !== HvpPart.GaussNewton) for (let i = 0; i < hv.length; i++) hv[i] += net.l2 * V[i];
  return hv;
}
