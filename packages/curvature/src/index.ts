export { hessianOperator, setThreads, getThreads, type SymmetricOperator, type HessianOperator } from "./operator.js";
export type { HessianPart } from "./chunks.js";
export { eigenpairs, eigenpairsBasisSize, DEFAULT_EIGEN_TOL, type Eigenpairs, type EigenpairsOptions } from "./eigenpairs.js";
export { MAX_BASIS_VALUES } from "./block.js";
export { hutchinsonTrace, hutchPlusPlusTrace, type TraceEstimate } from "./trace.js";
export {
  lanczosQuadratures,
  broadenedDensity,
  indexEstimate,
  type Quadrature,
  type SpectralQuadrature,
  type SpectralDensity,
  type IndexEstimate,
} from "./density.js";
export { curvature, type CurvatureOptions, type CurvatureReport, type EigenpairReport } from "./curvature.js";
