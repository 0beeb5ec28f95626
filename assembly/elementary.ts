// Elementary functions for the kernels (not exported from the WASM module): exp and tanh, scalar and f64x2.
//
// `expF`/`expV`: exp by range reduction x = k·ln2 + r, |r| ≤ ln2/2 (ln2 split in a 32-bit-exact high part and a
// low part, Cody & Waite 1980), a degree-13 Taylor polynomial for e^r (truncation ≤ 0.3466¹⁴/14! ≈ 4e-18
// relative) and 2^k written into the exponent bits: ≈ 1–2 ulp for |x| ≤ 708.

const LOG2E: f64 = 1.4426950408889634;
const LN2HI: f64 = 6.93147180369123816490e-1; // low 32 bits zero: k·LN2HI exact for |k| < 2^20
const LN2LO: f64 = 1.90821492927058770002e-10;
const SHIFT: f64 = 6755399441055744.0; // 1.5·2^52: x + SHIFT rounds x to an integer held in the low mantissa bits
const EXP_MAX: f64 = 708.0;

// Taylor coefficients 1/k!, k = 2..13
const C2: f64 = 0.5;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
const C6: f64 = 1.0 / 720.0;
const C7: f64 = 1.0 / 5040.0;
const C8: f64 = 1.0 / 40320.0;
const C9: f64 = 1.0 / 362880.0;
const C10: f64 = 1.0 / 3628800.0;
const C11: f64 = 1.0 / 39916800.0;
const C12: f64 = 1.0 / 479001600.0;
const C13: f64 = 1.0 / 6227020800.0;

/** exp(x) for |x| ≤ 708 (clamped there), ≈ 1–2 ulp. */
@inline export function expF(x: f64): f64 {
  x = min(max(x, -EXP_MAX), EXP_MAX);
  const t = x * LOG2E + SHIFT;
  const k = t - SHIFT;
  const r = x - k * LN2HI - k * LN2LO;
  let p = C13;
  p = p * r + C12;
  p = p * r + C11;
  p = p * r + C10;
  p = p * r + C9;
  p = p * r + C8;
  p = p * r + C7;
  p = p * r + C6;
  p = p * r + C5;
  p = p * r + C4;
  p = p * r + C3;
  p = p * r + C2;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const scale = reinterpret<f64>((reinterpret<i64>(t) + 1023) << 52);
  return p * scale;
}

/** Two lanes of `expF`. */
@inline export function expV(x: v128): v128 {
  x = f64x2.min(f64x2.max(x, f64x2.splat(-EXP_MAX)), f64x2.splat(EXP_MAX));
  const t = f64x2.add(f64x2.mul(x, f64x2.splat(LOG2E)), f64x2.splat(SHIFT));
  const k = f64x2.sub(t, f64x2.splat(SHIFT));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2HI))), f64x2.mul(k, f64x2.splat(LN2LO)));
  let p = f64x2.splat(C13);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C12));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C11));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C10));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C9));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(C2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const scale = i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52);
  return f64x2.mul(p, scale);
}


// tanh z = sign(z)·e/(e + 2) with e = expm1(2|z|): for 2|z| < TANH_SMALL, e = x·Σ_{k=0}^{16} x^k/(k+1)! (the series
// has positive terms only, no cancellation; truncation ≤ 0.7¹⁷/18! ≈ 4e-19 relative), else e = exp(x) − 1 with
// `expF` (exp(x) ≥ 2.01, so the subtraction costs ≤ ~2× the exp's 1–2 ulp). 2|z| is clamped at 40, where
// tanh = ±1 in f64 (tanh 20 = 1 − 8.5e-18). Relative error ≤ ~5 ulp; ±0 and the sign are kept.
const TANH_SMALL: f64 = 0.7;
const TANH_BIG: f64 = 40.0;
const E1: f64 = 1.0 / 2.0;
const E2: f64 = 1.0 / 6.0;
const E3: f64 = 1.0 / 24.0;
const E4: f64 = 1.0 / 120.0;
const E5: f64 = 1.0 / 720.0;
const E6: f64 = 1.0 / 5040.0;
const E7: f64 = 1.0 / 40320.0;
const E8: f64 = 1.0 / 362880.0;
const E9: f64 = 1.0 / 3628800.0;
const E10: f64 = 1.0 / 39916800.0;
const E11: f64 = 1.0 / 479001600.0;
const E12: f64 = 1.0 / 6227020800.0;
const E13: f64 = 1.0 / 87178291200.0;
const E14: f64 = 1.0 / 1307674368000.0;
const E15: f64 = 1.0 / 20922789888000.0;
const E16: f64 = 1.0 / 355687428096000.0;

/** expm1(x) for 0 ≤ x < TANH_SMALL by its Taylor series. */
@inline function expm1Small(x: f64): f64 {
  let p = E16;
  p = p * x + E15;
  p = p * x + E14;
  p = p * x + E13;
  p = p * x + E12;
  p = p * x + E11;
  p = p * x + E10;
  p = p * x + E9;
  p = p * x + E8;
  p = p * x + E7;
  p = p * x + E6;
  p = p * x + E5;
  p = p * x + E4;
  p = p * x + E3;
  p = p * x + E2;
  p = p * x + E1;
  p = p * x + 1.0;
  return x * p;
}

@inline function expm1SmallV(x: v128): v128 {
  let p = f64x2.splat(E16);
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E15));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E14));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E13));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E12));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E11));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E10));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E9));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E8));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E7));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E6));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E5));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E4));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E3));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E2));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(E1));
  p = f64x2.add(f64x2.mul(p, x), f64x2.splat(1.0));
  return f64x2.mul(x, p);
}

/** tanh z (see above), ≤ ~5 ulp. */
@inline export function tanhF(z: f64): f64 {
  const x = min(2.0 * abs(z), TANH_BIG);
  const e = x < TANH_SMALL ? expm1Small(x) : expF(x) - 1.0;
  return copysign(e / (e + 2.0), z);
}

/**
 * Two lanes of `tanhF`: both branches evaluated and selected per lane (branching on the pair measured no faster in
 * mlpLossPlane, 30-20-20-1 tanh: 224 vs 221 ms).
 */
@inline export function tanhV(z: v128): v128 {
  const x = f64x2.min(f64x2.abs(f64x2.add(z, z)), f64x2.splat(TANH_BIG));
  const small = f64x2.lt(x, f64x2.splat(TANH_SMALL));
  const e = v128.bitselect(expm1SmallV(x), f64x2.sub(expV(x), f64x2.splat(1.0)), small);
  const t = f64x2.div(e, f64x2.add(e, f64x2.splat(2.0)));
  return v128.or(t, v128.and(z, f64x2.splat(-0.0)));
}

/**
 * σ(z) = 1/(1 + e^{−z}) with `expF` (≤ ~3 ulp: e^{−z} ≤ 2 ulp, one addition, one division). e^{−z} is clamped at
 * e^{±708}, so for z < −708 the result is 1/(1 + e^{708}) ≈ 3.3e-308 instead of e^{z} (an absolute error below
 * 3.3e-308), and 1 for z > 708.
 */
@inline export function sigmoidF(z: f64): f64 {
  return 1.0 / (1.0 + expF(-z));
}

/** Two lanes of `sigmoidF` (the same operations per lane: identical results). */
@inline export function sigmoidV(z: v128): v128 {
  const one = f64x2.splat(1.0);
  return f64x2.div(one, f64x2.add(one, expV(f64x2.neg(z))));
}
