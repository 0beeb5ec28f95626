import { checkNumber, checkOptions } from "@losscape/core";
import { paramCount, validateData, validateModel, type Dataset, type Model, type ModelInput, type DatasetInput } from "@losscape/mlp";
import { hessianDegeneracy, jacobianRank, type Degeneracy } from "./degeneracy.js";
import { DEFAULT_RANK_TOL, DEFAULT_ZERO_LOSS_TOL } from "./defaults.js";
import { embeddingLowerBound, type EmbeddingBound } from "./embedding-bound.js";
import { NotAMinimumError, checkPositiveTol } from "./errors.js";
import { checkInterpolationLoss, lossAndGradNorm } from "./internal.js";


/** Options of `globalMinimumDimension`. */
export interface DimensionOptions {
  /** Relative Jacobian rank tolerance: σᵢ > rankTol·σ_max counts (default 1e-10). */
  rankTol?: number;
  /** Hessian zero tolerance (the rule of docs/conventions.md#inertia), or "auto" (default; see `degeneracyOfSpectrum`). */
  tol?: number | "auto";
  /** The point must have R ≤ lossTol (default 1e-10), else `NotAMinimumError` with the loss and gradient norm. */
  lossTol?: number;
  /** Tolerance of the neuron-redundancy reduction (default 1e-8, see `embeddingLowerBound`). */
  reductionTol?: number;
}

/** What `globalMinimumDimension` measures (the first ten fields are the CLI's `losscape dimension --json`). */
export interface DimensionRecord {
  /** M. */
  paramCount: number;
  /** n. */
  dataCount: number;
  /** r = d_out. */
  outputDim: number;
  /** R(θ). */
  loss: number;
  /** rank J by σᵢ > rankTol·σ_max. */
  jacobianRank: number;
  /** All min(n·r, M) singular values of J, descending. */
  jacobianSingularValues: number[];
  /** M − rank J: the dimension of the zero-loss set near θ where the rank is locally constant. */
  localDimension: number;
  /** M − n·r: Cooper's generic dimension. */
  cooperDimension: number;
  /** Corank of the exact Hessian (degree of degeneracy). */
  hessianCorank: number;
  /** rank J = n·r and hessianCorank = M − rank J = M − n·r. */
  agrees: boolean;
  /** ‖∇R(θ)‖. */
  gradNorm: number;
  rankTol: number;
  /** The Hessian's degeneracy record (eigenvalues ascending as a plain array, tolerance, gap) — JSON-ready. */
  hessian: Omit<Degeneracy, "eigenvalues"> & { eigenvalues: number[] };
  /** Smallest σ counted and largest σ not counted (null when absent). */
  jacobianGap: { smallestNonzero: number | null; largestZero: number | null };
  /** m_total − m_min from the neuron-redundancy reduction: extra degeneracy beyond Cooper's count. */
  embedding: EmbeddingBound;
}

/**
 * Dimension of the set of global minima at a (near-)zero-loss point θ of a smooth net (Cooper, Global minima of
 * overparameterized neural networks, SIAM J. Math. Data Sci. 3 (2021)): the zero-loss set {θ : f(xᵢ; θ) = yᵢ ∀i}
 * is the preimage of the data under θ ↦ (f(xᵢ; θ))ᵢ ∈ ℝ^{n·r}; where its Jacobian J has full rank n·r it is a
 * manifold of dimension M − n·r, and there the Hessian H = JᵀJ/n (the residual term vanishes) has corank
 * M − n·r. Returns rank J (σᵢ > rankTol·σ_max), localDimension = M − rank J, cooperDimension = M − n·r, the
 * Hessian corank (the zero rule of docs/conventions.md#inertia, automatic gap tolerance by default), whether they agree, and the
 * embedding bound m_total − m_min of redundant neurons (a net with split neurons has rank J < n·r: more
 * degeneracy than Cooper's count). Requires R(θ) ≤ lossTol, else throws `NotAMinimumError` stating R and ‖∇R‖, and
 * an mse model without l2 (the loss that vanishes exactly on the zero-loss set), else throws `ValueError`.
 * @example
 * const d = globalMinimumDimension(model, data);
 * // { paramCount: 31, dataCount: 10, outputDim: 1, jacobianRank: 10, localDimension: 21, cooperDimension: 21, hessianCorank: 21, agrees: true, … }
 */
export function globalMinimumDimension(model: ModelInput, data: DatasetInput, options: DimensionOptions = {}): DimensionRecord {
  const fn = "globalMinimumDimension";
  options = checkOptions(fn, options, ["rankTol", "tol", "lossTol", "reductionTol"]);
  model = validateModel(model, fn);
  checkInterpolationLoss(fn, model);
  data = validateData(model, data, fn);
  const lossTol = options.lossTol ?? DEFAULT_ZERO_LOSS_TOL;
  checkPositiveTol(fn, "lossTol", lossTol);
  const rankTol = options.rankTol ?? DEFAULT_RANK_TOL;
  if (options.reductionTol !== undefined) checkNumber(fn, "reductionTol", options.reductionTol, { min: 0 });
  const M = paramCount(model);
  const n = data.x.rows;
  const r = model.widths[model.widths.length - 1];
  const found = lossAndGradNorm(model, data);
  if (!(found.loss <= lossTol)) throw new NotAMinimumError(fn, "model", found, `R ≤ lossTol = ${lossTol}`);
  const jr = jacobianRank(model, data.x, { rankTol, nullspace: false });
  const hd = hessianDegeneracy(model, data, { tol: options.tol ?? "auto" });
  const localDimension = M - jr.rank;
  const cooperDimension = M - n * r;
  return {
    paramCount: M,
    dataCount: n,
    outputDim: r,
    loss: found.loss,
    jacobianRank: jr.rank,
    jacobianSingularValues: Array.from(jr.singularValues),
    localDimension,
    cooperDimension,
    hessianCorank: hd.corank,
    agrees: jr.rank === n * r && hd.corank === cooperDimension,
    gradNorm: found.gradNorm,
    rankTol,
    hessian: { ...hd, eigenvalues: Array.from(hd.eigenvalues) },
    jacobianGap: { smallestNonzero: jr.smallestNonzero, largestZero: jr.largestZero },
    embedding: embeddingLowerBound(model, { tol: options.reductionTol }),
  };
}
