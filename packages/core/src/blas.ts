import { activeWasm } from "./backend.js";
import { ShapeError } from "./errors.js";
import type { Mat } from "./mat.js";
import { tsGemv, tsMatmul, tsSyrk } from "./ts-backend.js";
import { checkMat, checkVector, describeShape } from "./validate.js";

/**
 * Matrix product C = op(A)·op(B), op(X) = X or Xᵀ (`transA`, `transB`).
 * WASM: packed, cache-blocked GEMM with a register-tiled f64x2 micro-kernel.
 * @example
 * matmul(matFromRows([[1, 2]]), matFromRows([[3], [4]])).data // Float64Array [11]
 */
export function matmul(a: Mat, b: Mat, options: { transA?: boolean; transB?: boolean } = {}): Mat {
  const fn = "matmul";
  checkMat(fn, "a", a);
  checkMat(fn, "b", b);
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) {
    throw new ShapeError(
      `${fn}: inner dimensions differ: op(a) is ${m}×${k} (a ${describeShape(a)}${transA ? "ᵀ" : ""}), ` +
        `op(b) is ${kb}×${n} (b ${describeShape(b)}${transB ? "ᵀ" : ""})`,
    );
  }
  const w = activeWasm(fn);
  if (w === null) return tsMatmul(a, b, transA, transB);
  return w.run(fn, (w) => {
    const pa = w.putF64(fn, a.data);
    const pb = w.putF64(fn, b.data);
    const pc = w.allocF64(fn, m * n);
    w.fn<(...x: number[]) => void>("dgemm")(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, pa, a.cols, pb, b.cols, 0, pc, n);
    return { rows: m, cols: n, data: w.readF64(pc, m * n) };
  });
}

/**
 * Symmetric rank-k product: AᵀA (`form: 'AtA'`, the default; n×n for A m×n) or AAᵀ (`form: 'AAt'`, m×m).
 * Both triangles of the result are filled and it is exactly symmetric.
 */
export function syrk(a: Mat, options: { form?: "AtA" | "AAt" } = {}): Mat {
  const fn = "syrk";
  checkMat(fn, "a", a);
  const form = options.form ?? "AtA";
  if (form !== "AtA" && form !== "AAt") throw new ShapeError(`${fn}: 'form' must be 'AtA' or 'AAt'; found ${String(form)}`);
  const w = activeWasm(fn);
  if (w === null) return tsSyrk(a, form);
  const n = form === "AtA" ? a.cols : a.rows;
  return w.run(fn, (w) => {
    const pa = w.putF64(fn, a.data);
    const pc = w.allocF64(fn, n * n);
    w.fn<(...x: number[]) => void>("dsyrk")(form === "AtA" ? 1 : 0, a.rows, a.cols, 1, pa, a.cols, 0, pc, n);
    return { rows: n, cols: n, data: w.readF64(pc, n * n) };
  });
}

/** Matrix-vector product y = op(A)·x. */
export function gemv(a: Mat, x: ArrayLike<number>, options: { trans?: boolean } = {}): Float64Array {
  const fn = "gemv";
  checkMat(fn, "a", a);
  const trans = options.trans ?? false;
  checkVector(fn, "x", x, trans ? a.rows : a.cols);
  const w = activeWasm(fn);
  if (w === null) return tsGemv(a, x, trans);
  const ny = trans ? a.cols : a.rows;
  return w.run(fn, (w) => {
    const pa = w.putF64(fn, a.data);
    const px = w.putF64(fn, x);
    const py = w.allocF64(fn, ny);
    w.fn<(...x: number[]) => void>("dgemv")(trans ? 1 : 0, a.rows, a.cols, 1, pa, a.cols, px, 0, py);
    return w.readF64(py, ny);
  });
}
