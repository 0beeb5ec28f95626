import { ShapeError } from "./errors.js";

/** A dense f64 matrix, row-major: entry (i, j) is `data[i * cols + j]`. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A `rows × cols` matrix over `data` (not copied), or a new zero matrix when `data` is omitted. */
export function mat(rows: number, cols: number, data?: Float64Array | ArrayLike<number>): Mat {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ShapeError(`mat: dimensions must be non-negative integers; found ${rows}×${cols}`);
  }
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  const d = data instanceof Float64Array ? data : Float64Array.from(data);
  if (d.length !== rows * cols) {
    throw new ShapeError(`mat: data length must be rows·cols = ${rows * cols}; found ${d.length}`);
  }
  return { rows, cols, data: d };
}

/** A matrix from an array of equal-length rows. */
export function matFromRows(rows: ArrayLike<ArrayLike<number>>): Mat {
  const m = rows.length;
  const n = m > 0 ? rows[0].length : 0;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    if (rows[i].length !== n) {
      throw new ShapeError(`matFromRows: every row must have length ${n}; row ${i} has ${rows[i].length}`);
    }
    for (let j = 0; j < n; j++) data[i * n + j] = rows[i][j];
  }
  return { rows: m, cols: n, data };
}

/** The rows of `a` as plain arrays. */
export function matToRows(a: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** The n × n identity. */
export function identity(n: number): Mat {
  const m = mat(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Aᵀ as a new matrix. */
export function transpose(a: Mat): Mat {
  const t = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: t };
}

/** Column j of `a` as a new array. */
export function column(a: Mat, j: number): Float64Array {
  const c = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) c[i] = a.data[i * a.cols + j];
  return c;
}
