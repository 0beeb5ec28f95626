import { ShapeError } from "./errors.js";
import { checkArrayLike, checkNumber } from "./validate.js";

/**
 * Level-1 BLAS on dense f64 vectors, in TypeScript (the loops are too short for a WASM call to pay off): the one
 * set of vector helpers of losscape. Argument order and semantics are those of the reference BLAS (ddot, dnrm2,
 * daxpy, dscal; Lawson, Hanson, Kincaid & Krogh, ACM TOMS 5, 1979), without strides.
 */

function checkSameLength(fn: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  checkArrayLike(fn, "x", x);
  checkArrayLike(fn, "y", y);
  if (x.length !== y.length) {
    throw new ShapeError(`${fn}: arguments 'x' and 'y' must have the same length; found ${x.length} and ${y.length}`);
  }
}

/**
 * The inner product xᵀy = Σᵢ xᵢyᵢ, summed in index order i = 0, 1, … (BLAS ddot). For ‖x‖ use `nrm2`, which
 * cannot overflow or underflow.
 * @example
 * dot([1, 2, 3], [4, 5, 6]); // 32
 */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength("dot", x, y);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

// Blue's constants for IEEE double (radix 2, 53 digits, exponents −1021..1024), as in LAPACK 3.10's dnrm2:
// squares of |x| in [T_SML, T_BIG] neither underflow nor overflow; smaller ones are scaled up by S_SML, larger
// ones down by S_BIG before squaring.
const T_SML = 2 ** -511;
const T_BIG = 2 ** 486;
const S_SML = 2 ** 537;
const S_BIG = 2 ** -538;

/**
 * The Euclidean norm ‖x‖₂ = √(Σᵢ xᵢ²), with Blue's scaling (J. L. Blue, A portable Fortran program to find the
 * Euclidean norm of a vector, ACM TOMS 4, 1978; the algorithm of LAPACK 3.10's dnrm2, Anderson, LAWN 290):
 * three accumulators hold the sums of squares of the small (|xᵢ| < 2⁻⁵¹¹, scaled by 2⁵³⁷), mid-range and big
 * (|xᵢ| > 2⁴⁸⁶, scaled by 2⁻⁵³⁸) entries, combined at the end. So the result never overflows or underflows when
 * ‖x‖ is representable (e.g. ‖[3e300, 4e300]‖ = 5e300, ‖[3e-300, 4e-300]‖ = 5.0000000000000006e-300, 1 ulp above the
 * correctly rounded 5e-300: the scaled sums round like any sum of squares), and for vectors whose
 * entries are all 0 or mid-range it is exactly `Math.sqrt(dot(x, x))`. NaN in → NaN out; ±∞ in → ∞ out.
 * @example
 * nrm2([3, 4]); // 5
 */
export function nrm2(x: ArrayLike<number>): number {
  checkArrayLike("nrm2", "x", x);
  let asml = 0;
  let amed = 0;
  let abig = 0;
  let notbig = true;
  for (let i = 0; i < x.length; i++) {
    const ax = Math.abs(x[i]);
    if (ax > T_BIG) {
      const t = ax * S_BIG;
      abig += t * t;
      notbig = false;
    } else if (ax < T_SML) {
      if (notbig) {
        const t = ax * S_SML;
        asml += t * t;
      }
    } else {
      amed += ax * ax;
    }
  }
  if (abig > 0) {
    // Mid-range squares are negligible against big ones unless amed is NaN (which must propagate).
    if (amed > 0 || amed !== amed) abig += amed * S_BIG * S_BIG;
    return Math.sqrt(abig) / S_BIG;
  }
  if (asml > 0) {
    if (amed > 0 || amed !== amed) {
      const med = Math.sqrt(amed);
      const sml = Math.sqrt(asml) / S_SML;
      const ymax = Math.max(med, sml);
      const ymin = Math.min(med, sml);
      const r = ymin / ymax;
      return ymax * Math.sqrt(1 + r * r);
    }
    return Math.sqrt(asml) / S_SML;
  }
  return Math.sqrt(amed);
}

/**
 * y ← αx + y in place (BLAS daxpy): yᵢ = yᵢ + α·xᵢ for every i. Returns y. For a new vector z = y + αx, pass a copy:
 * `axpy(alpha, x, Float64Array.from(y))`.
 * @example
 * axpy(2, [1, 1], new Float64Array([1, 2])); // Float64Array [3, 4]
 */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): Float64Array {
  checkNumber("axpy", "alpha", alpha);
  checkSameLength("axpy", x, y);
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  return y;
}

/**
 * x ← αx in place (BLAS dscal): xᵢ = α·xᵢ for every i. Returns x.
 * @example
 * scal(0.5, new Float64Array([2, 4])); // Float64Array [1, 2]
 */
export function scal(alpha: number, x: Float64Array): Float64Array {
  checkNumber("scal", "alpha", alpha);
  checkArrayLike("scal", "x", x);
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
  return x;
}
