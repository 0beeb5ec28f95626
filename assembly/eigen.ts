// Symmetric eigensolver kernels on raw pointers (f64). One source, two builds: f64x2 SIMD and scalar.
//
// Storage: the working matrices are n×n COLUMN-major (element (r, c) at p + 8·(c·n + r)). A symmetric input in
// row-major order is the same array, so core passes it unchanged. Column-major makes the O(n³) loops that are not
// GEMMs (the fused symmetric matrix-vector product and rank-2 update of the reduction, the QL rotations on the
// leaves) unit-stride and f64x2-friendly. The GEMMs (divide-and-conquer updates, WY back-transformation) call
// blas.ts's packed dgemm on the row-major views (a column-major X is the row-major Xᵀ).
//
//   dsytrdLower    A = Q·T·Qᵀ, T tridiagonal (Householder, lower triangle; Golub & Van Loan §8.3.1)
//   dsytrdBand     T alone, in two stages: dense to band by GEMMs, band to tridiagonal by bulge chasing
//   dsterfQL       eigenvalues of T (Pal–Walker–Kahan root-free QL/QR, LAPACK dsterf)
//   dstedcVectors  eigenvalues and eigenvectors of T by divide and conquer (Cuppen; LAPACK dstedc/dlaed*),
//                  implicit QL with vectors on the leaves
//   dormtrLower    W ← Q·W with Q's reflectors applied in blocks (compact WY, GEMM updates)
//
// Kernels never allocate: every workspace comes from core's arena. No validation here (core validated).

import { dgemm } from "./blas";
import { applyBlockReflector, compactWyT, copyReflectors, householderQr, householderReflector } from "./factor";
import { madd, nmadd } from "./madd";
import { facAxpy, facDot, facNrm2, facSwap, pow2 } from "./vector";

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Reflector tails with ‖x‖₂ ≤ TINY = 2⁻⁹⁰⁰ are taken as zero. */
const TINY: f64 = 1.1830521861667747e-271;

/** Address of column c of an n×n column-major matrix. */
@inline function col(a: usize, n: i32, c: i32): usize {
  return a + ((<usize>c * <usize>n) << 3);
}

/**
 * Householder tridiagonalisation of a symmetric n×n matrix (column-major, lower triangle referenced):
 * Qᵀ·A·Q = T with Q = H₀·H₁⋯H_{n−2}, H_k = I − τ_k·v_k·v_kᵀ, v_k[k+1] = 1, v_k[r] = A[r, k] (r ≥ k+2) on exit.
 * d (n) gets diag(T), e (n) the subdiagonal e[k] = T[k+1, k] (e[n−1] = 0), tau (n) the τ_k.
 * work: 8n doubles. Each column of the trailing matrix is read and written once per step: the rank-2 update
 * A ← A − v·wᵀ − w·vᵀ of step k−1 is fused with the product p = A·v of step k (Dongarra, Hammarling & Sorensen 1989).
 * The SIMD build reads v, w, vn and accumulates p through one interleaved array (interleaveRows), so its inner loop
 * advances three pointers instead of six; the relaxed build fuses each multiply–add (madd, nmadd).
 * What bounds the pass is not settled. Not bandwidth: in node 20 on a Zen 4 it runs at 15.4–16.3 GFLOP/s for n from
 * 300 (A in L2) to 1400. Not the instruction count: 53 instead of 62 instructions per four rows took the same time.
 * Not q leaving L1: blocking the rows so that q's block stays there was 3–30 % slower, and reading each row block of q
 * once for two column pairs (blocks of 64 to 2048 rows, same bits) 3–9 % slower; four columns a pass, which reads q
 * once per four columns, ran 20 % slower (V8 spilled an accumulator to the stack). Not the write-back of A: without
 * A's stores (a timing experiment) it took 78–80 ms, so deferring every other rank-2 update to halve them (as LAPACK's
 * dlatrd defers its panel's) could save at most ≈ 2.5 %. Yet the same instructions with all of A's accesses, or all
 * of q's, pinned to a few fixed lines (timing experiments, wrong results) took 52 and 47 ms at n = 1000 against 82,
 * while pinning only A's loads, one of the two columns, or part of q's accesses did not help. Not 4 KiB aliasing of
 * q's loads with A's stores: v, w, vn and p as four arrays beside a leading dimension padded to a multiple of 512
 * doubles, placed so that no load shares its address bits 0–11 with a store in flight, took 92 ms, the same arrays
 * unpadded 94.6 (and 109 placed to alias on purpose). Not the first lines of each column pair missing the caches:
 * loading the next pair's first 2–8 lines of both columns at the start of each pass took 82.5–83.8 ms. And LAPACK's
 * blocked form would be slower here: the product alone (every step's pass without its rank-2 update, the half of the
 * flops dsytrd leaves to level 2) took 55 ms, and the other half as a rank-2k update at GEMM's rate ≈ 35 ms more.
 * On a Zen 5 in node 20 (fused pass 66–77 ms at n = 1000), four more did not pay. Not misalignment: on every other step
 * A's rows from j + 2 start 8 bytes off 16, yet with A's addresses rounded down to 16 bytes (a timing experiment, wrong
 * results) the pass took the same time. A prefetch by hand, loading the next pair's rows while this pair streams (two
 * loads per four rows), made it slower: 86–92 ms against 75–91. Not L3 against L2: taking the column pairs right to
 * left on odd steps, so that each pass starts on the columns the last one left in cache, took 67.5–70 ms against
 * 67–69.5. Nor writing A every other step: deferring each odd step's update (a read-only product pass, then both
 * updates as one rank-4 update fused with the next step's product) does the same multiplies with two reads and one
 * write of A per two steps instead of two of each, but as two columns a pass V8 spilled an accumulator to the stack (a
 * store-to-load chain every iteration), and as one column a pass it reads six vectors per column: 94–116 ms for each
 * variant tried. LAPACK's blocked form loses there too: the product alone (every pass without its rank-2 update) took
 * 56.4–57.1 ms against 71.5–72.6 for the fused pass (medians of 11 calls, n = 1000), so with the other half of the
 * flops as a rank-2k update at GEMM's rate (≈ 30 ms) it would take ≈ 86. Not the column-by-column layout: with the
 * lower triangle packed (LAPACK's 'L' packed storage, so that the trailing matrix is one contiguous range and each pass
 * one stream) the pass gave the same bits in the same time (72.4–77.0 ms against 73.4–75.5). Not the TLB: with
 * transparent huge pages on for all memory (a system setting; 20 MiB of huge pages in use during the run) it took
 * 71.4–72.0 ms against 70.9–72.1.
 * It does slow with the memory bandwidth the host leaves the VM: in phases when other guests load the Zen 5 host, the
 * pass and a plain read stream of its bytes both run about a third slower (101–105 ms against 70–76; the eigh
 * benchmark's read-stream row 32.8–35.4 ms against 23.0–24.8), while the f64x2 ceiling runs about a tenth slower and
 * numpy's eigvalsh 4–20 % (LAPACK's dsytrd reads A once a step and writes it once a panel).
 */
export function dsytrdLower(n: i32, a: usize, d: usize, e: usize, tau: usize, work: usize): void {
  const nn = <usize>n << 3;
  let v = work; // reflector of the pending update (global row index)
  let w = work + nn; // its w vector
  let vn = work + 2 * nn; // reflector being built
  let pn = work + 3 * nn; // A·vn, then wn
  const q = work + 4 * nn; // v, w, vn and p interleaved by row pairs for the SIMD pass (4n doubles)
  let pending = false;
  for (let k = 0; k < n; k++) {
    const ck = col(a, n, k);
    if (pending) rank2Column(ck, k, n, v, w);
    st(d, k, ld(ck, k));
    if (k == n - 1) {
      st(e, k, 0);
      st(tau, k, 0);
      break;
    }
    // Reflector from x = A[k+1:n, k]: H·x = β·e₁ (LAPACK dlarfg conventions).
    const alpha = ld(ck, k + 1);
    const tail = ck + (<usize>(k + 2) << 3);
    const xnorm = k + 2 < n ? facNrm2(tail, n - k - 2) : 0;
    let t: f64 = 0;
    // Below 2⁻⁹⁰⁰ the tail is treated as zero (H = I): 1/(α − β) then stays finite, and the backward error,
    // ≤ 2⁻⁹⁰⁰, is negligible because core scales inputs to max|a| ≥ 2⁻²⁵⁶.
    if (xnorm > TINY) {
      let beta = hypot2(alpha, xnorm);
      if (alpha >= 0) beta = -beta;
      t = (beta - alpha) / beta;
      scaleCopy(tail, vn + (<usize>(k + 2) << 3), n - k - 2, 1 / (alpha - beta));
      st(vn, k + 1, 1);
      st(e, k, beta);
    } else {
      st(e, k, alpha);
    }
    st(tau, k, t);
    // Fused pass over the trailing columns: apply the pending update, accumulate pn = A·vn (lower triangle).
    if (t != 0) {
      memory.fill(pn + (<usize>(k + 1) << 3), 0, <usize>(n - k - 1) << 3);
      if (ASC_FEATURE_SIMD) interleaveRows(q, k + 1, n, pending, v, w, vn);
      let j = k + 1;
      // column pair (j, j+1) reads its rows from j+2 on: row pair (j+1−k)/2 of q, 32·(j+1−k) bytes in
      for (; j + 1 < n; j += 2) fusedColumnPair(col(a, n, j), j, n, pending, v, w, vn, pn, q + (<usize>(j + 1 - k) << 5));
      if (j < n) fusedColumn(col(a, n, j), j, n, pending, v, w, vn, pn);
      // pn ← τ·A·v (the SIMD build adds the pass's share of A·v from q's row pairs here); wn = pn − ½τ(pnᵀv)·v
      let dot: f64 = 0;
      let r = k + 1;
      if (ASC_FEATURE_SIMD) {
        const tt = f64x2.splat(t);
        let acc = f64x2.splat(0);
        for (; r + 1 < n; r += 2) {
          const o = <usize>r << 3;
          const p = f64x2.mul(tt, f64x2.add(v128.load(pn + o), v128.load(q + (<usize>(r - k - 1) << 5), 48)));
          v128.store(pn + o, p);
          acc = madd(p, v128.load(vn + o), acc);
        }
        dot = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      }
      for (; r < n; r++) {
        const p = t * ld(pn, r);
        st(pn, r, p);
        dot += p * ld(vn, r);
      }
      const c = -0.5 * t * dot;
      r = k + 1;
      if (ASC_FEATURE_SIMD) {
        const cc = f64x2.splat(c);
        for (; r + 1 < n; r += 2) {
          const o = <usize>r << 3;
          v128.store(pn + o, f64x2.add(v128.load(pn + o), f64x2.mul(cc, v128.load(vn + o))));
        }
      }
      for (; r < n; r++) st(pn, r, ld(pn, r) + c * ld(vn, r));
      // rotate roles: the new pending update is (vn, pn)
      const tv = v;
      const tw = w;
      v = vn;
      w = pn;
      vn = tv;
      pn = tw;
      pending = true;
    } else {
      if (pending) for (let j = k + 1; j < n; j++) rank2Column(col(a, n, j), j, n, v, w);
      pending = false;
    }
  }
}

/**
 * The fused pass's vectors by row pairs, from row r0: q holds, for rows r0 + 2i and r0 + 2i + 1, 64 bytes at
 * 64·i: v (0), w (16), vn (32) and the pass's share of p (48, zeroed); v and w are zero when no update is pending.
 * Rows from r0 + 2·⌊(n − r0)/2⌋ on (at most one) are not interleaved.
 */
function interleaveRows(q: usize, r0: i32, n: i32, pending: bool, v: usize, w: usize, vn: usize): void {
  const zero = f64x2.splat(0);
  for (let r = r0; r + 1 < n; r += 2) {
    const b = q + (<usize>(r - r0) << 5);
    const o = <usize>r << 3;
    v128.store(b, pending ? v128.load(v + o) : zero);
    v128.store(b, pending ? v128.load(w + o) : zero, 16);
    v128.store(b, v128.load(vn + o), 32);
    v128.store(b, zero, 48);
  }
}

/** x[i] ← f·x[i] and y[i] ← x[i] (the new value) over n contiguous doubles. */
function scaleCopy(x: usize, y: usize, n: i32, f: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vf = f64x2.splat(f);
    for (; i + 1 < n; i += 2) {
      const o = <usize>i << 3;
      const z = f64x2.mul(v128.load(x + o), vf);
      v128.store(x + o, z);
      v128.store(y + o, z);
    }
  }
  for (; i < n; i++) {
    const z = ld(x, i) * f;
    st(x, i, z);
    st(y, i, z);
  }
}

/** A[j:n, j] −= v[j:n]·w_j + w[j:n]·v_j (one column of the lower-triangle rank-2 update). */
function rank2Column(cj: usize, j: i32, n: i32, v: usize, w: usize): void {
  const vj = ld(v, j);
  const wj = ld(w, j);
  let r = j;
  if (ASC_FEATURE_SIMD) {
    const vv = f64x2.splat(vj);
    const ww = f64x2.splat(wj);
    for (; r + 1 < n; r += 2) {
      const o = <usize>r << 3;
      const x = v128.load(cj + o);
      const y = nmadd(v128.load(w + o), vv, nmadd(v128.load(v + o), ww, x));
      v128.store(cj + o, y);
    }
  }
  for (; r < n; r++) st(cj, r, ld(cj, r) - ld(v, r) * wj - ld(w, r) * vj);
}

/**
 * Column j of the fused reduction pass: optionally apply the pending rank-2 update (v, w) to A[j:n, j], then
 * accumulate its contribution to p = A·vn over the lower triangle: p[j] += A[j:n, j]ᵀ·vn[j:n],
 * p[j+1:n] += A[j+1:n, j]·vn[j].
 */
function fusedColumn(cj: usize, j: i32, n: i32, pending: bool, v: usize, w: usize, vn: usize, pn: usize): void {
  const vj: f64 = pending ? ld(v, j) : 0;
  const wj: f64 = pending ? ld(w, j) : 0;
  const vnj = ld(vn, j);
  // diagonal element
  let ajj = ld(cj, j);
  if (pending) {
    ajj = ajj - ld(v, j) * wj - ld(w, j) * vj;
    st(cj, j, ajj);
  }
  let s: f64 = ajj * vnj;
  let r = j + 1;
  if (ASC_FEATURE_SIMD) {
    const vv = f64x2.splat(vj);
    const ww = f64x2.splat(wj);
    const xn = f64x2.splat(vnj);
    let acc = f64x2.splat(0);
    if (pending) {
      for (; r + 1 < n; r += 2) {
        const o = <usize>r << 3;
        const x = nmadd(v128.load(w + o), vv, nmadd(v128.load(v + o), ww, v128.load(cj + o)));
        v128.store(cj + o, x);
        acc = madd(x, v128.load(vn + o), acc);
        v128.store(pn + o, madd(x, xn, v128.load(pn + o)));
      }
    } else {
      for (; r + 1 < n; r += 2) {
        const o = <usize>r << 3;
        const x = v128.load(cj + o);
        acc = madd(x, v128.load(vn + o), acc);
        v128.store(pn + o, madd(x, xn, v128.load(pn + o)));
      }
    }
    s += f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  }
  for (; r < n; r++) {
    let x = ld(cj, r);
    if (pending) {
      x = x - ld(v, r) * wj - ld(w, r) * vj;
      st(cj, r, x);
    }
    s += x * ld(vn, r);
    st(pn, r, ld(pn, r) + x * vnj);
  }
  st(pn, j, ld(pn, j) + s);
}

/**
 * fusedColumn for columns j and j+1 at once: the vectors v, w, vn and pn are loaded once for both columns and
 * pn is stored once, which cuts the memory operations of the reduction's inner loop by about a third. The SIMD
 * loops over rows j+2… read v, w, vn from, and add their share of pn to, the interleaved rows at qj
 * (interleaveRows); the diagonal rows and an odd last row use v, w, vn and pn themselves.
 */
function fusedColumnPair(cj: usize, j: i32, n: i32, pending: bool, v: usize, w: usize, vn: usize, pn: usize, qj: usize): void {
  const c1 = cj + (<usize>n << 3);
  const j1 = j + 1;
  const vj: f64 = pending ? ld(v, j) : 0;
  const wj: f64 = pending ? ld(w, j) : 0;
  const vj1: f64 = pending ? ld(v, j1) : 0;
  const wj1: f64 = pending ? ld(w, j1) : 0;
  const vnj = ld(vn, j);
  const vnj1 = ld(vn, j1);
  // rows j and j+1 of column j, row j+1 of column j+1
  let a00 = ld(cj, j);
  let a10 = ld(cj, j1);
  let a11 = ld(c1, j1);
  if (pending) {
    a00 = a00 - ld(v, j) * wj - ld(w, j) * vj;
    a10 = a10 - ld(v, j1) * wj - ld(w, j1) * vj;
    a11 = a11 - ld(v, j1) * wj1 - ld(w, j1) * vj1;
    st(cj, j, a00);
    st(cj, j1, a10);
    st(c1, j1, a11);
  }
  let s0: f64 = a00 * vnj + a10 * vnj1;
  let s1: f64 = a11 * vnj1;
  st(pn, j1, ld(pn, j1) + a10 * vnj);
  let r = j + 2;
  if (ASC_FEATURE_SIMD) {
    const vv0 = f64x2.splat(vj);
    const ww0 = f64x2.splat(wj);
    const vv1 = f64x2.splat(vj1);
    const ww1 = f64x2.splat(wj1);
    const xn0 = f64x2.splat(vnj);
    const xn1 = f64x2.splat(vnj1);
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    if (pending) {
      let pa = cj + (<usize>r << 3);
      let pb = pa + (<usize>n << 3);
      let pq = qj;
      // four rows per iteration (two f64x2 per column; constant offsets share the address arithmetic): ≈ 12 %
      // faster than two at n = 1000; the f64x2 step is spelt out again for the last pair of rows
      for (; r + 3 < n; r += 4) {
        {
          const vr = v128.load(pq);
          const wr = v128.load(pq, 16);
          const vnr = v128.load(pq, 32);
          const x0 = nmadd(wr, vv0, nmadd(vr, ww0, v128.load(pa)));
          const x1 = nmadd(wr, vv1, nmadd(vr, ww1, v128.load(pb)));
          v128.store(pa, x0);
          v128.store(pb, x1);
          acc0 = madd(x0, vnr, acc0);
          acc1 = madd(x1, vnr, acc1);
          v128.store(pq, madd(x1, xn1, madd(x0, xn0, v128.load(pq, 48))), 48);
        }
        // Never taken (n ≥ 1): a branch between the two row pairs keeps V8's Turbofan (node 20 and 22) from loading the
        // second pair's operands while the first pair's are live, which spilled three of the invariant splats to the
        // stack (reloaded every pass): ≈ 5 % faster in node 20 at n = 1000, no slower in Chromium. Same bits.
        if (n < 0) break;
        {
          const vr = v128.load(pq, 64);
          const wr = v128.load(pq, 80);
          const vnr = v128.load(pq, 96);
          const x0 = nmadd(wr, vv0, nmadd(vr, ww0, v128.load(pa, 16)));
          const x1 = nmadd(wr, vv1, nmadd(vr, ww1, v128.load(pb, 16)));
          v128.store(pa, x0, 16);
          v128.store(pb, x1, 16);
          acc0 = madd(x0, vnr, acc0);
          acc1 = madd(x1, vnr, acc1);
          v128.store(pq, madd(x1, xn1, madd(x0, xn0, v128.load(pq, 112))), 112);
        }
        pa += 32;
        pb += 32;
        pq += 128;
      }
      if (r + 1 < n) {
        const vr = v128.load(pq);
        const wr = v128.load(pq, 16);
        const vnr = v128.load(pq, 32);
        const x0 = nmadd(wr, vv0, nmadd(vr, ww0, v128.load(pa)));
        const x1 = nmadd(wr, vv1, nmadd(vr, ww1, v128.load(pb)));
        v128.store(pa, x0);
        v128.store(pb, x1);
        acc0 = madd(x0, vnr, acc0);
        acc1 = madd(x1, vnr, acc1);
        v128.store(pq, madd(x1, xn1, madd(x0, xn0, v128.load(pq, 48))), 48);
        r += 2;
      }
    } else {
      let pa = cj + (<usize>r << 3);
      let pb = pa + (<usize>n << 3);
      let pq = qj;
      for (; r + 1 < n; r += 2) {
        const vnr = v128.load(pq, 32);
        const x0 = v128.load(pa);
        const x1 = v128.load(pb);
        acc0 = madd(x0, vnr, acc0);
        acc1 = madd(x1, vnr, acc1);
        v128.store(pq, madd(x1, xn1, madd(x0, xn0, v128.load(pq, 48))), 48);
        pa += 16;
        pb += 16;
        pq += 64;
      }
    }
    s0 += f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
    s1 += f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1);
  }
  for (; r < n; r++) {
    let x0 = ld(cj, r);
    let x1 = ld(c1, r);
    if (pending) {
      x0 = x0 - ld(v, r) * wj - ld(w, r) * vj;
      x1 = x1 - ld(v, r) * wj1 - ld(w, r) * vj1;
      st(cj, r, x0);
      st(c1, r, x1);
    }
    const vnr = ld(vn, r);
    s0 += x0 * vnr;
    s1 += x1 * vnr;
    st(pn, r, ld(pn, r) + x0 * vnj + x1 * vnj1);
  }
  st(pn, j, ld(pn, j) + s0);
  st(pn, j1, ld(pn, j1) + s1);
}

// ───────────────────────────── two-stage tridiagonalisation (eigenvalues only) ─────────────────────────────

/**
 * Bandwidth b of the intermediate band matrix of dsytrdBand: the panels of the first stage are b columns wide, so its
 * GEMMs are b (the products with V) and 2b (the rank-2b update) deep; the second stage costs ≈ 6·b·n² flops outside
 * GEMMs. At n = 3000 (node 20, Zen 3, medians of 5 calls) b = 32 took 3.95–4.0 s, 48 5.5 s, 64 4.0 s.
 */
const BAND_NB: i32 = 32;

/**
 * Columns of the trailing matrix per GEMM in dsytrdBand's first stage (the lower triangle block column by block
 * column; the diagonal blocks are computed whole). At n = 3000 as above: 256 3.6 s, 128 4.3 s, 512 4.4 s.
 */
const BAND_CB: i32 = 256;

/**
 * Doubles of workspace dsytrdBand needs besides gemmWork: [V | W | V] and X (n × b each), S (then Y), T and Z (b × b
 * each), the panel's τ and its column order (b each; householderQr's, b i32). The second stage's three vectors (b each)
 * reuse the first.
 */
export function dsytrdBandWorkSize(n: i32): f64 {
  const b = <f64>BAND_NB;
  return 4 * <f64>n * b + 3 * b * b + 2 * b;
}

/**
 * C (p×q, column-major, ldc) ← α·op(A)·B + β·C with op(A) = A (p×r) or Aᵀ (A r×p), A and B (r×q) column-major: blas.ts's
 * row-major dgemm on the transposed views (Cᵀ = Bᵀ·op(A)ᵀ).
 */
@inline function gemmColumnMajor(
  transA: i32, p: i32, q: i32, r: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32, gemmWork: usize,
): void {
  dgemm(0, transA, q, p, r, alpha, b, ldb, a, lda, beta, c, ldc, gemmWork);
}

/**
 * The tridiagonal T = Qᵀ·A·Q of a symmetric n×n matrix (column-major, lower triangle referenced; A is overwritten) in
 * two stages, for its eigenvalues only (Q is not kept): d (n) gets diag(T), e (n) the subdiagonal (e[n−1] = 0).
 * 1. Dense to band (Bischof, Lang & Sun 2000; LAPACK dsytrd_sy2sb): for each panel of b = BAND_NB columns, the QR
 *    factorisation of the panel's rows below the band, A[k+b:n, k:k+b] = Q₁·R (householderQr), leaves R in the band;
 *    with Q₁ = I − V·T·Vᵀ (compact WY) the trailing matrix A₂ = A[k+b:n, k+b:n] becomes Q₁ᵀ·A₂·Q₁ =
 *    A₂ − V·Wᵀ − W·Vᵀ, where X = A₂·V·T and W = X − ½·V·(Tᵀ·Vᵀ·X). A₂·V and the rank-2b update of A₂'s lower triangle are
 *    GEMMs by block columns of BAND_CB, so A₂ is read and written once a panel instead of once a column
 *    (dsytrdLower), which is what bounds the one-stage reduction once A is larger than the last-level cache.
 * 2. Band to tridiagonal by Householder bulge chasing (Lang 1993; LAPACK dsb2st_kernels, lower case): sweep i
 *    annihilates column i below its subdiagonal with one reflector on rows i+1 … i+b, applied to both sides of the
 *    diagonal block; its right side fills the block of the next b rows (the bulge), whose first column the next
 *    reflector annihilates, and so on down the band. The rest of each bulge is annihilated by the next sweeps, so the
 *    entries stay within 2b of the diagonal, all in A's lower triangle.
 * Both stages are orthogonal similarity transformations: backward stable like dsytrdLower, with different rounding
 * (so eigenvalues agree with the one-stage reduction's to a small multiple of n·ε·‖A‖, not bit for bit).
 * work: dsytrdBandWorkSize(n) doubles; gemmWork: dgemmWorkSize(n, n, n) doubles.
 */
export function dsytrdBand(n: i32, a: usize, d: usize, e: usize, work: usize, gemmWork: usize): void {
  const nb = BAND_NB;
  denseToBand(n, a, nb, work, gemmWork);
  // The band, with room for the bulges (2·nb below the diagonal), into LAPACK's band storage in place: column c's
  // rows c … c+2nb−1 at a + 8·(c·lda + r), lda = 2nb, which precedes its place in A (lda < n), so the columns move
  // up in order without overwriting one not yet moved. Stage 2 then walks 2nb·8 bytes a column instead of n·8, and a
  // sweep's blocks share pages: a banded input of order 3000 (stage 2 alone, node 20, Zen 3) took 394–403 ms, medians
  // of 7 calls, against 464–491 with A's own columns (both with the column loops written out; through fusedColumn,
  // rank2Column, facDot and facAxpy, as now, 424–458 ms: one mechanism each, at ≈ 1 % of eigvalsh's time).
  const lda = 2 * nb < n ? 2 * nb : n;
  if (lda < n) {
    for (let c = 0; c < n; c++) {
      const rows = n - c < nb + 1 ? n - c : nb + 1;
      const dst = a + ((<usize>c * <usize>lda + <usize>c) << 3);
      memory.copy(dst, col(a, n, c) + (<usize>c << 3), <usize>rows << 3);
      memory.fill(dst + (<usize>rows << 3), 0, <usize>(lda - rows) << 3);
    }
  }
  const v = work;
  bandToTridiagonal(n, a, lda, nb, v, v + (<usize>nb << 3), v + (<usize>(2 * nb) << 3));
  for (let i = 0; i < n; i++) {
    const ci = col(a, lda, i);
    st(d, i, ld(ci, i));
    st(e, i, i + 1 < n ? ld(ci, i + 1) : 0);
  }
}

/** Stage 1 of dsytrdBand: A's lower triangle to bandwidth nb (entries more than nb below the diagonal zeroed). */
function denseToBand(n: i32, a: usize, nb: i32, work: usize, gemmWork: usize): void {
  const nn = <usize>n;
  const vwv = work; // [V | W | V], n × 3nb column-major (ld m of the panel at hand)
  const av = vwv + ((3 * nn * <usize>nb) << 3); // A₂·V (n × nb)
  const sb = av + ((nn * <usize>nb) << 3); // S = VᵀV (nb × nb, symmetric), then Y = Vᵀ·X
  const tb = sb + ((<usize>(nb * nb)) << 3); // T (nb × nb, column-major)
  const zb = tb + ((<usize>(nb * nb)) << 3); // Z = Tᵀ·Y (nb × nb)
  const tau = zb + ((<usize>(nb * nb)) << 3);
  const perm = tau + (<usize>nb << 3); // householderQr's column order (unpivoted), nb i32
  for (let k = 0; k + nb < n - 1; k += nb) {
    const r0 = k + nb; // the panel's first row below the band, and the trailing matrix's first row and column
    const m = n - r0; // ≥ 2
    const pk = m < nb ? m : nb;
    const panel = col(a, n, k) + (<usize>r0 << 3);
    householderQr(m, pk, panel, n, tau, perm, 0, 0);
    // V (m × pk, ld m) into the first and third blocks of [V | W | V]; the panel keeps R, zeros below it
    const vb = vwv;
    const wb = vwv + ((<usize>m * <usize>pk) << 3);
    const vb2 = wb + ((<usize>m * <usize>pk) << 3);
    copyReflectors(m, pk, 0, panel, n, vb);
    memory.copy(vb2, vb, (<usize>m * <usize>pk) << 3);
    // the last panel, m < nb rows below the band: the panel's other columns have entries (in the band) in those rows too
    for (let c = pk; c < nb; c++) {
      const cc = panel + ((<usize>c * nn) << 3);
      for (let j = 0; j < pk; j++) {
        const t = ld(tau, j);
        const vj = vb + ((<usize>j * <usize>m) << 3);
        if (t != 0) facAxpy(-t * facDot(vj, cc, m), vj, cc, m);
      }
    }
    for (let j = 0; j < pk; j++) {
      const cj = panel + ((<usize>j * nn + <usize>(j + 1)) << 3);
      if (j + 1 < m) memory.fill(cj, 0, <usize>(m - j - 1) << 3);
    }
    let any = false;
    for (let j = 0; j < pk; j++) if (ld(tau, j) != 0) any = true;
    if (!any) continue;
    // T from S = VᵀV (compact WY of H₀⋯H_{pk−1})
    gemmColumnMajor(1, pk, pk, m, 1.0, vb, m, vb, m, 0.0, sb, pk, gemmWork);
    compactWyT(pk, tau, sb, tb);
    // A₂·V from A₂'s lower triangle, by block columns J = [j0, j1): (A₂·V)[j0:m] += A₂[j0:m, J]·V[J] (the diagonal
    // block mirrored to full first), (A₂·V)[J] += A₂[j1:m, J]ᵀ·V[j1:m]
    const a2 = col(a, n, r0) + (<usize>r0 << 3);
    memory.fill(av, 0, (<usize>m * <usize>pk) << 3);
    for (let j0 = 0; j0 < m; j0 += BAND_CB) {
      const j1 = j0 + BAND_CB < m ? j0 + BAND_CB : m;
      const aj = a2 + ((<usize>j0 * nn + <usize>j0) << 3); // A₂[j0, j0]
      for (let c = j0 + 1; c < j1; c++) {
        const cc = a2 + ((<usize>c * nn) << 3);
        for (let r = j0; r < c; r++) st(cc, r, ld(a2 + ((<usize>r * nn) << 3), c));
      }
      gemmColumnMajor(0, m - j0, pk, j1 - j0, 1.0, aj, n, vb + (<usize>j0 << 3), m, 1.0, av + (<usize>j0 << 3), m, gemmWork);
      if (j1 < m) {
        gemmColumnMajor(1, j1 - j0, pk, m - j1, 1.0, aj + (<usize>(j1 - j0) << 3), n, vb + (<usize>j1 << 3), m, 1.0, av + (<usize>j0 << 3), m, gemmWork);
      }
    }
    // X = (A₂·V)·T into W's place, Y = Vᵀ·X, Z = Tᵀ·Y, then W = X − ½·V·Z
    gemmColumnMajor(0, m, pk, pk, 1.0, av, m, tb, pk, 0.0, wb, m, gemmWork);
    gemmColumnMajor(1, pk, pk, m, 1.0, vb, m, wb, m, 0.0, sb, pk, gemmWork);
    gemmColumnMajor(1, pk, pk, pk, 1.0, tb, pk, sb, pk, 0.0, zb, pk, gemmWork);
    gemmColumnMajor(0, m, pk, pk, -0.5, vb, m, zb, pk, 1.0, wb, m, gemmWork);
    // A₂'s lower triangle −= [V W]·[W V]ᵀ, block column by block column (rows j0:m of J = [j0, j1))
    for (let j0 = 0; j0 < m; j0 += BAND_CB) {
      const j1 = j0 + BAND_CB < m ? j0 + BAND_CB : m;
      const aj = a2 + ((<usize>j0 * nn + <usize>j0) << 3);
      // C (rows j0:m × J) −= [V W][j0:m, :] · ([W V][J, :])ᵀ: on the row-major views Cᵀ −= [W V][J, :]·[V W][j0:m, :]ᵀ
      dgemm(1, 0, j1 - j0, m - j0, 2 * pk, -1.0, wb + (<usize>j0 << 3), m, vb + (<usize>j0 << 3), m, 1.0, aj, n, gemmWork);
    }
  }
}

/**
 * y (len) ← τ·D·v, then y −= ½τ(yᵀv)·v, then D −= v·yᵀ + y·vᵀ: H·D·H for H = I − τ·v·vᵀ on the symmetric block
 * D = A[s:s+len, s:s+len] (lower triangle; LAPACK dlarfy). One pass down each column for each of the two products.
 */
function reflectBothSides(a: usize, lda: i32, s: i32, len: i32, v: usize, tau: f64, y: usize): void {
  for (let i = 0; i < len; i++) st(y, i, 0);
  // y[c] += D[c:len, c]ᵀ·v[c:len]; y[c+1:len] += D[c+1:len, c]·v[c]: the one-stage pass's column product
  for (let c = 0; c < len; c++) fusedColumn(col(a, lda, s + c) + (<usize>s << 3), c, len, false, 0, 0, v, y);
  let dot: f64 = 0;
  for (let i = 0; i < len; i++) {
    const yi = tau * ld(y, i);
    st(y, i, yi);
    dot += yi * ld(v, i);
  }
  facAxpy(-0.5 * tau * dot, v, y, len);
  // D[c:len, c] −= v[c:len]·y[c] + y[c:len]·v[c]: the one-stage pass's rank-2 update
  for (let c = 0; c < len; c++) rank2Column(col(a, lda, s + c) + (<usize>s << 3), c, len, v, y);
}

/**
 * B ← B·H = B − τ·(B·v)·vᵀ for H = I − τ·v·vᵀ (cols × cols) and B (rows × cols, column-major, columns ldb doubles
 * apart): eight rows at a time, their share of y = B·v kept in registers between the pass that sums it and the pass
 * that subtracts τ·v[c]·y from each column.
 */
function reflectFromRight(b: usize, ldb: i32, rows: i32, cols: i32, v: usize, tau: f64): void {
  const stride = <usize>ldb << 3;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r + 8 <= rows; r += 8) {
      let y0 = f64x2.splat(0), y1 = f64x2.splat(0), y2 = f64x2.splat(0), y3 = f64x2.splat(0);
      let p = b + (<usize>r << 3);
      for (let c = 0; c < cols; c++, p += stride) {
        const vc = f64x2.splat(ld(v, c));
        y0 = madd(vc, v128.load(p), y0);
        y1 = madd(vc, v128.load(p, 16), y1);
        y2 = madd(vc, v128.load(p, 32), y2);
        y3 = madd(vc, v128.load(p, 48), y3);
      }
      p = b + (<usize>r << 3);
      for (let c = 0; c < cols; c++, p += stride) {
        const tv = f64x2.splat(tau * ld(v, c));
        v128.store(p, nmadd(tv, y0, v128.load(p)));
        v128.store(p, nmadd(tv, y1, v128.load(p, 16)), 16);
        v128.store(p, nmadd(tv, y2, v128.load(p, 32)), 32);
        v128.store(p, nmadd(tv, y3, v128.load(p, 48)), 48);
      }
    }
  }
  for (; r < rows; r++) {
    let y: f64 = 0;
    let p = b + (<usize>r << 3);
    for (let c = 0; c < cols; c++, p += stride) y += ld(v, c) * load<f64>(p);
    p = b + (<usize>r << 3);
    for (let c = 0; c < cols; c++, p += stride) store<f64>(p, load<f64>(p) - tau * ld(v, c) * y);
  }
}

/**
 * B ← H·B = B − τ·v·(vᵀ·B) for H = I − τ·v·vᵀ (rows × rows) and B (rows × cols, column-major, columns ldb doubles
 * apart), column by column.
 */
function reflectFromLeft(b: usize, ldb: i32, rows: i32, cols: i32, v: usize, tau: f64): void {
  for (let c = 0; c < cols; c++) {
    const bc = b + ((<usize>c * <usize>ldb) << 3);
    facAxpy(-tau * facDot(v, bc, rows), v, bc, rows);
  }
}

/**
 * The reflector of A[r:r+len, c] (householderReflector: β left at row r) moved out to v (v[0] = 1, v[1:len] the
 * vector) and zeroed in A; returns τ.
 */
function takeReflector(a: usize, lda: i32, c: i32, r: i32, len: i32, v: usize): f64 {
  const cc = col(a, lda, c);
  const t = householderReflector(cc, r, len - 1);
  st(v, 0, 1);
  const tail = cc + (<usize>(r + 1) << 3);
  memory.copy(v + 8, tail, <usize>(len - 1) << 3);
  memory.fill(tail, 0, <usize>(len - 1) << 3);
  return t;
}

/**
 * Stage 2 of dsytrdBand: the band matrix of bandwidth nb (lower triangle of A, A[r, c] at a + 8·(c·lda + r)) to
 * tridiagonal by bulge chasing. Only entries with 0 ≤ r − c < 2·nb are touched, so lda = 2·nb (LAPACK's band storage
 * with its diagonal at 0) serves as well as lda = n. v, v2, y: nb doubles each.
 */
function bandToTridiagonal(n: i32, a: usize, lda: i32, nb: i32, v: usize, v2: usize, y: usize): void {
  for (let i = 0; i + 2 < n; i++) {
    // the reflector of column i on rows st … ed
    let st0 = i + 1;
    let ed = i + nb < n - 1 ? i + nb : n - 1;
    let len = ed - st0 + 1;
    let tau = takeReflector(a, lda, i, st0, len, v);
    if (tau != 0) reflectBothSides(a, lda, st0, len, v, tau, y);
    while (ed + 1 < n) {
      const j1 = ed + 1;
      const j2 = ed + nb < n - 1 ? ed + nb : n - 1;
      const lenJ = j2 - j1 + 1;
      // B = A[j1:j2+1, st0:ed+1] ← B·H (the bulge)
      const bj = col(a, lda, st0) + (<usize>j1 << 3);
      if (tau != 0) reflectFromRight(bj, lda, lenJ, len, v, tau);
      // annihilate the bulge's first column below its first row; apply from the left to B's other columns, then to
      // both sides of the next diagonal block
      const t2 = lenJ >= 2 ? takeReflector(a, lda, st0, j1, lenJ, v2) : 0;
      if (t2 != 0) {
        reflectFromLeft(bj + ((<usize>lda) << 3), lda, lenJ, len - 1, v2, t2);
        reflectBothSides(a, lda, j1, lenJ, v2, t2, y);
      }
      st0 = j1;
      ed = j2;
      len = lenJ;
      const tv = v;
      v = v2;
      v2 = tv;
      tau = t2;
    }
  }
}

/** √(a² + b²) without destructive overflow or underflow (the plain formula when a² + b² is safely normal). */
@inline function hypot2(a: f64, b: f64): f64 {
  const s = a * a + b * b;
  if (s > 1e-290 && s < 1e290) return Math.sqrt(s);
  const x = Math.abs(a);
  const y = Math.abs(b);
  const m = Math.max(x, y);
  if (m == 0) return 0;
  const q = Math.min(x, y) / m;
  return m * Math.sqrt(1 + q * q);
}

const EPS: f64 = 2.220446049250313e-16;
const MAX_ITER_PER_VALUE: i32 = 60;

/**
 * Eigenvalues of the symmetric tridiagonal T (d diagonal, e[k] = T[k+1, k], n each) into d (unordered) by the
 * root-free QL/QR iteration with Wilkinson shifts (LAPACK dsterf), block by unreduced block: e[m] is set to zero
 * where |e[m]| ≤ ε·√|d[m]|·√|d[m+1]|. e is destroyed. Returns 0, or k+1 when eigenvalue k did not converge in
 * MAX_ITER_PER_VALUE iterations.
 */
export function dsterfQL(n: i32, d: usize, e: usize): i32 {
  if (n <= 1) return 0;
  st(e, n - 1, 0);
  let l1 = 0;
  while (l1 < n) {
    const m = unreducedBlockEnd(l1, n, d, e);
    const status = rootFreeBlock(l1, m, d, e);
    if (status != 0) return status;
    l1 = m + 1;
  }
  return 0;
}

/**
 * 2⁻⁵¹¹, the square root of the least normal double: on a block scaled to max|entry| < 1, divide and conquer takes
 * an |e| below it as zero, and the root-free iteration a q = e² below it (see rootFreeBlock).
 */
const E_FLOOR: f64 = 1.4916681462400413e-154;

/**
 * Scales the block [lo, hi] of (d, e) (d[lo..hi], e[lo..hi−1]) by an exact power of two 2⁻ᵏ to max|entry| ∈ [0.5, 1)
 * (a subnormal max gives k = −1022; a zero block is left as it is, k = 0) and returns k: ×2ᵏ scales it back.
 */
function scaleBlockToUnit(lo: i32, hi: i32, d: usize, e: usize): i32 {
  let anorm: f64 = 0;
  for (let i = lo; i <= hi; i++) anorm = Math.max(anorm, Math.abs(ld(d, i)));
  for (let i = lo; i < hi; i++) anorm = Math.max(anorm, Math.abs(ld(e, i)));
  if (anorm == 0) return 0;
  const k = <i32>((reinterpret<u64>(anorm) >> 52) & 0x7ff) - 1022;
  scaleRange(d, lo, hi + 1, -k);
  scaleRange(e, lo, hi, -k);
  return k;
}

/**
 * End of the unreduced block of (d, e) that starts at l (n rows): the first m ≥ l with m = n − 1 or
 * |e[m]| ≤ ε·√|d[m]|·√|d[m+1]| (LAPACK dsterf's and dstedc's split test); that e[m] is set to zero.
 */
function unreducedBlockEnd(l: i32, n: i32, d: usize, e: usize): i32 {
  let m = l;
  while (m < n - 1) {
    if (Math.abs(ld(e, m)) <= EPS * Math.sqrt(Math.abs(ld(d, m))) * Math.sqrt(Math.abs(ld(d, m + 1)))) {
      st(e, m, 0);
      break;
    }
    m++;
  }
  return m;
}

/**
 * Eigenvalues of the unreduced block [lo, hi] of (d, e) into d[lo..hi] by the Pal–Walker–Kahan root-free QL/QR
 * iteration (LAPACK dsterf; Parlett, The Symmetric Eigenvalue Problem, ch. 8). QL when |d[hi]| ≥ |d[lo]|, else QR,
 * which is QL on the block read backwards: deflating from the end with the smaller diagonal entry converges faster
 * on graded matrices. The block is first scaled by an exact power of two to max|entry| ∈ [0.5, 1), and unscaled
 * after, so that no q = e² overflows and a q below 2⁻⁵¹¹ (|e| < 2⁻²⁵⁵·⁵·max|entry|, a normwise negligible
 * perturbation) is taken as zero. The iteration squares what it works on, and squares below 2⁻¹⁰²² (subnormal) lose
 * their relative accuracy and, through γ²/c, that of the whole block: a q that small does it directly, and so does
 * the eigenvalue ≈ −e²/d it makes beside a zero diagonal entry (≈ 2⁻⁵¹¹ at most), whose Wilkinson shift σ leaves
 * γ = d − σ with a subnormal square (d = (9e-323, 1, 0), e = (−0.47, 1.8e-81) came out 5e-4 off with a floor of
 * 2⁻¹⁰²² on q). e[lo..hi−1] is destroyed. Returns 0, or k + 1 when eigenvalue k needed more than
 * MAX_ITER_PER_VALUE iterations.
 */
function rootFreeBlock(lo: i32, hi: i32, d: usize, e: usize): i32 {
  if (hi == lo) return 0;
  const k = scaleBlockToUnit(lo, hi, d, e);
  for (let i = lo; i < hi; i++) st(e, i, ld(e, i) * ld(e, i));
  const size = hi - lo + 1;
  const forward = Math.abs(ld(d, hi)) >= Math.abs(ld(d, lo));
  const failed = forward
    ? rootFreeQL(d + (<usize>lo << 3), e + (<usize>lo << 3), 8, size)
    : rootFreeQL(d + (<usize>hi << 3), e + (<usize>(hi - 1) << 3), -8, size);
  if (failed != 0) return (forward ? lo + failed - 1 : hi - failed + 1) + 1;
  scaleRange(d, lo, hi + 1, k);
  return 0;
}

/** 2⁹⁰⁰: the root-free QL's rotations take the form γ = c·u only while t = q/p ≤ T_MAX (then t·γ' cannot overflow). */
const T_MAX: f64 = 8.452712498170644e270;

/** Address of element i of a strided view (stride in bytes, ±8). */
@inline function at(p: usize, i: i32, stride: i32): usize {
  return p + <usize>(i * stride);
}

/**
 * Root-free QL on a view of a block: d(i) at d + i·stride (i < size), q(i) = e(i)² at q + i·stride (i < size − 1),
 * coupling d(i) and d(i+1); stride −8 reads a block backwards (QR on it). Eigenvalues are deflated at l = 0, 1, …
 * Each sweep chases from the first negligible q(m) back to l with LAPACK dsterf's rotations
 *   r = p + q(i),  c = p/r,  s = q(i)/r,  γ = c·(d(i) − σ) − s·γ',  d(i+1) = γ' + (d(i) − γ),  p = γ²/c,
 * in the form with u = γ/c and t = s/c = q(i)/p:
 *   t = q(i)/p,  c = p/r,  s = t·c,  u = (d(i) − σ) − t·γ',  γ = c·u,  p = γ·u,
 * whose two divisions both start from p, so that the chain from one rotation to the next is a division, three
 * products and a subtraction. Where t > T_MAX (p below 2⁻⁹⁰⁰·q(i): t·γ' could overflow) a rotation takes LAPACK's
 * form, with p = γ²/c, or LAPACK's p = c_prev·q(i) where c = 0.
 * Each iteration is two sweeps over rows l … m with the same Wilkinson shift σ, pipelined: the second sweep runs one
 * row behind the first on the values the first has just finished (in registers), so that the two chains of
 * dependent divisions and products overlap (one chain alone leaves the arithmetic units idle). Its result is that of
 * the two sweeps one after the other, the same operations on the same values, except that the second sweep's shift
 * is chosen before the first ends: σ again rather than a new Wilkinson shift. Where the first sweep leaves q = 0
 * beside the second's γ = 0 (r = 0: T split there), the second takes c = 1, s = 0, as a sweep starting at that row.
 * On the tridiagonal of a random symmetric 1000×1000 matrix that is 1,224 iterations (2,448 sweeps) where single
 * sweeps take 2,003: 631,176 steps of the pipelined loop for 1,029,376 rotations, and 5.5 ms against 10.5 ms for
 * single sweeps of LAPACK's form (node 20, Zen 4).
 * Returns 0, or i + 1 (in the view) when eigenvalue i needed more than MAX_ITER_PER_VALUE iterations (of two sweeps).
 */
function rootFreeQL(d: usize, q: usize, stride: i32, size: i32): i32 {
  const eps2 = EPS * EPS;
  const hi = size - 1;
  let iter = 0;
  let l = 0;
  while (l <= hi) {
    let m = l;
    while (m < hi) {
      const qm = load<f64>(at(q, m, stride));
      if (!(qm >= E_FLOOR && qm > eps2 * Math.abs(load<f64>(at(d, m, stride)) * load<f64>(at(d, m + 1, stride))))) break;
      m++;
    }
    if (m < hi) store<f64>(at(q, m, stride), 0);
    if (m == l) {
      l++;
      iter = 0;
      continue;
    }
    const dl = at(d, l, stride);
    const dl1 = at(d, l + 1, stride);
    if (m == l + 1) {
      eig2(dl, dl1, Math.sqrt(load<f64>(at(q, l, stride))));
      store<f64>(at(q, l, stride), 0);
      l += 2;
      iter = 0;
      continue;
    }
    if (++iter > MAX_ITER_PER_VALUE) return l + 1;
    const sigma = wilkinsonShift(load<f64>(dl), load<f64>(dl1), Math.sqrt(load<f64>(at(q, l, stride))));
    // Two sweeps with the shift σ, the second one row behind the first, fed from its registers: at step i, sweep 1
    // rotates at row i and finishes q(i+1) and d(i+1), and sweep 2 rotates at row i+1 on them (its first step, at
    // i = m − 1, only starts it from the finished d(m); at i = l − 1 sweep 1 has ended and gives its q(l), d(l)).
    // The two bodies are the same rotation, spelt out once per sweep so that both sweeps' (c, s, γ, p) stay in
    // registers (a function cannot return them); only sweep 2 can meet r = 0 (sweep 1's q(i) lie above the floor).
    let c1: f64 = 1;
    let s1: f64 = 0;
    let g1 = load<f64>(at(d, m, stride)) - sigma;
    let p1 = g1 * g1;
    let c2: f64 = 1;
    let s2: f64 = 0;
    let g2: f64 = 0;
    let p2: f64 = 0;
    for (let i = m - 1; i >= l - 1; i--) {
      // sweep 1 at row i: what it finishes in row i+1
      let qi: f64;
      let di: f64;
      if (i >= l) {
        const bb = load<f64>(at(q, i, stride));
        const r1 = p1 + bb;
        qi = s1 * r1;
        const oldc1 = c1;
        const t1 = bb / p1;
        c1 = p1 / r1;
        const oldg1 = g1;
        const alpha = load<f64>(at(d, i, stride));
        if (t1 <= T_MAX) {
          s1 = t1 * c1;
          const u1 = (alpha - sigma) - t1 * oldg1;
          g1 = c1 * u1;
          p1 = g1 * u1;
        } else {
          s1 = bb / r1;
          g1 = c1 * (alpha - sigma) - s1 * oldg1;
          p1 = c1 != 0 ? (g1 * g1) / c1 : oldc1 * bb;
        }
        di = oldg1 + (alpha - g1);
      } else {
        qi = s1 * p1;
        di = sigma + g1;
      }
      if (i == m - 1) {
        g2 = di - sigma;
        p2 = g2 * g2;
        continue;
      }
      // sweep 2 at row i+1, on q(i+1) = qi and d(i+1) = di
      const r = p2 + qi;
      if (i != m - 2) store<f64>(at(q, i + 2, stride), s2 * r);
      const oldc = c2;
      const t2 = qi / p2;
      c2 = p2 / r;
      const oldgam = g2;
      if (t2 <= T_MAX) {
        s2 = t2 * c2;
        const u2 = (di - sigma) - t2 * oldgam;
        g2 = c2 * u2;
        p2 = g2 * u2;
      } else if (r > 0) {
        s2 = qi / r;
        g2 = c2 * (di - sigma) - s2 * oldgam;
        p2 = c2 != 0 ? (g2 * g2) / c2 : oldc * qi;
      } else {
        s2 = 0;
        c2 = 1;
        g2 = di - sigma;
        p2 = g2 * g2;
      }
      store<f64>(at(d, i + 2, stride), oldgam + (di - g2));
    }
    store<f64>(at(q, l, stride), s2 * p2);
    store<f64>(dl, sigma + g2);
  }
  return 0;
}

/** x[i] ← x[i]·2ᵏ for i ∈ [from, to), |k| ≤ 2046: scaleAndFlush by two exact powers of two, nothing flushed. */
function scaleRange(x: usize, from: i32, to: i32, k: i32): void {
  const h = k >> 1;
  scaleAndFlush(to - from, x + (<usize>from << 3), pow2(h), pow2(k - h), 0);
}

/**
 * The eigenvalue of [[a, b], [b, c]] closer to a (Wilkinson's shift, in the form of EISPACK/LAPACK):
 * a − b/(σ + sign(σ)·√(σ² + 1)) with σ = (c − a)/(2b), b > 0.
 */
@inline function wilkinsonShift(a: f64, c: f64, b: f64): f64 {
  const sigma = (c - a) / (2 * b);
  const r = hypot2(sigma, 1);
  return a - b / (sigma >= 0 ? sigma + r : sigma - r);
}

/**
 * The eigenvalues of the symmetric 2×2 [[x, b], [b, y]] (x, y at addresses px, py) into px (larger in magnitude)
 * and py (LAPACK dlae2: the smaller one from the determinant, without cancellation).
 */
function eig2(px: usize, py: usize, b: f64): void {
  const a = load<f64>(px);
  const c = load<f64>(py);
  const sm = a + c;
  const adf = Math.abs(a - c);
  const ab = Math.abs(b + b);
  const acmx = Math.abs(a) > Math.abs(c) ? a : c;
  const acmn = Math.abs(a) > Math.abs(c) ? c : a;
  let rt: f64;
  if (adf > ab) rt = adf * Math.sqrt(1 + (ab / adf) * (ab / adf));
  else if (adf < ab) rt = ab * Math.sqrt(1 + (adf / ab) * (adf / ab));
  else rt = ab * Math.SQRT2;
  let rt1: f64;
  let rt2: f64;
  if (sm < 0) {
    rt1 = 0.5 * (sm - rt);
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else if (sm > 0) {
    rt1 = 0.5 * (sm + rt);
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else {
    rt1 = 0.5 * rt;
    rt2 = -0.5 * rt;
  }
  store<f64>(px, rt1);
  store<f64>(py, rt2);
}

/**
 * Implicit-shift QL with vectors on the tridiagonal (d, e) of order n (EISPACK tql2; the divide-and-conquer
 * leaves): z (n rows, column stride ldz, column-major) ← z·G, G the product of the rotations: z = I gives the
 * eigenvectors of T.
 * The rotations are logged (rot: 2·rotCap doubles for (c, s); sweeps: 3·sweepCap i32 for (l, m, offset), rotCap ≥ n)
 * and applied to z in row blocks when the log is full and at the end: each row block of z stays in L1 while a
 * batch of sweeps passes over it (the arithmetic is identical to applying each rotation at once).
 */
function tridiagQL(n: i32, d: usize, e: usize, z: usize, ldz: i32, rot: usize, rotCap: i32, sweeps: usize, sweepCap: i32): i32 {
  if (n <= 1) return 0;
  st(e, n - 1, 0);
  let f: f64 = 0;
  let tst1: f64 = 0;
  let nrot = 0;
  let nsweep = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(ld(d, l)) + Math.abs(ld(e, l)));
    let m = l;
    while (m < n) {
      if (Math.abs(ld(e, m)) <= EPS * tst1) break;
      m++;
    }
    if (m == n) m = n - 1; // e[n−1] = 0 always stops the search; kept for safety
    if (m > l) {
      let iter = 0;
      do {
        iter++;
        if (iter > MAX_ITER_PER_VALUE) {
          if (nsweep > 0) applyRotations(n, z, ldz, rot, sweeps, nsweep);
          return l + 1;
        }
        // Shift: the eigenvalue of the leading 2×2 block closer to d[l].
        let g = ld(d, l);
        let p = (ld(d, l + 1) - g) / (2 * ld(e, l));
        let r = hypot2(p, 1);
        if (p < 0) r = -r;
        st(d, l, ld(e, l) / (p + r));
        st(d, l + 1, ld(e, l) * (p + r));
        const dl1 = ld(d, l + 1);
        let h = g - ld(d, l);
        for (let i = l + 2; i < n; i++) st(d, i, ld(d, i) - h);
        f += h;
        // Implicit QL sweep from m−1 down to l.
        if (nrot + (m - l) > rotCap || nsweep >= sweepCap) {
          applyRotations(n, z, ldz, rot, sweeps, nsweep);
          nrot = 0;
          nsweep = 0;
        }
        const sw = sweeps + (<usize>nsweep * 12);
        store<i32>(sw, l);
        store<i32>(sw + 4, m);
        store<i32>(sw + 8, nrot);
        nsweep++;
        p = ld(d, m);
        let c: f64 = 1;
        let c2: f64 = 1;
        let c3: f64 = 1;
        const el1 = ld(e, l + 1);
        let s: f64 = 0;
        let s2: f64 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          const ei = ld(e, i);
          g = c * ei;
          h = c * p;
          r = hypot2(p, ei);
          st(e, i + 1, s * r);
          s = ei / r;
          c = p / r;
          const di = ld(d, i);
          p = c * di - s * g;
          st(d, i + 1, h + s * (c * g + s * di));
          const q = rot + (<usize>nrot << 4);
          store<f64>(q, c);
          store<f64>(q + 8, s);
          nrot++;
        }
        p = (-s * s2 * c3 * el1 * ld(e, l)) / dl1;
        st(e, l, s * p);
        st(d, l, c * p);
      } while (Math.abs(ld(e, l)) > EPS * tst1);
    }
    st(d, l, ld(d, l) + f);
    st(e, l, 0);
  }
  if (nsweep > 0) applyRotations(n, z, ldz, rot, sweeps, nsweep);
  return 0;
}

/**
 * Apply the logged sweeps to z in blocks of rows. Sweep (l, m, off) holds rotations i = m−1 … l (c, s at
 * rot[off + (m−1−i)]) acting on columns (i, i+1): z[:, i+1] ← s·z[:, i] + c·z[:, i+1],
 * z[:, i] ← c·z[:, i] − s·z[:, i+1]. Going down in i, column i+1 is final after rotation i and column i is
 * carried in registers to the next rotation: one load and one store per element and rotation.
 */
function applyRotations(n: i32, z: usize, ldz: i32, rot: usize, sweeps: usize, nsweep: i32): void {
  const RB = 8;
  let r0 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r0 + RB <= n; r0 += RB) {
      const base = z + (<usize>r0 << 3);
      for (let q = 0; q < nsweep; q++) {
        const sw = sweeps + (<usize>q * 12);
        const l = load<i32>(sw);
        const m = load<i32>(sw + 4);
        let rp = rot + (<usize>load<i32>(sw + 8) << 4);
        let pc = base + ((<usize>m * <usize>ldz) << 3);
        let k0 = v128.load(pc);
        let k1 = v128.load(pc, 16);
        let k2 = v128.load(pc, 32);
        let k3 = v128.load(pc, 48);
        const stride = <usize>ldz << 3;
        for (let i = m - 1; i >= l; i--) {
          const c = f64x2.splat(load<f64>(rp));
          const s = f64x2.splat(load<f64>(rp, 8));
          rp += 16;
          const pi = pc - stride;
          const x0 = v128.load(pi);
          const x1 = v128.load(pi, 16);
          const x2 = v128.load(pi, 32);
          const x3 = v128.load(pi, 48);
          v128.store(pc, f64x2.add(f64x2.mul(s, x0), f64x2.mul(c, k0)));
          v128.store(pc, f64x2.add(f64x2.mul(s, x1), f64x2.mul(c, k1)), 16);
          v128.store(pc, f64x2.add(f64x2.mul(s, x2), f64x2.mul(c, k2)), 32);
          v128.store(pc, f64x2.add(f64x2.mul(s, x3), f64x2.mul(c, k3)), 48);
          k0 = f64x2.sub(f64x2.mul(c, x0), f64x2.mul(s, k0));
          k1 = f64x2.sub(f64x2.mul(c, x1), f64x2.mul(s, k1));
          k2 = f64x2.sub(f64x2.mul(c, x2), f64x2.mul(s, k2));
          k3 = f64x2.sub(f64x2.mul(c, x3), f64x2.mul(s, k3));
          pc = pi;
        }
        v128.store(pc, k0);
        v128.store(pc, k1, 16);
        v128.store(pc, k2, 32);
        v128.store(pc, k3, 48);
      }
    }
  }
  // Remaining rows (all rows in the scalar build): blocks of four rows with scalar carries, then single rows.
  const stride = <usize>ldz << 3;
  for (; r0 + 4 <= n; r0 += 4) {
    const base = z + (<usize>r0 << 3);
    for (let q = 0; q < nsweep; q++) {
      const sw = sweeps + (<usize>q * 12);
      const l = load<i32>(sw);
      const m = load<i32>(sw + 4);
      let rp = rot + (<usize>load<i32>(sw + 8) << 4);
      let pc = base + <usize>m * stride;
      let k0 = load<f64>(pc);
      let k1 = load<f64>(pc, 8);
      let k2 = load<f64>(pc, 16);
      let k3 = load<f64>(pc, 24);
      for (let i = m - 1; i >= l; i--) {
        const c = load<f64>(rp);
        const s = load<f64>(rp, 8);
        rp += 16;
        const pi = pc - stride;
        const x0 = load<f64>(pi);
        const x1 = load<f64>(pi, 8);
        const x2 = load<f64>(pi, 16);
        const x3 = load<f64>(pi, 24);
        store<f64>(pc, s * x0 + c * k0);
        store<f64>(pc, s * x1 + c * k1, 8);
        store<f64>(pc, s * x2 + c * k2, 16);
        store<f64>(pc, s * x3 + c * k3, 24);
        k0 = c * x0 - s * k0;
        k1 = c * x1 - s * k1;
        k2 = c * x2 - s * k2;
        k3 = c * x3 - s * k3;
        pc = pi;
      }
      store<f64>(pc, k0);
      store<f64>(pc, k1, 8);
      store<f64>(pc, k2, 16);
      store<f64>(pc, k3, 24);
    }
  }
  for (let r = r0; r < n; r++) {
    const base = z + (<usize>r << 3);
    for (let q = 0; q < nsweep; q++) {
      const sw = sweeps + (<usize>q * 12);
      const l = load<i32>(sw);
      const m = load<i32>(sw + 4);
      let rp = rot + (<usize>load<i32>(sw + 8) << 4);
      let pc = base + <usize>m * stride;
      let k = load<f64>(pc);
      for (let i = m - 1; i >= l; i--) {
        const c = load<f64>(rp);
        const s = load<f64>(rp, 8);
        rp += 16;
        const pi = pc - stride;
        const x = load<f64>(pi);
        store<f64>(pc, s * x + c * k);
        k = c * x - s * k;
        pc = pi;
      }
      store<f64>(pc, k);
    }
  }
}

// ───────────────────────────── back-transformation W ← Q·W ─────────────────────────────

/**
 * Reflectors per compact-WY block: a multiple of the 2×8 and 2×10 register tiles' widths, so that X = Vᵀ·W (nb columns)
 * fills whole tiles (the 2×12 tile, which the relaxed build may run, pads it to 84). With 64 the 2×10 tile padded it to
 * 70 columns: at n = 1000, A/B in one Chromium 156 page, dormtrLower took 123.5 / 126.4 ms with 64 and 119.3 / 120.6 ms
 * with 80; node 20 (2×8) 153–159 ms with either. With 160 (node 20, Zen 4, alternating processes) eigh at n = 1000 took
 * 261–288 ms against 253–254 with 80 (S, Z and T cost more per reflector in larger blocks). Nor did running each
 * block's two GEMMs over chunks of 128 or 48 columns of C (so that the chunk the product with V reads stays in L2 for
 * the update) help: dormtrLower's fastest of ≈ 25 calls took 116–119 and 120–122 ms against 114–117 (V and Z are packed
 * again per chunk). Alone at n = 1000, 81 % of its time is the micro-kernel (running at ≈ 82 % of the ceiling there,
 * against ≈ 95 % in a square GEMM: the updates are k = 80 deep) and 9 % packing.
 */
const NB_WY: i32 = 80;

/**
 * Doubles of workspace dormtrLower needs besides dgemm's: V (n × NB), then applyBlockReflector's work (Z and W, n × NB
 * each, T and S, NB × NB each).
 */
export function dormtrWorkSize(n: i32): i32 {
  return 3 * n * NB_WY + 2 * NB_WY * NB_WY;
}

/**
 * W (n×n, column-major) ← Q·W with Q = H₀·H₁⋯H_{n−2} the reflectors dsytrdLower left in a and tau (applyReflectors
 * over all of them and all columns).
 * work: dormtrWorkSize(n) doubles; gemmWork: dgemmWorkSize(n, n, n) doubles.
 */
export function dormtrLower(n: i32, a: usize, tau: usize, w: usize, work: usize, gemmWork: usize): void {
  applyReflectors(n, a, tau, w, 0, n - 1, 0, work, gemmWork);
}

/**
 * W[:, c0:n] ← H_{kLo}·H_{kLo+1}⋯H_{kHi−1}·W[:, c0:n], the reflectors dsytrdLower left in a and tau (H_k = I − τ_k·v·vᵀ
 * acts on rows k+1 … n−1). Blocks of NB reflectors (k0 on multiples of NB, clipped to [kLo, kHi)), last block first,
 * each as I − V·T·Vᵀ (compact WY: factor.ts's applyBlockReflector) on the rows r0:n of W, r0 the even row at or above
 * k0 (m = n − r0 rows; V's rows r0 … k0 are zero). A block whose τ are all zero is skipped.
 */
function applyReflectors(n: i32, a: usize, tau: usize, w: usize, kLo: i32, kHi: i32, c0: i32, work: usize, gemmWork: usize): void {
  // reflectors k ≥ n − 2 have length ≤ 1: τ = 0 and H_k = I
  if (kHi > n - 2) kHi = n - 2;
  if (kHi <= kLo) return;
  const NB = NB_WY;
  const vb = work;
  const wy = vb + ((<usize>n * NB) << 3); // applyBlockReflector's work
  const cols = n - c0;
  for (let kb = ((kHi - 1) / NB) * NB; kb + NB > kLo; kb -= NB) {
    const k0 = kb > kLo ? kb : kLo;
    const k1 = kb + NB < kHi ? kb + NB : kHi;
    const nb = k1 - k0;
    let any = false;
    for (let j = k0; j < k1; j++) if (ld(tau, j) != 0) any = true;
    if (!any) continue;
    // The block's rows start at r0 ≤ k0, one or two above reflector k0's first row (V's first rows are zero, so W's
    // rows r0 … k0 only get zeros added), at an even row, so that the GEMMs enter W's columns (n even) and V's and
    // Z's 16-byte aligned (from k0 + 1 the f64x2 loads and stores of the C tiles of W −= Z·X were misaligned: ≈ 5 %
    // slower).
    const r0 = k0 & ~1;
    const off = k0 - r0;
    const m = n - r0;
    // V (m × nb): V[i, j] = 0 for i ≤ j + off, 1 for i = j + off + 1, A[r0 + i, k0 + j] below
    copyReflectors(m, nb, off + 1, col(a, n, k0) + (<usize>r0 << 3), n, vb);
    applyBlockReflector(0, m, nb, off + 1, vb, tau + (<usize>k0 << 3), cols, w + ((<usize>c0 * <usize>n + <usize>r0) << 3), n, wy, gemmWork);
  }
}

// ───────────────────────────── divide and conquer on the tridiagonal ─────────────────────────────

/** Subproblems of at most LEAF rows are solved by implicit QL with vectors. */
const LEAF: i32 = 16;
const SECULAR_MAX_ITER: i32 = 80;

/**
 * The arrays of one `dstedcVectors` call, passed down its recursion: n, d, e, the eigenvector matrix w, the work
 * areas G (n²), U (n²) and 8n vector doubles, the index array (5n i32), the QL rotation log, the GEMM workspace, the
 * reflectors (a, tau) with applyReflectors' workspace `back`, and kDone: reflectors kDone … n−2 are already applied.
 * Filled on entry to the kernel; its bytes are a static cell (`DC_CELL`), since kernels never allocate.
 */
@final @unmanaged class Dc {
  n: i32;
  rotCap: i32;
  sweepCap: i32;
  kDone: i32;
  d: usize;
  e: usize;
  w: usize;
  g: usize;
  u: usize;
  vec: usize;
  idx: usize;
  rot: usize;
  sweeps: usize;
  gemm: usize;
  a: usize;
  tau: usize;
  back: usize;
}

const DC_CELL: usize = memory.data(offsetof<Dc>(), 8);

/** Doubles of workspace dstedcVectors needs in `work` (besides gemmWork and the rotation log): 2n² + 8n. */
export function dstedcWorkSize(n: i32): f64 {
  return 2 * <f64>n * <f64>n + 8 * <f64>n;
}

/**
 * Eigenvalues (into d: ascending within each unreduced block, blocks in order) and eigenvectors (columns of w, n×n
 * column-major) of the symmetric tridiagonal T (d diagonal, e[k] = T[k+1, k]; e destroyed) by divide and conquer
 * (Cuppen 1981; Gu & Eisenstat 1995; LAPACK dstedc), unreduced block by unreduced block (split where
 * |e[m]| ≤ ε·√|d[m]|·√|d[m+1]|), each scaled to max|entry| ∈ [0.5, 1) by an exact power of two:
 * the block is split in halves, T = diag(T₁, T₂) + |β|·u·uᵀ, recursively down to LEAF rows (implicit QL), and merged by
 *   - deflation: components with ρ|zᵢ| ≤ tol, and pairs of close poles after a Givens rotation (LAPACK dlaed2);
 *   - the secular equation 1/ρ + Σ zⱼ²/(dⱼ − λ) = 0 solved root by root from the nearer pole with a two-pole
 *     rational model ("middle way", Li 1993; LAPACK dlaed4), safeguarded by bisection;
 *   - Gu–Eisenstat: ẑ recomputed from the computed roots (Löwner), eigenvectors ẑⱼ/(dⱼ − λᵢ), normalised, so
 *     they are orthogonal to working precision; then one GEMM with the eigenvectors of the halves.
 * With the reflectors of dsytrdLower in (a, tau), w ends as Q·Z instead of Z (Q = H₀⋯H_{n−2}; τ = 0 gives Q = I), the
 * eigenvectors of A = Q·T·Qᵀ, with fewer flops than Z followed by dormtrLower: H_k acts on rows k+1 … n−1 only, so the
 * reflectors k ≥ lo (rows below lo) are applied to the eigenvectors of the trailing subproblem [lo, n) as soon as it
 * is solved — to its n − lo columns, not to all n — while its first row, which the merge with its left neighbour
 * reads, is still untouched; a merge combines columns (Q·(Z·U) = (Q·Z)·U) and the columns of the other subproblems
 * are zero in those rows. Down the trailing path [n/2, n), [3n/4, n), … this saves ≈ 0.28·n³ of dormtrLower's 2n³
 * flops; the remaining reflectors go to all columns at the end.
 * work: dstedcWorkSize(n) doubles; iwork: 5n i32; rot/sweeps: the QL rotation log (rotCap ≥ LEAF);
 * gemmWork: dgemmWorkSize(n, n, n) doubles; back: dormtrWorkSize(n) doubles. Returns 0, or k+1 when QL failed on
 * eigenvalue k of a leaf.
 */
export function dstedcVectors(
  n: i32, d: usize, e: usize, w: usize, work: usize, iwork: usize,
  rot: usize, rotCap: i32, sweeps: usize, sweepCap: i32, gemmWork: usize,
  a: usize, tau: usize, back: usize,
): i32 {
  const dc = changetype<Dc>(DC_CELL);
  dc.n = n;
  dc.d = d;
  dc.e = e;
  dc.w = w;
  dc.g = work;
  dc.u = dc.g + ((<usize>n * <usize>n) << 3);
  dc.vec = dc.u + ((<usize>n * <usize>n) << 3); // 8n doubles of vectors
  dc.idx = iwork; // 5n i32
  dc.rot = rot;
  dc.rotCap = rotCap;
  dc.sweeps = sweeps;
  dc.sweepCap = sweepCap;
  dc.gemm = gemmWork;
  dc.a = a;
  dc.tau = tau;
  dc.back = back;
  dc.kDone = n - 1;
  memory.fill(w, 0, (<usize>n * <usize>n) << 3);
  if (n > 0) st(e, n - 1, 0);
  // Block by unreduced block, each scaled exactly to max|entry| ∈ [0.5, 1) (LAPACK dstedc): the deflation tolerance
  // 8·ε·max(|d|, |z|) of `merge` and the leaves' QL are meant for a block of norm ≈ 1 (|z| ≤ 1 does not scale: on a
  // block of norm 1e-12 the tolerance was ≈ 1e12 times too loose), and an |e| < 2⁻⁵¹¹ there (a normwise negligible
  // perturbation) is set to zero, so that no QL shift divides by a subnormal.
  let l1 = 0;
  while (l1 < n) {
    const m = unreducedBlockEnd(l1, n, d, e);
    const k = scaleBlockToUnit(l1, m, d, e);
    for (let i = l1; i < m; i++) if (Math.abs(ld(e, i)) < E_FLOOR) st(e, i, 0);
    const status = dcSolve(dc, l1, m + 1);
    if (status != 0) return status;
    if (m + 1 == n) backTransformTrailing(dc, l1);
    scaleRange(d, l1, m + 1, k);
    l1 = m + 1;
  }
  // the last unreduced block was the last trailing subproblem; the other reflectors act on every column
  backTransformTrailing(dc, 0);
  return 0;
}

/**
 * The trailing subproblem [lo, n) is solved: its eigenvectors (columns lo … n−1, zero above row lo) get the reflectors
 * k ∈ [lo, kDone), which act on rows k+1 > lo only (see dstedcVectors).
 */
function backTransformTrailing(dc: Dc, lo: i32): void {
  if (lo >= dc.kDone) return;
  applyReflectors(dc.n, dc.a, dc.tau, dc.w, lo, dc.kDone, lo, dc.back, dc.gemm);
  dc.kDone = lo;
}

function dcSolve(dc: Dc, lo: i32, hi: i32): i32 {
  const size = hi - lo;
  if (size <= LEAF) return leafSolve(dc, lo, hi);
  const mid = lo + (size >> 1);
  const beta = ld(dc.e, mid - 1);
  const ab = Math.abs(beta);
  st(dc.d, mid - 1, ld(dc.d, mid - 1) - ab);
  st(dc.d, mid, ld(dc.d, mid) - ab);
  let status = dcSolve(dc, lo, mid);
  if (status != 0) return status;
  status = dcSolve(dc, mid, hi);
  if (status != 0) return status;
  if (hi == dc.n) backTransformTrailing(dc, mid);
  merge(dc, lo, mid, hi, beta);
  return 0;
}

/** Leaf: W[lo:hi, lo:hi] = eigenvectors by implicit QL from the identity; eigenvalues sorted ascending. */
function leafSolve(dc: Dc, lo: i32, hi: i32): i32 {
  const s = hi - lo;
  const n = dc.n;
  const blk = dc.w + ((<usize>lo * <usize>n + <usize>lo) << 3);
  for (let j = 0; j < s; j++) st(blk + ((<usize>j * <usize>n) << 3), j, 1);
  const dl = dc.d + (<usize>lo << 3);
  const status = tridiagQL(s, dl, dc.e + (<usize>lo << 3), blk, n, dc.rot, dc.rotCap, dc.sweeps, dc.sweepCap);
  if (status != 0) return lo + status;
  // selection sort with column swaps (s ≤ LEAF)
  for (let i = 0; i < s - 1; i++) {
    let k = i;
    for (let j = i + 1; j < s; j++) if (ld(dl, j) < ld(dl, k)) k = j;
    if (k != i) {
      const t = ld(dl, i);
      st(dl, i, ld(dl, k));
      st(dl, k, t);
      facSwap(blk + ((<usize>i * <usize>n) << 3), blk + ((<usize>k * <usize>n) << 3), s);
    }
  }
  return 0;
}

@inline function ildx(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

@inline function istx(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/**
 * Merge the solved halves [lo, mid) and [mid, hi): the block W[lo:hi, lo:hi] holds diag(Q₁, Q₂) and
 * d[lo:hi] the two ascending spectra; on exit the block holds the eigenvectors of T[lo:hi, lo:hi] and d its
 * eigenvalues, ascending.
 */
function merge(dc: Dc, lo: i32, mid: i32, hi: i32, beta: f64): void {
  const n = dc.n;
  const m = hi - lo;
  const n1 = mid - lo;
  const ldn = <usize>n << 3;
  const blk = dc.w + ((<usize>lo * <usize>n + <usize>lo) << 3);
  const dl = dc.d + (<usize>lo << 3);
  // vectors (8n doubles): z, dt (kept poles), zt (kept z), lam, defl values, ẑ, then secularRoots' sum
  const z = dc.vec;
  const dt = z + ldn;
  const zt = dt + ldn;
  const lam = zt + ldn;
  const dv = lam + ldn;
  const zh = dv + ldn;
  // index arrays (5n i32): perm (merged order), kept, deflated, final order, column type
  const perm = dc.idx;
  const kept = perm + (<usize>n << 2);
  const defl = kept + (<usize>n << 2);
  const ord = defl + (<usize>n << 2);
  // Column structure of diag(Q₁, Q₂): 1 = nonzero only in the top n1 rows, 3 = only in the bottom n2 rows,
  // 2 = both (a deflation rotation mixed a top and a bottom column). Grouping kept columns by type lets the
  // update skip the zero blocks (LAPACK dlaed2/dlaed3), about half the GEMM flops.
  const ctype = ord + (<usize>n << 2);
  for (let c = 0; c < m; c++) istx(ctype, c, c < n1 ? 1 : 3);

  // z = [last row of Q₁; sign(β)·first row of Q₂] / √2, ρ = 2|β| (‖z‖ = 1)
  const sgn: f64 = beta < 0 ? -1 : 1;
  const r2 = Math.SQRT1_2;
  for (let c = 0; c < m; c++) {
    const cc = blk + <usize>c * ldn;
    st(z, c, c < n1 ? r2 * ld(cc, n1 - 1) : sgn * r2 * ld(cc, n1));
  }
  const rho = 2 * Math.abs(beta);
  // merge the two ascending runs
  {
    let i = 0;
    let j = n1;
    for (let t = 0; t < m; t++) {
      if (j >= m || (i < n1 && ld(dl, i) <= ld(dl, j))) istx(perm, t, i++);
      else istx(perm, t, j++);
    }
  }
  // deflation (LAPACK dlaed2)
  let dmax: f64 = 0;
  let zmax: f64 = 0;
  for (let c = 0; c < m; c++) {
    dmax = Math.max(dmax, Math.abs(ld(dl, c)));
    zmax = Math.max(zmax, Math.abs(ld(z, c)));
  }
  const tol = 8 * EPS * Math.max(dmax, zmax);
  let nk = 0;
  let nd = 0;
  if (rho * zmax <= tol) {
    for (let t = 0; t < m; t++) istx(defl, nd++, ildx(perm, t));
  } else {
    let pj = -1;
    for (let t = 0; t < m; t++) {
      const j = ildx(perm, t);
      if (rho * Math.abs(ld(z, j)) <= tol) {
        istx(defl, nd++, j);
        continue;
      }
      if (pj < 0) {
        pj = j;
        continue;
      }
      let s = ld(z, pj);
      let c = ld(z, j);
      const tau = hypot2(c, s);
      const tt = ld(dl, j) - ld(dl, pj);
      c /= tau;
      s = -s / tau;
      if (Math.abs(tt * c * s) <= tol) {
        // close poles: rotate so that z[pj] = 0 and deflate pj
        st(z, j, tau);
        st(z, pj, 0);
        const x = blk + <usize>pj * ldn;
        const y = blk + <usize>j * ldn;
        for (let r = 0; r < m; r++) {
          const xr = ld(x, r);
          const yr = ld(y, r);
          st(x, r, c * xr + s * yr);
          st(y, r, c * yr - s * xr);
        }
        const dp = ld(dl, pj);
        const dj = ld(dl, j);
        st(dl, pj, dp * c * c + dj * s * s);
        st(dl, j, dp * s * s + dj * c * c);
        if (ildx(ctype, pj) != ildx(ctype, j)) istx(ctype, j, 2);
        istx(defl, nd++, pj);
        pj = j;
      } else {
        istx(kept, nk++, pj);
        pj = j;
      }
    }
    if (pj >= 0) istx(kept, nk++, pj);
  }
  const K = nk;
  // G = [kept columns | deflated columns] (m × m, column-major, ld m)
  const G = dc.g;
  const ldm = <usize>m << 3;
  // grouped position of kept column i: type 1 first, then 2, then 3 (ord holds it until the final sort)
  let k1 = 0;
  let k2 = 0;
  for (let i = 0; i < K; i++) {
    const t = ildx(ctype, ildx(kept, i));
    if (t == 1) k1++;
    else if (t == 2) k2++;
  }
  {
    let p1 = 0;
    let p2 = k1;
    let p3 = k1 + k2;
    for (let i = 0; i < K; i++) {
      const c = ildx(kept, i);
      const t = ildx(ctype, c);
      const gp = t == 1 ? p1++ : t == 2 ? p2++ : p3++;
      istx(ord, i, gp);
      memory.copy(G + <usize>gp * ldm, blk + <usize>c * ldn, ldm);
      st(dt, i, ld(dl, c));
      st(zt, i, ld(z, c));
    }
  }
  for (let q = 0; q < nd; q++) {
    const src = blk + <usize>ildx(defl, q) * ldn;
    memory.copy(G + <usize>(K + q) * ldm, src, ldm);
    st(dv, q, ld(dl, ildx(defl, q)));
  }
  if (K > 0) {
    secularRoots(K, dt, zt, rho, lam, dc.u, zh + ldn); // zh + ldn: the 7th of the 8n vector doubles
    eigenvectorsGuEisenstat(K, dt, zt, rho, dc.u, zh);
    // rows of U in grouped order (zh is free now)
    for (let i = 0; i < K; i++) {
      const cu = dc.u + ((<usize>i * <usize>K) << 3);
      for (let j = 0; j < K; j++) st(zh, ildx(ord, j), ld(cu, j));
      memory.copy(cu, zh, <usize>K << 3);
    }
    // block columns 0…K−1 ← G[:, 0:K] · U, by blocks: top rows use types 1–2, bottom rows types 2–3
    // (row-major: Rᵀ = Uᵀ · Gᵀ, the row-major views of the column-major U, G and the block).
    const n2 = m - n1;
    if (k1 + k2 > 0) dgemm(0, 0, K, n1, k1 + k2, 1.0, dc.u, K, G, m, 0.0, blk, n, dc.gemm);
    else for (let i = 0; i < K; i++) memory.fill(blk + <usize>i * ldn, 0, <usize>n1 << 3);
    const kb = K - k1;
    const top = <usize>n1 << 3;
    if (kb > 0) dgemm(0, 0, K, n2, kb, 1.0, dc.u + (<usize>k1 << 3), K, G + <usize>k1 * ldm + top, m, 0.0, blk + top, n, dc.gemm);
    else for (let i = 0; i < K; i++) memory.fill(blk + <usize>i * ldn + top, 0, <usize>n2 << 3);
  }
  // deflated columns after the updated ones
  for (let q = 0; q < nd; q++) memory.copy(blk + <usize>(K + q) * ldn, G + <usize>(K + q) * ldm, ldm);
  // order of the m eigenvalues: merge lam (ascending) with the deflated values (insertion-sorted)
  for (let q = 0; q < nd; q++) istx(ord, q, q);
  for (let q = 1; q < nd; q++) {
    const key = ildx(ord, q);
    const v = ld(dv, key);
    let p = q - 1;
    while (p >= 0 && ld(dv, ildx(ord, p)) > v) {
      istx(ord, p + 1, ildx(ord, p));
      p--;
    }
    istx(ord, p + 1, key);
  }
  // src[t]: the block column that holds the t-th smallest eigenvalue (perm is free now); values into zt
  const src = perm;
  {
    let i = 0;
    let q = 0;
    for (let t = 0; t < m; t++) {
      if (q >= nd || (i < K && ld(lam, i) <= ld(dv, ildx(ord, q)))) {
        st(zt, t, ld(lam, i));
        istx(src, t, i++);
      } else {
        const qq = ildx(ord, q++);
        st(zt, t, ld(dv, qq));
        istx(src, t, K + qq);
      }
    }
  }
  memory.copy(dl, zt, ldm);
  // permute the block's columns in place (new[:, t] = old[:, src[t]]) by following cycles; zh holds one column
  const seen = ctype;
  for (let t = 0; t < m; t++) istx(seen, t, 0);
  for (let t = 0; t < m; t++) {
    if (ildx(seen, t) != 0) continue;
    if (ildx(src, t) == t) {
      istx(seen, t, 1);
      continue;
    }
    memory.copy(zh, blk + <usize>t * ldn, ldm);
    let cur = t;
    while (true) {
      istx(seen, cur, 1);
      const sc = ildx(src, cur);
      if (sc == t) {
        memory.copy(blk + <usize>cur * ldn, zh, ldm);
        break;
      }
      memory.copy(blk + <usize>cur * ldn, blk + <usize>sc * ldn, ldm);
      cur = sc;
    }
  }
}

/**
 * Roots λ₀ < … < λ_{K−1} of 1/ρ + Σⱼ zⱼ²/(dⱼ − λ) = 0 (d ascending, ρ > 0, zⱼ ≠ 0): λᵢ ∈ (dᵢ, dᵢ₊₁) and
 * λ_{K−1} ∈ (d_{K−1}, d_{K−1} + ρ‖z‖²]. Column i of u (K × K, column-major) gets dⱼ − λᵢ, computed as
 * (dⱼ − d_org) − τ from the pole d_org nearer the root, which keeps the small differences accurate.
 * sum: one double of scratch (the ψ and φ sums of `secularSums`).
 */
function secularRoots(K: i32, d: usize, z: usize, rho: f64, lam: usize, u: usize, sum: usize): void {
  const rinv = 1 / rho;
  if (K == 1) {
    const t = rho * ld(z, 0) * ld(z, 0);
    st(lam, 0, ld(d, 0) + t);
    st(u, 0, -t);
    return;
  }
  let zz: f64 = 0;
  for (let j = 0; j < K; j++) zz += ld(z, j) * ld(z, j);
  for (let i = 0; i < K; i++) {
    const cu = u + ((<usize>i * <usize>K) << 3);
    let org = i;
    let lo: f64 = 0;
    let hi: f64 = 0;
    let tau: f64 = 0;
    if (i < K - 1) {
      // f at the midpoint between the poles dᵢ and dᵢ₊₁ picks the nearer pole as origin; the initial guess is the
      // root of the two-pole model: those two terms kept, the others frozen at their midpoint value c (dlaed4)
      const di = ld(d, i);
      const del = ld(d, i + 1) - di;
      const half = 0.5 * del;
      shiftedCopy(cu, d, di, K);
      secularSums(z, cu, half, 0, K, sum);
      const f = rinv + load<f64>(sum);
      const zi2 = ld(z, i) * ld(z, i);
      const zn2 = ld(z, i + 1) * ld(z, i + 1);
      const c = f + zi2 / half - zn2 / half;
      if (f >= 0) {
        hi = half;
        const a = c * del + zi2 + zn2;
        const b = zi2 * del;
        const disc = Math.sqrt(Math.abs(a * a - 4 * b * c));
        tau = a > 0 ? (2 * b) / (a + disc) : (a - disc) / (2 * c);
      } else {
        org = i + 1;
        lo = -half;
        shiftedCopy(cu, d, ld(d, org), K);
        const a = c * del - zi2 - zn2;
        const b = zn2 * del;
        const disc = Math.sqrt(Math.abs(a * a + 4 * b * c));
        tau = a < 0 ? (2 * b) / (a - disc) : -(a + disc) / (2 * c);
      }
      if (!(tau > lo && tau < hi)) tau = 0.5 * (lo + hi);
    } else {
      hi = rho * zz;
      shiftedCopy(cu, d, ld(d, org), K);
      tau = 0.5 * hi;
    }
    const dorg = ld(d, org);
    for (let it = 0; it < SECULAR_MAX_ITER; it++) {
      // ψ over j ≤ i (negative terms), φ over j > i (positive terms), and their derivatives
      const psi2 = secularSums(z, cu, tau, 0, i + 1, sum);
      const psi = load<f64>(sum);
      const dpsi = psi2;
      const dphi = secularSums(z, cu, tau, i + 1, K, sum);
      const phi = load<f64>(sum);
      const wv = rinv + psi + phi;
      const dw = dpsi + dphi;
      const erretm = 8 * (phi - psi) + 2 * rinv + 3 * Math.abs(tau) * dw;
      if (Math.abs(wv) <= EPS * erretm) break;
      if (wv < 0) lo = tau;
      else hi = tau;
      let eta: f64;
      const di = ld(cu, i) - tau;
      if (i < K - 1) {
        const di1 = ld(cu, i + 1) - tau;
        const cc = wv - di * dpsi - di1 * dphi;
        const a = (di + di1) * wv - di * di1 * dw;
        const b = di * di1 * wv;
        if (cc == 0) {
          eta = a != 0 ? b / a : -wv / dw;
        } else {
          const disc = Math.sqrt(Math.abs(a * a - 4 * b * cc));
          eta = a <= 0 ? (a - disc) / (2 * cc) : (2 * b) / (a + disc);
        }
      } else {
        const cc = wv - di * dpsi;
        eta = cc != 0 ? di + (di * di * dpsi) / cc : -wv / dw;
      }
      if (!isFinite(eta) || wv * eta >= 0) eta = -wv / dw;
      let tn = tau + eta;
      if (!(tn > lo && tn < hi)) tn = 0.5 * (lo + hi);
      if (tn == tau) break;
      tau = tn;
    }
    st(lam, i, dorg + tau);
    shiftedCopy(cu, cu, tau, K);
  }
}

/** dst[j] ← src[j] − s for j < K (dst may be src). */
function shiftedCopy(dst: usize, src: usize, s: f64, K: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f64x2.splat(s);
    for (; j + 1 < K; j += 2) {
      const o = <usize>j << 3;
      v128.store(dst + o, f64x2.sub(v128.load(src + o), sv));
    }
  }
  for (; j < K; j++) st(dst, j, ld(src, j) - s);
}

/** Σ zⱼ²/(δⱼ − τ) into sum[0] and returns Σ zⱼ²/(δⱼ − τ)², over j ∈ [j0, j1) (δ = column cu). */
function secularSums(z: usize, cu: usize, tau: f64, j0: i32, j1: i32, sum: usize): f64 {
  let s: f64 = 0;
  let ds: f64 = 0;
  let j = j0;
  if (ASC_FEATURE_SIMD) {
    const tv = f64x2.splat(tau);
    let sv = f64x2.splat(0);
    let dv = f64x2.splat(0);
    for (; j + 1 < j1; j += 2) {
      const o = <usize>j << 3;
      const zv = v128.load(z + o);
      const t = f64x2.div(zv, f64x2.sub(v128.load(cu + o), tv));
      sv = f64x2.add(sv, f64x2.mul(zv, t));
      dv = f64x2.add(dv, f64x2.mul(t, t));
    }
    s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    ds = f64x2.extract_lane(dv, 0) + f64x2.extract_lane(dv, 1);
  }
  for (; j < j1; j++) {
    const zj = ld(z, j);
    const t = zj / (ld(cu, j) - tau);
    s += zj * t;
    ds += t * t;
  }
  store<f64>(sum, s);
  return ds;
}

/**
 * Gu–Eisenstat: ẑⱼ² = Πᵢ(λᵢ − dⱼ) / (ρ·Π_{i≠j}(dᵢ − dⱼ)) (the z for which the computed λ are exact), sign of zⱼ;
 * then column i of u (holding dⱼ − λᵢ) becomes the unit eigenvector ẑⱼ/(dⱼ − λᵢ) / ‖·‖.
 */
function eigenvectorsGuEisenstat(K: i32, d: usize, z: usize, rho: f64, u: usize, zh: usize): void {
  if (K == 1) {
    st(u, 0, 1);
    return;
  }
  const rinv = 1 / rho;
  for (let j = 0; j < K; j++) st(zh, j, rinv);
  for (let i = 0; i < K; i++) {
    const cu = u + ((<usize>i * <usize>K) << 3);
    const di = ld(d, i);
    // zh_j *= (λᵢ − dⱼ)/(dᵢ − dⱼ) for j ≠ i, and zh_i *= λᵢ − dᵢ (column i of u holds dⱼ − λᵢ)
    const zi = ld(zh, i) * -ld(cu, i);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const dv = f64x2.splat(di);
      for (; j + 1 < K; j += 2) {
        const o = <usize>j << 3;
        const q = f64x2.div(f64x2.neg(v128.load(cu + o)), f64x2.sub(dv, v128.load(d + o)));
        v128.store(zh + o, f64x2.mul(v128.load(zh + o), q));
      }
    }
    for (; j < K; j++) {
      if (j != i) st(zh, j, (ld(zh, j) * -ld(cu, j)) / (di - ld(d, j)));
    }
    st(zh, i, zi);
  }
  for (let j = 0; j < K; j++) {
    const v = Math.sqrt(Math.abs(ld(zh, j)));
    st(zh, j, ld(z, j) < 0 ? -v : v);
  }
  for (let i = 0; i < K; i++) {
    const cu = u + ((<usize>i * <usize>K) << 3);
    let ss: f64 = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      let sv = f64x2.splat(0);
      for (; j + 1 < K; j += 2) {
        const o = <usize>j << 3;
        const x = f64x2.div(v128.load(zh + o), v128.load(cu + o));
        v128.store(cu + o, x);
        sv = f64x2.add(sv, f64x2.mul(x, x));
      }
      ss = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    }
    for (; j < K; j++) {
      const x = ld(zh, j) / ld(cu, j);
      st(cu, j, x);
      ss += x * x;
    }
    const inv = 1 / Math.sqrt(ss);
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const iv = f64x2.splat(inv);
      for (; j + 1 < K; j += 2) {
        const o = <usize>j << 3;
        v128.store(cu + o, f64x2.mul(v128.load(cu + o), iv));
      }
    }
    for (; j < K; j++) st(cu, j, ld(cu, j) * inv);
  }
}

// ───────────────────────────── output ─────────────────────────────

/**
 * out (n×n, row-major) gets the eigenvectors as columns in the order `order` (n i32): column c of out is
 * ±z[:, order[c]] (z column-major), signed so that its first entry of largest magnitude is positive.
 * Eight columns at a time, read side by side in one pass down them, so that each row of out is written one cache line
 * at a time and once: one column at a time, eight passes over the rows of out took 10 ms at n = 1024, where the rows
 * are 8 KiB apart and all fall in one L1 set, against 2.6 (node 20, Zen 4; the same at n = 1000).
 */
export function eigenvectorsRowMajor(n: i32, z: usize, order: usize, out: usize, signs: usize): void {
  for (let c = 0; c < n; c++) {
    const src = col(z, n, load<i32>(order + (<usize>c << 2)));
    let best: f64 = 0;
    let sign: f64 = 1;
    for (let r = 0; r < n; r++) {
      const x = ld(src, r);
      if (Math.abs(x) > best) {
        best = Math.abs(x);
        sign = x < 0 ? -1 : 1;
      }
    }
    st(signs, c, sign);
  }
  const rowBytes = <usize>n << 3;
  let c8 = 0;
  for (; c8 + 8 <= n; c8 += 8) {
    const s0 = col(z, n, load<i32>(order + (<usize>c8 << 2)));
    const s1 = col(z, n, load<i32>(order + (<usize>c8 << 2), 4));
    const s2 = col(z, n, load<i32>(order + (<usize>c8 << 2), 8));
    const s3 = col(z, n, load<i32>(order + (<usize>c8 << 2), 12));
    const s4 = col(z, n, load<i32>(order + (<usize>c8 << 2), 16));
    const s5 = col(z, n, load<i32>(order + (<usize>c8 << 2), 20));
    const s6 = col(z, n, load<i32>(order + (<usize>c8 << 2), 24));
    const s7 = col(z, n, load<i32>(order + (<usize>c8 << 2), 28));
    const sg = signs + (<usize>c8 << 3);
    const g0 = load<f64>(sg), g1 = load<f64>(sg, 8), g2 = load<f64>(sg, 16), g3 = load<f64>(sg, 24);
    const g4 = load<f64>(sg, 32), g5 = load<f64>(sg, 40), g6 = load<f64>(sg, 48), g7 = load<f64>(sg, 56);
    let dst = out + (<usize>c8 << 3);
    for (let o: usize = 0; o < rowBytes; o += 8) {
      store<f64>(dst, g0 * load<f64>(s0 + o));
      store<f64>(dst, g1 * load<f64>(s1 + o), 8);
      store<f64>(dst, g2 * load<f64>(s2 + o), 16);
      store<f64>(dst, g3 * load<f64>(s3 + o), 24);
      store<f64>(dst, g4 * load<f64>(s4 + o), 32);
      store<f64>(dst, g5 * load<f64>(s5 + o), 40);
      store<f64>(dst, g6 * load<f64>(s6 + o), 48);
      store<f64>(dst, g7 * load<f64>(s7 + o), 56);
      dst += rowBytes;
    }
  }
  // the last n mod 8 columns one at a time
  for (let c = c8; c < n; c++) {
    const src = col(z, n, load<i32>(order + (<usize>c << 2)));
    const sc = ld(signs, c);
    let dst = out + (<usize>c << 3);
    for (let r = 0; r < n; r++) {
      store<f64>(dst, sc * ld(src, r));
      dst += rowBytes;
    }
  }
}

// ───────────────────────────── input conditioning ─────────────────────────────

/** Rows and columns of the square tiles `symmetricRange` meets with their mirror images (both stay in L1). */
const RANGE_TILE: i32 = 64;

/**
 * The checks and the conditioning of a symmetric n×n input, in one pass: out[0] = max|aᵢⱼ| (NaN or +∞ when an entry
 * is not finite), out[1] = the least nonzero |aᵢⱼ| (+∞ when all are zero), out[2] = max|aᵢⱼ − aⱼᵢ|. Each tile
 * above the diagonal is read with its mirror below it, so the column accesses stay in cache; the SIMD build, for
 * even n, compares 2×2 blocks with their mirrors, transposed in registers (f64x2 rows of both).
 * It folds them with f64x2.pmax/pmin (one instruction each, where f64x2.max/min take about eight to propagate NaN:
 * 0.55 ms against 1.5 ms at n = 1000 in node 20) and flags a NaN apart, from the differences aᵢⱼ − aⱼᵢ, which every
 * entry enters: a flagged NaN makes all three outputs NaN.
 */
export function symmetricRange(n: i32, a: usize, out: usize): void {
  // odd n (every other row starts 8 bytes off a 16-byte boundary): the blocked pass measured slower than the scalar
  // one (n = 1999: 14.5 ms against 10.7 ms)
  if (!ASC_FEATURE_SIMD || (n & 1) != 0) {
    symmetricRangeScalar(n, a, out);
    return;
  }
  // 2×2 blocks (rows i, i+1; columns j, j+1) above the diagonal, each against its mirror, transposed in registers
  const rowBytes = <usize>n << 3;
  const zero = f64x2.splat(0);
  const inf = f64x2.splat(Infinity);
  let vmx = zero;
  let vmn = inf;
  let vas = zero;
  let bad = zero; // lanes all ones where a NaN was met
  for (let i0 = 0; i0 < n; i0 += RANGE_TILE) {
    const i1 = i0 + RANGE_TILE < n ? i0 + RANGE_TILE : n;
    for (let j0 = i0; j0 < n; j0 += RANGE_TILE) {
      const j1 = j0 + RANGE_TILE < n ? j0 + RANGE_TILE : n;
      for (let i = i0; i < i1; i += 2) {
        const r0 = a + <usize>i * rowBytes;
        const r1 = r0 + rowBytes;
        const ci = <usize>i << 3;
        for (let j = j0 > i + 2 ? j0 : i + 2; j < j1; j += 2) {
          const cj = <usize>j << 3;
          const x0 = v128.load(r0 + cj); // a[i, j], a[i, j+1]
          const x1 = v128.load(r1 + cj); // a[i+1, j], a[i+1, j+1]
          const m0 = a + <usize>j * rowBytes + ci;
          const y0 = v128.load(m0); // a[j, i], a[j, i+1]
          const y1 = v128.load(m0 + rowBytes); // a[j+1, i], a[j+1, i+1]
          const d0 = f64x2.sub(v128.shuffle<f64>(x0, x1, 0, 2), y0);
          const d1 = f64x2.sub(v128.shuffle<f64>(x0, x1, 1, 3), y1);
          // every entry of the four is in d0 or d1: a NaN among them (or ∞ − ∞) makes one of them NaN
          bad = v128.or(bad, v128.or(f64x2.ne(d0, d0), f64x2.ne(d1, d1)));
          vas = f64x2.pmax(vas, f64x2.pmax(f64x2.abs(d0), f64x2.abs(d1)));
          const ax0 = f64x2.abs(x0);
          const ax1 = f64x2.abs(x1);
          const ay0 = f64x2.abs(y0);
          const ay1 = f64x2.abs(y1);
          vmx = f64x2.pmax(vmx, f64x2.pmax(f64x2.pmax(ax0, ax1), f64x2.pmax(ay0, ay1)));
          const n0 = f64x2.pmin(nonzeroOrInf(ax0, zero, inf), nonzeroOrInf(ax1, zero, inf));
          const n1 = f64x2.pmin(nonzeroOrInf(ay0, zero, inf), nonzeroOrInf(ay1, zero, inf));
          vmn = f64x2.pmin(vmn, f64x2.pmin(n0, n1));
        }
      }
    }
  }
  const nan = v128.any_true(bad) ? NaN : 0;
  st(out, 0, Math.max(f64x2.extract_lane(vmx, 0), f64x2.extract_lane(vmx, 1)) + nan);
  st(out, 1, Math.min(f64x2.extract_lane(vmn, 0), f64x2.extract_lane(vmn, 1)) + nan);
  st(out, 2, Math.max(f64x2.extract_lane(vas, 0), f64x2.extract_lane(vas, 1)) + nan);
  // the diagonal 2×2 blocks
  for (let i = 0; i < n; i += 2) {
    foldMirrorPairs(a, n, i, i, i + 2, out);
    foldMirrorPairs(a, n, i + 1, i + 1, i + 2, out);
  }
}

/** |x| lanes with zeros replaced by +∞ (for the least nonzero |aᵢⱼ|). */
@inline function nonzeroOrInf(ax: v128, zero: v128, inf: v128): v128 {
  return v128.bitselect(inf, ax, f64x2.eq(ax, zero));
}

/** symmetricRange for the scalar build: tiles on and above the diagonal with their mirrors, entry by entry. */
function symmetricRangeScalar(n: i32, a: usize, out: usize): void {
  st(out, 0, 0);
  st(out, 1, Infinity);
  st(out, 2, 0);
  for (let i0 = 0; i0 < n; i0 += RANGE_TILE) {
    const i1 = i0 + RANGE_TILE < n ? i0 + RANGE_TILE : n;
    for (let j0 = i0; j0 < n; j0 += RANGE_TILE) {
      const j1 = j0 + RANGE_TILE < n ? j0 + RANGE_TILE : n;
      for (let i = i0; i < i1; i++) foldMirrorPairs(a, n, i, j0 > i ? j0 : i, j1, out);
    }
  }
}

/**
 * Folds the pairs (a[i, j], a[j, i]), j ∈ [j0, j1), of the row-major n×n a into out = [max|aᵢⱼ|, least nonzero
 * |aᵢⱼ|, max|aᵢⱼ − aⱼᵢ|] (j = i folds the diagonal entry).
 */
@inline function foldMirrorPairs(a: usize, n: i32, i: i32, j0: i32, j1: i32, out: usize): void {
  let mx = ld(out, 0);
  let mn = ld(out, 1);
  let asym = ld(out, 2);
  const row = a + ((<usize>i * <usize>n) << 3);
  const column = a + (<usize>i << 3);
  for (let j = j0; j < j1; j++) {
    const x = load<f64>(row + (<usize>j << 3));
    const y = load<f64>(column + ((<usize>j * <usize>n) << 3));
    const ax = Math.abs(x);
    const ay = Math.abs(y);
    mx = Math.max(mx, Math.max(ax, ay));
    if (ax != 0) mn = Math.min(mn, ax);
    if (ay != 0) mn = Math.min(mn, ay);
    asym = Math.max(asym, Math.abs(x - y));
  }
  st(out, 0, mx);
  st(out, 1, mn);
  st(out, 2, asym);
}

/** xᵢ ← 0 where |xᵢ| < floor, else xᵢ·f1·f2 (f1, f2 powers of two: the product is exact). */
export function scaleAndFlush(len: i32, x: usize, f1: f64, f2: f64, floor: f64): void {
  for (let i = 0; i < len; i++) {
    const v = ld(x, i);
    st(x, i, Math.abs(v) < floor ? 0 : v * f1 * f2);
  }
}
