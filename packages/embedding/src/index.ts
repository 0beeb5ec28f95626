export { splitNeuron, splitNeuronGeneral, embedSequence, widenTo, nullEmbedding, type SplitStep, type NullEmbeddingCondition } from "./embed.js";
export { splitBlock, splitSubspaceHessian } from "./split-block.js";
export { certifyEmbedding, countsNeverDecrease, type CertificateOptions, type EmbeddingCertificate } from "./certificate.js";
export {
  criticalEmbeddingSubspace,
  checkCriticalSubspace,
  type NeuronCopy,
  type CriticalSubspace,
  type SubspaceSample,
} from "./subspace.js";
export {
  strictSaddleEmbedding,
  type NeuronSplitBlock,
  type StrictSaddleEscape,
  type StrictSaddleReport,
} from "./strict-saddle.js";
export { DEFAULT_REDUCE_TOL, DEFAULT_CERTIFY_OUTPUT_TOL } from "./defaults.js";
export { reduceNetwork, type ReduceOptions, type ReduceResult, type RemovedNeuron, type RemovalReason } from "./reduce.js";
export { tanhShowcase, condensationShowcase, sinData, irisData, type TanhShowcase, type TanhShowcaseRow, type CondensationShowcase, type CondensationRow } from "./showcases.js";
export {
  liftDepth,
  pruneLayer,
  certifyLift,
  type LiftOptions,
  type LiftResult,
  type PruneOptions,
  type PruneResult,
  type LiftCertificateOptions,
  type LiftCertificate,
  type LiftKind,
} from "./depth.js";
export { strictSaddleLift, type StrictSaddleLift, type StrictSaddleLiftOptions } from "./depth-saddle.js";
