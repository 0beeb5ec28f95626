// Entry point of the WASM core: re-exports every kernel module. Kernels take pointers, dimensions and strides.
export * from "./memory";
export * from "./blas";
export * from "./eigen";
export * from "./factor";
export * from "./svd";
export * from "./mlp";
export * from "./slice";
