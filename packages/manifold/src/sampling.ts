import { checkNumber, ValueError, type Mat } from "@losscape/core";
import { createRng, jacobian, validateData, validateModel, withParams, type Dataset, type Model } from "@losscape/mlp";
import { DEFAULT_RANK_TOL, matrixRank } from "./degeneracy.js";
import { DEFAULT_ZERO_LOSS_TOL } from "./dimension.js";
import { NotAMinimumError, checkPositiveTol, checkRelativeTol } from "./errors.js";
import { checkInt, lossAndGradNorm, projectToZeroLossRaw } from "./internal.js";

/** Options of `projectToZeroLoss`. */
export interface ProjectionOptions {
  /** Stop when R ≤ lossTol (default 1e-26: residuals at the rounding level of O(1) outputs). */
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
 * @example
 * const { model: m, loss } = projectToZeroLoss(perturbed, data); // loss ≲ 1e-26
 */
export function projectToZeroLoss(
  model: Model,
  data: Dataset,
  options: ProjectionOptions = {},
): { model: Model; loss: number; iterations: number; converged: boolean } {
  const fn = "projectToZeroLoss";
  validateModel(model, fn);
  validateData(model, data, fn);
  const opts = projectionOptions(fn, options);
  const r = projectToZeroLossRaw(model, data, model.params, opts);
  return { model: withParams(model, r.params), loss: r.loss, iterations: r.iterations, converged: r.loss <= opts.lossTol };
}

function projectionOptions(fn: string, o: ProjectionOptions): { lossTol: number; maxIter: number; rankTol: number } {
  const lossTol = o.lossTol ?? 1e-26;
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
 * estimators (`localPcaDimension`, `twoNnDimension`, `levinaBickelDimension`). A ball sample in high dimension is
 * nearly all boundary: for the neighbour estimators, draw a second sample with a small radius (≈ 0.2·h) as their
 * `queries`, so that each query's neighbourhood lies inside the first sample.
 * @example
 * const s = sampleMinimumManifold(model, data, { count: 200, radius: 0.05, seed: 1 });
 * localPcaDimension(s.points).dimension // ≈ M − n·r at a generic exact fit
 * const big = sampleMinimumManifold(model, data, { count: 2000, radius: 0.05, seed: 1 });
 * const q = sampleMinimumManifold(model, data, { count: 200, radius: 0.01, seed: 1001 });
 * levinaBickelDimension(big.points, { queries: q.points, k: 100 }) // 21.25 ± 0.73 over seeds on the M − n·r = 21 fit
 */
export function sampleMinimumManifold(model: Model, data: Dataset, options: SamplingOptions = {}): ManifoldSamples {
  const fn = "sampleMinimumManifold";
  validateModel(model, fn);
  validateData(model, data, fn);
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
  const tangent = (p: Float64Array): Mat => matrixRank(jacobian(withParams(model, p), data.x), { rankTol: proj.rankTol }).nullspace!;
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
    const xi = new Float64Array(k);
    let g2 = 0;
    for (let c = 0; c < k; c++) {
      xi[c] = rng.normal();
      g2 += xi[c] * xi[c];
    }
    // Uniform in the k-ball (ball mode): direction uniform, radius h·u^{1/k}; walk mode: fixed length h.
    const len = mode === "ball" ? radius * Math.pow(rng.next(), 1 / k) : radius;
    const scale = len / Math.sqrt(g2);
    const p = Float64Array.from(base);
    for (let i = 0; i < M; i++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += N.data[i * k + c] * xi[c];
      p[i] += scale * s;
    }
    const r = projectToZeroLossRaw(model, data, p, proj);
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
