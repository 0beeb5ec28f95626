import { type Mat, ValueError, checkAllocation, checkNumber, DEFAULT_INERTIA_TOL, eigvalsh, inertiaFromEigenvalues, syrk, checkOptions } from "@losscape/core";
import { createRng, type Rng } from "@losscape/mlp";
import { penningtonBahri, type PBModel } from "./pennington-bahri.js";

/**
 * Seeded random matrices of the Pennington–Bahri models (issue 5, item 4), drawn with the project's RNG
 * (`createRng` of @losscape/mlp), and their empirical spectra against the theory (Pennington & Bahri 2017, Fig. 1).
 */

function checkSize(fn: string, n: unknown): asserts n is number {
  checkNumber(fn, "n", n, { min: 1, integer: true });
}

/** An N × m matrix of independent N(0, 1) draws, row-major. */
function gaussian(rng: Rng, rows: number, cols: number): Mat {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

/** Number of rank-one terms m = round(N/φ) (at least 1). */
function termsFor(n: number, phi: number): number {
  return Math.max(1, Math.round(n / phi));
}

/**
 * A Wishart matrix H₀ = (1/m)·XXᵀ, X an N × m standard Gaussian matrix with m = round(N/φ): its spectrum tends
 * to Marchenko–Pastur with R₀(g) = 1/(1 − φg) (mean 1, variance φ; atom 1 − 1/φ at 0 for φ > 1).
 * @example
 * const h0 = sampleWishart(500, 0.5, { seed: 1 });
 */
export function sampleWishart(n: number, phi: number, options: { seed: number }): Mat {
  const fn = "sampleWishart";
  options = checkOptions(fn, options, ["seed"], { required: true });
  checkSize(fn, n);
  checkNumber(fn, "phi", phi, { min: 0, exclusiveMin: true });
  checkNumber(fn, "seed", options?.seed);
  const m = termsFor(n, phi);
  checkAllocation(fn, `an ${n}×${m} Gaussian matrix`, n * Math.max(n, m));
  const x = gaussian(createRng(options.seed), n, m);
  const h = syrk(x, { form: "AAt" });
  for (let i = 0; i < h.data.length; i++) h.data[i] /= m;
  return h;
}

/**
 * A Wigner (GOE) matrix of spectral variance v: symmetric, off-diagonal entries N(0, v/N), diagonal N(0, 2v/N); its
 * spectrum tends to the semicircle of variance v (R(g) = v·g). Pennington–Bahri's H₁ has v = 2ε.
 * @example
 * const h1 = sampleWigner(500, 0.2, { seed: 2 });
 */
export function sampleWigner(n: number, variance: number, options: { seed: number }): Mat {
  const fn = "sampleWigner";
  options = checkOptions(fn, options, ["seed"], { required: true });
  checkSize(fn, n);
  checkNumber(fn, "variance", variance, { min: 0 });
  checkNumber(fn, "seed", options?.seed);
  checkAllocation(fn, `an ${n}×${n} matrix`, n * n);
  const rng = createRng(options.seed);
  const data = new Float64Array(n * n);
  const s = Math.sqrt(variance / n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = Math.SQRT2 * s * rng.normal();
    for (let j = i + 1; j < n; j++) {
      const v = s * rng.normal();
      data[i * n + j] = v;
      data[j * n + i] = v;
    }
  }
  return { rows: n, cols: n, data };
}

/**
 * A matrix with the ReLU law of Pennington–Bahri: H₁ = (a/N)·Σ_{k=1}^{m} s_k x_k x_kᵀ, x_k ~ N(0, I_N),
 * s_k = ±1 with probability ½, m = round(N/φ), a = φ√(ε/2). Its spectrum tends to the free compound Poisson law
 * of rate 1/φ with jumps ±a: R₁(g) = εφg/(2 − εφ²g²).
 * @example
 * const h1 = sampleReluLaw(500, 0.5, 0.1, { seed: 3 });
 */
export function sampleReluLaw(n: number, phi: number, eps: number, options: { seed: number }): Mat {
  const fn = "sampleReluLaw";
  options = checkOptions(fn, options, ["seed"], { required: true });
  checkSize(fn, n);
  checkNumber(fn, "phi", phi, { min: 0, exclusiveMin: true });
  checkNumber(fn, "eps", eps, { min: 0 });
  checkNumber(fn, "seed", options?.seed);
  const rng = createRng(options.seed);
  const m = termsFor(n, phi);
  checkAllocation(fn, `an ${m}×${n} Gaussian matrix`, n * Math.max(n, m));
  const a = phi * Math.sqrt(eps / 2);
  const plus: number[] = [];
  const minus: number[] = [];
  const x = gaussian(rng, m, n); // row k is x_k
  for (let k = 0; k < m; k++) (rng.next() < 0.5 ? plus : minus).push(k);
  const gather = (rows: number[]): Mat => {
    const data = new Float64Array(Math.max(1, rows.length) * n);
    rows.forEach((k, r) => data.set(x.data.subarray(k * n, (k + 1) * n), r * n));
    return { rows: Math.max(1, rows.length), cols: n, data };
  };
  const hp = syrk(gather(plus), { form: "AtA" });
  const hm = syrk(gather(minus), { form: "AtA" });
  const out = new Float64Array(n * n);
  const c = a / n;
  for (let i = 0; i < out.length; i++) out[i] = c * ((plus.length ? hp.data[i] : 0) - (minus.length ? hm.data[i] : 0));
  return { rows: n, cols: n, data: out };
}

/**
 * H = H₀ + H₁ of a Pennington–Bahri model at size N: a Wishart H₀ (ratio φ) plus an independent H₁ (Wigner of
 * variance 2ε, or the ReLU law). H₀ and H₁ are asymptotically free (H₀ is orthogonally invariant), so the
 * spectrum of H tends to the model's free sum.
 * @example
 * const h = samplePenningtonBahri({ model: 'wigner', n: 400, phi: 0.5, eps: 0.1, seed: 1 });
 */
export function samplePenningtonBahri(options: { model: PBModel; n: number; phi: number; eps: number; seed: number }): Mat {
  const fn = "samplePenningtonBahri";
  options = checkOptions(fn, options, ["model", "n", "phi", "eps", "seed"], { required: true });
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: 'options' must be an object`);
  const { model, n, phi, eps, seed } = options;
  if (model !== "wigner" && model !== "relu") throw new ValueError(`${fn}: 'model' must be 'wigner' or 'relu'; found ${String(model)}`);
  checkNumber(fn, "seed", seed);
  const h0 = sampleWishart(n, phi, { seed });
  const h1 = model === "wigner" ? sampleWigner(n, 2 * eps, { seed: seed + 0.5 }) : sampleReluLaw(n, phi, eps, { seed: seed + 0.5 });
  const data = new Float64Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = h0.data[i] + h1.data[i];
  // Symmetrise exactly (syrk and the sampler are symmetric already; this removes rounding asymmetry).
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[j * n + i] = data[i * n + j];
  return { rows: n, cols: n, data };
}

/** A histogram normalised as a density: Σ density·width = fraction of values inside [from, to]. */
export interface Histogram {
  /** bins + 1 edges. */
  edges: Float64Array;
  counts: Int32Array;
  /** counts / (total · width). */
  density: Float64Array;
}

/**
 * Histogram of values on `bins` equal bins of [from, to] (default: the range of the values), normalised to a density.
 * @example
 * histogram(eigvalsh(h), { bins: 60 }).density
 */
export function histogram(values: ArrayLike<number>, options: { bins?: number; from?: number; to?: number } = {}): Histogram {
  const fn = "histogram";
  options = checkOptions(fn, options, ["bins", "from", "to"]);
  if (values === null || typeof values !== "object" || typeof values.length !== "number" || values.length === 0) {
    throw new ValueError(`${fn}: argument 'values' must be a non-empty array of numbers; found ${String(values)}`);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new ValueError(`${fn}: argument 'values' must be finite; found ${v} at [${i}]`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const bins = options.bins ?? 50;
  checkNumber(fn, "bins", bins, { min: 1, integer: true });
  checkAllocation(fn, `${bins} bins`, 3 * bins + 1);
  const from = options.from ?? lo;
  const to = options.to ?? (hi > lo ? hi : lo + 1);
  checkNumber(fn, "from", from);
  checkNumber(fn, "to", to);
  if (!(to > from)) throw new ValueError(`${fn}: 'to' must be > 'from'; found from = ${from}, to = ${to}`);
  // When to − from overflows (a range wider than the float64 maximum), work with halves: exact, and in range.
  const halve = !Number.isFinite(to - from) ? 2 : 1;
  const w = (to / halve - from / halve) / bins; // the bin width, divided by `halve`
  // A bin width below the smallest normal float64 has lost its relative precision, and the density ~ 1/width
  // overflows: refuse rather than return NaN or ∞.
  if (!(halve * w >= 2.2250738585072014e-308)) {
    throw new ValueError(`${fn}: the bin width (to − from)/bins must be a normal float64 (≥ 2.2250738585072014e-308); found (${to} − ${from})/${bins}`);
  }
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = halve * (from / halve + i * w);
  const counts = new Int32Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < from || v > to) continue;
    counts[Math.min(bins - 1, Math.floor((v / halve - from / halve) / w))]++;
  }
  const density = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    density[i] = counts[i] / halve / (values.length * w);
    if (!Number.isFinite(density[i])) {
      throw new ValueError(`${fn}: the density ${counts[i]}/(${values.length}·${halve * w}) of bin ${i} is beyond the float64 range; found ${density[i]}`);
    }
  }
  return { edges, counts, density };
}

/**
 * Empirical index: the fraction of eigenvalues below −tol·max(1, max|λ|) (the inertia rule of docs/conventions.md#inertia,
 * tol = `DEFAULT_INERTIA_TOL` = 1e-9 by default), i.e. negative eigenvalues / N.
 * @example
 * empiricalIndex([-1, 0, 2]); // 1/3
 */
export function empiricalIndex(eigenvalues: ArrayLike<number>, options: { tol?: number } = {}): number {
  const fn = "empiricalIndex";
  options = checkOptions(fn, options, ["tol"]);
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  if (eigenvalues === null || typeof eigenvalues !== "object" || !(eigenvalues.length > 0)) {
    throw new ValueError(`${fn}: argument 'eigenvalues' must be a non-empty array; found ${String(eigenvalues)}`);
  }
  for (let i = 0; i < eigenvalues.length; i++) {
    if (!Number.isFinite(eigenvalues[i])) throw new ValueError(`${fn}: eigenvalues must be finite; found ${eigenvalues[i]} at [${i}]`);
  }
  return inertiaFromEigenvalues(eigenvalues, { tol }).negative / eigenvalues.length;
}

/** Result of `modelSpectrumExperiment`: one panel of Pennington & Bahri's Figure 1. */
export interface ModelSpectrumExperiment {
  model: PBModel;
  n: number;
  phi: number;
  eps: number;
  eigenvalues: Float64Array;
  histogram: Histogram;
  /** The theoretical density at the bin centres. */
  theoryAtBinCentres: Float64Array;
  empiricalIndex: number;
  theoryIndex: number;
}

/**
 * Sample H = H₀ + H₁ at size N, take its spectrum with core's `eigvalsh` (call `await init()` first for the WASM
 * eigensolver), and set the histogram and the empirical index beside the theory (Pennington & Bahri 2017, Fig. 1).
 * @example
 * await init();
 * const e = modelSpectrumExperiment({ model: 'wigner', n: 1000, phi: 0.5, eps: 0.1, seed: 1 });
 * e.empiricalIndex - e.theoryIndex; // O(1/N)
 */
export function modelSpectrumExperiment(options: {
  model: PBModel;
  n: number;
  phi: number;
  eps: number;
  seed: number;
  bins?: number;
}): ModelSpectrumExperiment {
  const fn = "modelSpectrumExperiment";
  options = checkOptions(fn, options, ["model", "n", "phi", "eps", "seed", "bins"], { required: true });
  const { model, n, phi, eps, seed, bins = 60 } = options;
  const theory = penningtonBahri({ model, phi, eps });
  const h = samplePenningtonBahri({ model, n, phi, eps, seed });
  const eigenvalues = eigvalsh(h);
  const iv = theory.support;
  const lo = Math.min(eigenvalues[0], iv[0][0]);
  const hi = Math.max(eigenvalues[n - 1], iv[iv.length - 1][1]);
  const hist = histogram(eigenvalues, { bins, from: lo, to: hi });
  const centres = new Float64Array(bins);
  for (let i = 0; i < bins; i++) centres[i] = 0.5 * (hist.edges[i] + hist.edges[i + 1]);
  return {
    model,
    n,
    phi,
    eps,
    eigenvalues,
    histogram: hist,
    theoryAtBinCentres: theory.densityOn(centres),
    empiricalIndex: empiricalIndex(eigenvalues),
    theoryIndex: theory.index,
  };
}
