import { axpy, checkNumber, checkSignal, nrm2, ValueError } from "@losscape/core";
import { initParams } from "./init.js";
import { Lbfgs } from "./lbfgs.js";
import { ADAM_DEFAULTS, createAdam } from "./optim.js";
import { Problem } from "./problem.js";
import { checkData, checkModel, compileSpec } from "./spec.js";
import type { Dataset, MlpSpec, Model } from "./types.js";

/** Progress of `train`, passed to `onProgress`. */
export interface TrainProgress {
  epoch: number;
  loss: number;
  gradNorm: number;
}

export interface TrainOptions {
  /** 'gd' (full-batch gradient descent), 'adam' (Kingma & Ba 2015) or 'lbfgs' (with a backtracking line search). Default 'adam'. */
  optimizer?: "gd" | "adam" | "lbfgs";
  /** Number of epochs (full-batch steps; L-BFGS iterations), default 1000. */
  epochs?: number;
  /** Learning rate: default 0.1 for gd, 0.01 for adam; not used by lbfgs. */
  lr?: number;
  /** Adam's β₁, β₂, ε (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Stop early when ‖∇R‖ ≤ gtol (default 0: never). */
  gtol?: number;
  /** Called after every `progressEvery` epochs (default 1) and after the last one. */
  onProgress?: (p: TrainProgress) => void;
  progressEvery?: number;
  /** Stops training at the next epoch; the result then has `aborted: true` and the last parameters. */
  signal?: AbortSignal;
  /** Seed of the initialisation when `model` has no `params`. */
  seed?: number;
  /** Initialisation when `model` has no `params` (default 'xavier'; 'normal' uses std 1). */
  init?: "normal" | "xavier" | "he";
}

export interface TrainResult {
  model: Model;
  loss: number;
  gradNorm: number;
  /** Epochs completed. */
  epochs: number;
  /** Loss before training (epoch 0) and after every epoch. */
  history: { epoch: number; loss: number }[];
  /** True when a step produced a non-finite loss, gradient or parameter; `model` is then the last finite one. */
  diverged: boolean;
  /** True when `signal` stopped training. */
  aborted: boolean;
}

/**
 * Full-batch training of R(θ) (mse R = 1/(2n)Σ‖f − y‖² or mean softmax cross-entropy, plus (l2/2)‖θ‖²).
 * gd: θ ← θ − lr·∇R. adam: `adam`'s bias-corrected moment estimates (Kingma & Ba 2015). lbfgs: memory 10,
 * backtracking Armijo line search (Nocedal & Wright, Alg. 7.5). Divergence (a non-finite loss, gradient or
 * parameter) stops training and is reported with `diverged: true`; the returned model is the last finite one,
 * never NaN. A model without `params` is initialised with `init` and `seed`.
 * @example
 * const { model: trained, loss, history } = train(model, data, { optimizer: "lbfgs", epochs: 200 });
 */
export function train(model: Model | (MlpSpec & { params?: Float64Array }), data: Dataset, options: TrainOptions = {}): TrainResult {
  const fn = "train";
  const optimizer = options.optimizer ?? "adam";
  if (optimizer !== "gd" && optimizer !== "adam" && optimizer !== "lbfgs") {
    throw new ValueError(`${fn}: 'optimizer' must be 'gd', 'adam' or 'lbfgs'; found ${String(optimizer)}`);
  }
  const epochs = options.epochs ?? 1000;
  checkNumber(fn, "epochs", epochs, { min: 0, integer: true });
  const lr = options.lr ?? (optimizer === "gd" ? 0.1 : ADAM_DEFAULTS.lr);
  checkNumber(fn, "lr", lr, { min: 0, exclusiveMin: true });
  const gtol = options.gtol ?? 0;
  checkNumber(fn, "gtol", gtol, { min: 0 });
  const every = options.progressEvery ?? 1;
  checkNumber(fn, "progressEvery", every, { min: 1, integer: true });
  checkSignal(fn, "signal", options.signal);
  let start: Model;
  if (model.params === undefined) {
    compileSpec(fn, model);
    const seed = options.seed ?? 0;
    const scheme = options.init ?? "xavier";
    start = { ...model, params: initParams(model, { scheme, seed, std: scheme === "normal" ? 1 : undefined }) } as Model;
  } else start = model as Model;
  const net = checkModel(fn, start);
  checkData(fn, net, data);

  // θ, X and Y stay in WASM memory for the whole run: each evaluation only writes the new θ.
  using problem = new Problem(fn, net, start.params, data);
  const evaluate = (x: Float64Array) => problem.setParamsUnchecked(x).lossAndGradient();
  let p: Float64Array = Float64Array.from(start.params);
  let { loss, gradient: g } = evaluate(p);
  if (!Number.isFinite(loss) || !g.every(Number.isFinite)) {
    throw new ValueError(`${fn}: the loss or gradient at the initial parameters is not finite (loss = ${loss})`);
  }
  const history = [{ epoch: 0, loss }];
  let diverged = false;
  let aborted = false;
  let epoch = 0;
  let reported = -1;
  const report = (force: boolean) => {
    if (options.onProgress && reported !== epoch && (force || epoch % every === 0)) {
      reported = epoch;
      options.onProgress({ epoch, loss, gradNorm: nrm2(g) });
    }
  };
  const finiteAll = (x: Float64Array) => x.every(Number.isFinite);

  const adamOpt = optimizer === "adam" ? createAdam(fn, { lr, beta1: options.beta1, beta2: options.beta2, eps: options.eps }) : null;
  const lb = optimizer === "lbfgs" ? new Lbfgs((x) => {
    const e = evaluate(x);
    return { value: e.loss, grad: e.gradient };
  }, p, { value: loss, grad: g }) : null;

  while (epoch < epochs) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    if (gtol > 0 && nrm2(g) <= gtol) break;
    let pn: Float64Array;
    let ln: number;
    let gnew: Float64Array;
    if (lb) {
      const ok = lb.step();
      if (!ok) break; // no further decrease possible (converged to working precision)
      pn = lb.state.x;
      ln = lb.state.value;
      gnew = lb.state.grad;
    } else {
      pn = adamOpt ? adamOpt.step(p, g, new Float64Array(p.length)) : axpy(-lr, g, Float64Array.from(p));
      if (!finiteAll(pn)) {
        diverged = true;
        break;
      }
      const e = evaluate(pn);
      ln = e.loss;
      gnew = e.gradient;
    }
    if (!Number.isFinite(ln) || !finiteAll(gnew) || !finiteAll(pn)) {
      diverged = true;
      break;
    }
    p = pn;
    loss = ln;
    g = gnew;
    epoch++;
    history.push({ epoch, loss });
    report(false);
  }
  report(true);
  return { model: { ...start, params: p }, loss, gradNorm: nrm2(g), epochs: epoch, history, diverged, aborted };
}
