export type * from "./types.js";
export { activationDerivatives, erf, ACTIVATION_CODES, DEFAULT_LEAKY_SLOPE } from "./activations.js";
export { createRng, type Rng } from "./rng.js";
export { paramCount, validateModel, validateData, unpackParams, packParams, withParams } from "./spec.js";
export { initParams } from "./init.js";
export { parseModel, serializeModel, parseData, serializeData, MODEL_FORMAT, DATA_FORMAT } from "./io.js";
export {
  forward,
  hiddenActivations,
  preActivations,
  loss,
  gradient,
  lossAndGradient,
  jacobian,
  hessian,
  hessianVectorProduct,
  type HessianSplit,
} from "./network.js";
export { lossPlane, type LossPlaneOptions } from "./plane.js";
export { createProblem, Problem } from "./problem.js";
export { train, type TrainOptions, type TrainResult, type TrainProgress } from "./train.js";
export {
  refineCriticalPoint,
  findCriticalPoints,
  type RefineOptions,
  type CriticalPoint,
  type FindOptions,
  type FoundCriticalPoint,
} from "./critical.js";
