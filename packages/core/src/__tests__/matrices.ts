// Dense-matrix helpers shared by core's test files (not exported from the package; excluded from the build).
import type { Mat } from "../mat.js";

/** Deterministic entries in [-1, 1) from a seed (xorshift32), so fast-check shrinks over seeds and shapes, not arrays. */
export function randomMat(rows: number, cols: number, seed: number): Mat {
  let s = (seed | 0) || 0x9e3779b9;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return { rows, cols, data };
}

/** A·B by the naive triple loop; with `absolute`, |A|·|B| (the scale of componentwise error bounds). */
export function mul(a: Mat, b: Mat, absolute = false): Mat {
  const c = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let p = 0; p < a.cols; p++) {
      const aip = absolute ? Math.abs(a.data[i * a.cols + p]) : a.data[i * a.cols + p];
      for (let j = 0; j < b.cols; j++) c[i * b.cols + j] += aip * (absolute ? Math.abs(b.data[p * b.cols + j]) : b.data[p * b.cols + j]);
    }
  return { rows: a.rows, cols: b.cols, data: c };
}

/** Aᵀ. */
export function tr(a: Mat): Mat {
  const t = new Float64Array(a.data.length);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: t };
}

/** max |xᵢ|. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
