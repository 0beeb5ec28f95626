import { checkAllocation, checkNumber, ValueError, type Inertia, checkOptions } from "@losscape/core";
import {
  createRng,
  DEFAULT_SPECTRUM_LIMIT,
  initParams,
  paramCount,
  refineCriticalPoint,
  train,
  type Activation,
  type CriticalKind,
  type CriticalOutcome,
  type Dataset,
  type MlpSpec,
  type Model,
  type RefineOptions,
} from "@losscape/mlp";
import { criticalEnergy } from "./pennington-bahri.js";

/** The four outcomes of `refineCriticalPoint`, in the order they are reported. */
export const CRITICAL_OUTCOMES: readonly CriticalOutcome[] = ["critical", "gradient-flat", "escaping", "stalled"];

// ─── The fit α ≈ α₀·|(ε − ε_c)/ε_c|^{3/2} ──────────────────────────────────────────────────────────────────────────

export interface CriticalEnergyFitOptions {
  /** The small-index window: only points with 0 < α ≤ maxIndex are fitted (default 0.1; 0 < maxIndex < 1). */
  maxIndex?: number;
  /**
   * 'binomial' (default): wᵢ ∝ 1/Var(αᵢ^{2/3}) with α = k/M binomial, Var(α) = α(1 − α)/M propagated by the delta
   * method, Var(α^{2/3}) ≈ (4/9)·α^{1/3}(1 − α)/M, so wᵢ = αᵢ^{−1/3}/(1 − αᵢ) (M cancels). 'uniform': wᵢ = 1.
   */
  weights?: "binomial" | "uniform";
  /** Percentile bootstrap over the fitted points: `resamples` (default 1000) draws with replacement, seeded (default 0). */
  bootstrap?: { resamples?: number; seed?: number };
  /** Level of the intervals (default 0.95). */
  confidence?: number;
}

export interface CriticalEnergyFit {
  /** ε_c = −t/s of the fitted line α^{2/3} = s·ε + t; null when s ≤ 0 (no critical energy in the window). */
  epsC: number | null;
  /** α₀ = (s·|ε_c|)^{3/2}, so that α = α₀·|(ε − ε_c)/ε_c|^{3/2} above ε_c; null with `epsC`. */
  alpha0: number | null;
  /** s: α^{2/3} = s·(ε − ε_c), i.e. α = (s·(ε − ε_c))^{3/2} for ε > ε_c (defined whatever the sign of ε_c). */
  slope: number;
  /** Percentile bootstrap intervals at `confidence`; null when fewer than 2 resamples gave a positive slope. */
  epsCInterval: [number, number] | null;
  alpha0Interval: [number, number] | null;
  /** Number of points in the window 0 < α ≤ maxIndex (the points fitted). */
  used: number;
  /** Bootstrap resamples that gave a positive slope (the ones the intervals are taken from). */
  resamples: number;
  /** Conditions a reader must know: ε_c < 0, a slope ≤ 0, resamples left out. */
  warnings: string[];
}

/** Weighted least squares of y = s·x + t over the points `idx` (default all); null when their x are all equal. */
function weightedLine(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, idx?: ArrayLike<number>): { s: number; t: number } | null {
  const n = idx ? idx.length : x.length;
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
  }
  if (!(hi > lo)) return null;
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    sxx += w[i] * (x[i] - mx) ** 2;
    sxy += w[i] * (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0)) return null;
  const s = sxy / sxx;
  return { s, t: my - s * mx };
}

/** The q-quantile of sorted values, linear between order statistics (Hyndman & Fan type 7). */
function quantileSorted(v: ArrayLike<number>, q: number): number {
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

/**
 * Fit Pennington & Bahri's small-index law α ≈ α₀·|(ε − ε_c)/ε_c|^{3/2} (ICML 2017, eq. (16) and Fig. 6;
 * docs/conventions.md#fitting-the-critical-energy) to (ε, α) points: weighted least squares of α^{2/3} = s·ε + t over
 * the points with 0 < α ≤ `maxIndex` (the law holds for small α), so ε_c = −t/s and α₀ = (s·|ε_c|)^{3/2}; intervals
 * for ε_c and α₀ by the percentile bootstrap over those points (resampled with replacement, refitted, resamples with
 * a slope ≤ 0 left out and counted). A negative ε_c or a slope ≤ 0 is returned with a warning, never silently.
 * Returns null when fewer than 3 points are in the window or their ε are all equal. Bad input throws ValueError.
 * @example
 * const fit = fitCriticalEnergy(points.map((p) => ({ eps: p.eps, alpha: p.alpha })), { maxIndex: 0.1 });
 * fit?.epsC; fit?.epsCInterval; fit?.warnings;
 */
export function fitCriticalEnergy(points: readonly { eps: number; alpha: number }[], options: CriticalEnergyFitOptions = {}): CriticalEnergyFit | null {
  const fn = "fitCriticalEnergy";
  options = checkOptions(fn, options, ["maxIndex", "weights", "bootstrap", "confidence"]);
  if (!Array.isArray(points)) throw new ValueError(`${fn}: argument 'points' must be an array of { eps, alpha }; found ${String(points)}`);
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: argument 'options' must be an object; found ${String(options)}`);
  const { maxIndex = 0.1, weights = "binomial", confidence = 0.95 } = options;
  checkNumber(fn, "maxIndex", maxIndex, { min: 0, exclusiveMin: true });
  if (!(maxIndex < 1)) throw new ValueError(`${fn}: 'maxIndex' must be < 1 (a small-index window); found ${maxIndex}`);
  if (weights !== "binomial" && weights !== "uniform") throw new ValueError(`${fn}: 'weights' must be 'binomial' or 'uniform'; found ${String(weights)}`);
  checkNumber(fn, "confidence", confidence, { min: 0, exclusiveMin: true });
  if (!(confidence < 1)) throw new ValueError(`${fn}: 'confidence' must be < 1; found ${confidence}`);
  const boot = options.bootstrap ?? {};
  if (typeof boot !== "object" || boot === null) throw new ValueError(`${fn}: 'bootstrap' must be { resamples?, seed? }; found ${String(boot)}`);
  const { resamples = 1000, seed = 0 } = boot;
  checkNumber(fn, "bootstrap.resamples", resamples, { min: 0, integer: true });
  checkNumber(fn, "bootstrap.seed", seed);
  points.forEach((p, i) => {
    if (typeof p !== "object" || p === null) throw new ValueError(`${fn}: 'points[${i}]' must be { eps, alpha }; found ${String(p)}`);
    checkNumber(fn, `points[${i}].eps`, p.eps);
    checkNumber(fn, `points[${i}].alpha`, p.alpha, { min: 0, max: 1 });
  });

  const use = points.filter((p) => p.alpha > 0 && p.alpha <= maxIndex);
  const n = use.length;
  const x = Float64Array.from(use, (p) => p.eps);
  const y = Float64Array.from(use, (p) => Math.pow(p.alpha, 2 / 3));
  const w = Float64Array.from(use, (p) => (weights === "binomial" ? Math.pow(p.alpha, -1 / 3) / (1 - p.alpha) : 1));
  const line = n >= 3 ? weightedLine(x, y, w) : null;
  if (!line) return null;
  const warnings: string[] = [];
  const positive = line.s > 0;
  const epsC = positive ? -line.t / line.s : null;
  const alpha0 = epsC === null ? null : Math.pow(line.s * Math.abs(epsC), 1.5);
  if (!positive) warnings.push(`the fitted slope of α^{2/3} against ε is ${line.s} ≤ 0: α does not grow with ε in the window 0 < α ≤ ${maxIndex} (${n} points); no ε_c`);
  else if (epsC! < 0) warnings.push(`the fitted ε_c = ${epsC} is negative: the small-index law does not describe these ${n} points (try a smaller maxIndex, more runs, or check that the runs are critical points)`);

  // Percentile bootstrap: resample the n fitted points with replacement and refit.
  const rng = createRng(seed);
  const epsCs: number[] = [];
  const alpha0s: number[] = [];
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < n; k++) idx[k] = rng.int(n);
    const l = weightedLine(x, y, w, idx);
    if (!l || !(l.s > 0)) continue;
    const e = -l.t / l.s;
    epsCs.push(e);
    alpha0s.push(Math.pow(l.s * Math.abs(e), 1.5));
  }
  const kept = epsCs.length;
  if (resamples > 0 && kept < resamples) {
    warnings.push(`${resamples - kept} of ${resamples} bootstrap resamples had all ε equal or a slope ≤ 0 and were left out: the intervals are conditional on a positive slope`);
  }
  let epsCInterval: [number, number] | null = null;
  let alpha0Interval: [number, number] | null = null;
  if (kept >= 2) {
    const lo = (1 - confidence) / 2;
    const hi = 1 - lo;
    epsCs.sort((a, b) => a - b);
    alpha0s.sort((a, b) => a - b);
    epsCInterval = [quantileSorted(epsCs, lo), quantileSorted(epsCs, hi)];
    alpha0Interval = [quantileSorted(alpha0s, lo), quantileSorted(alpha0s, hi)];
  }
  return { epsC, alpha0, slope: line.s, epsCInterval, alpha0Interval, used: n, resamples: kept, warnings };
}

// ─── The experiment ───────────────────────────────────────────────────────────────────────────────────────────────

/** One run of `indexEnergyExperiment`: a descent end point refined by `refineCriticalPoint`, and where it ended. */
export interface IndexEnergyRun {
  /** The φ it belongs to, as requested (the key with `run`). */
  phi: number;
  /** 0-based run number within its φ. */
  run: number;
  /** Seed of the initialisation: `indexEnergySeed(seed, phi, run)`. */
  seed: number;
  /** Descent steps before the refinement: `descent.steps[run % steps.length]`. */
  descentSteps: number;
  /** ε = R/d_out at the refined point (docs/conventions.md#energy). */
  eps: number;
  /** α = inertia.negative / M. */
  alpha: number;
  gradNorm: number;
  outcome: CriticalOutcome;
  /** Given for `critical` outcomes only. */
  kind: CriticalKind | null;
  /** Counts at refineCriticalPoint's `tol` (default 1e-9). */
  inertia: { negative: number; zero: number; positive: number };
  /** The counts agree at tol 1e-9 and 1e-6. */
  inertiaStable: boolean;
  /** ρ = ‖H∇R‖/(‖H‖₂‖∇R‖). */
  flatness: number;
  /** ‖θ_end‖/‖θ_start‖ of the refinement. */
  normGrowth: number;
  /** Iterations of the refinement. */
  iterations: number;
  /** Wall time of the run (descent and refinement). */
  seconds: number;
}

/** The runs of one φ and what they give: outcome shares, the fit on the critical runs, the references. */
export interface IndexEnergyPhi {
  /** φ as requested. */
  phi: number;
  /** m, the number of samples. */
  samples: number;
  /** M/(m·d_out): φ after rounding m to an integer; the references below are taken here. */
  phiEffective: number;
  runs: IndexEnergyRun[];
  /** Share of each outcome among `runs` (0 with no runs). */
  outcomes: Record<CriticalOutcome, number>;
  /** `fitCriticalEnergy` on the `critical` runs only. */
  fit: CriticalEnergyFit | null;
  /** ε_c of the Wigner model at φ_effective (`criticalEnergy('wigner', φ)`; 0 when φ ≥ 1). */
  theoryEpsC: number;
  /** Pennington & Bahri's empirical ε_c ≈ ½(1 − φ)² at φ_effective (0 when φ ≥ 1). */
  empiricalEpsC: number;
}

export interface IndexEnergyExperiment {
  spec: MlpSpec;
  /** M. */
  paramCount: number;
  /** d_out. */
  outputDim: number;
  phis: IndexEnergyPhi[];
  /** `signal` stopped the experiment: `phis` hold the runs finished before. */
  aborted: boolean;
}

export interface IndexEnergyOptions {
  /** [d_in, m₁, …, d_out]. */
  widths: readonly number[];
  /** Hidden activation(s) (default 'tanh'). */
  activation?: Activation | readonly Activation[];
  /** Biases (default true; Pennington & Bahri's nets have none). */
  bias?: boolean;
  /** 'gaussian': x, y i.i.d. N(0, 1), m = round(M/(φ·d_out)) samples per φ; or a fixed data set (then one φ). */
  data: "gaussian" | Dataset;
  /** φ = M/(m·d_out) values. Required with 'gaussian'; with a Dataset omitted or one value that gives its m. */
  phi?: readonly number[];
  /** Runs per φ. */
  runs: number;
  /** Descent from each initialisation before the refinement: `train` with `optimizer` for steps[run % steps.length] steps. */
  descent: { optimizer: "lbfgs" | "adam" | "gd"; steps: readonly number[]; lr?: number };
  /** Options of `refineCriticalPoint` (method, gtol, gtolRel, maxIter, tol, flatTol). */
  refine?: Omit<RefineOptions, "signal">;
  /** Options of `fitCriticalEnergy`. */
  fit?: CriticalEnergyFitOptions;
  /** Seed of everything (default 0): see `indexEnergySeed`. */
  seed?: number;
  /** Called with each run's record as it finishes. */
  onRun?: (record: IndexEnergyRun) => void;
  /** Runs for which it returns true are not computed (resuming from records kept elsewhere). */
  skip?: (key: { phi: number; run: number }) => boolean;
  /** Stops the experiment: a run in progress is dropped, the result has `aborted: true`. */
  signal?: AbortSignal;
}

/** fmix32 of MurmurHash3: a bijection of 32-bit words that mixes every bit into every other. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The seed of one piece of `indexEnergyExperiment`, from the experiment's `seed`, the value of φ and the run:
 * run r ≥ 0 starts from initParams(spec, { scheme: 'xavier', seed: indexEnergySeed(seed, φ, r) }), and the
 * 'gaussian' data of φ are drawn from createRng(indexEnergySeed(seed, φ, −1)) (x row by row, then y). The seed is
 * a 32-bit hash (MurmurHash3's fmix32 chained over the words of seed, of φ's float64 bits and of r), so the runs
 * of one φ do not depend on the other φ values asked for, nor on the number of runs.
 * @example
 * indexEnergySeed(0, 0.5, 3); // the initialisation seed of run 3 at φ = 0.5
 */
export function indexEnergySeed(seed: number, phi: number, run: number): number {
  const fn = "indexEnergySeed";
  checkNumber(fn, "seed", seed, { integer: true });
  checkNumber(fn, "phi", phi, { min: 0, exclusiveMin: true });
  checkNumber(fn, "run", run, { min: -1, integer: true });
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, phi);
  const words = [seed >>> 0, Math.floor(seed / 4294967296) >>> 0, bits.getUint32(0), bits.getUint32(4), run >>> 0];
  let h = 0x9e3779b9;
  for (const word of words) h = fmix32((h ^ Math.imul(word, 0xcc9e2d51)) + 0x6b43a9b5);
  return h;
}

/**
 * The summary of one φ from its runs: the outcome shares, `fitCriticalEnergy` on the `critical` runs, the Wigner
 * model's ε_c and the empirical ½(1 − φ)², both at φ_effective = M/(m·d_out). `indexEnergyExperiment` returns it
 * for the runs it computed; a caller resuming from stored runs builds it from all of them.
 * @example
 * indexEnergySummary(runs, { phi: 0.5, samples: 64, paramCount: 512, outputDim: 16 });
 */
export function indexEnergySummary(
  runs: readonly IndexEnergyRun[],
  o: { phi: number; samples: number; paramCount: number; outputDim: number; fit?: CriticalEnergyFitOptions },
): IndexEnergyPhi {
  const fn = "indexEnergySummary";
  if (!Array.isArray(runs)) throw new ValueError(`${fn}: argument 'runs' must be an array of run records; found ${String(runs)}`);
  if (typeof o !== "object" || o === null) throw new ValueError(`${fn}: argument 'o' must be { phi, samples, paramCount, outputDim }; found ${String(o)}`);
  checkOptions(fn, o, ["phi", "samples", "paramCount", "outputDim", "fit"]);
  checkNumber(fn, "phi", o.phi, { min: 0, exclusiveMin: true });
  checkNumber(fn, "samples", o.samples, { min: 1, integer: true });
  checkNumber(fn, "paramCount", o.paramCount, { min: 1, integer: true });
  checkNumber(fn, "outputDim", o.outputDim, { min: 1, integer: true });
  const phiEffective = o.paramCount / (o.samples * o.outputDim);
  const outcomes = Object.fromEntries(CRITICAL_OUTCOMES.map((c) => [c, runs.length === 0 ? 0 : runs.filter((r) => r.outcome === c).length / runs.length])) as Record<CriticalOutcome, number>;
  const critical = runs.filter((r) => r.outcome === "critical").map((r) => ({ eps: r.eps, alpha: r.alpha }));
  return {
    phi: o.phi,
    samples: o.samples,
    phiEffective,
    runs: [...runs],
    outcomes,
    fit: fitCriticalEnergy(critical, o.fit),
    theoryEpsC: criticalEnergy("wigner", phiEffective),
    empiricalEpsC: phiEffective < 1 ? 0.5 * (1 - phiEffective) ** 2 : 0,
  };
}

/** Yield to the event loop, so that an AbortSignal raised by a timer or a signal handler is seen between runs. */
const nextTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Pennington & Bahri's Figure 6 (ICML 2017, §6) in one call: for each φ, `runs` critical points of the net
 * `widths` and their energy ε = R/d_out and index α = (negative eigenvalues)/M.
 * - Data: 'gaussian' draws m = round(M/(φ·d_out)) samples with x, y i.i.d. N(0, 1) per φ (seeded, see
 *   `indexEnergySeed`); a Dataset fixes m, hence one φ = M/(m·d_out) (a given `phi` must have one value with
 *   round(M/(φ·d_out)) = m).
 * - Run r of φ: Xavier initialisation (seed `indexEnergySeed(seed, φ, r)`), `descent.steps[r % steps.length]` steps
 *   of `train` with `descent.optimizer` (different descent lengths land at different energies), then
 *   `refineCriticalPoint` with `refine`. Each finished run is passed to `onRun`; `skip({ phi, run })` leaves runs
 *   out (resuming); `signal` stops between runs (the run in progress is dropped) with `aborted: true`.
 * - Per φ (`indexEnergySummary`): the records, the outcome shares, `fitCriticalEnergy` on the `critical` runs only,
 *   the Wigner model's ε_c(φ) and the empirical ½(1 − φ)².
 * Asynchronous: it yields to the event loop between runs so an abort can arrive. Call `await init()` first.
 * @example
 * const e = await indexEnergyExperiment({ widths: [8, 8, 8], bias: false, data: "gaussian", phi: [0.25, 0.5],
 *   runs: 50, descent: { optimizer: "lbfgs", steps: [0, 16, 256] } });
 * e.phis.map((p) => [p.phi, p.fit?.epsC, p.empiricalEpsC]);
 */
export async function indexEnergyExperiment(options: IndexEnergyOptions): Promise<IndexEnergyExperiment> {
  const fn = "indexEnergyExperiment";
  options = checkOptions(fn, options, ["widths", "activation", "bias", "data", "phi", "runs", "descent", "refine", "fit", "seed", "onRun", "skip", "signal"], { required: true });
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: argument 'options' must be an object; found ${String(options)}`);
  const { widths, activation = "tanh", bias = true, data, runs, descent, refine = {}, seed = 0, onRun, skip, signal } = options;
  const { spec, M } = checkNet(fn, widths, activation, bias);
  const dIn = widths[0];
  const dOut = widths[widths.length - 1];
  checkNumber(fn, "runs", runs, { min: 0, integer: true });
  checkNumber(fn, "seed", seed, { integer: true });
  checkDescentRefine(fn, descent, refine);
  if (onRun !== undefined && typeof onRun !== "function") throw new ValueError(`${fn}: 'onRun' must be a function; found ${String(onRun)}`);
  if (skip !== undefined && typeof skip !== "function") throw new ValueError(`${fn}: 'skip' must be a function; found ${String(skip)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ValueError(`${fn}: 'signal' must be an AbortSignal; found ${String(signal)}`);
  fitCriticalEnergy([], options.fit); // checks the fit's options now, not after the runs

  // The data of each φ: drawn for 'gaussian', the given set otherwise.
  const plan: { phi: number; data: Dataset }[] = [];
  if (data === "gaussian") {
    if (!Array.isArray(options.phi) || options.phi.length === 0) throw new ValueError(`${fn}: 'phi' must be a non-empty array of φ = M/(m·d_out) values with data 'gaussian'; found ${String(options.phi)}`);
    options.phi.forEach((phi, k) => {
      checkNumber(fn, `phi[${k}]`, phi, { min: 0, exclusiveMin: true });
      const m = Math.round(M / (phi * dOut));
      if (m < 1) throw new ValueError(`${fn}: 'phi[${k}]' = ${phi} gives m = round(M/(φ·d_out)) = round(${M}/(${phi}·${dOut})) = 0 samples; expected φ ≤ ${(2 * M) / dOut}`);
      plan.push({ phi, data: gaussianDataset(dIn, dOut, m, indexEnergySeed(seed, phi, -1)) });
    });
    if (new Set(options.phi).size !== options.phi.length) throw new ValueError(`${fn}: 'phi' must not repeat a value; found [${options.phi.join(", ")}]`);
  } else if (typeof data === "object" && data !== null && typeof data.x === "object" && typeof data.y === "object") {
    if (data.x.cols !== dIn || data.y.cols !== dOut) {
      throw new ValueError(`${fn}: 'data' must have d_in = ${dIn} input and d_out = ${dOut} output columns (from 'widths'); found ${data.x.cols} and ${data.y.cols}`);
    }
    const m = data.x.rows;
    const phiData = M / (m * dOut);
    if (options.phi !== undefined) {
      if (!Array.isArray(options.phi) || options.phi.length !== 1) throw new ValueError(`${fn}: 'phi' must be omitted or one value with a Dataset (its m fixes φ = ${phiData}); found ${String(options.phi)}`);
      const phi = options.phi[0];
      checkNumber(fn, "phi[0]", phi, { min: 0, exclusiveMin: true });
      if (Math.round(M / (phi * dOut)) !== m) throw new ValueError(`${fn}: 'phi[0]' = ${phi} does not match the data set: m = ${m} samples give φ = M/(m·d_out) = ${phiData}; omit 'phi' or give that value`);
      plan.push({ phi, data });
    } else plan.push({ phi: phiData, data });
  } else {
    throw new ValueError(`${fn}: 'data' must be 'gaussian' or a Dataset { x, y }; found ${String(data)}`);
  }

  const done: IndexEnergyRun[][] = plan.map(() => []);
  let aborted = false;
  outer: for (let k = 0; k < plan.length; k++) {
    const { phi, data: d } = plan[k];
    for (let r = 0; r < runs; r++) {
      if (skip?.({ phi, run: r })) continue;
      await nextTick();
      if (signal?.aborted) {
        aborted = true;
        break outer;
      }
      const record = runOnce(spec, M, d, { phi, run: r, seed, descent, refine, signal });
      if (signal?.aborted) {
        aborted = true;
        break outer;
      }
      done[k].push(record);
      onRun?.(record);
    }
  }
  const phis = plan.map(({ phi, data: d }, k) => indexEnergySummary(done[k], { phi, samples: d.x.rows, paramCount: M, outputDim: dOut, fit: options.fit }));
  return { spec, paramCount: M, outputDim: dOut, phis, aborted };
}

export interface IndexEnergyRunOptions {
  /** [d_in, m₁, …, d_out]. */
  widths: readonly number[];
  /** Hidden activation(s) (default 'tanh'). */
  activation?: Activation | readonly Activation[];
  /** Biases (default true). */
  bias?: boolean;
  /** φ = M/(m·d_out): m = round(M/(φ·d_out)) Gaussian samples, as in `indexEnergyExperiment`. */
  phi: number;
  /** The run number r ≥ 0 within φ. */
  run: number;
  descent: IndexEnergyOptions["descent"];
  refine?: Omit<RefineOptions, "signal">;
  /** The experiment's seed (default 0). */
  seed?: number;
  signal?: AbortSignal;
}

/**
 * Run r of φ of `indexEnergyExperiment` with 'gaussian' data, alone: the same data (createRng(indexEnergySeed(seed, φ,
 * −1))), start (Xavier at indexEnergySeed(seed, φ, r)), descent and refinement, so the record equals the experiment's
 * run field for field (but `seconds`). A pure function of its options: a sweep can compute the runs anywhere, in any
 * order. Call `await init()` first.
 * @example
 * const r = indexEnergyRun({ widths: [16, 16, 16], bias: false, phi: 0.5, run: 3, descent: { optimizer: "lbfgs", steps: [0, 16, 256] } });
 * [r.eps, r.alpha, r.outcome];
 */
export function indexEnergyRun(options: IndexEnergyRunOptions): IndexEnergyRun {
  const fn = "indexEnergyRun";
  options = checkOptions(fn, options, ["widths", "activation", "bias", "phi", "run", "descent", "refine", "seed", "signal"], { required: true });
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: argument 'options' must be an object; found ${String(options)}`);
  const { widths, activation = "tanh", bias = true, phi, run, descent, refine = {}, seed = 0, signal } = options;
  const { spec, M } = checkNet(fn, widths, activation, bias);
  checkNumber(fn, "phi", phi, { min: 0, exclusiveMin: true });
  checkNumber(fn, "run", run, { min: 0, integer: true });
  checkNumber(fn, "seed", seed, { integer: true });
  checkDescentRefine(fn, descent, refine);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ValueError(`${fn}: 'signal' must be an AbortSignal; found ${String(signal)}`);
  const dOut = widths[widths.length - 1];
  const m = Math.round(M / (phi * dOut));
  if (m < 1) throw new ValueError(`${fn}: 'phi' = ${phi} gives m = round(M/(φ·d_out)) = round(${M}/(${phi}·${dOut})) = 0 samples; expected φ ≤ ${(2 * M) / dOut}`);
  return runOnce(spec, M, gaussianDataset(widths[0], dOut, m, indexEnergySeed(seed, phi, -1)), { phi, run, seed, descent, refine, signal });
}

/** The net of the options and its M, checked: M ≤ DEFAULT_SPECTRUM_LIMIT (the index needs the Hessian's spectrum). */
function checkNet(fn: string, widths: readonly number[], activation: Activation | readonly Activation[], bias: boolean): { spec: MlpSpec; M: number } {
  if (!Array.isArray(widths)) throw new ValueError(`${fn}: 'widths' must be an array [d_in, …, d_out] of at least two widths; found ${String(widths)}`);
  if (typeof bias !== "boolean") throw new ValueError(`${fn}: 'bias' must be a boolean; found ${String(bias)}`);
  const spec: MlpSpec = { widths, activation: activation as MlpSpec["activation"], bias };
  let M: number;
  try {
    M = paramCount(spec);
  } catch (e) {
    throw new ValueError(`${fn}: 'widths'/'activation' do not make a network: ${(e as Error).message.replace(/^paramCount: /, "")}`);
  }
  if (M > DEFAULT_SPECTRUM_LIMIT) {
    throw new ValueError(`${fn}: the index needs each end point's Hessian spectrum, computed for M ≤ ${DEFAULT_SPECTRUM_LIMIT} parameters; found M = ${M}`);
  }
  return { spec, M };
}

/**
 * m samples with x ∈ ℝ^{d_in}, y ∈ ℝ^{d_out} i.i.d. N(0, 1), drawn from createRng(seed): x row by row, then y (the
 * 'gaussian' data of `indexEnergyExperiment`, with seed indexEnergySeed(seed, φ, −1) and m = round(M/(φ·d_out))).
 * @example
 * gaussianDataset(16, 16, 64, 7); // { x: 64 × 16, y: 64 × 16 }
 */
export function gaussianDataset(dIn: number, dOut: number, m: number, seed: number): Dataset {
  const fn = "gaussianDataset";
  checkNumber(fn, "dIn", dIn, { min: 1, integer: true });
  checkNumber(fn, "dOut", dOut, { min: 1, integer: true });
  checkNumber(fn, "m", m, { min: 1, integer: true });
  checkNumber(fn, "seed", seed, { integer: true });
  checkAllocation(fn, `${m} samples of ${dIn} inputs and ${dOut} outputs`, m * (dIn + dOut));
  const rng = createRng(seed);
  const x = new Float64Array(m * dIn).map(() => rng.normal());
  const y = new Float64Array(m * dOut).map(() => rng.normal());
  return { x: { rows: m, cols: dIn, data: x }, y: { rows: m, cols: dOut, data: y } };
}

function checkDescentRefine(fn: string, descent: IndexEnergyOptions["descent"], refine: IndexEnergyOptions["refine"]): void {
  if (typeof descent !== "object" || descent === null) throw new ValueError(`${fn}: 'descent' must be { optimizer, steps }; found ${String(descent)}`);
  if (!["lbfgs", "adam", "gd"].includes(descent.optimizer)) throw new ValueError(`${fn}: 'descent.optimizer' must be 'lbfgs', 'adam' or 'gd'; found ${String(descent.optimizer)}`);
  if (!Array.isArray(descent.steps) || descent.steps.length === 0) throw new ValueError(`${fn}: 'descent.steps' must be a non-empty array of step counts; found ${String(descent.steps)}`);
  descent.steps.forEach((s, i) => checkNumber(fn, `descent.steps[${i}]`, s, { min: 0, integer: true }));
  if (descent.lr !== undefined) checkNumber(fn, "descent.lr", descent.lr, { min: 0, exclusiveMin: true });
  if (typeof refine !== "object" || refine === null) throw new ValueError(`${fn}: 'refine' must be an object of refineCriticalPoint's options; found ${String(refine)}`);
  if ("signal" in refine) throw new ValueError(`${fn}: 'refine.signal' is not taken; pass 'signal' to ${fn} itself`);
}

/** Run r of φ (checked input): Xavier start at indexEnergySeed(seed, φ, r), the descent, the refinement, the record. */
function runOnce(
  spec: MlpSpec,
  M: number,
  d: Dataset,
  o: { phi: number; run: number; seed: number; descent: IndexEnergyOptions["descent"]; refine: Omit<RefineOptions, "signal">; signal?: AbortSignal },
): IndexEnergyRun {
  const t0 = performance.now();
  const { phi, run: r, descent, signal } = o;
  const dOut = spec.widths[spec.widths.length - 1];
  const runSeed = indexEnergySeed(o.seed, phi, r);
  const descentSteps = descent.steps[r % descent.steps.length];
  const start: Model = { ...spec, params: initParams(spec, { scheme: "xavier", seed: runSeed }) };
  const trained = train(start, d, { optimizer: descent.optimizer, epochs: descentSteps, signal, ...(descent.lr !== undefined ? { lr: descent.lr } : {}) });
  const cp = refineCriticalPoint(trained.model, d, { ...o.refine, signal });
  // M ≤ DEFAULT_SPECTRUM_LIMIT (checked by the callers): the spectrum and its inertias are always there.
  if (cp.inertia === null || cp.inertiaStable === null) throw new Error(`indexEnergyRun: no spectrum at M = ${M}`);
  return {
    phi,
    run: r,
    seed: runSeed,
    descentSteps,
    eps: cp.loss / dOut,
    alpha: cp.inertia.negative / M,
    gradNorm: cp.gradNorm,
    outcome: cp.outcome,
    kind: cp.kind,
    inertia: counts(cp.inertia),
    inertiaStable: cp.inertiaStable,
    flatness: cp.flatness,
    normGrowth: cp.normGrowth,
    iterations: cp.iterations,
    seconds: (performance.now() - t0) / 1000,
  };
}

function counts(i: Inertia): { negative: number; zero: number; positive: number } {
  return { negative: i.negative, zero: i.zero, positive: i.positive };
}
