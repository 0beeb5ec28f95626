import { checkArrayLike, checkBoolean, checkFinite, checkNumber, checkOptions, notFinite, ShapeError, ValueError } from "@losscape/core";

/** Adam's hyper-parameters. */
export interface AdamOptions {
  /** Learning rate (step size) η > 0; default `ADAM_DEFAULTS.lr` = 0.01. */
  lr?: number;
  /** Decay rate of the first-moment estimate, 0 ≤ β₁ < 1; default 0.9. */
  beta1?: number;
  /** Decay rate of the second-moment estimate, 0 ≤ β₂ < 1; default 0.999. */
  beta2?: number;
  /** ε ≥ 0 added to √v̂ in the denominator; default 1e-8. */
  eps?: number;
}

/** Adam's default hyper-parameters (those of Kingma & Ba, except η = 0.01 rather than 0.001). */
export const ADAM_DEFAULTS: Readonly<Required<AdamOptions>> = Object.freeze({ lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });

/**
 * The state of an Adam run after `t` steps: the moment estimates m and v (one entry per parameter). Plain numbers,
 * so `JSON.stringify`/`JSON.parse` round-trip it exactly; `adam(options, state)` resumes the run.
 */
export interface AdamState {
  t: number;
  m: number[];
  v: number[];
}

/** A stateful Adam optimiser: see `adam`. */
export interface Adam {
  /** The hyper-parameters in use (defaults filled in). */
  readonly options: Readonly<Required<AdamOptions>>;
  /** Steps taken so far. */
  readonly t: number;
  /**
   * One step from the gradient `grad` at `params`: writes θ − η·m̂/(√v̂ + ε) into `out` (default: `params`, in place)
   * and returns `out`. The length is fixed by the first step (or by the resumed state).
   */
  step(params: ArrayLike<number>, grad: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** A copy of the state, to serialise and resume from. */
  state(): AdamState;
}

/**
 * Adam (Kingma & Ba, Adam: a method for stochastic optimization, ICLR 2015, Algorithm 1): at step t = 1, 2, …
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g⊙g,  m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ),  θ ← θ − η·m̂/(√v̂ + ε),
 * elementwise, from m = v = 0 (or from `state`, which resumes a run bit for bit). Used by `train` (optimizer 'adam')
 * and by @losscape/manifold's `connectMinima` (Bézier and chain curves).
 * @example
 * const opt = adam({ lr: 0.01 });
 * for (let k = 0; k < 100; k++) opt.step(theta, gradient(withParams(model, theta), data));
 * const saved = JSON.stringify(opt.state()); // later: adam({ lr: 0.01 }, JSON.parse(saved))
 */
export function adam(options: AdamOptions = {}, state?: AdamState): Adam {
  return createAdam("adam", options, state);
}

/**
 * `adam` with errors naming `fn` (internal: `train` reports bad Adam options as its own, and checks the gradient and
 * the parameters itself, so it turns `checkSteps` off: the check is a pass over both, ≈ a third of a step's time).
 */
export function createAdam(fn: string, options: AdamOptions, state?: AdamState, checkSteps = true): Adam {
  options = checkOptions(fn, options, ["lr", "beta1", "beta2", "eps"]);
  const o = { ...ADAM_DEFAULTS, ...stripUndefined(options) };
  checkNumber(fn, "lr", o.lr, { min: 0, exclusiveMin: true });
  for (const k of ["beta1", "beta2"] as const) {
    checkNumber(fn, k, o[k], { min: 0 });
    if (!(o[k] < 1)) throw new ValueError(`${fn}: '${k}' must be < 1; found ${o[k]}`);
  }
  checkNumber(fn, "eps", o.eps, { min: 0 });
  let t = 0;
  let m: Float64Array | null = null;
  let v: Float64Array | null = null;
  if (state !== undefined) {
    checkNumber(fn, "state.t", state?.t, { min: 0, integer: true });
    if (!state.m || !state.v || state.m.length !== state.v.length) {
      throw new ShapeError(`${fn}: 'state.m' and 'state.v' must be arrays of one length; found ${state.m?.length} and ${state.v?.length}`);
    }
    t = state.t;
    if (state.m.length > 0) {
      m = Float64Array.from(state.m);
      v = Float64Array.from(state.v);
    }
  }
  const { lr, beta1: b1, beta2: b2, eps } = o;
  const options_ = Object.freeze(o);
  return {
    options: options_,
    get t() {
      return t;
    },
    step(params, grad, out) {
      if (checkSteps) checkStepArguments(`${fn}.step`, params, grad, out);
      const n = params.length;
      if (m === null || v === null) {
        m = new Float64Array(n);
        v = new Float64Array(n);
      }
      const target = out ?? (params as Float64Array);
      if (m.length !== n || grad.length !== n || target.length !== n) {
        throw new ShapeError(
          `${fn}: step needs 'params', 'grad'${out ? " and 'out'" : ""} of the optimiser's length ${m.length}; found ${n}, ${grad.length}${out ? `, ${out.length}` : ""}`,
        );
      }
      t++;
      const c1 = 1 - Math.pow(b1, t);
      const c2 = 1 - Math.pow(b2, t);
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        target[i] = params[i] - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
      return target;
    },
    state() {
      return { t, m: m ? Array.from(m) : [], v: v ? Array.from(v) : [] };
    },
  };
}

/** SGD's hyper-parameters. */
export interface SgdOptions {
  /** Learning rate η > 0; default `SGD_DEFAULTS.lr` = 0.1. */
  lr?: number;
  /** Momentum μ ≥ 0 (0: plain gradient descent); default 0. */
  momentum?: number;
  /** Nesterov momentum (needs μ > 0); default false. */
  nesterov?: boolean;
}

/** SGD's default hyper-parameters. */
export const SGD_DEFAULTS: Readonly<Required<SgdOptions>> = Object.freeze({ lr: 0.1, momentum: 0, nesterov: false });

/**
 * The state of an SGD run after `t` steps: the velocity (momentum buffer) v, one entry per parameter (empty when
 * μ = 0 or before the first step). Plain numbers: `JSON.stringify`/`JSON.parse` round-trip it exactly.
 */
export interface SgdState {
  t: number;
  velocity: number[];
}

/** A stateful SGD optimiser: see `sgd`. */
export interface Sgd {
  /** The hyper-parameters in use (defaults filled in). */
  readonly options: Readonly<Required<SgdOptions>>;
  /** Steps taken so far. */
  readonly t: number;
  /** One step from the gradient `grad` at `params`: writes the new θ into `out` (default: `params`, in place). */
  step(params: ArrayLike<number>, grad: ArrayLike<number>, out?: Float64Array): Float64Array;
  /** A copy of the state, to serialise and resume from. */
  state(): SgdState;
}

/**
 * Stochastic gradient descent with momentum, in PyTorch's convention (torch.optim.SGD with dampening 0; Sutskever,
 * Martens, Dahl & Hinton, On the importance of initialization and momentum in deep learning, ICML 2013):
 *   v ← μv + g,  θ ← θ − η·v            (heavy ball; the first step sets v = g),
 *   v ← μv + g,  θ ← θ − η·(g + μv)     (nesterov),
 * elementwise; with μ = 0 plain gradient descent θ ← θ − η·g (no velocity is kept). `state` resumes a run bit for bit.
 * Used by `train` (optimizer 'sgd'; 'gd' is μ = 0).
 * @example
 * const opt = sgd({ lr: 0.05, momentum: 0.9 });
 * for (let k = 0; k < 100; k++) opt.step(theta, gradient(withParams(model, theta), data));
 */
export function sgd(options: SgdOptions = {}, state?: SgdState): Sgd {
  return createSgd("sgd", options, state);
}

/** `sgd` with errors naming `fn` (internal: as `createAdam`). */
export function createSgd(fn: string, options: SgdOptions, state?: SgdState, checkSteps = true): Sgd {
  options = checkOptions(fn, options, ["lr", "momentum", "nesterov"]);
  const o = { ...SGD_DEFAULTS, ...stripUndefined(options) };
  checkNumber(fn, "lr", o.lr, { min: 0, exclusiveMin: true });
  checkNumber(fn, "momentum", o.momentum, { min: 0 });
  checkBoolean(fn, "nesterov", o.nesterov);
  if (o.nesterov && o.momentum === 0) throw new ValueError(`${fn}: 'nesterov' needs 'momentum' > 0; found momentum 0`);
  let t = 0;
  let v: Float64Array | null = null;
  if (state !== undefined) {
    checkNumber(fn, "state.t", state?.t, { min: 0, integer: true });
    if (!Array.isArray(state.velocity)) throw new ShapeError(`${fn}: 'state.velocity' must be an array; found ${typeof state.velocity}`);
    t = state.t;
    if (state.velocity.length > 0) v = Float64Array.from(state.velocity);
  }
  const { lr, momentum: mu, nesterov } = o;
  return {
    options: Object.freeze(o),
    get t() {
      return t;
    },
    step(params, grad, out) {
      if (checkSteps) checkStepArguments(`${fn}.step`, params, grad, out);
      const n = params.length;
      const target = out ?? (params as Float64Array);
      if (grad.length !== n || target.length !== n || (v !== null && v.length !== n)) {
        throw new ShapeError(
          `${fn}: step needs 'params', 'grad'${out ? " and 'out'" : ""} of one length${v ? ` (the optimiser's ${v.length})` : ""}; found ${n}, ${grad.length}${out ? `, ${out.length}` : ""}`,
        );
      }
      t++;
      if (mu === 0) {
        for (let i = 0; i < n; i++) target[i] = params[i] - lr * grad[i];
        return target;
      }
      if (v === null) {
        v = new Float64Array(n); // μ·0 + g = g: the first step sets v = g, as PyTorch's buffer
      }
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const vi = mu * v[i] + g;
        v[i] = vi;
        target[i] = params[i] - lr * (nesterov ? g + mu * vi : vi);
      }
      return target;
    },
    state() {
      return { t, velocity: v ? Array.from(v) : [] };
    },
  };
}

/**
 * The arguments of an optimiser's step, checked before anything is written (the state is left as it was): `params`
 * and `grad` arrays of finite numbers, `out` undefined or a Float64Array. A non-finite gradient entry would make θ
 * (and Adam's moments) NaN for good; it is a ValueError naming the step function and the index.
 */
function checkStepArguments(fn: string, params: unknown, grad: unknown, out: unknown): void {
  for (const [arg, x] of [["params", params], ["grad", grad]] as const) {
    checkArrayLike(fn, arg, x);
    if (x instanceof Float64Array) {
      checkFinite(fn, arg, x);
      continue;
    }
    const a = x as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (typeof v !== "number") throw new ValueError(`${fn}: argument '${arg}' must hold numbers; found a ${typeof v} at [${i}]`);
      if (!Number.isFinite(v)) throw notFinite(fn, arg, a as ArrayLike<number>, i);
    }
  }
  if (out !== undefined && !(out instanceof Float64Array)) {
    throw new ShapeError(`${fn}: argument 'out' must be a Float64Array or undefined; found ${out === null ? "null" : typeof out}`);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) r[k] = o[k];
  return r;
}
