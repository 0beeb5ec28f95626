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
  type BackendName,
} from "./backend.js";
export type { WasmBuild } from "./wasm-instance.js";
export { runKernel, out, outWritten, scratch, wasmActive, type KernelArg, type KernelOut, type KernelScratch } from "./kernel.js";
export * from "./validate.js";
export * from "./blas.js";
export * from "./eigen.js";
export * from "./svd.js";
export * from "./factor.js";
export * from "./vector.js";
