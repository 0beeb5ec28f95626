import { checkBoolean, checkNumber, checkSignal, dot, nrm2, ShapeError, ValueError, checkOptions } from "@losscape/core";
import { initParams } from "./init.js";
import { Lbfgs } from "./lbfgs.js";
import { forwardRaw, lossAndGradientRaw } from "./network.js";
import { ADAM_DEFAULTS, createAdam, createSgd, SGD_DEFAULTS, type Adam, type AdamState, type Sgd, type SgdState } from "./optim.js";
import { Problem } from "./problem.js";
import { createRng, type Rng } from "./rng.js";
import { asModel, checkData, checkModel, compileSpec, type Net } from "./spec.js";
import type { Dataset, DatasetInput, MlpSpec, Model, ModelInput } from "./types.js";

/** One row of `history`: the metrics at the end of an epoch (or at the start, for the first row). */
export interface EpochMetrics {
  /** Epochs completed since the start of the run (counted on across `resume`). */
  epoch: number;
  /** R(θ) over the whole training set (with the L2 term): the loss whose landscape losscape studies. */
  loss: number;
  /** Minibatch training: the mean of the epoch's batch losses (each the mean over its batch), PyTorch's running loss. */
  batchLoss?: number;
  /** Cross-entropy nets (see `TrainOptions.accuracy`): the share of rows whose argmax output is the argmax of y. */
  accuracy?: number;
  /** With `validation`: R on the held-out set (with the L2 term, as `loss(model, validation)`), and its accuracy. */
  valLoss?: number;
  valAccuracy?: number;
}

/** Progress of `train`, passed to `onProgress`: the epoch's metrics, a copy of θ and the state to resume from. */
export interface TrainProgress extends EpochMetrics {
  /** Full batch: ‖∇R(θ)‖; minibatch: the norm of the epoch's last batch gradient. */
  gradNorm: number;
  /** The model at this epoch (a copy of θ): a snapshot. */
  model: Model;
  /** The state to resume from at this epoch (absent for lbfgs). */
  state?: TrainState;
}

/** Progress within a minibatch epoch, passed to `onBatch` after every step. */
export interface BatchProgress {
  /** The epoch under way (1-based, counted on across `resume`). */
  epoch: number;
  /** Steps done in this epoch, 1..batches. */
  batch: number;
  batches: number;
  /** The step's batch loss (the mean over its rows). */
  loss: number;
}

/**
 * Everything `train` needs to continue a run bit for bit (`resume`): plain numbers, strings and arrays, so
 * `JSON.stringify`/`JSON.parse` round-trip it exactly. θ itself is the model's `params`.
 */
export interface TrainState {
  format: typeof TRAIN_STATE_FORMAT;
  optimizer: "gd" | "sgd" | "adam";
  /** The hyper-parameters: lr, momentum, nesterov (gd, sgd) or lr, beta1, beta2, eps (adam). */
  hyper: { lr: number; momentum: number; nesterov: boolean } | { lr: number; beta1: number; beta2: number; eps: number };
  /** Rows per batch; null for full-batch training. */
  batchSize: number | null;
  shuffle: boolean;
  /** Seed of the shuffle RNG `createRng(seed)`. */
  seed: number;
  /** Epochs completed. */
  epoch: number;
  /** Values drawn from the shuffle RNG so far (its position: a resumed run skips this many). */
  rngDraws: number;
  /** The optimiser's step count t and moments (adam: m, v; gd, sgd: the velocity). */
  optimizerState: AdamState | SgdState;
}

/** The `format` of a `TrainState`. */
export const TRAIN_STATE_FORMAT = "losscape.train-state/1";

export interface TrainOptions {
  /**
   * 'adam' (Kingma & Ba 2015; default), 'sgd' (with `momentum`, `nesterov`: see `sgd`), 'gd' (SGD without momentum)
   * or 'lbfgs' (full batch only, with a backtracking line search).
   */
  optimizer?: "gd" | "sgd" | "adam" | "lbfgs";
  /** Number of epochs this call runs (passes over the data; full batch: steps; L-BFGS: iterations), default 1000. */
  epochs?: number;
  /** Learning rate: default 0.1 for gd and sgd, 0.01 for adam; not used by lbfgs. */
  lr?: number;
  /** Adam's β₁, β₂, ε (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** SGD's momentum μ ≥ 0 (default 0) and Nesterov's variant (default false). */
  momentum?: number;
  nesterov?: boolean;
  /**
   * Rows per minibatch (integer ≥ 1). Undefined or ≥ n: full-batch training, one step per epoch. Otherwise each
   * epoch takes the rows in the order of a permutation (`shuffle`) and makes one step per batch of `batchSize`
   * rows (the last one smaller when batchSize does not divide n), each on the mean loss over its batch.
   */
  batchSize?: number;
  /**
   * Minibatch training: draw a fresh uniform permutation of the n rows every epoch (Fisher–Yates with
   * `createRng(seed)`, one stream over the whole run), as PyTorch's `DataLoader(shuffle=True)`; default true.
   * false: the rows in their order every epoch.
   */
  shuffle?: boolean;
  /**
   * Per-epoch `accuracy` (cross-entropy nets only). Default true for minibatch training, whose end-of-epoch pass
   * over the data gives it at no extra cost, false for full batch, where it costs a forward pass per epoch.
   */
  accuracy?: boolean;
  /** Held-out data: `valLoss` (and `valAccuracy` for cross-entropy nets) every epoch. */
  validation?: DatasetInput;
  /** Stop early when ‖∇R‖ ≤ gtol (full batch only; default 0: never). */
  gtol?: number;
  /** Called after every `progressEvery` epochs (default 1) and after the last one. */
  onProgress?: (p: TrainProgress) => void;
  progressEvery?: number;
  /** Minibatch training: called after every step. */
  onBatch?: (b: BatchProgress) => void;
  /** Stops training at the next epoch; the result then has `aborted: true` and the last parameters. */
  signal?: AbortSignal;
  /** Seed of the initialisation when `model` has no `params`, and of the shuffle RNG. Default 0. */
  seed?: number;
  /** Initialisation when `model` has no `params` (default 'xavier'; 'normal' uses std 1). */
  init?: "normal" | "xavier" | "he";
  /**
   * Continue a run from the `state` it returned (or passed to `onProgress`), with `model` its parameters at that
   * point: the optimiser, hyper-parameters, batch size, shuffling and seed are the state's (giving a different one
   * is an error), so 2 epochs and then 2 resumed epochs give the parameters of 4 epochs straight, bit for bit.
   */
  resume?: TrainState;
}

export interface TrainResult {
  model: Model;
  /** R(θ) over the whole training set at the end. */
  loss: number;
  /** Full batch: ‖∇R(θ)‖ at the end; minibatch: the norm of the last batch gradient. */
  gradNorm: number;
  /** Epochs completed by this call. */
  epochs: number;
  /** The metrics before training (first row) and after every epoch. */
  history: EpochMetrics[];
  /** True when a step produced a non-finite loss, gradient or parameter; `model` is then the last finite one. */
  diverged: boolean;
  /** True when `signal` stopped training. */
  aborted: boolean;
  /** The state to resume from (`resume`); absent for lbfgs and when the run diverged. */
  state?: TrainState;
}

/** Rows per forward pass of the end-of-epoch evaluation (bounds its WASM scratch). */
const EVAL_ROWS = 1024;

/**
 * Training of R(θ) (mse R = 1/(2n)Σ‖f − y‖² or mean softmax cross-entropy, plus (l2/2)‖θ‖²), full batch or in
 * minibatches (`batchSize`).
 * gd: θ ← θ − lr·∇R. sgd: v ← μv + g, θ ← θ − lr·v (PyTorch's torch.optim.SGD; nesterov θ ← θ − lr·(g + μv)).
 * adam: `adam`'s bias-corrected moment estimates (Kingma & Ba, ICLR 2015, Algorithm 1). lbfgs: memory 10,
 * backtracking Armijo line search (Nocedal & Wright, Alg. 7.5), full batch only.
 * Minibatches: every epoch a permutation π of the n rows (a fresh Fisher–Yates shuffle from the seeded RNG when
 * `shuffle`), then for the batches Bₖ = π[k·b, (k + 1)·b) one step on g = ∇R_B(θ), R_B the mean loss over the batch
 * (the last batch has n − ⌊(n − 1)/b⌋·b rows).
 * Metrics: `history` rows carry R(θ) over the whole training set at the end of each epoch (for minibatches also the
 * mean of the batch losses), the accuracy of cross-entropy nets and the loss and accuracy on `validation`. In
 * minibatch training R(θ) is a forward pass over the data (in chunks of 1024 rows) at the start and after every epoch,
 * about half the arithmetic of the epoch's steps (a step is a forward and a backward pass over its batch).
 * Divergence (a non-finite loss, gradient or parameter) stops training and is reported with `diverged: true`; the
 * returned model is the last finite one, never NaN. A model without `params` is initialised with `init` and `seed`.
 * `state` resumes a run (`resume`) bit for bit.
 * @example
 * const first = train(model, data, { optimizer: "sgd", momentum: 0.9, lr: 0.05, batchSize: 128, epochs: 10 });
 * first.history[10]; // { epoch: 10, loss, batchLoss, accuracy? }
 * const more = train(first.model, data, { resume: first.state, epochs: 10 }); // epochs 11–20 of the same run
 */
export function train(model: ModelInput | (MlpSpec & { params?: undefined }), data: DatasetInput, options: TrainOptions = {}): TrainResult {
  const fn = "train";
  options = checkOptions(fn, options, ["optimizer", "epochs", "lr", "beta1", "beta2", "eps", "momentum", "nesterov", "batchSize", "shuffle", "accuracy", "validation", "gtol", "onProgress", "progressEvery", "onBatch", "signal", "seed", "init", "resume"]);
  const resume = options.resume;
  if (resume !== undefined) checkStateShape(fn, resume);
  const given = (name: keyof TrainOptions) => options[name] !== undefined;

  const optimizer = resume?.optimizer ?? options.optimizer ?? "adam";
  if (optimizer !== "gd" && optimizer !== "sgd" && optimizer !== "adam" && optimizer !== "lbfgs") {
    throw new ValueError(`${fn}: 'optimizer' must be 'gd', 'sgd', 'adam' or 'lbfgs'; found ${String(optimizer)}`);
  }
  const epochs = options.epochs ?? 1000;
  checkNumber(fn, "epochs", epochs, { min: 0, integer: true });
  if (given("batchSize")) checkNumber(fn, "batchSize", options.batchSize, { min: 1, integer: true });
  checkBoolean(fn, "shuffle", options.shuffle);
  checkBoolean(fn, "accuracy", options.accuracy);
  const gtol = options.gtol ?? 0;
  checkNumber(fn, "gtol", gtol, { min: 0 });
  const every = options.progressEvery ?? 1;
  checkNumber(fn, "progressEvery", every, { min: 1, integer: true });
  checkSignal(fn, "signal", options.signal);
  if (given("seed")) checkNumber(fn, "seed", options.seed);
  if (optimizer !== "sgd" && (given("momentum") || given("nesterov"))) {
    throw new ValueError(`${fn}: 'momentum' and 'nesterov' are options of optimizer 'sgd'; found optimizer '${optimizer}'`);
  }
  if (optimizer !== "adam" && (given("beta1") || given("beta2") || given("eps"))) {
    throw new ValueError(`${fn}: 'beta1', 'beta2' and 'eps' are options of optimizer 'adam'; found optimizer '${optimizer}'`);
  }

  let start: Model;
  if (typeof model !== "object" || model === null) throw new ValueError(`${fn}: 'model' must be an object; found ${String(model)}`);
  if (model.params === undefined) {
    if (resume) throw new ValueError(`${fn}: 'resume' needs the model with its params at the resumed state; found a model without params`);
    compileSpec(fn, model);
    const seed = options.seed ?? 0;
    const scheme = options.init ?? "xavier";
    if (scheme !== "normal" && scheme !== "xavier" && scheme !== "he") {
      throw new ValueError(`${fn}: 'init' must be 'xavier', 'he' or 'normal'; found ${String(scheme)}`);
    }
    start = { ...model, params: initParams(model, { scheme, seed, std: scheme === "normal" ? 1 : undefined }) } as Model;
  } else start = asModel(model);
  const net = checkModel(fn, start);
  data = checkData(fn, net, data);
  const validation = options.validation !== undefined ? checkData(fn, net, options.validation, "validation") : undefined;
  const n = data.x.rows;
  const classify = net.loss === 1;
  if (options.accuracy && !classify) throw new ValueError(`${fn}: 'accuracy' needs a cross-entropy net; found loss 'mse'`);

  const asked = options.batchSize !== undefined && options.batchSize < n ? options.batchSize : null;
  if (resume) {
    // The resumed run's settings are the state's: the options may repeat them, never change them.
    const settings: [string, unknown, unknown][] = [
      ...Object.entries(resume.hyper).map(([k, v]): [string, unknown, unknown] => [k, options[k as keyof TrainOptions], v]),
      ["optimizer", options.optimizer, resume.optimizer],
      ["batchSize", options.batchSize === undefined ? undefined : asked, resume.batchSize],
      ["shuffle", options.shuffle, resume.shuffle],
      ["seed", options.seed, resume.seed],
    ];
    for (const [k, mine, theirs] of settings) {
      if (mine !== undefined && mine !== theirs) {
        throw new ValueError(`${fn}: '${k}' is ${String(mine)} but the resumed state has ${String(theirs)}; leave it out to continue the run`);
      }
    }
    const length = "m" in resume.optimizerState ? resume.optimizerState.m.length : resume.optimizerState.velocity.length;
    if (length > 0 && length !== net.M) {
      throw new ShapeError(`${fn}: the resumed optimizer state has ${length} entries per moment; the model has ${net.M} parameters`);
    }
  }
  const batchSize = resume ? resume.batchSize : asked;
  if (optimizer === "lbfgs" && batchSize !== null) {
    throw new ValueError(`${fn}: 'lbfgs' trains on the full batch; found batchSize ${options.batchSize} < n = ${n} (use 'sgd' or 'adam' for minibatches)`);
  }
  const shuffle = resume ? resume.shuffle : batchSize !== null && (options.shuffle ?? true);
  const seed = resume ? resume.seed : (options.seed ?? 0);
  const h = (resume ? resume.hyper : options) as unknown as Record<string, number | boolean | undefined>;
  let opt: Adam | Sgd | null = null;
  if (optimizer === "adam") {
    opt = createAdam(fn, { lr: (h.lr as number | undefined) ?? ADAM_DEFAULTS.lr, beta1: h.beta1 as number, beta2: h.beta2 as number, eps: h.eps as number }, resume?.optimizerState as AdamState | undefined, false);
  } else if (optimizer !== "lbfgs") {
    const momentum = optimizer === "gd" ? 0 : (h.momentum as number | undefined);
    opt = createSgd(fn, { lr: (h.lr as number | undefined) ?? SGD_DEFAULTS.lr, momentum, nesterov: h.nesterov as boolean | undefined }, resume?.optimizerState as SgdState | undefined, false);
  } else if (options.lr !== undefined) checkNumber(fn, "lr", options.lr, { min: 0, exclusiveMin: true });
  const hyper = opt ? { ...opt.options } : null;
  const wantAccuracy = classify && (options.accuracy ?? batchSize !== null);
  const firstEpoch = resume?.epoch ?? 0;
  const rng = createRng(seed);
  let rngDraws = resume?.rngDraws ?? 0;
  for (let k = 0; k < rngDraws; k++) rng.next();

  const stateNow = (epoch: number): TrainState | undefined =>
    opt && hyper
      ? {
          format: TRAIN_STATE_FORMAT,
          optimizer: optimizer as TrainState["optimizer"],
          hyper: hyper as TrainState["hyper"],
          batchSize,
          shuffle,
          seed,
          epoch,
          rngDraws,
          optimizerState: opt.state(),
        }
      : undefined;
  const metricsOf = (epoch: number, p: Float64Array, loss: number | undefined, batchLoss: number | undefined): EpochMetrics => {
    const row: EpochMetrics = { epoch, loss: 0 };
    if (loss === undefined || wantAccuracy) {
      const e = evaluate(fn, net, p, data);
      row.loss = loss ?? e.loss;
      if (wantAccuracy) row.accuracy = e.accuracy;
    } else row.loss = loss;
    if (batchLoss !== undefined) row.batchLoss = batchLoss;
    if (validation) {
      const v = evaluate(fn, net, p, validation);
      row.valLoss = v.loss;
      if (classify) row.valAccuracy = v.accuracy;
    }
    return row;
  };
  const run = { net, start, opt, epochs, firstEpoch, every, options, metricsOf, stateNow };
  if (batchSize === null) return fullBatch(fn, run, data, optimizer === "lbfgs", gtol);
  return minibatches(fn, run, data, batchSize, shuffle, rng, (k) => (rngDraws += k));
}

/** What both training loops share. */
interface Run {
  net: Net;
  start: Model;
  opt: Adam | Sgd | null;
  epochs: number;
  firstEpoch: number;
  every: number;
  options: TrainOptions;
  metricsOf: (epoch: number, p: Float64Array, loss: number | undefined, batchLoss: number | undefined) => EpochMetrics;
  stateNow: (epoch: number) => TrainState | undefined;
}

/** Calls `onProgress` every `every` epochs and at the end (once per epoch). */
function reporter(run: Run) {
  let reported = -1;
  return (force: boolean, row: EpochMetrics, p: Float64Array, gradNorm: () => number) => {
    const on = run.options.onProgress;
    if (!on || reported === row.epoch || !(force || row.epoch % run.every === 0)) return;
    reported = row.epoch;
    const state = run.stateNow(row.epoch);
    on({ ...row, gradNorm: gradNorm(), model: { ...run.start, params: Float64Array.from(p) }, ...(state ? { state } : {}) });
  };
}

const allFinite = (x: Float64Array): boolean => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * 0; // ±∞ and NaN give NaN
  return s === 0;
};

/** Full-batch training: one step per epoch; the loss at the new θ comes with the gradient for the next step. */
function fullBatch(fn: string, run: Run, data: Dataset, lbfgs: boolean, gtol: number): TrainResult {
  const { net, start, opt, options } = run;
  // θ, X and Y stay in WASM memory for the whole run: each evaluation only writes the new θ.
  using problem = new Problem(fn, net, start.params, data);
  const evaluateAt = (x: Float64Array) => problem.setParamsUnchecked(x).lossAndGradient();
  let p: Float64Array = Float64Array.from(start.params);
  let { loss, gradient: g } = evaluateAt(p);
  if (!Number.isFinite(loss) || !g.every(Number.isFinite)) {
    throw new ValueError(`${fn}: the loss or gradient at the initial parameters is not finite (loss = ${loss})`);
  }
  let epoch = run.firstEpoch;
  let row = run.metricsOf(epoch, p, loss, undefined);
  const history = [row];
  let diverged = false;
  let aborted = false;
  const report = reporter(run);
  const lb = lbfgs
    ? new Lbfgs((x) => {
        const e = evaluateAt(x);
        return { value: e.loss, grad: e.gradient };
      }, p, { value: loss, grad: g })
    : null;

  while (epoch < run.firstEpoch + run.epochs) {
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
      pn = opt!.step(p, g, new Float64Array(p.length));
      if (!allFinite(pn)) {
        diverged = true;
        break;
      }
      const e = evaluateAt(pn);
      ln = e.loss;
      gnew = e.gradient;
    }
    if (!Number.isFinite(ln) || !allFinite(gnew) || !allFinite(pn)) {
      diverged = true;
      break;
    }
    p = pn;
    loss = ln;
    g = gnew;
    epoch++;
    row = run.metricsOf(epoch, p, loss, undefined);
    history.push(row);
    report(false, row, p, () => nrm2(g));
  }
  report(true, row, p, () => nrm2(g));
  const state = diverged ? undefined : run.stateNow(epoch);
  return { model: { ...start, params: p }, loss, gradNorm: nrm2(g), epochs: epoch - run.firstEpoch, history, diverged, aborted, ...(state ? { state } : {}) };
}

/**
 * Minibatch training. The batch's rows are gathered into one buffer of `batchSize` rows, uploaded once per step
 * into the resident copy a single `Problem` holds (no allocation in WASM memory per step); θ lives in two
 * M-sized arrays the optimiser writes alternately, the batch gradient in a third: a step allocates nothing M-sized.
 */
function minibatches(fn: string, run: Run, data: Dataset, batchSize: number, shuffle: boolean, rng: Rng, drew: (k: number) => void): TrainResult {
  const { net, start, opt, options } = run;
  const n = data.x.rows;
  const dIn = data.x.cols;
  const dOut = data.y.cols;
  const X = data.x.data;
  const Y = data.y.data;
  const batches = Math.ceil(n / batchSize);
  const xb = new Float64Array(batchSize * dIn);
  const yb = new Float64Array(batchSize * dOut);
  using problem = new Problem(fn, net, start.params, { x: { rows: batchSize, cols: dIn, data: xb }, y: { rows: batchSize, cols: dOut, data: yb } });
  let p = Float64Array.from(start.params);
  let next = new Float64Array(p.length);
  const g = new Float64Array(p.length);
  const order = new Int32Array(n);
  let epoch = run.firstEpoch;
  let row = run.metricsOf(epoch, p, undefined, undefined);
  if (!Number.isFinite(row.loss)) throw new ValueError(`${fn}: the loss at the initial parameters is not finite (loss = ${row.loss})`);
  const history = [row];
  let diverged = false;
  let aborted = false;
  let gradNorm = NaN;
  const report = reporter(run);

  epochs: while (epoch < run.firstEpoch + run.epochs) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    for (let i = 0; i < n; i++) order[i] = i;
    if (shuffle) {
      // Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P): a uniform permutation from n − 1 draws.
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      drew(n - 1);
    }
    let batchLossSum = 0;
    for (let b = 0; b < batches; b++) {
      const lo = b * batchSize;
      const rows = Math.min(batchSize, n - lo);
      for (let k = 0; k < rows; k++) {
        const i = order[lo + k];
        xb.set(X.subarray(i * dIn, (i + 1) * dIn), k * dIn);
        yb.set(Y.subarray(i * dOut, (i + 1) * dOut), k * dOut);
      }
      const loss = problem.setRowsUnchecked(xb, yb, rows).setParamsUnchecked(p).lossAndGradientInto(g);
      // A non-finite loss or gradient is a divergence (the optimiser's step refuses a non-finite gradient); so is a
      // finite step that overflows θ.
      if (!Number.isFinite(loss) || !allFinite(g)) {
        diverged = true;
        break epochs;
      }
      opt!.step(p, g, next);
      if (!allFinite(next)) {
        diverged = true;
        break epochs;
      }
      [p, next] = [next, p];
      batchLossSum += loss;
      if (b === batches - 1) gradNorm = nrm2(g);
      options.onBatch?.({ epoch: epoch + 1, batch: b + 1, batches, loss });
    }
    epoch++;
    row = run.metricsOf(epoch, p, undefined, batchLossSum / batches);
    history.push(row);
    if (!Number.isFinite(row.loss)) {
      diverged = true;
      break;
    }
    report(false, row, p, () => gradNorm);
  }
  // Without a step (epochs 0, or an abort before the first epoch), the full gradient's norm.
  if (Number.isNaN(gradNorm)) gradNorm = nrm2(lossAndGradientRaw(net, p, data).gradient);
  report(true, row, p, () => gradNorm);
  const state = diverged ? undefined : run.stateNow(epoch);
  // A divergence within an epoch leaves θ between the last row and the failed step: R is evaluated there.
  const loss = diverged ? evaluate(fn, net, p, data).loss : row.loss;
  return { model: { ...start, params: p }, loss, gradNorm, epochs: epoch - run.firstEpoch, history, diverged, aborted, ...(state ? { state } : {}) };
}

/**
 * R(θ) over `data` (with the L2 term) and, for cross-entropy nets, the accuracy: the share of rows i with
 * argmaxₖ fᵢₖ = argmaxₖ yᵢₖ (first maximum on ties). Forward passes of `EVAL_ROWS` rows; the loss terms are those of
 * `loss` (mse ½‖f − y‖², cross-entropy sᵢ·logΣₖe^{fᵢₖ} − Σₖyᵢₖfᵢₖ) summed in row order, so R equals
 * `loss(model, data)` to rounding.
 */
function evaluate(fn: string, net: Net, p: Float64Array, data: Dataset): { loss: number; accuracy: number } {
  const n = data.x.rows;
  const dIn = data.x.cols;
  const r = data.y.cols;
  const Y = data.y.data;
  let sum = 0;
  let correct = 0;
  for (let lo = 0; lo < n; lo += EVAL_ROWS) {
    const rows = Math.min(EVAL_ROWS, n - lo);
    const f = forwardRaw(fn, net, p, data.x.data.subarray(lo * dIn, (lo + rows) * dIn), rows);
    for (let k = 0; k < rows; k++) {
      const o = k * r;
      const oy = (lo + k) * r;
      if (net.loss === 0) {
        for (let c = 0; c < r; c++) {
          const e = f[o + c] - Y[oy + c];
          sum += 0.5 * e * e;
        }
        continue;
      }
      let mx = -Infinity;
      let arg = 0;
      let ymx = -Infinity;
      let yarg = 0;
      for (let c = 0; c < r; c++) {
        if (f[o + c] > mx) [mx, arg] = [f[o + c], c];
        if (Y[oy + c] > ymx) [ymx, yarg] = [Y[oy + c], c];
      }
      let se = 0;
      for (let c = 0; c < r; c++) se += Math.exp(f[o + c] - mx);
      const lse = mx + Math.log(se);
      let s = 0;
      let yf = 0;
      for (let c = 0; c < r; c++) {
        s += Y[oy + c];
        yf += Y[oy + c] * f[o + c];
      }
      sum += s * lse - yf;
      if (arg === yarg) correct++;
    }
  }
  return { loss: sum / n + (net.l2 === 0 ? 0 : 0.5 * net.l2 * dot(p, p)), accuracy: correct / n };
}

/** The fields of a `TrainState` (its numbers are checked where they are used). */
function checkStateShape(fn: string, s: TrainState): void {
  const bad = (what: string, found: unknown) => {
    throw new ValueError(`${fn}: 'resume' must be a ${TRAIN_STATE_FORMAT} state (the 'state' train returns); ${what}, found ${found}`);
  };
  if (typeof s !== "object" || s === null) bad("an object", String(s));
  if (s.format !== TRAIN_STATE_FORMAT) bad(`format '${TRAIN_STATE_FORMAT}'`, JSON.stringify(s.format));
  if (s.optimizer !== "gd" && s.optimizer !== "sgd" && s.optimizer !== "adam") bad("optimizer 'gd', 'sgd' or 'adam'", JSON.stringify(s.optimizer));
  if (typeof s.hyper !== "object" || s.hyper === null) bad("hyper an object", JSON.stringify(s.hyper));
  if (s.batchSize !== null) checkNumber(fn, "resume.batchSize", s.batchSize, { min: 1, integer: true });
  if (typeof s.shuffle !== "boolean") bad("shuffle a boolean", JSON.stringify(s.shuffle));
  checkNumber(fn, "resume.seed", s.seed);
  checkNumber(fn, "resume.epoch", s.epoch, { min: 0, integer: true });
  checkNumber(fn, "resume.rngDraws", s.rngDraws, { min: 0, integer: true });
  if (typeof s.optimizerState !== "object" || s.optimizerState === null) bad("optimizerState an object", JSON.stringify(s.optimizerState));
  const adamLike = "m" in s.optimizerState;
  if (adamLike !== (s.optimizer === "adam")) bad(`optimizerState of optimizer '${s.optimizer}'`, Object.keys(s.optimizerState).join(", "));
}
