import { ValueError, checkNumber, eigvalsh, inertiaFromEigenvalues } from "@losscape/core";
import {
  createRng,
  hessian,
  initParams,
  paramCount,
  refineCriticalPoint,
  type Dataset,
  type MlpSpec,
  type Model,
} from "@losscape/mlp";
import { criticalEnergy, penningtonBahriMeasure } from "./pennington-bahri.js";

/** One critical point of a tanh net with its energy, index and the spectra of H₀ and H₁. */
export interface NetCriticalPoint {
  seed: number;
  /** Initial parameter scale (std of the normal initialisation) that led here. */
  initStd: number;
  converged: boolean;
  gradNorm: number;
  /** ε = R_S / d_out (docs/conventions.md#energy). */
  eps: number;
  /** Fraction of negative Hessian eigenvalues (inertia with the default tol, `DEFAULT_INERTIA_TOL`·max(1, max|λ|)). */
  index: number;
  eigenvalues: Float64Array;
  /** Spectrum of H₀ = JᵀJ/n (Gauss–Newton). */
  h0Eigenvalues: Float64Array;
  /** Spectrum of H₁ = H − H₀. */
  h1Eigenvalues: Float64Array;
  /** The Wigner model's index α(ε, φ) at this point's energy. */
  theoryIndex: number;
}

/** Result of `tanhNetIndexExperiment`: one φ of Pennington & Bahri's Figure 6. */
export interface NetIndexExperiment {
  spec: MlpSpec;
  data: Dataset;
  /** φ = M/(n·d_out). */
  phi: number;
  points: NetCriticalPoint[];
  /** ε_c and α₀ fitted to the points with α > 0 (null when fewer than two). */
  fit: { epsC: number; alpha0: number } | null;
  /** ε_c of the Wigner model at this φ (0 when φ ≥ 1). */
  theoryEpsC: number;
}

/**
 * Fit α = α₀·((ε − ε_c)/ε_c)^{3/2} to (ε, α) pairs with α > 0 (Pennington & Bahri 2017, eq. (16) and Fig. 6):
 * least squares of α^{2/3} = s·ε + t, so ε_c = −t/s and α₀ = (s·ε_c)^{3/2}. Returns null with fewer than two
 * points with α > 0 or a non-positive slope.
 * @example
 * fitCriticalEnergy([{ eps: 0.2, index: 0.01 }, { eps: 0.3, index: 0.05 }]);
 */
export function fitCriticalEnergy(points: readonly { eps: number; index: number }[]): { epsC: number; alpha0: number } | null {
  const fn = "fitCriticalEnergy";
  if (!Array.isArray(points)) throw new ValueError(`${fn}: argument 'points' must be an array of { eps, index }; found ${String(points)}`);
  const use = points.filter((p) => {
    checkNumber(fn, "eps", p.eps, { min: 0 });
    checkNumber(fn, "index", p.index, { min: 0, max: 1 });
    return p.index > 0;
  });
  if (use.length < 2) return null;
  const xs = use.map((p) => p.eps);
  const ys = use.map((p) => Math.pow(p.index, 2 / 3));
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  if (!(sxx > 0)) return null;
  const s = sxy / sxx;
  const t = my - s * mx;
  if (!(s > 0)) return null;
  const epsC = -t / s;
  return { epsC, alpha0: Math.pow(s * Math.abs(epsC), 1.5) };
}

/**
 * Pennington & Bahri's Figure 6 for one φ: a single-hidden-layer tanh net d_in → hidden → d_out on n random
 * samples (x, y ~ N(0, 1), seeded), critical points found by minimising ½‖∇R‖² (@losscape/mlp's
 * `refineCriticalPoint` with method 'gradnorm') from normal initialisations of several scales (so they land at
 * different energies), and at each point the energy ε = R_S/d_out, the exact Hessian's index, and the spectra of
 * H₀ and H₁ (`hessian(…, { split: true })`, `eigvalsh`). The fitted ε_c is set beside the Wigner model's ε_c(φ),
 * φ = M/(n·d_out).
 * @example
 * await init();
 * const e = tanhNetIndexExperiment({ inputDim: 2, hidden: 4, samples: 16, seeds: [1, 2, 3, 4] });
 * e.points.map((p) => [p.eps, p.index]); e.fit; e.theoryEpsC;
 */
export function tanhNetIndexExperiment(options: {
  inputDim: number;
  hidden: number;
  samples: number;
  outputDim?: number;
  seeds: readonly number[];
  initStds?: readonly number[];
  dataSeed?: number;
  maxIter?: number;
}): NetIndexExperiment {
  const fn = "tanhNetIndexExperiment";
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: 'options' must be an object`);
  const { inputDim, hidden, samples, outputDim = 1, seeds, initStds = [0.5, 1, 2], dataSeed = 0, maxIter = 200 } = options;
  checkNumber(fn, "inputDim", inputDim, { min: 1, integer: true });
  checkNumber(fn, "hidden", hidden, { min: 1, integer: true });
  checkNumber(fn, "samples", samples, { min: 1, integer: true });
  checkNumber(fn, "outputDim", outputDim, { min: 1, integer: true });
  checkNumber(fn, "dataSeed", dataSeed);
  if (!Array.isArray(seeds) || seeds.length === 0) throw new ValueError(`${fn}: 'seeds' must be a non-empty array of numbers`);
  const spec: MlpSpec = { widths: [inputDim, hidden, outputDim], activation: "tanh" };
  const rng = createRng(dataSeed);
  const x = new Float64Array(samples * inputDim).map(() => rng.normal());
  const y = new Float64Array(samples * outputDim).map(() => rng.normal());
  const data: Dataset = { x: { rows: samples, cols: inputDim, data: x }, y: { rows: samples, cols: outputDim, data: y } };
  const M = paramCount(spec);
  const phi = M / (samples * outputDim);
  const points: NetCriticalPoint[] = [];
  seeds.forEach((seed, k) => {
    const initStd = initStds[k % initStds.length];
    const model: Model = { ...spec, params: initParams(spec, { scheme: "normal", std: initStd, seed }) };
    const cp = refineCriticalPoint(model, data, { method: "gradnorm", maxIter });
    const { h0, h1 } = hessian(cp.model, data, { split: true });
    const eigenvalues = cp.eigenvalues;
    const inertia = inertiaFromEigenvalues(eigenvalues);
    const eps = cp.loss / outputDim;
    points.push({
      seed,
      initStd,
      converged: cp.converged,
      gradNorm: cp.gradNorm,
      eps,
      index: inertia.negative / eigenvalues.length,
      eigenvalues,
      h0Eigenvalues: eigvalsh(h0),
      h1Eigenvalues: eigvalsh(h1),
      theoryIndex: penningtonBahriMeasure("wigner", phi, eps).massBelow(0), // penningtonBahri(…).index without its ε_c and α₀
    });
  });
  const fit = fitCriticalEnergy(points.filter((p) => p.converged));
  return { spec, data, phi, points, fit, theoryEpsC: criticalEnergy("wigner", phi) };
}
