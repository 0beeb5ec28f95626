// Contiguous vector helpers of the factorisations (factor.ts, svd.ts): dot, nrm2, axpy, scal, division by a scalar
// over n contiguous doubles, f64x2 in the SIMD build. Internal: index.ts does not re-export this module, so none of these is a WASM export.

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Σᵢ x[i]·y[i] over n contiguous doubles. */
export function facDot(x: usize, y: usize, n: i32): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 3;
      a0 = f64x2.add(a0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(x + o + 16), v128.load(y + o + 16)));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(x + o + 32), v128.load(y + o + 32)));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(x + o + 48), v128.load(y + o + 48)));
    }
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      a0 = f64x2.add(a0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    }
    a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  } else {
    let s1: f64 = 0;
    for (; i + 2 <= n; i += 2) {
      s += ld(x, i) * ld(y, i);
      s1 += ld(x, i + 1) * ld(y, i + 1);
    }
    s += s1;
  }
  for (; i < n; i++) s += ld(x, i) * ld(y, i);
  return s;
}

// A sum of squares Σ x[i]² ≥ 2⁻⁹⁶⁸ lost at most n·2⁻¹⁰⁷⁵ to squares that underflowed: a relative n·2⁻¹⁰⁷ ≪ ε.
const SUMSQ_SAFE_MIN: f64 = 4.0083367200179456e-292; // 2^-968

/** 2^e for −1022 ≤ e ≤ 1023 (exact: the bits of the biased exponent). */
@inline export function pow2(e: i32): f64 {
  return reinterpret<f64>(<u64>(e + 1023) << 52);
}

/**
 * Σᵢ (x[i]·c1·c2)² over n contiguous doubles, summed in exactly the order of facDot (same lanes, same
 * accumulators): for powers of two c1, c2 and no underflow, it is c1²c2²·facDot(x, x, n) to the last bit.
 */
function facSumSqScaled(x: usize, n: i32, c1: f64, c2: f64): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    const v1 = f64x2.splat(c1);
    const v2 = f64x2.splat(c2);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 3;
      const t0 = f64x2.mul(f64x2.mul(v128.load(x + o), v1), v2);
      const t1 = f64x2.mul(f64x2.mul(v128.load(x + o + 16), v1), v2);
      const t2 = f64x2.mul(f64x2.mul(v128.load(x + o + 32), v1), v2);
      const t3 = f64x2.mul(f64x2.mul(v128.load(x + o + 48), v1), v2);
      a0 = f64x2.add(a0, f64x2.mul(t0, t0));
      a1 = f64x2.add(a1, f64x2.mul(t1, t1));
      a2 = f64x2.add(a2, f64x2.mul(t2, t2));
      a3 = f64x2.add(a3, f64x2.mul(t3, t3));
    }
    for (; i + 2 <= n; i += 2) {
      const t0 = f64x2.mul(f64x2.mul(v128.load(x + (<usize>i << 3)), v1), v2);
      a0 = f64x2.add(a0, f64x2.mul(t0, t0));
    }
    a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  } else {
    let s1: f64 = 0;
    for (; i + 2 <= n; i += 2) {
      const t0 = ld(x, i) * c1 * c2;
      const t1 = ld(x, i + 1) * c1 * c2;
      s += t0 * t0;
      s1 += t1 * t1;
    }
    s += s1;
  }
  for (; i < n; i++) {
    const t = ld(x, i) * c1 * c2;
    s += t * t;
  }
  return s;
}

/**
 * ‖x‖₂ over n contiguous doubles, never overflowing or underflowing when the norm is representable (the role of
 * LAPACK's dnrm2). Fast path, as LAPACK keeps the unscaled sum when it is safe: √(facDot(x, x)) when the sum of
 * squares is finite and ≥ 2⁻⁹⁶⁸ (no square overflowed; those that underflowed are negligible). Otherwise the
 * entries are scaled by the power of two 2ˢ that brings max|x[i]| into [1, 2) and ‖x‖ = 2⁻ˢ·√(Σ (2ˢx[i])²), with
 * the sum in facDot's order: scaling by a power of two is exact, so ‖2ᵏx‖ = 2ᵏ‖x‖ to the last bit wherever no
 * entry is subnormal, whichever path each takes (QR's results then scale exactly with A). NaN in → NaN out.
 */
export function facNrm2(x: usize, n: i32): f64 {
  const ss = facDot(x, x, n);
  if (ss >= SUMSQ_SAFE_MIN && ss < Infinity) return Math.sqrt(ss);
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(ld(x, i)));
  if (amax == 0 || !isFinite(amax)) return amax;
  // amax = f·2^e with f ∈ [1, 2) (subnormals are first lifted by 2⁵⁴); s = −e ∈ [−1023, 1074] goes in two halves,
  // each a representable power of two.
  let lifted = amax;
  let shift = 0;
  if (lifted < 2.2250738585072014e-308) {
    lifted *= 18014398509481984.0; // 2^54
    shift = 54;
  }
  const s = -(<i32>((reinterpret<u64>(lifted) >> 52) & 0x7ff) - 1023 - shift);
  const s1 = s >> 1;
  const s2 = s - s1;
  return Math.sqrt(facSumSqScaled(x, n, pow2(s1), pow2(s2))) * pow2(-s1) * pow2(-s2);
}

/** y[i] += alpha·x[i] over n contiguous doubles. */
export function facAxpy(alpha: f64, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
      v128.store(y + o + 16, f64x2.add(v128.load(y + o + 16), f64x2.mul(va, v128.load(x + o + 16))));
    }
  }
  for (; i < n; i++) st(y, i, ld(y, i) + alpha * ld(x, i));
}

/** x[i] ↔ y[i] over n contiguous doubles (row or column interchanges). */
export function facSwap(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const t = ld(x, i);
    st(x, i, ld(y, i));
    st(y, i, t);
  }
}

/** x[i] *= alpha over n contiguous doubles. */
export function facScal(alpha: f64, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) st(x, i, alpha * ld(x, i));
}

/** x[i] /= d over n contiguous doubles (a division, not a product with 1/d, which overflows for subnormal d). */
export function facDiv(x: usize, d: f64, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vd = f64x2.splat(d);
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      v128.store(x + o, f64x2.div(v128.load(x + o), vd));
    }
  }
  for (; i < n; i++) st(x, i, ld(x, i) / d);
}
