export type { NdArray } from "./ndarray.js";
export { readNpy, writeNpy, readNpz, DEFAULT_MAX_BYTES } from "./npy.js";
export { readIdx } from "./idx.js";
export { oneHot } from "./labels.js";
export { readSafetensors, writeSafetensors } from "./safetensors.js";
export { readOnnx, writeOnnx } from "./onnx.js";
