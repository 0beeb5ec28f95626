/**
 * The special functions of the activation formulas (activation-table.ts). assembly/special-functions.ts defines the
 * same names with the same algorithms for the kernels.
 */
import { ValueError } from "@losscape/core";

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

/** 1/√(2π), the standard normal density at 0. */
export const INV_SQRT_2PI = 0.3989422804014327;

/**
 * erf(x) to about 1e-16 absolute: for |x| < 3 the series erf(x) = (2/√π)·e^{−x²}·Σₙ 2ⁿx^{2n+1}/(1·3···(2n+1))
 * (all terms positive, no cancellation); for |x| ≥ 3, 1 − erfc(x) with erfc's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (Abramowitz & Stegun 7.1.6 and 7.1.14).
 * The same algorithm runs in the WASM kernels.
 * @example
 * erf(1) // 0.8427007929497149
 */
export function erf(x: number): number {
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new ValueError(`erf: argument 'x' must be a number (±Infinity gives ±1); found ${typeof x === "string" ? JSON.stringify(x) : String(x)}`);
  }
  return erfRaw(x);
}

/** `erf` without the argument check (normalCdf's, on values the forward pass computed). */
function erfRaw(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  const c = erfcLarge(ax);
  return x > 0 ? 1 - c : c - 1;
}

/** erfc(x) for x ≥ 3 by the continued fraction, evaluated bottom-up with a fixed depth (60 levels suffice). */
function erfcLarge(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Φ(z) = ½(1 + erf(z/√2)), the standard normal CDF; accurate in the lower tail through erfc. */
export function normalCdf(z: number): number {
  const t = z * Math.SQRT1_2;
  if (t <= -3) return 0.5 * erfcLarge(-t);
  return 0.5 * (1 + erfRaw(t));
}

/** The logistic function 1/(1 + e^{−z}), without overflow (e^{z}/(1 + e^{z}) for z < 0). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
