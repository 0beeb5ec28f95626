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


// tanh z = sign(z)·e/(e + 2) with e = expm1(x), x = 2|z|, by one range reduction for every x (as fdlibm's expm1):
// x = k·ln2 + r, |r| ≤ ln2/2 (Cody–Waite, as `expF`), expm1(r) = r + r²·(1/2 + r·h(r)) with h(r) = (expm1(r) − r −
// r²/2)/r³ ≈ 1/6 + r/24 + … by a degree-9 polynomial (Chebyshev least-squares fit on [−ln2/2, ln2/2], mpmath
// `chebyfit` at 50 digits; expm1(r) from it, coefficients rounded to f64, within 2.5e-18 relative of mpmath's
// expm1 at 2001 points of the interval; the Taylor series needs degree 13 for 1.3e-17), then
// e = 2^k·expm1(r) + (2^k − 1): for k = 0 (x < ln2/2) e = expm1(r), with no cancellation at small x; for k ≥ 1 the
// two terms cancel by at most a factor ≈ 1.4. One polynomial per value: an earlier version evaluated both a 17-term
// expm1 series (x < 0.7) and `expF` − 1 per f64x2 pair and selected, ≈ 1.8× the work (and the fit saves two more
// steps of the degree-13 Taylor form: ≈ 8 % on the tanh 30-20-20-1 plane). 2|z| is clamped at 40, where tanh = ±1
// in f64 (tanh 20 = 1 − 8.5e-18). Relative error ≤ ~5 ulp by the bounds above; measured against mpmath's tanh at
// 30,000 random |z| in [2⁻¹², 2^4.5]: ≤ 2 ulp, mean 0.29 ulp (Math.tanh: ≤ 2, mean 0.25; the two-polynomial
// version: ≤ 3, mean 0.34). ±0 and the sign are kept.
const H9: f64 = 2.091122972975856e-09;
const H8: f64 = 2.5100375832561234e-08;
const H7: f64 = 2.755728298405588e-07;
const H6: f64 = 2.7557268480310024e-06;
const H5: f64 = 2.4801587317135164e-05;
const H4: f64 = 0.00019841269863040545;
const H3: f64 = 0.0013888888888886554;
const H2: f64 = 0.008333333333330065;
const H1: f64 = 0.041666666666666664;
const H0: f64 = 0.16666666666666669;
const TANH_BIG: f64 = 40.0;

/** expm1(x) for 0 ≤ x ≤ TANH_BIG (see above). */
@inline function expm1Pos(x: f64): f64 {
  const t = x * LOG2E + SHIFT;
  const k = t - SHIFT;
  const r = x - k * LN2HI - k * LN2LO;
  let p = H9;
  p = p * r + H8;
  p = p * r + H7;
  p = p * r + H6;
  p = p * r + H5;
  p = p * r + H4;
  p = p * r + H3;
  p = p * r + H2;
  p = p * r + H1;
  p = p * r + H0;
  const em1 = r + (r * r) * (p * r + 0.5);
  const scale = reinterpret<f64>((reinterpret<i64>(t) + 1023) << 52);
  return scale * em1 + (scale - 1.0);
}

/** Two lanes of `expm1Pos` (the same operations per lane: identical results). */
@inline function expm1PosV(x: v128): v128 {
  const t = f64x2.add(f64x2.mul(x, f64x2.splat(LOG2E)), f64x2.splat(SHIFT));
  const k = f64x2.sub(t, f64x2.splat(SHIFT));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2HI))), f64x2.mul(k, f64x2.splat(LN2LO)));
  let p = f64x2.splat(H9);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H1));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(H0));
  const em1 = f64x2.add(r, f64x2.mul(f64x2.mul(r, r), f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5))));
  const scale = i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52);
  return f64x2.add(f64x2.mul(scale, em1), f64x2.sub(scale, f64x2.splat(1.0)));
}

/** tanh z (see above), ≤ ~5 ulp. */
@inline export function tanhF(z: f64): f64 {
  const e = expm1Pos(min(2.0 * abs(z), TANH_BIG));
  return copysign(e / (e + 2.0), z);
}

/** Two lanes of `tanhF` (the same operations per lane: identical results). */
@inline export function tanhV(z: v128): v128 {
  const e = expm1PosV(f64x2.min(f64x2.abs(f64x2.add(z, z)), f64x2.splat(TANH_BIG)));
  const t = f64x2.div(e, f64x2.add(e, f64x2.splat(2.0)));
  return v128.or(t, v128.and(z, f64x2.splat(-0.0)));
}

/**
 * a[0:8] = tanh z[0:8]: `tanhV` on four vectors at once, each f64x2 constant formed once for all four. V8
 * materialises a v128 constant at every use (no register holds 20 of them), so the one-vector loop paid that for
 * each Horner step; sharing it made the tanh 30-20-20-1 plane (n = 1000, 21 × 21) ≈ 1.5× faster (127 → 82 ms;
 * two vectors: 89 ms, three: 83 ms). The same operations per lane as `tanhF`: identical results.
 */
@inline export function tanhV8(z: usize, a: usize): void {
  const big = f64x2.splat(TANH_BIG);
  const x0 = f64x2.min(f64x2.abs(f64x2.add(v128.load(z, 0), v128.load(z, 0))), big);
  const x1 = f64x2.min(f64x2.abs(f64x2.add(v128.load(z, 16), v128.load(z, 16))), big);
  const x2 = f64x2.min(f64x2.abs(f64x2.add(v128.load(z, 32), v128.load(z, 32))), big);
  const x3 = f64x2.min(f64x2.abs(f64x2.add(v128.load(z, 48), v128.load(z, 48))), big);
  const log2e = f64x2.splat(LOG2E);
  const shift = f64x2.splat(SHIFT);
  const t0 = f64x2.add(f64x2.mul(x0, log2e), shift);
  const t1 = f64x2.add(f64x2.mul(x1, log2e), shift);
  const t2 = f64x2.add(f64x2.mul(x2, log2e), shift);
  const t3 = f64x2.add(f64x2.mul(x3, log2e), shift);
  const hi = f64x2.splat(LN2HI);
  const lo = f64x2.splat(LN2LO);
  const k0 = f64x2.sub(t0, shift);
  const k1 = f64x2.sub(t1, shift);
  const k2 = f64x2.sub(t2, shift);
  const k3 = f64x2.sub(t3, shift);
  const r0 = f64x2.sub(f64x2.sub(x0, f64x2.mul(k0, hi)), f64x2.mul(k0, lo));
  const r1 = f64x2.sub(f64x2.sub(x1, f64x2.mul(k1, hi)), f64x2.mul(k1, lo));
  const r2 = f64x2.sub(f64x2.sub(x2, f64x2.mul(k2, hi)), f64x2.mul(k2, lo));
  const r3 = f64x2.sub(f64x2.sub(x3, f64x2.mul(k3, hi)), f64x2.mul(k3, lo));
  let c = f64x2.splat(H9);
  let p0 = c; let p1 = c; let p2 = c; let p3 = c;
  c = f64x2.splat(H8);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H7);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H6);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H5);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H4);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H3);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H2);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H1);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(H0);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(0.5);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  const m0 = f64x2.add(r0, f64x2.mul(f64x2.mul(r0, r0), p0));
  const m1 = f64x2.add(r1, f64x2.mul(f64x2.mul(r1, r1), p1));
  const m2 = f64x2.add(r2, f64x2.mul(f64x2.mul(r2, r2), p2));
  const m3 = f64x2.add(r3, f64x2.mul(f64x2.mul(r3, r3), p3));
  const one = f64x2.splat(1.0);
  const bias = i64x2.splat(1023);
  const s0 = i64x2.shl(i64x2.add(t0, bias), 52);
  const s1 = i64x2.shl(i64x2.add(t1, bias), 52);
  const s2 = i64x2.shl(i64x2.add(t2, bias), 52);
  const s3 = i64x2.shl(i64x2.add(t3, bias), 52);
  const e0 = f64x2.add(f64x2.mul(s0, m0), f64x2.sub(s0, one));
  const e1 = f64x2.add(f64x2.mul(s1, m1), f64x2.sub(s1, one));
  const e2 = f64x2.add(f64x2.mul(s2, m2), f64x2.sub(s2, one));
  const e3 = f64x2.add(f64x2.mul(s3, m3), f64x2.sub(s3, one));
  const two = f64x2.splat(2.0);
  const sign = f64x2.splat(-0.0);
  v128.store(a, v128.or(f64x2.div(e0, f64x2.add(e0, two)), v128.and(v128.load(z, 0), sign)), 0);
  v128.store(a, v128.or(f64x2.div(e1, f64x2.add(e1, two)), v128.and(v128.load(z, 16), sign)), 16);
  v128.store(a, v128.or(f64x2.div(e2, f64x2.add(e2, two)), v128.and(v128.load(z, 32), sign)), 32);
  v128.store(a, v128.or(f64x2.div(e3, f64x2.add(e3, two)), v128.and(v128.load(z, 48), sign)), 48);
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

/**
 * a[0:8] = σ(z[0:8]): `sigmoidV` on four vectors at once, each f64x2 constant formed once for all four (as
 * `tanhV8`). The same operations per lane as `sigmoidF`: identical results.
 */
@inline export function sigmoidV8(z: usize, a: usize): void {
  const lim = f64x2.splat(EXP_MAX);
  const nlim = f64x2.splat(-EXP_MAX);
  const x0 = f64x2.min(f64x2.max(f64x2.neg(v128.load(z, 0)), nlim), lim);
  const x1 = f64x2.min(f64x2.max(f64x2.neg(v128.load(z, 16)), nlim), lim);
  const x2 = f64x2.min(f64x2.max(f64x2.neg(v128.load(z, 32)), nlim), lim);
  const x3 = f64x2.min(f64x2.max(f64x2.neg(v128.load(z, 48)), nlim), lim);
  const log2e = f64x2.splat(LOG2E);
  const shift = f64x2.splat(SHIFT);
  const t0 = f64x2.add(f64x2.mul(x0, log2e), shift);
  const t1 = f64x2.add(f64x2.mul(x1, log2e), shift);
  const t2 = f64x2.add(f64x2.mul(x2, log2e), shift);
  const t3 = f64x2.add(f64x2.mul(x3, log2e), shift);
  const hi = f64x2.splat(LN2HI);
  const lo = f64x2.splat(LN2LO);
  const k0 = f64x2.sub(t0, shift);
  const k1 = f64x2.sub(t1, shift);
  const k2 = f64x2.sub(t2, shift);
  const k3 = f64x2.sub(t3, shift);
  const r0 = f64x2.sub(f64x2.sub(x0, f64x2.mul(k0, hi)), f64x2.mul(k0, lo));
  const r1 = f64x2.sub(f64x2.sub(x1, f64x2.mul(k1, hi)), f64x2.mul(k1, lo));
  const r2 = f64x2.sub(f64x2.sub(x2, f64x2.mul(k2, hi)), f64x2.mul(k2, lo));
  const r3 = f64x2.sub(f64x2.sub(x3, f64x2.mul(k3, hi)), f64x2.mul(k3, lo));
  let c = f64x2.splat(C13);
  let p0 = c; let p1 = c; let p2 = c; let p3 = c;
  c = f64x2.splat(C12);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C11);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C10);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C9);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C8);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C7);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C6);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C5);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C4);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C3);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(C2);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  c = f64x2.splat(1.0);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  p0 = f64x2.add(f64x2.mul(p0, r0), c); p1 = f64x2.add(f64x2.mul(p1, r1), c); p2 = f64x2.add(f64x2.mul(p2, r2), c); p3 = f64x2.add(f64x2.mul(p3, r3), c);
  // c = 1 now
  const bias = i64x2.splat(1023);
  v128.store(a, f64x2.div(c, f64x2.add(c, f64x2.mul(p0, i64x2.shl(i64x2.add(t0, bias), 52)))), 0);
  v128.store(a, f64x2.div(c, f64x2.add(c, f64x2.mul(p1, i64x2.shl(i64x2.add(t1, bias), 52)))), 16);
  v128.store(a, f64x2.div(c, f64x2.add(c, f64x2.mul(p2, i64x2.shl(i64x2.add(t2, bias), 52)))), 32);
  v128.store(a, f64x2.div(c, f64x2.add(c, f64x2.mul(p3, i64x2.shl(i64x2.add(t3, bias), 52)))), 48);
}
