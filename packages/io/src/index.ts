export {};
export { readOnnx, writeOnnx } from "./onnx.js";
