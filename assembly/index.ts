// Entry point of the WASM core: exports the kernels TypeScript calls (each one declared in
// packages/core/src/kernels.ts; core's build checks the two agree). Kernels take pointers, dimensions and strides.
// Helpers shared between kernel files (factor.ts's facDot, applyBlockReflector, …) are imported, not exported.
export * from "./memory";
export * from "./blas";
export * from "./eigen";
export {
  cholFactor, factorWorkSize, luFactor, triSolve, qrThin, qrWorkSize, householderQr, householderQrWorkSize,
} from "./factor";
export * from "./svd";
export * from "./mlp";
export * from "./slice";
export * from "./peak";
