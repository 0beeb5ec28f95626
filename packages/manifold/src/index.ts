export { NotAMinimumError, ToleranceError } from "./errors.js";
export {
  degeneracyOfSpectrum,
  hessianDegeneracy,
  jacobianRank,
  matrixRank,
  type Degeneracy,
  type DegeneracyOptions,
  type JacobianRank,
} from "./degeneracy.js";
/** The spectral-gap rule's constants live in @losscape/core (`zeroToleranceFromGap`); re-exported for manifold's callers. */
export { AUTO_MIN_GAP, AUTO_ZERO_CEILING } from "@losscape/core";
export { DEFAULT_RANK_TOL, DEFAULT_ZERO_LOSS_TOL, DEFAULT_PROJECTION_LOSS_TOL } from "./defaults.js";
export { globalMinimumDimension, type DimensionOptions, type DimensionRecord } from "./dimension.js";
export { embeddingLowerBound, type EmbeddingBound, type RemovedNeuron } from "./embedding-bound.js";
export {
  projectToZeroLoss,
  sampleMinimumManifold,
  sampleNeighbourhoods,
  type ProjectionOptions,
  type SamplingOptions,
  type ManifoldSamples,
  type NeighbourhoodOptions,
  type Neighbourhoods,
} from "./sampling.js";
export { localPcaDimension, twoNnDimension, levinaBickelDimension, type PcaDimension, type NeighbourOptions } from "./intrinsic.js";
export { connectMinima, sublevelConnected, type ConnectOptions, type ConnectionPath, type SublevelConnection } from "./connect.js";
export {
  filterNormalizedDirection,
  hessianDirections,
  embeddingLine,
  lossSlice,
  landscapeSlice,
  type LossSlice,
  type LandscapeSliceOptions,
} from "./slice.js";
export { cooperShowcase, type CooperShowcase } from "./showcase.js";
