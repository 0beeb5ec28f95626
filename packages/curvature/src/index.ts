export { hessianOperator, setThreads, getThreads, type SymmetricOperator, type HessianOperator } from "./operator.js";
export { chunkRanges, type HessianPart } from "./chunks.js";
export { eigenpairs, eigenpairsBasisSize, DEFAULT_EIGEN_TOL, type Eigenpairs, type EigenpairsOptions } from "./eigenpairs.js";
export { MAX_BASIS_VALUES } from "./block.js";
export { hutchinsonTrace, hutchPlusPlusTrace, DEFAULT_TRACE_PRODUCTS, type TraceEstimate } from "./trace.js";
export {
  lanczosQuadratures,
  broadenedDensity,
  indexEstimate,
  type Quadrature,
  type SpectralQuadrature,
  type SpectralDensity,
  type IndexEstimate,
} from "./density.js";
export { curvature, matrixFreeMemory, type CurvatureOptions, type CurvatureReport, type EigenpairReport, type MatrixFreeMemoryOptions } from "./curvature.js";
