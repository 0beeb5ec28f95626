import { checkNumber, checkOptions, checkOutVector, checkVector, eigvalsh, getBackend, residentBuffer, StaleHandleError, ValueError, wasmActive, type BackendName, type Mat } from "@losscape/core";
import { HvpPart } from "./engine-ts.js";
import {
  hessianEigenvaluesRaw,
  hessianOnlyRaw,
  hvpBlockRaw,
  hvpRaw,
  lossAndGradientRaw,
  partCode,
  lossRaw,
  type ResidentData,
} from "./network.js";
import { asModel, checkData, checkModel, type Net } from "./spec.js";
import type { Dataset, DatasetInput, Model, ModelInput } from "./types.js";

/**
 * A model and a data set uploaded once for many evaluations at a changing θ (Levenberg–Marquardt, training, curvature
 * probes): on a WASM backend θ, X and Y live in WASM memory until `dispose()` (or the end of a `using` block), so a
 * call copies nothing in but the vectors it is given; on `ts` the handle keeps the arrays. Every method equals the
 * functional API on the same θ bit for bit (`loss(model, data)`, `gradient`, `hessianVectorProduct`, `hessian`,
 * `eigvalsh(hessian(…))`). Validated once, at creation (and θ, v when given).
 *
 * Errors: `StaleHandleError` after `dispose()`, or when `setBackend` changed the active backend since creation; a
 * `ValueError` naming the method (`Problem.loss`, …) where the functional API refuses a NaN result: finite parameters
 * whose outputs overflow float64 and meet ∞ − ∞ (a NaN loss), or a derivative meeting ∞·0 (a NaN in the gradient,
 * H·v or H). R = +∞ is returned, as by `loss`. The check is one pass over the result, O(M) (O(M²) for `hessian`).
 * @example
 * using problem = createProblem(model, data);
 * problem.setParams(theta);
 * const g = problem.gradient();
 * const spectrum = problem.hessianEigenvalues(); // H never leaves WASM memory
 */
export class Problem {
  /** Number of parameters M. */
  readonly M: number;
  /**
   * θ was set by `setParamsUnchecked` (internal loops: a trial point whose values overflow must give NaN, which the
   * loop rejects, not throw); θ from `createProblem` or `setParams` gives checked results, as the functional API.
   */
  private unchecked = false;
  private readonly net: Net;
  private data: Dataset;
  private readonly theta: Float64Array;
  private readonly resident: ResidentData | undefined;
  private readonly backend: BackendName | undefined;
  private disposed = false;
  private view: Float64Array | undefined;

  /** @internal Use `createProblem` (this takes a validated net, θ and data). */
  constructor(fn: string, net: Net, params: ArrayLike<number>, data: Dataset) {
    this.net = net;
    this.M = net.M;
    this.data = data;
    this.theta = Float64Array.from(params);
    this.backend = getBackend();
    if (wasmActive(fn)) {
      const p = residentBuffer(fn, "f64", this.theta);
      const x = residentBuffer(fn, "f64", data.x.data);
      const y = residentBuffer(fn, "f64", data.y.data);
      this.resident = { p, x, y };
    }
  }

  /** A copy of the current θ. */
  get params(): Float64Array {
    this.check("Problem.params");
    return this.theta.slice();
  }

  /** Set θ (M finite values): written in place into the resident copy. */
  setParams(theta: ArrayLike<number>): void {
    const fn = "Problem.setParams";
    this.check(fn);
    checkVector(fn, "theta", theta, this.M);
    this.theta.set(theta);
    this.resident?.p.write(fn, this.theta);
    this.unchecked = false;
  }

  /**
   * @internal Set θ without validation (internal loops: a non-finite trial point must give NaN, not throw): until the
   * next `setParams`, the methods return NaN results as they are instead of refusing them.
   */
  setParamsUnchecked(theta: Float64Array): this {
    this.check("Problem.setParams");
    this.theta.set(theta);
    this.thetaView?.set(this.theta);
    this.unchecked = true;
    return this;
  }

  /**
   * @internal Replace the data by the first `rows` rows of `x` and `y` (training's minibatches): `rows` at most the
   * rows the problem was created with; written in place into the resident copies, nothing allocated in WASM memory.
   */
  setRowsUnchecked(x: Float64Array, y: Float64Array, rows: number): this {
    const fn = "Problem.setRows";
    this.check(fn);
    const dx = this.data.x.cols;
    const dy = this.data.y.cols;
    const xs = x.subarray(0, rows * dx);
    const ys = y.subarray(0, rows * dy);
    this.data = { x: { rows, cols: dx, data: xs }, y: { rows, cols: dy, data: ys } };
    this.resident?.x.write(fn, xs);
    this.resident?.y.write(fn, ys);
    return this;
  }

  /** A view of the resident θ (checked by `check`: same instance, not disposed); re-taken when memory grew. */
  private get thetaView(): Float64Array | undefined {
    const p = this.resident?.p;
    if (!p) return undefined;
    if (this.view === undefined || this.view.buffer !== p.instance.memory.buffer) this.view = p.instance.view("f64", p.ptr, this.M);
    return this.view;
  }

  /**
   * R(θ), as `loss(model, data)`: mse R = 1/(2n) Σᵢ‖f(xᵢ) − yᵢ‖² or the mean softmax cross-entropy, plus (l2/2)‖θ‖²
   * (docs/conventions.md#losses). A NaN R (outputs overflowing float64 meet ∞ − ∞) is a ValueError naming
   * `Problem.loss`, as `loss` refuses it; R = +∞ is returned.
   */
  loss(): number {
    const fn = "Problem.loss";
    this.check(fn);
    return this.notNaN(fn, lossRaw(this.net, this.theta, this.data, this.resident));
  }

  /** R(θ) and ∇R(θ), as `lossAndGradient(model, data)` (a NaN in either is a ValueError, as there). */
  lossAndGradient(): { loss: number; gradient: Float64Array } {
    const fn = "Problem.lossAndGradient";
    this.check(fn);
    const r = lossAndGradientRaw(this.net, this.theta, this.data, this.resident);
    this.notNaN(fn, r.loss);
    this.notNaNIn(fn, "gradient", r.gradient);
    return r;
  }

  /** @internal R(θ), with ∇R(θ) written into `gradient` (M values): training's steps allocate no gradient. */
  lossAndGradientInto(gradient: Float64Array): number {
    const fn = "Problem.lossAndGradientInto";
    this.check(fn);
    if (gradient === undefined) throw new ValueError(`${fn}: argument 'gradient' must be a Float64Array of ${this.M} values; found undefined`);
    checkOutVector(fn, "gradient", gradient, this.M);
    return lossAndGradientRaw(this.net, this.theta, this.data, this.resident, gradient).loss;
  }

  /** ∇R(θ), as `gradient(model, data)` (a NaN loss or gradient is a ValueError, as there). */
  gradient(): Float64Array {
    const fn = "Problem.gradient";
    this.check(fn);
    const r = lossAndGradientRaw(this.net, this.theta, this.data, this.resident);
    this.notNaN(fn, r.loss);
    return this.notNaNIn(fn, "gradient", r.gradient);
  }

  /** H·v (or H₀·v, H₁·v), as `hessianVectorProduct(model, data, v, { part })`. */
  hvp(v: ArrayLike<number>, options: { part?: "full" | "gauss-newton" | "residual" } = {}): Float64Array {
    const fn = "Problem.hvp";
    this.check(fn);
    options = checkOptions(fn, options, ["part"]);
    checkVector(fn, "v", v, this.M);
    return this.notNaNIn(fn, "Hessian-vector product", hvpRaw(this.net, this.theta, this.data, Float64Array.from(v), partCode(fn, options.part), this.resident));
  }

  /**
   * H·V for a block of k vectors (or H₀·V, H₁·V): `V` holds them one after another (k·M values), and so does the
   * result; each equals `hvp(V_j, { part })` up to rounding (one forward and backward pass for the whole block; on
   * WASM the k directions' products batched into GEMMs).
   */
  hvpBlock(V: ArrayLike<number>, k: number, options: { part?: "full" | "gauss-newton" | "residual" } = {}): Float64Array {
    const fn = "Problem.hvpBlock";
    this.check(fn);
    options = checkOptions(fn, options, ["part"]);
    checkNumber(fn, "k", k, { min: 1, integer: true });
    checkVector(fn, "V", V, k * this.M);
    return this.notNaNIn(fn, "Hessian-vector product", hvpBlockRaw(this.net, this.theta, this.data, Float64Array.from(V), k, partCode(fn, options.part), this.resident));
  }

  /** @internal H·v without validating v. */
  hvpUnchecked(v: Float64Array): Float64Array {
    this.check("Problem.hvp");
    return hvpRaw(this.net, this.theta, this.data, v, HvpPart.Full, this.resident);
  }

  /** The exact Hessian (M × M), as `hessian(model, data)` (a NaN entry is a ValueError, as there). */
  hessian(): Mat {
    const fn = "Problem.hessian";
    this.check(fn);
    const h = hessianOnlyRaw(this.net, this.theta, this.data, this.resident);
    this.notNaNIn(fn, "Hessian", h.data);
    return h;
  }

  /**
   * The Hessian's eigenvalues, ascending, as `eigvalsh(hessian(model, data))`; on WASM H stays in WASM memory. A
   * Hessian holding a NaN (the eigenvalues then NaN) is a ValueError, as `hessian` refuses it.
   */
  hessianEigenvalues(): Float64Array {
    const fn = "Problem.hessianEigenvalues";
    this.check(fn);
    // On `ts` (nothing resident) H is formed in JavaScript: a NaN is refused by name before eigvalsh meets it. On
    // WASM H stays in WASM memory, and a NaN shows in the eigenvalues.
    if (this.resident === undefined) {
      const h = hessianOnlyRaw(this.net, this.theta, this.data);
      this.notNaNIn(fn, "Hessian", h.data);
      return eigvalsh(h);
    }
    const values = hessianEigenvaluesRaw(this.net, this.theta, this.data, this.resident);
    if (!this.unchecked && values.some(Number.isNaN)) {
      throw new ValueError(`${fn}: the Hessian is NaN at these parameters: a saturated unit (σ' = 0) meets a derivative that overflows float64 (∞·0), or the outputs overflow (∞ − ∞); scale the parameters down`);
    }
    return values;
  }

  /** Free the resident copies (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.resident) for (const b of [this.resident.y, this.resident.x, this.resident.p]) b.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `loss` unless it is NaN (and θ was set by `setParams`): `loss`'s refusal, in the method's name. */
  private notNaN(fn: string, loss: number): number {
    if (Number.isNaN(loss) && !this.unchecked) throw new ValueError(`${fn}: the loss is NaN at these parameters: the network's outputs overflow float64 (∞ − ∞)`);
    return loss;
  }

  /** `values` unless one is NaN (and θ was set by `setParams`): the functional API's refusal, in the method's name. */
  private notNaNIn<T extends Float64Array>(fn: string, what: string, values: T): T {
    if (this.unchecked) return values;
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) {
        throw new ValueError(`${fn}: the ${what} is NaN at these parameters (entry ${i}): a saturated unit (σ' = 0) meets a derivative that overflows float64 (∞·0); scale the parameters down`);
      }
    }
    return values;
  }

  private check(fn: string): void {
    if (this.disposed) throw new StaleHandleError(`${fn}: the problem was used after dispose()`);
    const now = getBackend();
    if (now !== this.backend) {
      throw new StaleHandleError(`${fn}: the problem was created on the '${this.backend}' backend, but the active backend is '${now}' (setBackend changed it); create it again`);
    }
  }
}

/**
 * Upload a model and a data set once for many evaluations (see `Problem`); dispose it, or create it with `using`.
 * @example
 * using problem = createProblem(model, data);
 * for (const theta of path) { problem.setParams(theta); losses.push(problem.loss()); }
 */
export function createProblem(model: ModelInput, data: DatasetInput): Problem {
  const fn = "createProblem";
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  return new Problem(fn, net, model.params, data);
}
