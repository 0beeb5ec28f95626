/**
 * The special functions of the activation formulas (activation-table.ts). assembly/special-functions.ts defines the
 * same names with the same algorithms and constants for the kernels.
 */
import { ValueError } from "@losscape/core";

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

/** 1/√(2π), the standard normal density at 0. */
export const INV_SQRT_2PI = 0.3989422804014327;

/**
 * |z| above which `normalCdf` takes the tail Q(x) = 1 − Φ(x) = φ(x)·R(x) (x = |z|), and at or below which
 * ½(1 + erf(z/√2)) by erf's series (`erf` likewise: its series for |x|·√2 ≤ 0.75, 1 − 2Q(|x|·√2) above). 1 + erf
 * cancels for z < 0: an error of 1 ulp in erf costs |erf|/(1 + erf) ulp of Φ, 1.2 at z = −0.75, 2.2 at −1, 21 at −2
 * and 4.5e4 at −3√2, where the old code switched to erfc (2e-11 relative there); and below 0.75 the Taylor steps of
 * `millsRatio` would need a knot at 0.5.
 */
const NORMAL_TAIL = 0.75;

/**
 * The Mills ratio R(a) = Q(a)/φ(a) at the knots a = 1, 1.5, …, 6 (R(j/2) at [j − 2]): mpmath at 50 digits, rounded
 * to the nearest double (packages/mlp/test/gen/make-normal-cdf-fixtures.py --knots prints them).
 */
const MILLS_AT_KNOTS = [
  0.6556795424187984, 0.5158156382179634, 0.4213692292880545, 0.35426511132979366, 0.3045902987101033, 0.26656776896822376,
  0.23665238291356067, 0.21257058044203178, 0.19280810471531576, 0.1763229857571027, 0.16237766089686745,
];

/** 1/n for the terms of `millsRatio` and `erfSeries` (a multiplication instead of a division in the loops' dependency chains). */
const RECIPROCALS = [
  0, 1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8, 1 / 9, 1 / 10, 1 / 11, 1 / 12, 1 / 13, 1 / 14, 1 / 15, 1 / 16,
  1 / 17, 1 / 18, 1 / 19, 1 / 20, 1 / 21, 1 / 22, 1 / 23, 1 / 24, 1 / 25, 1 / 26, 1 / 27,
];

/**
 * erf(x) to 3e-16 absolute (2.2e-16 the largest error observed against mpmath on [−6, 6],
 * packages/mlp/test/fixtures/normal-cdf.json; ≤ 2·2⁻⁵² relative where |erf| < ½): for |x|·√2 ≤ 0.75 its Maclaurin
 * series (`erfSeries`), above ±(1 − 2Q(|x|·√2)) with Q the normal tail of `normalCdf` (erfc(x) = 2Q(x√2); the
 * rounding of x·√2 moves the result by at most 2φ(y)·y·2⁻⁵³ ≤ 5.4e-17). The same algorithm runs in the WASM kernels.
 * @example
 * erf(1) // 0.8427007929497149
 */
export function erf(x: number): number {
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new ValueError(`erf: argument 'x' must be a number (±Infinity gives ±1); found ${typeof x === "string" ? JSON.stringify(x) : String(x)}`);
  }
  const y = Math.abs(x) * Math.SQRT2;
  if (y <= NORMAL_TAIL) return erfSeries(x);
  const c = 2 * normalTail(y); // erfc(|x|)
  return x > 0 ? 1 - c : c - 1;
}

/**
 * erf(x) for |x| ≤ 0.54 by its Maclaurin series (2/√π)·Σₙ (−1)ⁿx^{2n+1}/(n!·(2n + 1)) (A&S 7.1.5): alternating, but
 * |x|² ≤ 0.29 makes the sum at least 0.9 of its first term x, and the terms after x are summed apart (their roundings
 * relative to that tail, not to erf); ≤ 13 terms and no exp. NaN gives NaN.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let p = x; // (−1)ⁿx^{2n+1}/n!
  let tail = 0;
  for (let n = 1; n < 14; n++) {
    p *= -x2 * RECIPROCALS[n];
    const term = p * RECIPROCALS[2 * n + 1];
    tail += term;
    if (!(Math.abs(term) > 1e-17 * Math.abs(x))) break;
  }
  return TWO_OVER_SQRT_PI * (x + tail);
}

/**
 * The Mills ratio R(x) = Q(x)/φ(x) = e^{x²/2}·∫ₓ^∞ e^{−t²/2} dt, for x > 0.5, to about 1 ulp.
 *
 * x ≤ 6: the Taylor series about the knot a = ⌈2x⌉/2 ≥ x, R(a + h) = Σₙ rₙhⁿ with h = x − a ∈ (−½, 0]. R′ = xR − 1
 * gives r₁ = a·r₀ − 1 and (n + 1)·rₙ₊₁ = a·rₙ + rₙ₋₁, so the terms uₙ = rₙhⁿ follow
 * uₙ = (ah·uₙ₋₁ + h²·uₙ₋₂)/n from u₀ = R(a). R is completely monotone (the Laplace transform of e^{−t²/2}), so every
 * uₙ is positive for h ≤ 0, and they fall geometrically (uₙ/uₙ₋₁ < 0.2 from n = 2): the sum has no cancellation,
 * stops when a term falls below 1.4e-17·R(a) ≤ 1.4e-17·R(x) (≤ 20 terms), and an error in R(a) or in a term is
 * damped, not amplified, towards smaller x.
 *
 * x > 6: the continued fraction R(x) = 1/(x + 1/(x + 2/(x + 3/(x + …)))) (A&S 26.2.14; 7.1.14 for erfc), evaluated
 * bottom-up from depth 8 + ⌈500/x²⌉ (22 at x = 6, 9 at x = 38; truncation ≤ 2e-18 relative).
 */
function millsRatio(x: number): number {
  if (x <= 6) {
    const j = Math.ceil(2 * x);
    const a = 0.5 * j;
    const h = x - a; // exact (Sterbenz: a/2 ≤ x ≤ a)
    const ah = a * h;
    const hh = h * h;
    const r = MILLS_AT_KNOTS[j - 2];
    const first = (a * r - 1) * h;
    let u0 = r;
    let u1 = first;
    let tail = 0; // u₂ + u₃ + …, summed apart so that their roundings are relative to it, not to R
    for (let n = 2; n < RECIPROCALS.length; n++) {
      const u = (ah * u1 + hh * u0) * RECIPROCALS[n];
      tail += u;
      if (!(u > 1.4e-17 * r)) break;
      u0 = u1;
      u1 = u;
    }
    return r + (first + tail);
  }
  let f = x;
  for (let k = 8 + Math.ceil(500 / (x * x)); k >= 1; k--) f = x + k / f;
  return 1 / f;
}

/**
 * scale·e^{−x²/2} for x ≥ 0 (0 above x = 40, where e^{−x²/2} < 1e-347 underflows), without the rounding of x² (which
 * would cost up to (x²/4)·2⁻⁵² relative, 8e-14 at x = 37.5): x = xh + xl with xh the leading 26 bits (Veltkamp's
 * split), so xh²/2 is exact and x²/2 = xh²/2 + d, d = xl·(xh + x)/2, |d| ≤ 2⁻²⁶x²; e^{−d} by its cubic Taylor
 * polynomial (error ≤ d⁴/24 < 1e-19). W. J. Cody's erfc (CALERF, ACM TOMS algorithm 715, 1993) splits x likewise for
 * e^{−x²}, into a multiple of 1/16 and the rest. e^{−xh²/2} is multiplied last, so where the result is subnormal it
 * is within one subnormal step (2⁻¹⁰⁷⁴) of it plus the relative bound.
 */
function scaledGaussian(x: number, scale: number): number {
  if (x > 40) return 0;
  const t = 134217729 * x; // (2²⁷ + 1)·x
  const xh = t - (t - x);
  const xl = x - xh;
  const d = 0.5 * xl * (xh + x);
  const expMinusD = 1 - d * (1 - 0.5 * d * (1 - d / 3));
  return scale * expMinusD * Math.exp(-0.5 * xh * xh);
}

/** Q(x) = 1 − Φ(x) = Φ(−x) = φ(x)·R(x) for x > 0.5 (`scaledGaussian`, `millsRatio`). */
function normalTail(x: number): number {
  return scaledGaussian(x, INV_SQRT_2PI * millsRatio(x));
}

/**
 * φ(z) = e^{−z²/2}/√(2π), the standard normal density, to a few ulps relative wherever it is a normal double
 * (|z| ≤ 37.6; `scaledGaussian`): computed as INV_SQRT_2PI·e^{−z²/2} from the rounded z², its relative error grows
 * like (z²/4)·2⁻⁵² (gelu's σ′ and σ″ were 5e-14 off at z = −32.8).
 */
export function normalPdf(z: number): number {
  return scaledGaussian(Math.abs(z), INV_SQRT_2PI);
}

/**
 * Φ(z), the standard normal CDF, to 4·2⁻⁵² = 8.9e-16 relative wherever it is a normal double (z ≥ −37.5; the
 * largest error observed against mpmath is 2.6·2⁻⁵², in TypeScript and in the WASM kernels alike,
 * packages/mlp/test/fixtures/normal-cdf.json and special-functions.test.ts): Φ(z) = Q(−z) = φ(z)·R(−z) for
 * z < −0.75, 1 − Q(z) for z > 0.75 (`normalTail`, `millsRatio`), ½(1 + erf(z/√2)) by erf's series between.
 * For −38.47 < z < −37.5 Φ is subnormal, and within one subnormal step (2⁻¹⁰⁷⁴) of it plus the relative bound;
 * below, 0.
 */
export function normalCdf(z: number): number {
  if (z < -NORMAL_TAIL) return normalTail(-z);
  if (z > NORMAL_TAIL) return 1 - normalTail(z);
  return 0.5 * (1 + erfSeries(z * Math.SQRT1_2));
}

/** The logistic function 1/(1 + e^{−z}), without overflow (e^{z}/(1 + e^{z}) for z < 0). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
