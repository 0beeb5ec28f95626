export * from "./errors.js";
export * from "./defaults.js";
export * from "./mat.js";
export {
  init,
  initSync,
  loadWasm,
  setBackend,
  getBackend,
  BACKENDS,
  relaxedSimdSupported,
  type BackendName,
} from "./backend.js";
export type { GemmBlocking, GemmBlockingSource, GemmTile } from "./gemm-blocking.js";
export type { WasmBuild } from "./wasm-instance.js";
export {
  kernels,
  withKernels,
  wasmActive,
  WasmBuffer,
  residentBuffer,
  type KernelSession,
  type KernelArgs,
  type KernelResult,
  type TypedArrayOf,
} from "./kernel-session.js";
export type { KernelName } from "./kernels.js";
export * from "./validate.js";
export * from "./blas.js";
export * from "./peak.js";
export * from "./eigen.js";
export * from "./svd.js";
export * from "./factor.js";
export * from "./vector.js";
export * from "./krylov.js";
