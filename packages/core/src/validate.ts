import { DEFAULT_SYMMETRY_TOL } from "./defaults.js";
import { OutOfMemoryError, ShapeError, ValueError } from "./errors.js";
import type { Mat } from "./mat.js";

/**
 * Boundary checks shared by every losscape function. Kernels never validate: everything that reaches WASM has
 * passed through here. Messages name the function, the argument, what was expected and what was found.
 */

export function describeShape(a: Mat): string {
  return `${a.rows}×${a.cols}`;
}

/**
 * A matrix argument: a `Mat`, or its rows as plain arrays (`[[1, 2], [3, 4]]`, rows of equal length; typed-array
 * rows too). Every public function that takes a matrix takes either.
 */
export type MatInput = Mat | ArrayLike<ArrayLike<number>>;

/**
 * The matrix argument `a` as a Mat, checked: a Mat with integer dimensions ≥ 1 (≥ 0 with `allowEmpty`) and a
 * Float64Array of length rows·cols (returned as it is, not copied), or an array of equal-length rows of numbers
 * (copied into a new Mat); finite entries (any entries with `finite: false`, for structural operations such as a
 * transpose, or when the caller checks them itself: the BLAS functions do it in WASM, after the copy in).
 * Errors name `fn`, `arg`, what was expected and what was found.
 * @example
 * const A = checkMat("matmul", "a", [[1, 2], [3, 4]]); // { rows: 2, cols: 2, data: Float64Array [1, 2, 3, 4] }
 */
export function checkMat(fn: string, arg: string, a: MatInput, options: { allowEmpty?: boolean; finite?: boolean } = {}): Mat {
  const m = isMat(a) ? a : matOfRows(fn, arg, a);
  const { rows, cols } = m;
  const min = options.allowEmpty ? 0 : 1;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < min || cols < min) {
    throw new ShapeError(
      `${fn}: argument '${arg}' must have integer dimensions ≥ ${min}; found ${String(rows)}×${String(cols)}`,
    );
  }
  if (m.data.length !== rows * cols) {
    throw new ShapeError(
      `${fn}: argument '${arg}' (${rows}×${cols}) needs data of length ${rows * cols}; found ${m.data.length}`,
    );
  }
  if (options.finite !== false) checkFinite(fn, arg, m.data, cols);
  return m;
}

function isMat(a: unknown): a is Mat {
  return typeof a === "object" && a !== null && (a as Mat).data instanceof Float64Array;
}

/** An array of equal-length rows of numbers as a new Mat; anything else is a ShapeError naming `fn` and `arg`. */
function matOfRows(fn: string, arg: string, a: unknown): Mat {
  const isArrayLike = (x: unknown): x is ArrayLike<unknown> => typeof x === "object" && x !== null && typeof (x as ArrayLike<unknown>).length === "number";
  if (!isArrayLike(a) || ArrayBuffer.isView(a)) {
    throw new ShapeError(`${fn}: argument '${arg}' must be a Mat {rows, cols, data: Float64Array} or an array of rows of numbers; found ${typeName(a)}`);
  }
  const rows = a.length;
  const first = rows > 0 ? a[0] : undefined;
  const cols = isArrayLike(first) ? first.length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = a[i];
    if (!isArrayLike(row)) throw new ShapeError(`${fn}: argument '${arg}' row ${i} must be an array of numbers; found ${typeName(row)}`);
    if (row.length !== cols) throw new ShapeError(`${fn}: argument '${arg}' row ${i} must have length ${cols} like row 0; found ${row.length}`);
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== "number") throw new ShapeError(`${fn}: argument '${arg}' entry (${i}, ${j}) must be a number; found ${typeName(v)}`);
      data[i * cols + j] = v;
    }
  }
  return { rows, cols, data };
}

/**
 * The `out` argument of a function that writes its result into the caller's matrix: undefined (the function
 * allocates a new one), or a Mat of exactly `rows` × `cols` whose `data` is a Float64Array of rows·cols values.
 * Called before any work, so a refused `out` is left untouched. Anything else is a ShapeError naming `fn` and `arg`
 * with the expected and the found shape.
 * @example
 * const out = checkOutMat("matmul", "out", options.out, m, n); // Mat | undefined
 */
export function checkOutMat(fn: string, arg: string, out: unknown, rows: number, cols: number): Mat | undefined {
  if (out === undefined) return undefined;
  if (isMat(out) && out.rows === rows && out.cols === cols && out.data.length === rows * cols) return out;
  const found = isMat(out)
    ? `${String(out.rows)}×${String(out.cols)} with data of ${out.data.length}`
    : typeof out === "object" && out !== null && "data" in out
      ? `data of type ${typeName(out.data)}`
      : typeName(out);
  throw new ShapeError(`${fn}: argument '${arg}' must be a ${rows}×${cols} Mat {rows, cols, data: Float64Array of ${rows * cols}}; found ${found}`);
}

/**
 * The `out` argument of a function that writes a vector result into the caller's array: undefined, or a
 * Float64Array of exactly `length` values (checked before any work; a ShapeError naming `fn` and `arg` otherwise).
 * @example
 * const y = checkOutVector("gemv", "out", options.out, m); // Float64Array | undefined
 */
export function checkOutVector(fn: string, arg: string, out: unknown, length: number): Float64Array | undefined {
  if (out === undefined) return undefined;
  const expected = `a Float64Array of ${length} values`;
  if (!(out instanceof Float64Array)) throw new ShapeError(`${fn}: argument '${arg}' must be ${expected}; found ${typeName(out)}`);
  if (out.length !== length) throw new ShapeError(`${fn}: argument '${arg}' must be ${expected}; found ${out.length}`);
  return out;
}

/** Every entry of `x` is finite; the message gives the first offending index (as (i, j) when `cols` is given). */
export function checkFinite(fn: string, arg: string, x: ArrayLike<number>, cols?: number): void {
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) throw notFinite(fn, arg, x, k, cols);
  }
}

/** The ValueError of `checkFinite` for the entry x[k] (given as (i, j) when `cols` is given). */
export function notFinite(fn: string, arg: string, x: ArrayLike<number>, k: number, cols?: number): ValueError {
  const where = cols ? `(${Math.floor(k / cols)}, ${k % cols})` : `[${k}]`;
  return new ValueError(`${fn}: argument '${arg}' must be finite; found ${x[k]} at ${where}`);
}

/** `x` is a Float64Array (or array of numbers) of the given length with finite entries. */
export function checkVector(fn: string, arg: string, x: ArrayLike<number>, length?: number): void {
  checkArrayLike(fn, arg, x);
  if (length !== undefined && x.length !== length) {
    throw new ShapeError(`${fn}: argument '${arg}' must have length ${length}; found ${x.length}`);
  }
  checkFinite(fn, arg, x);
}

/** `x` is array-like (an object with a numeric length); its entries are not looked at (see `checkVector`). */
export function checkArrayLike(fn: string, arg: string, x: unknown): asserts x is ArrayLike<unknown> {
  if (x === null || typeof x !== "object" || typeof (x as ArrayLike<unknown>).length !== "number") {
    throw new ShapeError(`${fn}: argument '${arg}' must be an array of numbers; found ${typeName(x)}`);
  }
}

/** `checkMat` (with its `finite` option), and the matrix is square. */
export function checkSquare(fn: string, arg: string, a: MatInput, options: { finite?: boolean } = {}): Mat {
  const m = checkMat(fn, arg, a, options);
  if (m.rows !== m.cols) throw new ShapeError(`${fn}: argument '${arg}' must be square; found ${describeShape(m)}`);
  return m;
}

/**
 * `a` is square and symmetric to a relative tolerance: max|aᵢⱼ − aⱼᵢ| ≤ relTol · max|aᵢⱼ| (default
 * `DEFAULT_SYMMETRY_TOL` = 1e-12). One pass over SYMMETRY_TILE × SYMMETRY_TILE tiles, each tile above the diagonal
 * met with its mirror below (both stay in cache, where a row against a column would stride through memory); the
 * message names the first pair (row-major) of largest asymmetry.
 */
export function checkSymmetric(fn: string, arg: string, a: MatInput, relTol = DEFAULT_SYMMETRY_TOL): Mat {
  // A NaN tolerance would make the test below (maxAsym > NaN) false and accept any matrix.
  checkNumber(fn, "relTol", relTol, { min: 0 });
  const m = checkSquare(fn, arg, a);
  const n = m.rows;
  const d = m.data;
  let maxAbs = 0;
  let maxAsym = 0;
  for (let i0 = 0; i0 < n; i0 += SYMMETRY_TILE) {
    const i1 = Math.min(i0 + SYMMETRY_TILE, n);
    for (let i = i0; i < i1; i++) maxAbs = Math.max(maxAbs, Math.abs(d[i * n + i]));
    for (let j0 = i0; j0 < n; j0 += SYMMETRY_TILE) {
      const j1 = Math.min(j0 + SYMMETRY_TILE, n);
      for (let i = i0; i < i1; i++) {
        const row = i * n;
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          const x = d[row + j];
          const y = d[j * n + i];
          const big = Math.abs(x) > Math.abs(y) ? Math.abs(x) : Math.abs(y);
          if (big > maxAbs) maxAbs = big;
          if (Math.abs(x - y) > maxAsym) maxAsym = Math.abs(x - y);
        }
      }
    }
  }
  if (maxAsym > relTol * maxAbs) {
    let at = [0, 0];
    for (let i = 0; i < n && at[1] === 0; i++) {
      for (let j = i + 1; j < n; j++) {
        if (Math.abs(d[i * n + j] - d[j * n + i]) === maxAsym) {
          at = [i, j];
          break;
        }
      }
    }
    throw new ValueError(
      `${fn}: argument '${arg}' must be symmetric (|aᵢⱼ − aⱼᵢ| ≤ ${relTol}·max|a| = ${relTol * maxAbs}); ` +
        `found |a${at[0]}${at[1]} − a${at[1]}${at[0]}| = ${maxAsym}`,
    );
  }
  return m;
}

/** The tile side of `checkSymmetric`'s pass (two 32 × 32 tiles of doubles: 16 KiB, within any L1 cache). */
const SYMMETRY_TILE = 32;

/** A finite number, optionally with bounds; for options such as tolerances. */
export function checkNumber(
  fn: string,
  arg: string,
  v: unknown,
  opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
): asserts v is number {
  const bad = (what: string) => new ValueError(`${fn}: '${arg}' must be ${what}; found ${String(v)}`);
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad("a finite number");
  if (opts.integer && !Number.isInteger(v)) throw bad("an integer");
  if (opts.min !== undefined) {
    if (opts.exclusiveMin ? v <= opts.min : v < opts.min) throw bad(`${opts.exclusiveMin ? ">" : "≥"} ${opts.min}`);
  }
  if (opts.max !== undefined && v > opts.max) throw bad(`≤ ${opts.max}`);
}

function typeName(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/**
 * `v` is a boolean, or undefined (an option left out): a flag-like option of another type is refused, not ignored.
 * @example
 * checkBoolean("matmul", "transA", options.transA);
 */
export function checkBoolean(fn: string, arg: string, v: unknown): asserts v is boolean | undefined {
  if (v !== undefined && typeof v !== "boolean") throw new ValueError(`${fn}: '${arg}' must be true or false; found ${shown(v)}`);
}

/**
 * `v` is an AbortSignal, or undefined.
 * @example
 * checkSignal("train", "signal", options.signal);
 */
export function checkSignal(fn: string, arg: string, v: unknown): asserts v is AbortSignal | undefined {
  if (v !== undefined && !(v instanceof AbortSignal)) throw new ValueError(`${fn}: '${arg}' must be an AbortSignal; found ${shown(v)}`);
}

/** A value for an error message: primitives as written (strings quoted), objects by their type. */
function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object" || v === null) return String(v);
  return typeName(v);
}

/**
 * The options argument of a public function: undefined (all defaults, returned as `{}`) or a plain object whose keys
 * are all among `known`. Anything else (null, a string, an array) or an unknown key (a misspelt option would
 * otherwise be ignored silently) is a ValueError naming `fn`, the key and the accepted keys. With `required`
 * (a function whose options carry required fields), undefined is refused too.
 * @example
 * const o = checkOptions("rank", options, ["tol"]);
 */
export function checkOptions<T extends object>(fn: string, options: T | undefined, known: readonly string[], settings: { required?: boolean } = {}): T {
  if (options === undefined && !settings.required) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValueError(`${fn}: argument 'options' must be an object${settings.required ? "" : " or undefined"}; found ${shown(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValueError(`${fn}: unknown option '${key}'; expected one of ${known.map((k) => `'${k}'`).join(", ")}`);
    }
  }
  return options;
}

/** Largest number of float64 values a matrix or vector may hold: the 4 GiB that wasm32 addresses. */
export const MAX_F64_VALUES = 2 ** 29;

/**
 * `count` float64 values (e.g. rows·cols of a result) fit in the 4 GiB that wasm32 addresses; checked before anything
 * is allocated, so an impossible request is an OutOfMemoryError naming `fn` and what was asked for (`what`), not a
 * RangeError from the engine or a process out of memory.
 * @example
 * checkAllocation("identity", `a ${n}×${n} matrix`, n * n);
 */
export function checkAllocation(fn: string, what: string, count: number): void {
  if (!(count <= MAX_F64_VALUES)) {
    throw new OutOfMemoryError(`${fn}: ${what} needs ${count} float64 values (${(count * 8 / 2 ** 30).toFixed(1)} GiB); at most 2²⁹ (4 GiB, the wasm32 address space) fit`);
  }
}
