import { ShapeError, ValueError } from "./errors.js";
import { checkAllocation, checkMat, checkNumber, type MatInput } from "./validate.js";

/** A dense f64 matrix, row-major: entry (i, j) is `data[i * cols + j]`. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A `rows × cols` matrix over `data` (not copied), or a new zero matrix when `data` is omitted. */
export function mat(rows: number, cols: number, data?: Float64Array | ArrayLike<number>): Mat {
  return matOf("mat", rows, cols, data);
}

/** `mat` on behalf of `fn` (the name its errors carry). */
function matOf(fn: string, rows: number, cols: number, data?: Float64Array | ArrayLike<number>): Mat {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ShapeError(`${fn}: dimensions must be non-negative integers; found ${String(rows)}×${String(cols)}`);
  }
  if (data === undefined) {
    checkAllocation(fn, `a ${rows}×${cols} matrix`, rows * cols);
    return { rows, cols, data: new Float64Array(rows * cols) };
  }
  if (typeof data !== "object" || data === null || typeof data.length !== "number") {
    throw new ShapeError(`${fn}: argument 'data' must be an array of rows·cols = ${rows * cols} numbers; found ${data === null ? "null" : typeof data}`);
  }
  if (!(data instanceof Float64Array)) {
    for (let k = 0; k < data.length; k++) {
      if (typeof data[k] !== "number") throw new ShapeError(`${fn}: argument 'data' entry [${k}] must be a number; found ${data[k] === null ? "null" : typeof data[k]}`);
    }
  }
  const d = data instanceof Float64Array ? data : Float64Array.from(data);
  if (d.length !== rows * cols) {
    throw new ShapeError(`${fn}: data length must be rows·cols = ${rows * cols}; found ${d.length}`);
  }
  return { rows, cols, data: d };
}

/** A matrix from an array of equal-length rows. */
export function matFromRows(rows: ArrayLike<ArrayLike<number>>): Mat {
  const fn = "matFromRows";
  const isArrayLike = (x: unknown): x is ArrayLike<unknown> => typeof x === "object" && x !== null && typeof (x as ArrayLike<unknown>).length === "number";
  if (!isArrayLike(rows)) throw new ShapeError(`${fn}: argument 'rows' must be an array of equal-length rows of numbers; found ${rows === null ? "null" : typeof rows}`);
  const m = rows.length;
  for (let i = 0; i < m; i++) {
    if (!isArrayLike(rows[i])) throw new ShapeError(`${fn}: row ${i} must be an array of numbers; found ${rows[i] === null ? "null" : typeof rows[i]}`);
  }
  const n = m > 0 ? rows[0].length : 0;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    if (rows[i].length !== n) {
      throw new ShapeError(`matFromRows: every row must have length ${n}; row ${i} has ${rows[i].length}`);
    }
    for (let j = 0; j < n; j++) {
      const v = rows[i][j];
      if (typeof v !== "number") throw new ValueError(`${fn}: entry (${i}, ${j}) must be a number; found ${typeof v}`);
      data[i * n + j] = v;
    }
  }
  return { rows: m, cols: n, data };
}

/** The rows of `a` as plain arrays. */
export function matToRows(a: MatInput): number[][] {
  a = checkMat("matToRows", "a", a, { allowEmpty: true, finite: false });
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** The n × n identity. */
export function identity(n: number): Mat {
  const m = matOf("identity", n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Aᵀ as a new matrix. */
export function transpose(a: MatInput): Mat {
  a = checkMat("transpose", "a", a, { allowEmpty: true, finite: false });
  const t = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: t };
}

/** Column j of `a` as a new array. */
export function column(a: MatInput, j: number): Float64Array {
  a = checkMat("column", "a", a, { allowEmpty: true, finite: false });
  checkNumber("column", "j", j, { min: 0, max: a.cols - 1, integer: true });
  const c = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) c[i] = a.data[i * a.cols + j];
  return c;
}
