// Contiguous vector helpers of the factorisations (factor.ts, svd.ts): dot, axpy, scal over n contiguous doubles,
// f64x2 in the SIMD build. Internal: index.ts does not re-export this module, so none of these is a WASM export.

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

/** x[i] *= alpha over n contiguous doubles. */
export function facScal(alpha: f64, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) st(x, i, alpha * ld(x, i));
}
