export type * from "./types.js";
export { activationDerivatives, activationEntry, erf, ACTIVATION_CODES, DEFAULT_LEAKY_SLOPE } from "./activations.js";
export { ACTIVATION_TABLE, type ActivationEntry } from "./activation-table.js";
export { createRng, type Rng } from "./rng.js";
export { MAX_PARAMS, paramCount, validateModel, validateData, unpackParams, packParams, withParams } from "./spec.js";
export { initParams } from "./init.js";
export { parseModel, serializeModel, parseData, parseCsvData, serializeData, MODEL_FORMAT, DATA_FORMAT, MAX_JSON_DEPTH, type CsvOptions, type CsvData, type CsvSeparator } from "./io.js";
export {
  forward,
  hiddenActivations,
  preActivations,
  loss,
  gradient,
  lossAndGradient,
  jacobian,
  hessian,
  hessianWithoutJacobian,
  hessianVectorProduct,
  backpropagate,
  type Backpropagation,
  type HessianSplit,
} from "./network.js";
export { lossPlane, type LossPlaneOptions } from "./plane.js";
export { DEFAULT_GTOL, DEFAULT_GTOL_REL, DEFAULT_FLAT_TOL, DEFAULT_DENSE_LIMIT, DEFAULT_SPECTRUM_LIMIT, DEFAULT_DISTINCT_TOL, DEFAULT_LINEAR_TOL, MAX_DENSE_ENTRIES } from "./defaults.js";
export { affineLossPlane, affineLossPlaneApplies } from "./plane-affine.js";
export { createProblem, Problem } from "./problem.js";
export { train, TRAIN_STATE_FORMAT, type TrainOptions, type TrainResult, type TrainProgress, type TrainState, type EpochMetrics, type BatchProgress } from "./train.js";
export { adam, ADAM_DEFAULTS, sgd, SGD_DEFAULTS, type Adam, type AdamOptions, type AdamState, type Sgd, type SgdOptions, type SgdState } from "./optim.js";
export {
  refineCriticalPoint,
  findCriticalPoints,
  type RefineOptions,
  type RefineProgress,
  type CriticalPoint,
  type CriticalOutcome,
  type CriticalKind,
  type FindOptions,
  type FoundCriticalPoint,
} from "./critical.js";
export {
  linearCriticalPoints,
  type LinearCriticalOptions,
  type LinearCriticalPoint,
  type LinearCriticalPoints,
} from "./linear-critical.js";
