import { checkMat, checkNumber, nrm2, nullspace, ShapeError, ValueError, type Mat, checkOptions } from "@losscape/core";
import { createRng, jacobian, loss, type Rng, validateData, validateModel, withParams, type Dataset, type Model, type ModelInput, type DatasetInput } from "@losscape/mlp";
import { DEFAULT_PROJECTION_LOSS_TOL, DEFAULT_RANK_TOL, DEFAULT_ZERO_LOSS_TOL } from "./defaults.js";
import { NotAMinimumError, checkPositiveTol, checkRelativeTol } from "./errors.js";
import { checkInt, checkInterpolationLoss, lossAndGradNorm, projectToZeroLossRaw } from "./internal.js";

/** Options of `projectToZeroLoss`. */
export interface ProjectionOptions {
  /** Stop when R ≤ lossTol (default `DEFAULT_PROJECTION_LOSS_TOL` = 1e-26: residuals at the rounding level of O(1) outputs). */
  lossTol?: number;
  /** At most this many Gauss–Newton steps (default 30). */
  maxIter?: number;
  /** Relative truncation of J⁺: σᵢ > rankTol·σ_max (default 1e-10). */
  rankTol?: number;
}

/**
 * Project parameters onto the zero-loss set {θ : f(xᵢ; θ) = yᵢ} by damped minimum-norm Gauss–Newton steps
 * θ ← θ − t·J⁺(θ)·(f(θ) − y) (J⁺ truncated at σᵢ > rankTol·σ_max; t halved until R decreases). Near a point where
 * J has full row rank the iteration takes t = 1 and converges quadratically to a zero-loss point at distance
 * O(‖f − y‖) (Ben-Israel 1966; the Newton method for underdetermined systems). Far away it is a descent method
 * that may stop at a non-zero critical point. Returns the new model, its loss and the number of steps;
 * `converged` is R ≤ lossTol. Also the way to fit an overparameterised net exactly.
 * mse models without l2 only (R = 1/(2n) Σᵢ‖f(xᵢ) − yᵢ‖², which vanishes exactly on that set): `loss`
 * "cross-entropy" or `l2` ≠ 0 is a `ValueError` naming the field (their loss is not 0 where f(xᵢ) = yᵢ).
 * @example
 * const { model: m, loss } = projectToZeroLoss(perturbed, data); // loss ≲ 1e-26
 */
export function projectToZeroLoss(
  model: ModelInput,
  data: DatasetInput,
  options: ProjectionOptions = {},
): { model: Model; loss: number; iterations: number; converged: boolean } {
  const fn = "projectToZeroLoss";
  options = checkOptions(fn, options, ["lossTol", "maxIter", "rankTol"]);
  model = validateModel(model, fn);
  checkInterpolationLoss(fn, model);
  data = validateData(model, data, fn);
  const opts = projectionOptions(fn, options);
  const r = projectToZeroLossRaw(model, data, model.params, opts);
  return { model: withParams(model, r.params), loss: r.loss, iterations: r.iterations, converged: r.loss <= opts.lossTol };
}

function projectionOptions(fn: string, o: ProjectionOptions): { lossTol: number; maxIter: number; rankTol: number } {
  const lossTol = o.lossTol ?? DEFAULT_PROJECTION_LOSS_TOL;
  checkPositiveTol(fn, "lossTol", lossTol);
  const maxIter = o.maxIter ?? 30;
  checkInt(fn, "maxIter", maxIter, 1);
  const rankTol = o.rankTol ?? DEFAULT_RANK_TOL;
  checkRelativeTol(fn, "rankTol", rankTol);
  return { lossTol, maxIter, rankTol };
}

/** Options of `sampleMinimumManifold`. */
export interface SamplingOptions extends ProjectionOptions {
  /** Number of points N (default 100). */
  count?: number;
  /** Radius h of the tangent step (default 0.1). */
  radius?: number;
  /** Seed of the project's RNG (default 0). */
  seed?: number;
  /**
   * "ball" (default): every sample is θ₀ + N·ξ with ξ uniform in the k-ball of radius h in the tangent space
   * at θ₀ (N the null-space basis of J(θ₀)), then projected — a patch of the manifold around θ₀, for dimension
   * estimates. "walk": a random walk, each step of length h along a random direction of the current point's null
   * space followed by projection — explores the manifold further.
   */
  mode?: "ball" | "walk";
  /** The start must have R ≤ startLossTol (default 1e-10), else `NotAMinimumError`. */
  startLossTol?: number;
}

/** Samples of a zero-loss manifold. */
export interface ManifoldSamples {
  /** N × M: one accepted sample per row. */
  points: Mat;
  /** R at each sample after projection. */
  losses: Float64Array;
  /** Tangent coordinates ‖ξ‖ of each sample's step (ball mode; the step length in walk mode). */
  stepNorms: Float64Array;
  /** Dimension of the null space of J at the start (M − rank J). */
  tangentDimension: number;
  /** Trials whose projection did not reach lossTol within maxIter (rejected and redrawn). */
  rejected: number;
  /** Total Gauss–Newton steps. */
  projectionSteps: number;
}

/**
 * Sample the manifold of global minima through θ₀: steps in the null space of the output Jacobian J (the tangent
 * space of the zero-loss set, Cooper 2021) followed by minimum-norm Gauss–Newton projection back to zero loss
 * (`projectToZeroLoss`). Seeded: the same options give the same samples. A trial whose projection fails is
 * redrawn (at most 10·N trials, else `ValueError` naming the radius). The samples feed the intrinsic-dimension
 * estimators (`localPcaDimension`; for the neighbour estimators a ball sample in high dimension is nearly all
 * boundary, so use its points as the centres of `sampleNeighbourhoods`). mse models without l2 only, as
 * `projectToZeroLoss` (else a `ValueError` naming 'loss' or 'l2').
 * @example
 * const s = sampleMinimumManifold(model, data, { count: 200, radius: 0.05, seed: 1 });
 * localPcaDimension(s.points).dimension // ≈ M − n·r at a generic exact fit
 */
export function sampleMinimumManifold(model: ModelInput, data: DatasetInput, options: SamplingOptions = {}): ManifoldSamples {
  const fn = "sampleMinimumManifold";
  options = checkOptions(fn, options, ["count", "radius", "seed", "mode", "startLossTol", "lossTol", "maxIter", "rankTol"]);
  model = validateModel(model, fn);
  checkInterpolationLoss(fn, model);
  data = validateData(model, data, fn);
  const proj = projectionOptions(fn, options);
  const count = options.count ?? 100;
  checkInt(fn, "count", count, 1);
  const radius = options.radius ?? 0.1;
  checkNumber(fn, "radius", radius, { min: 0, exclusiveMin: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const mode = options.mode ?? "ball";
  if (mode !== "ball" && mode !== "walk") throw new ValueError(`${fn}: 'mode' must be "ball" or "walk"; found ${String(mode)}`);
  const startLossTol = options.startLossTol ?? DEFAULT_ZERO_LOSS_TOL;
  checkPositiveTol(fn, "startLossTol", startLossTol);
  const found = lossAndGradNorm(model, data);
  if (!(found.loss <= startLossTol)) throw new NotAMinimumError(fn, "model", found, `R ≤ startLossTol = ${startLossTol}`);

  const rng = createRng(seed);
  const M = model.params.length;
  const tangent = (p: Float64Array): Mat => tangentBasis(withParams(model, p), data, proj.rankTol);
  const N0 = tangent(model.params);
  const k0 = N0.cols;
  const points = new Float64Array(count * M);
  const losses = new Float64Array(count);
  const stepNorms = new Float64Array(count);
  let rejected = 0;
  let steps = 0;
  let current = model.params;
  let Ncur = N0;
  for (let got = 0, trials = 0; got < count; trials++) {
    if (trials >= 10 * count) {
      throw new ValueError(`${fn}: only ${got} of ${count} projections reached lossTol = ${proj.lossTol}; try a smaller 'radius' (found ${radius})`);
    }
    const base = mode === "ball" ? model.params : current;
    const N = mode === "ball" ? N0 : Ncur;
    const k = N.cols;
    if (k === 0) throw new ValueError(`${fn}: the Jacobian has full column rank M = ${M}: the zero-loss set is isolated here (dimension 0)`);
    // Uniform in the k-ball (ball mode): direction uniform, radius h·u^{1/k}; walk mode: fixed length h.
    const dir = randomUnitVector(rng, k);
    const len = mode === "ball" ? radius * Math.pow(rng.next(), 1 / k) : radius;
    const r = projectToZeroLossRaw(model, data, tangentStep(base, N, dir, len), proj);
    steps += r.iterations;
    if (!(r.loss <= proj.lossTol)) {
      rejected++;
      continue;
    }
    points.set(r.params, got * M);
    losses[got] = r.loss;
    stepNorms[got] = len;
    got++;
    if (mode === "walk") {
      current = r.params;
      Ncur = tangent(current);
    }
  }
  return { points: { rows: count, cols: M, data: points }, losses, stepNorms, tangentDimension: k0, rejected, projectionSteps: steps };
}

/**
 * Orthonormal basis of ker J(θ), J the output Jacobian, by core's `nullspace` with the rank rule σᵢ > rankTol·σ_max
 * (one SVD; the same basis as `matrixRank(J).nullspace`, without its separate values-only SVD).
 */
function tangentBasis(model: Model, data: Dataset, rankTol: number): Mat {
  return nullspace(jacobian(model, data.x), { tol: rankTol });
}

/** A uniformly random unit vector of ℝᵏ: ξ/‖ξ‖ with ξ standard normal. */
function randomUnitVector(rng: Rng, k: number): Float64Array {
  const xi = new Float64Array(k);
  for (let c = 0; c < k; c++) xi[c] = rng.normal();
  const g = nrm2(xi);
  for (let c = 0; c < k; c++) xi[c] /= g;
  return xi;
}

/** θ + len·N·u (u a unit vector of ℝᵏ, k = N.cols): a step of length len in span N (orthonormal columns). */
function tangentStep(theta: Float64Array, N: Mat, u: Float64Array, len: number): Float64Array {
  const k = N.cols;
  const p = Float64Array.from(theta);
  for (let i = 0; i < p.length; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += N.data[i * k + c] * u[c];
    p[i] += len * s;
  }
  return p;
}

/** Options of `sampleNeighbourhoods`. */
export interface NeighbourhoodOptions extends ProjectionOptions {
  /** Points per neighbourhood k (default 10; TwoNN needs 2, Levina–Bickel with k neighbours needs k). */
  neighbours?: number;
  /**
   * Radius h of every neighbourhood's tangent ball. Default: a quarter of the smallest distance between two
   * centres (required when there is one centre); at most that, so that every centre's nearest points are its own.
   */
  radius?: number;
  /** Seed of the project's RNG (default 0). */
  seed?: number;
  /** Every centre must have R ≤ startLossTol (default 1e-10), else `NotAMinimumError`. */
  startLossTol?: number;
}

/** Neighbourhoods of zero-loss points, for the nearest-neighbour dimension estimators. */
export interface Neighbourhoods {
  /** (Q·k) × M: neighbourhood q is rows q·k … q·k + k − 1. */
  points: Mat;
  /** Q × M: the centres (a copy), to pass as the estimators' `queries`. */
  queries: Mat;
  /** The radius h used. */
  radius: number;
  /** Dimension of ker J at each centre (M − rank J). */
  tangentDimensions: Int32Array;
  /** R of every neighbourhood point after projection. */
  losses: Float64Array;
  /** Trials rejected: projection not at lossTol within maxIter, or ended farther than 2h from its centre. */
  rejected: number;
  /** Total Gauss–Newton steps. */
  projectionSteps: number;
}

/**
 * A designed sample for the nearest-neighbour intrinsic-dimension estimators (`twoNnDimension`,
 * `levinaBickelDimension`): around each centre c_q (a zero-loss point; e.g. the rows of a `sampleMinimumManifold`
 * sample) k points drawn uniformly in the ball of radius h of the tangent space ker J(c_q), each projected back to
 * zero loss (`projectToZeroLoss`). Pass `points` with `queries`: the estimators then evaluate each centre on its own
 * neighbourhood (h ≤ ¼ of the smallest distance between centres, so no other neighbourhood comes nearer).
 *
 * Why: the estimators assume that each query's neighbours are uniformly distributed around it. For points
 * uniform in a d-ball centred at the query, the uᵢ = (Tᵢ/h)ᵈ are independent uniforms, and the ratios of their
 * order statistics satisfy (T₍ⱼ₎/T₍ⱼ₊₁₎)ᵈ ~ Beta(j, 1), independent — for every k. So TwoNN's μ = T₍₂₎/T₍₁₎ is exactly
 * Pareto(d), log μ ~ Exp(d), and Levina–Bickel's d·S ~ Gamma(k − 1), up to the O(h·κ) distortion of the projection
 * (κ the manifold's curvature), and the Q centres give independent estimates: the TwoNN MLE has relative standard
 * error 1/√(Q − 2), Levina–Bickel's ≈ 1/√(Q(k − 1)). A single ball sample cannot do this in high dimension: a
 * d = 21 ball is almost all boundary, and the few queries far from it share their neighbours (see the README).
 * The check is not circular: the steps span ker J(c_q), but the estimators see the projected points, whose
 * dimension is that of the zero-loss set — lower than dim ker J where the set is not a manifold.
 * mse models without l2 only, as `projectToZeroLoss` (else a `ValueError` naming 'loss' or 'l2').
 * (Facco et al., Sci. Rep. 7 (2017) 12140; Levina & Bickel, NIPS 17 (2005); order statistics: David & Nagaraja,
 * Order Statistics, 3rd ed. (2003), §2.5.)
 * @example
 * const centres = sampleMinimumManifold(model, data, { count: 2000, radius: 0.05, seed: 1 });
 * const nb = sampleNeighbourhoods(model, data, centres.points, { neighbours: 10, seed: 2 });
 * twoNnDimension(nb.points, { queries: nb.queries })   // 21 ± 0.5 on the M − n·r = 21 fit
 */
export function sampleNeighbourhoods(model: ModelInput, data: DatasetInput, centres: Mat, options: NeighbourhoodOptions = {}): Neighbourhoods {
  const fn = "sampleNeighbourhoods";
  options = checkOptions(fn, options, ["neighbours", "radius", "seed", "startLossTol", "lossTol", "maxIter", "rankTol"]);
  model = validateModel(model, fn);
  checkInterpolationLoss(fn, model);
  data = validateData(model, data, fn);
  const M = model.params.length;
  checkMat(fn, "centres", centres);
  if (centres.cols !== M) throw new ShapeError(`${fn}: 'centres' must have M = ${M} columns (one parameter vector per row); found ${centres.cols}`);
  const Q = centres.rows;
  if (Q < 1) throw new ValueError(`${fn}: 'centres' needs at least 1 row; found 0`);
  const proj = projectionOptions(fn, options);
  const k = options.neighbours ?? 10;
  checkInt(fn, "neighbours", k, 2);
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const startLossTol = options.startLossTol ?? DEFAULT_ZERO_LOSS_TOL;
  checkPositiveTol(fn, "startLossTol", startLossTol);
  const C = centres.data;
  let minSep = Infinity;
  for (let a = 0; a < Q; a++) {
    for (let b = a + 1; b < Q; b++) {
      let s = 0;
      for (let j = 0; j < M; j++) {
        const t = C[a * M + j] - C[b * M + j];
        s += t * t;
      }
      if (s < minSep) minSep = s;
    }
  }
  minSep = Math.sqrt(minSep);
  if (!(minSep > 0)) throw new ValueError(`${fn}: 'centres' has two equal rows; the neighbourhoods would coincide`);
  let radius: number;
  if (options.radius === undefined) {
    if (Q === 1) throw new ValueError(`${fn}: 'radius' is required with a single centre (the default is a quarter of the smallest distance between centres)`);
    radius = minSep / 4;
  } else {
    radius = options.radius;
    checkNumber(fn, "radius", radius, { min: 0, exclusiveMin: true });
    if (radius > minSep / 4) {
      throw new ValueError(`${fn}: 'radius' must be ≤ ${minSep / 4} (a quarter of the smallest distance between centres, so neighbourhoods stay apart); found ${radius}`);
    }
  }

  const rng = createRng(seed);
  const points = new Float64Array(Q * k * M);
  const losses = new Float64Array(Q * k);
  const tangentDimensions = new Int32Array(Q);
  let rejected = 0;
  let steps = 0;
  for (let q = 0; q < Q; q++) {
    const c = C.slice(q * M, (q + 1) * M);
    const cm = withParams(model, c);
    // The gradient is only needed for the error message: the loss alone decides.
    if (!(loss(cm, data) <= startLossTol)) throw new NotAMinimumError(fn, `centres[${q}]`, lossAndGradNorm(cm, data), `R ≤ startLossTol = ${startLossTol}`);
    const N = tangentBasis(cm, data, proj.rankTol);
    const dim = N.cols;
    if (dim === 0) throw new ValueError(`${fn}: at centres row ${q} the Jacobian has full column rank M = ${M}: the zero-loss set is isolated there`);
    tangentDimensions[q] = dim;
    for (let got = 0, trials = 0; got < k; trials++) {
      if (trials >= 10 * k) {
        throw new ValueError(`${fn}: at centres row ${q} only ${got} of ${k} projections reached lossTol = ${proj.lossTol} within 2h; try a smaller 'radius' (found ${radius})`);
      }
      const dir = randomUnitVector(rng, dim);
      const len = radius * Math.pow(rng.next(), 1 / dim);
      const r = projectToZeroLossRaw(model, data, tangentStep(c, N, dir, len), proj);
      steps += r.iterations;
      let d2 = 0;
      for (let j = 0; j < M; j++) d2 += (r.params[j] - c[j]) ** 2;
      if (!(r.loss <= proj.lossTol) || !(Math.sqrt(d2) <= 2 * radius)) {
        rejected++;
        continue;
      }
      points.set(r.params, (q * k + got) * M);
      losses[q * k + got] = r.loss;
      got++;
    }
  }
  return {
    points: { rows: Q * k, cols: M, data: points },
    queries: { rows: Q, cols: M, data: Float64Array.from(C) },
    radius,
    tangentDimensions,
    losses,
    rejected,
    projectionSteps: steps,
  };
}
