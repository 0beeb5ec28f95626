// The small-product path of blas.ts's dgemm (SIMD build): C = alpha·A·Bᵀ (+ D) for B at most 64 × 64, the products
// of a forward pass through narrow layers. Internal: index.ts does not re-export this module (dgemm is the kernel;
// mlp.ts calls gemmSmallNT directly to add a layer's bias row without first copying it into every row of C).

import { madd } from "./madd";

/** Largest n and k of C = alpha·A·Bᵀ (+ D) that `dgemm` computes by `gemmSmallNT` instead of its blocked path. */
export const SMALL_NT: i32 = 64;

/**
 * C (m × n) = alpha·A·Bᵀ (add = 0) or D + alpha·A·Bᵀ with row i of D at add + i·ldadd (add = c, ldadd = ldc: C += …;
 * ldadd = 0: one row for every i, a layer's bias row), for small n and k (≤ 64 < KC: one k-block); A m × k and B n × k
 * row-major (leading dimensions lda, ldb) — the products of a forward pass, Z = A·Wᵀ + 1bᵀ. dgemm's blocked path packs
 * A (m·k copies) and B for every call and runs 2×8 tiles, and a 20-wide layer ends in an edge tile computed into
 * scratch: at k = n = 20 its fixed costs dominate (≈ 5 GFLOP/s). Here only Bᵀ is packed (into `work`: column panels of
 * 8, then 4, 2, 1 columns, each k rows of contiguous doubles; n·k ≤ dgemmWorkSize(m, n, k) copies), A is read in place
 * and C is written once per tile. Every entry is the sum of blas.ts's `microKernel2x8` in the same order (from 0,
 * adding aᵢₚbⱼₚ for p = 0, 1, …, k − 1; then alpha·sum, or dᵢⱼ + alpha·sum), so the results are those of the blocked
 * path with D in C, bit for bit. D may be C itself, or must not overlap it.
 */
export function gemmSmallNT(
  m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
  add: usize, ldadd: i32,
): void {
  // pack Bᵀ by column panels
  let j0 = 0;
  while (j0 < n) {
    const wd = panelWidth(n - j0);
    const dst = work + (<usize>(j0 * k) << 3);
    for (let q = 0; q < wd; q++) {
      const src = b + ((<usize>(j0 + q) * <usize>ldb) << 3);
      for (let p = 0; p < k; p++) store<f64>(dst + (<usize>(p * wd + q) << 3), load<f64>(src + (<usize>p << 3)));
    }
    j0 += wd;
  }
  const lda8 = <usize>lda << 3;
  const ldc8 = <usize>ldc << 3;
  const ldd8 = <usize>ldadd << 3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const ai = a + <usize>i * lda8;
    const ci = c + <usize>i * ldc8;
    const di = add ? add + <usize>i * ldd8 : 0;
    j0 = 0;
    while (j0 < n) {
      const wd = panelWidth(n - j0);
      const pb = work + (<usize>(j0 * k) << 3);
      const cij = ci + (<usize>j0 << 3);
      const dij = add ? di + (<usize>j0 << 3) : 0;
      if (wd == 8) tile2x8(k, ai, lda8, pb, alpha, cij, ldc8, dij, ldd8);
      else if (wd == 4) tile2x4(k, ai, lda8, pb, alpha, cij, ldc8, dij, ldd8);
      else if (wd == 2) tile2x2(k, ai, lda8, pb, alpha, cij, ldc8, dij, ldd8);
      else tile2x1(k, ai, lda8, pb, alpha, cij, ldc8, dij, ldd8);
      j0 += wd;
    }
  }
  if (i < m) {
    const ai = a + <usize>i * lda8;
    const ci = c + <usize>i * ldc8;
    const di = add ? add + <usize>i * ldd8 : 0;
    for (let j = 0; j < n; j++) {
      const bj = b + ((<usize>j * <usize>ldb) << 3);
      let s: f64 = 0;
      for (let p = 0; p < k; p++) s += load<f64>(ai + (<usize>p << 3)) * load<f64>(bj + (<usize>p << 3));
      store<f64>(ci + (<usize>j << 3), add ? load<f64>(di + (<usize>j << 3)) + alpha * s : alpha * s);
    }
  }
}

/** Width of the next column panel of `gemmSmallNT` with `rest` columns left: 8, 4, 2 or 1. */
@inline function panelWidth(rest: i32): i32 {
  return rest >= 8 ? 8 : rest >= 4 ? 4 : rest >= 2 ? 2 : 1;
}

/** Two entries at c + offset: alpha·acc (d = 0) or d's two entries + alpha·acc, as `microKernel2x8` ends a tile. */
@inline function finish(c: usize, d: usize, offset: usize, va: v128, acc: v128): void {
  v128.store(c + offset, d ? f64x2.add(v128.load(d + offset), f64x2.mul(va, acc)) : f64x2.mul(va, acc));
}

/** Rows i, i + 1 × 1 column (a one-output layer): the two rows in the two lanes. */
function tile2x1(k: i32, a0: usize, lda8: usize, pw: usize, alpha: f64, c: usize, ldc8: usize, d: usize, ldd8: usize): void {
  const a1 = a0 + lda8;
  let acc = f64x2.splat(0);
  for (let p = 0; p < k; p++) {
    const q = <usize>p << 3;
    acc = madd(v128.load64_lane(a1 + q, v128.load64_splat(a0 + q), 1), v128.load64_splat(pw + q), acc);
  }
  const s0 = alpha * f64x2.extract_lane(acc, 0);
  const s1 = alpha * f64x2.extract_lane(acc, 1);
  store<f64>(c, d ? load<f64>(d) + s0 : s0);
  store<f64>(c + ldc8, d ? load<f64>(d + ldd8) + s1 : s1);
}

/** Rows i, i + 1 × 8 columns (8 f64x2 accumulators, as `microKernel2x8`). */
function tile2x8(k: i32, a0: usize, lda8: usize, pb: usize, alpha: f64, c: usize, ldc8: usize, d: usize, ldd8: usize): void {
  const a1 = a0 + lda8;
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
  for (let p = 0; p < k; p++) {
    const q = <usize>p << 3;
    const x0 = v128.load64_splat(a0 + q);
    const x1 = v128.load64_splat(a1 + q);
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    c00 = madd(x0, b0, c00);
    c01 = madd(x0, b1, c01);
    c02 = madd(x0, b2, c02);
    c03 = madd(x0, b3, c03);
    c10 = madd(x1, b0, c10);
    c11 = madd(x1, b1, c11);
    c12 = madd(x1, b2, c12);
    c13 = madd(x1, b3, c13);
    pb += 64;
  }
  const va = f64x2.splat(alpha);
  const c1 = c + ldc8;
  const d1 = d ? d + ldd8 : 0;
  finish(c, d, 0, va, c00);
  finish(c, d, 16, va, c01);
  finish(c, d, 32, va, c02);
  finish(c, d, 48, va, c03);
  finish(c1, d1, 0, va, c10);
  finish(c1, d1, 16, va, c11);
  finish(c1, d1, 32, va, c12);
  finish(c1, d1, 48, va, c13);
}

/** Rows i, i + 1 × 4 columns. */
function tile2x4(k: i32, a0: usize, lda8: usize, pb: usize, alpha: f64, c: usize, ldc8: usize, d: usize, ldd8: usize): void {
  const a1 = a0 + lda8;
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  for (let p = 0; p < k; p++) {
    const q = <usize>p << 3;
    const x0 = v128.load64_splat(a0 + q);
    const x1 = v128.load64_splat(a1 + q);
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    c00 = madd(x0, b0, c00);
    c01 = madd(x0, b1, c01);
    c10 = madd(x1, b0, c10);
    c11 = madd(x1, b1, c11);
    pb += 32;
  }
  const va = f64x2.splat(alpha);
  const c1 = c + ldc8;
  const d1 = d ? d + ldd8 : 0;
  finish(c, d, 0, va, c00);
  finish(c, d, 16, va, c01);
  finish(c1, d1, 0, va, c10);
  finish(c1, d1, 16, va, c11);
}

/** Rows i, i + 1 × 2 columns. */
function tile2x2(k: i32, a0: usize, lda8: usize, pb: usize, alpha: f64, c: usize, ldc8: usize, d: usize, ldd8: usize): void {
  const a1 = a0 + lda8;
  let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
  for (let p = 0; p < k; p++) {
    const q = <usize>p << 3;
    const b0 = v128.load(pb);
    c0 = madd(v128.load64_splat(a0 + q), b0, c0);
    c1 = madd(v128.load64_splat(a1 + q), b0, c1);
    pb += 16;
  }
  const va = f64x2.splat(alpha);
  finish(c, d, 0, va, c0);
  finish(c + ldc8, d ? d + ldd8 : 0, 0, va, c1);
}
