// BLAS-style kernels on raw pointers: f64, row-major, explicit leading dimensions. No allocation, no validation
// (core validates at its TypeScript boundary and reserves the packing workspace in its arena).
//
// One source, two builds: `ASC_FEATURE_SIMD` is a compile-time constant, so each build keeps only its branch.
//
// GEMM follows the GotoBLAS/BLIS structure (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", ACM TOMS 34(3), 2008; Van Zee & van de Geijn, BLIS, ACM TOMS 41(3), 2015):
//   for jc (NC columns of C)           pack op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels (zero-padded)
//     for pc (KC of the inner dim)
//       for ic (MC rows of C)          pack op(A)[ic:ic+mc, pc:pc+kc] into MR-row interleaved panels
//         for jr (NR), for ir (MR)     micro-kernel: C[ir:ir+MR, jr:jr+NR] += alpha · Apanel · Bpanel
// The micro-kernel keeps a 2×NR tile of C in f64x2 accumulators, reads C once per tile and is a separate function
// that is not inlined (it has two call sites), so V8 tiers it up on its own. Three tiles, chosen at run time
// (setGemmTile; core calibrates the choice per engine and build):
// - 2×8 (8 accumulators, 4 B vectors and 2 A splats live at once: V8 has 16 xmm registers, and engines that load a
//   step's whole B row before its multiplies — node's V8 — spill a larger tile written plainly); eight k-steps per
//   pass (node 20's V8 spends about 9 instructions per pass on the loop itself, and the loop is issue-bound; see
//   microKernel2x8);
// - 2×10 (10 accumulators, 2 A splats, one B vector at a time: fewer loads and less loop overhead per multiply–add,
//   which an engine that keeps the order of the code — Chromium 156's V8 — turns into ≈ 8 % more throughput on the
//   strict build; a 3-operand mul + add is then 3 instructions per 2 flops and the front end, not the FP ports, sets
//   the pace); one step per pass, which Chromium 156 runs alone (on panels in L1) at ≈ 97 % of the f64x2 ceiling,
//   and two per pass measured slower there;
// - 2×12 (12 accumulators, 2 A splats, one B vector: 15 xmm registers, V8's 16 less its scratch register, when the
//   multiply–add is fused and needs no register for the product) for fused multiply–adds (the relaxed build): with
//   c = fma(a, b, c) the multiply is on each accumulator's dependency chain, whose latency (4–5 cycles, 2 FMAs a
//   cycle) 8 or 10 chains barely cover; alone on L1 panels in Chromium 156 on a Zen 5 the relaxed 2×10 loop ran at
//   85–88 % of the relaxed_madd ceiling and 2×12 at 92–96 % (mul + add keeps the multiply off the chain, and there
//   2×12 ran slower than 2×10). Never-taken exits between its B vectors keep node 22's V8 from loading them all
//   first (microKernel2x12).
// The scalar build keeps 2×8.
// On a Zen 3 (x86 family 25 model 1) in node 20 the GEMM stays at 74–80 % of the f64x2 ceiling (Zen 4 and 5: 89–98 %),
// and neither block is the cause: at n = 512 every mc ∈ {32 … 256} with every nc ∈ {256 … 2048} ran at 69–76 %. The
// 2×8 loop alone, on packed panels resident in L1 (a copy outside the library), runs at 77–80 % there; with A packed
// pre-duplicated, so that its splats become plain 16-byte loads (twice A's packed bytes), at 81–84 %, 4–7 % faster in
// ten processes. In the library, as a fourth tile (A packed with each entry twice, the same loop with plain loads), it
// was 10–15 % slower than 2×8 at n = 256, 512 and 1024 in node 20 on the same Zen 3, with mc = 64 and 128: A's panels
// stream from L2 through the tile loop, and twice their bytes cost more than the splats save. So it was dropped.
// kc = 256 is fixed (it splits the sums, so it fixes the bits of the result); mc and nc change only the speed, and
// core picks them per machine (setGemmBlocking; defaults mc = 128, nc = 1024). Blocks are balanced (k = 513 is 3
// blocks of ≈ 171, not 256 + 256 + 1), and each packed panel is followed by one cache line of padding, so panels do
// not all start in the same cache set when kc·8 is a power of two; packed panels are contiguous, so only constant
// immediate offsets are used. Small A·Bᵀ products (B at most 64 × 64, the forward products of narrow layers) take
// the path of gemm-small.ts in the SIMD build instead: it packs only Bᵀ, and gives the same bits.

import { gemmSmallNT, SMALL_NT } from "./gemm-small";
import { madd } from "./madd";

const MR: i32 = 2;
/** The widest register tile (2×12); workspace and scratch are sized for it. */
const NR_MAX: i32 = 12;
/** Columns of the register tile in force: 8, 10 or 12 (SIMD builds; the scalar build keeps 8). See setGemmTile. */
let NR: i32 = 8;
/** The k-block: fixed, because it fixes the summation order (each kc-block's sum is added to C in turn). */
const KC: i32 = 256;
/** Bounds of the tunable blocks (the workspace is sized for them, so it does not depend on the blocking chosen). */
const MC_MAX: i32 = 512;
const NC_MAX: i32 = 2048;
/**
 * Doubles added after each packed panel (one cache line): with kc = 256 a 2-row A panel is 4 KiB and an 8-column B
 * panel 16 KiB, so unpadded panels would all start in the same L1 set; the pad staggers them.
 */
const PANEL_PAD: i32 = 8;
/** The row block of packed A (L2-resident) and the column block of packed B (L3-resident); see setGemmBlocking. */
let MC: i32 = 128;
let NC: i32 = 1024;

/**
 * Choose the row block mc (rows of op(A) packed at a time; mc·kc doubles should sit in L2) and the column block nc
 * (columns of op(B) packed at a time; kc·nc doubles in L3) of dgemm and dsyrk: mc a multiple of 2 in [2, 512], nc a
 * multiple of 8 in [8, 2048]; other values are clamped and rounded up. Neither changes any result: every entry of C
 * is summed in the same order whatever the blocks (only kc, fixed at 256, splits the sums).
 */
export function setGemmBlocking(mc: i32, nc: i32): void {
  MC = roundUp(imin(imax(mc, MR), MC_MAX), MR);
  NC = roundUp(imin(imax(nc, 8), NC_MAX), 8);
}

/**
 * Choose the register tile of dgemm and dsyrk: 2 rows × `nr` columns of C, nr = 8, 10 or 12 (other values give 8;
 * the scalar build always uses 8). Neither changes any result: every entry of C is the same sum in the same order
 * whatever the tile (from 0, adding op(A)ᵢₚ·op(B)ₚⱼ for p through each k-block in turn).
 */
export function setGemmTile(nr: i32): void {
  NR = ASC_FEATURE_SIMD && (nr == 10 || nr == 12) ? nr : 8;
}

/** The columns of dgemm's current register tile (8, 10 or 12; see setGemmTile). */
export function gemmTileCols(): i32 {
  return NR;
}

/** The current row block mc of dgemm (see setGemmBlocking). */
export function gemmBlockRows(): i32 {
  return MC;
}

/** The current column block nc of dgemm (see setGemmBlocking). */
export function gemmBlockCols(): i32 {
  return NC;
}

@inline function at(p: usize, i: i32, j: i32, ld: i32): usize {
  return p + ((<usize>i * <usize>ld + <usize>j) << 3);
}

@inline function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

@inline function imax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}

@inline function roundUp(x: i32, r: i32): i32 {
  return ((x + r - 1) / r) * r;
}

/**
 * The block length that splits `total` into ⌈total/max⌉ nearly equal blocks, rounded up to a multiple of `r`
 * (max is a multiple of r, so the result is at most max; at most `total` rounded up to r).
 */
@inline function balancedBlock(total: i32, max: i32, r: i32): i32 {
  const count = imax((total + max - 1) / max, 1);
  return roundUp((total + count - 1) / count, r);
}

/** Doubles of one packed B panel (kc steps × NR columns) and one packed A panel (kc steps × 2 rows), padded. */
@inline function bPanelStride(kc: i32): i32 {
  return kc * NR + PANEL_PAD;
}

/** Doubles of the packed B block for n columns (at most NC_MAX) in panels of `nr` columns of kc steps. */
@inline function bBlockSize(kc: i32, n: i32, nr: i32): i32 {
  return (kc * nr + PANEL_PAD) * (roundUp(imin(n, NC_MAX), nr) / nr);
}

@inline function aPanelStride(kc: i32): i32 {
  return kc * MR + PANEL_PAD;
}

/**
 * Doubles of workspace `dgemm(…, m, n, k, …, work)` needs: a packed B block (⌈nc/nr⌉ padded panels, nc ≤ 2048),
 * a packed A block (⌈mc/2⌉ padded panels, mc ≤ 512), one edge tile and a line of slack for aligning the blocks.
 * The largest blocks setGemmBlocking allows and the largest of the three tiles' B blocks are assumed, so the size
 * depends neither on the blocking nor on the tile.
 * `dsyrk` needs `dgemmWorkSize(d, d, k)` with d the order of C. Non-decreasing in m, n and k, so the size for
 * the largest call serves smaller ones.
 */
export function dgemmWorkSize(m: i32, n: i32, k: i32): i32 {
  const kc = imin(k, KC);
  const bBlock = imax(imax(bBlockSize(kc, n, 8), bBlockSize(kc, n, 10)), bBlockSize(kc, n, 12));
  return bBlock + aPanelStride(kc) * (roundUp(imin(m, MC_MAX), MR) / MR) + MR * NR_MAX + 8;
}

/** A SIMD register tile's finished entries at c: alpha·acc (set = 1, C not read) or C + alpha·acc. */
@inline function tileValue(c: usize, va: v128, acc: v128, set: i32): v128 {
  return set ? f64x2.mul(va, acc) : f64x2.add(v128.load(c), f64x2.mul(va, acc));
}

/** How a SIMD register tile ends: C's two entries at c get tileValue. */
@inline function endTile(c: usize, va: v128, acc: v128, set: i32): void {
  v128.store(c, tileValue(c, va, acc, set));
}

/**
 * How a register tile ends, column pair at byte offset o of rows c and c1 (tileValue); with ct ≠ 0 (the tile's
 * mirror image C[j0, i0] on the last k-block) the 2×2 block is also stored transposed there: rows o/8 and o/8 + 1
 * below ct (`row` bytes apart) get (v0[0], v1[0]) and (v0[1], v1[1]).
 */
@inline function endPair(
  c: usize, c1: usize, o: usize, va: v128, acc0: v128, acc1: v128, set: i32, ct: usize, row: usize,
): void {
  const v0 = tileValue(c + o, va, acc0, set);
  const v1 = tileValue(c1 + o, va, acc1, set);
  v128.store(c + o, v0);
  v128.store(c1 + o, v1);
  if (ct) {
    const t = ct + (o >> 3) * row;
    v128.store(t, f64x2.shuffle(v0, v1, 0, 2));
    v128.store(t + row, f64x2.shuffle(v0, v1, 1, 3));
  }
}

/**
 * Register tile: C[0:2, 0:8] (leading dimension ldc) += alpha · Σ_p a(:, p) b(p, :) over kc packed steps;
 * with `set` = 1 the tile is overwritten (C = alpha · Σ …) and C is not read. The SIMD loop takes eight steps per
 * pass, each followed by its exit test on the B pointer (no step counter, and any kc needs no separate tail), so
 * the loop's own instructions — pointer increments, the engine's interrupt check and the register moves V8 adds at
 * the loop's head — come once per 64 multiply–adds (the loop is bound by instruction issue, on a Zen 4, same bits:
 * four steps per pass instead of two made the GEMM 1–3 % and eigh at n = 1000 2 % faster in node 20; eight instead
 * of four the GEMM 2–4 % and SYRK 1–4 % faster at n = 256 … 1024 in node 20 and 3.5 % at n = 512 in node 22's
 * strict build, Chromium 156 and the relaxed build unchanged; sixteen no faster than eight; exit tests against the
 * constants 1 … 7, which pb never equals, instead of the pointer sums no faster either; nor was loading the tile's
 * C entries at the start, in node 20 at n = 256 and 512: a load that misses holds up retirement wherever it stands,
 * and WebAssembly has no prefetch). The exit
 * tests between the steps also keep them apart: without them Binaryen merges each accumulator's multiply–adds into
 * one expression, V8 then holds several steps' operands at once and spills. The steps are spelt out, differing only
 * in their offsets: AssemblyScript has no macro, and a function cannot update the caller's eight accumulators. Each
 * accumulator adds its products in the order of p, as a loop of one step per pass would. With ct ≠ 0 (SYRK, SIMD
 * build only) the tile is also stored transposed at ct, its mirror image (endPair).
 */
function microKernel2x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f64, set: i32, ct: usize): void {
  const row = <usize>ldc << 3;
  const c1 = c + row;
  if (ASC_FEATURE_SIMD) {
    let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
    let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
    const end = pb + (<usize>kc << 6);
    while (true) {
      {
        const a0 = v128.load64_splat(pa);
        const a1 = v128.load64_splat(pa, 8);
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const b2 = v128.load(pb, 32);
        const b3 = v128.load(pb, 48);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 64 == end) break;
      {
        const a0 = v128.load64_splat(pa, 16);
        const a1 = v128.load64_splat(pa, 24);
        const b0 = v128.load(pb, 64);
        const b1 = v128.load(pb, 80);
        const b2 = v128.load(pb, 96);
        const b3 = v128.load(pb, 112);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 128 == end) break;
      {
        const a0 = v128.load64_splat(pa, 32);
        const a1 = v128.load64_splat(pa, 40);
        const b0 = v128.load(pb, 128);
        const b1 = v128.load(pb, 144);
        const b2 = v128.load(pb, 160);
        const b3 = v128.load(pb, 176);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 192 == end) break;
      {
        const a0 = v128.load64_splat(pa, 48);
        const a1 = v128.load64_splat(pa, 56);
        const b0 = v128.load(pb, 192);
        const b1 = v128.load(pb, 208);
        const b2 = v128.load(pb, 224);
        const b3 = v128.load(pb, 240);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 256 == end) break;
      {
        const a0 = v128.load64_splat(pa, 64);
        const a1 = v128.load64_splat(pa, 72);
        const b0 = v128.load(pb, 256);
        const b1 = v128.load(pb, 272);
        const b2 = v128.load(pb, 288);
        const b3 = v128.load(pb, 304);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 320 == end) break;
      {
        const a0 = v128.load64_splat(pa, 80);
        const a1 = v128.load64_splat(pa, 88);
        const b0 = v128.load(pb, 320);
        const b1 = v128.load(pb, 336);
        const b2 = v128.load(pb, 352);
        const b3 = v128.load(pb, 368);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 384 == end) break;
      {
        const a0 = v128.load64_splat(pa, 96);
        const a1 = v128.load64_splat(pa, 104);
        const b0 = v128.load(pb, 384);
        const b1 = v128.load(pb, 400);
        const b2 = v128.load(pb, 416);
        const b3 = v128.load(pb, 432);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      if (pb + 448 == end) break;
      {
        const a0 = v128.load64_splat(pa, 112);
        const a1 = v128.load64_splat(pa, 120);
        const b0 = v128.load(pb, 448);
        const b1 = v128.load(pb, 464);
        const b2 = v128.load(pb, 480);
        const b3 = v128.load(pb, 496);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c02 = madd(a0, b2, c02);
        c03 = madd(a0, b3, c03);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c12 = madd(a1, b2, c12);
        c13 = madd(a1, b3, c13);
      }
      pa += 128;
      pb += 512;
      if (pb == end) break;
    }
    const va = f64x2.splat(alpha);
    endPair(c, c1, 0, va, c00, c10, set, ct, row);
    endPair(c, c1, 16, va, c01, c11, set, ct, row);
    endPair(c, c1, 32, va, c02, c12, set, ct, row);
    endPair(c, c1, 48, va, c03, c13, set, ct, row);
  } else {
    // Scalar registers: two 2×4 halves (8 accumulators each) so nothing spills.
    for (let h: usize = 0; h < 64; h += 32) {
      let s00: f64 = 0, s01: f64 = 0, s02: f64 = 0, s03: f64 = 0;
      let s10: f64 = 0, s11: f64 = 0, s12: f64 = 0, s13: f64 = 0;
      let qa = pa;
      let qb = pb + h;
      for (let p = 0; p < kc; p++) {
        const a0 = load<f64>(qa);
        const a1 = load<f64>(qa, 8);
        const b0 = load<f64>(qb);
        const b1 = load<f64>(qb, 8);
        const b2 = load<f64>(qb, 16);
        const b3 = load<f64>(qb, 24);
        s00 += a0 * b0;
        s01 += a0 * b1;
        s02 += a0 * b2;
        s03 += a0 * b3;
        s10 += a1 * b0;
        s11 += a1 * b1;
        s12 += a1 * b2;
        s13 += a1 * b3;
        qa += 16;
        qb += 64;
      }
      const r0 = c + h;
      const r1 = c1 + h;
      if (set) {
        store<f64>(r0, alpha * s00);
        store<f64>(r0, alpha * s01, 8);
        store<f64>(r0, alpha * s02, 16);
        store<f64>(r0, alpha * s03, 24);
        store<f64>(r1, alpha * s10);
        store<f64>(r1, alpha * s11, 8);
        store<f64>(r1, alpha * s12, 16);
        store<f64>(r1, alpha * s13, 24);
        continue;
      }
      store<f64>(r0, load<f64>(r0) + alpha * s00);
      store<f64>(r0, load<f64>(r0, 8) + alpha * s01, 8);
      store<f64>(r0, load<f64>(r0, 16) + alpha * s02, 16);
      store<f64>(r0, load<f64>(r0, 24) + alpha * s03, 24);
      store<f64>(r1, load<f64>(r1) + alpha * s10);
      store<f64>(r1, load<f64>(r1, 8) + alpha * s11, 8);
      store<f64>(r1, load<f64>(r1, 16) + alpha * s12, 16);
      store<f64>(r1, load<f64>(r1, 24) + alpha * s13, 24);
    }
  }
}

/**
 * Register tile (SIMD builds): C[0:2, 0:10] (leading dimension ldc) += alpha · Σ_p a(:, p) b(p, :) over kc packed
 * steps; with `set` = 1 the tile is overwritten (C = alpha · Σ …) and C is not read. Each B vector is loaded just
 * before its two multiply–adds, so 10 accumulators, 2 A splats, one B vector and one product are live: 14 xmm
 * registers. Per step 7 loads for 10 multiply–adds, against 6 for 8 in microKernel2x8. One step per pass: an engine
 * that keeps the order of the code (Chromium 156's V8) runs it so; node's V8 loads every B vector of a step first and
 * spills (node 20 at n = 256: 11.4 GFLOP/s against 21.9 for microKernel2x8; with microKernel2x12's never-taken exits
 * between the vectors and two steps a pass, 20.2). The same sums in the same order as microKernel2x8; ct as there.
 */
function microKernel2x10(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f64, set: i32, ct: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0), c04 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0), c14 = f64x2.splat(0);
  const end = pb + <usize>kc * 80;
  while (pb < end) {
    const a0 = v128.load64_splat(pa);
    const a1 = v128.load64_splat(pa, 8);
    const b0 = v128.load(pb);
    c00 = madd(a0, b0, c00);
    c10 = madd(a1, b0, c10);
    const b1 = v128.load(pb, 16);
    c01 = madd(a0, b1, c01);
    c11 = madd(a1, b1, c11);
    const b2 = v128.load(pb, 32);
    c02 = madd(a0, b2, c02);
    c12 = madd(a1, b2, c12);
    const b3 = v128.load(pb, 48);
    c03 = madd(a0, b3, c03);
    c13 = madd(a1, b3, c13);
    const b4 = v128.load(pb, 64);
    c04 = madd(a0, b4, c04);
    c14 = madd(a1, b4, c14);
    pa += 16;
    pb += 80;
  }
  const va = f64x2.splat(alpha);
  const row = <usize>ldc << 3;
  const c1 = c + row;
  endPair(c, c1, 0, va, c00, c10, set, ct, row);
  endPair(c, c1, 16, va, c01, c11, set, ct, row);
  endPair(c, c1, 32, va, c02, c12, set, ct, row);
  endPair(c, c1, 48, va, c03, c13, set, ct, row);
  endPair(c, c1, 64, va, c04, c14, set, ct, row);
}

/**
 * Register tile (SIMD builds): C[0:2, 0:12] (leading dimension ldc) += alpha · Σ_p a(:, p) b(p, :) over kc packed
 * steps, as microKernel2x10 with a sixth column pair: 12 accumulators, 2 A splats and one B vector are 15 xmm
 * registers, V8's 16 less its scratch register, when the multiply–add is fused and needs no register for the
 * product (the relaxed build; the strict build spills it). Node's V8 (12.4, node 22) schedules a step's loads before
 * its multiply–adds, which would need all six B vectors at once; so between the vectors the loop tests pb against
 * end − 16, end − 32, …, end − 80, exits that are never taken (pb ≡ end modulo 96, the step) but that the compiler
 * must keep, with the accumulators live across them: each vector's multiply–adds are then emitted before the next
 * vector is loaded. Two steps per pass, so the loop's own instructions come once per 24 multiply–adds. In node 22
 * on a Zen 4 the relaxed GEMM at n = 512 ran at 26.6 GFLOP/s this way against 12.8 without the exits and 25.3 with
 * microKernel2x8; in Chromium 156 as fast as the plain loop (one step per pass with these exits ran at half speed
 * there). The same sums in the same order as microKernel2x8; ct as there.
 */
function microKernel2x12(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f64, set: i32, ct: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0), c04 = f64x2.splat(0), c05 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0), c14 = f64x2.splat(0), c15 = f64x2.splat(0);
  const end = pb + <usize>kc * 96;
  const e1 = end - 16, e2 = end - 32, e3 = end - 48, e4 = end - 64, e5 = end - 80;
  while (true) {
    {
      const a0 = v128.load64_splat(pa);
      const a1 = v128.load64_splat(pa, 8);
      const b0 = v128.load(pb);
      c00 = madd(a0, b0, c00);
      c10 = madd(a1, b0, c10);
      if (pb == e1) break;
      const b1 = v128.load(pb, 16);
      c01 = madd(a0, b1, c01);
      c11 = madd(a1, b1, c11);
      if (pb == e2) break;
      const b2 = v128.load(pb, 32);
      c02 = madd(a0, b2, c02);
      c12 = madd(a1, b2, c12);
      if (pb == e3) break;
      const b3 = v128.load(pb, 48);
      c03 = madd(a0, b3, c03);
      c13 = madd(a1, b3, c13);
      if (pb == e4) break;
      const b4 = v128.load(pb, 64);
      c04 = madd(a0, b4, c04);
      c14 = madd(a1, b4, c14);
      if (pb == e5) break;
      const b5 = v128.load(pb, 80);
      c05 = madd(a0, b5, c05);
      c15 = madd(a1, b5, c15);
      pa += 16;
      pb += 96;
    }
    if (pb == end) break;
    {
      const a0 = v128.load64_splat(pa);
      const a1 = v128.load64_splat(pa, 8);
      const b0 = v128.load(pb);
      c00 = madd(a0, b0, c00);
      c10 = madd(a1, b0, c10);
      if (pb == e1) break;
      const b1 = v128.load(pb, 16);
      c01 = madd(a0, b1, c01);
      c11 = madd(a1, b1, c11);
      if (pb == e2) break;
      const b2 = v128.load(pb, 32);
      c02 = madd(a0, b2, c02);
      c12 = madd(a1, b2, c12);
      if (pb == e3) break;
      const b3 = v128.load(pb, 48);
      c03 = madd(a0, b3, c03);
      c13 = madd(a1, b3, c13);
      if (pb == e4) break;
      const b4 = v128.load(pb, 64);
      c04 = madd(a0, b4, c04);
      c14 = madd(a1, b4, c14);
      if (pb == e5) break;
      const b5 = v128.load(pb, 80);
      c05 = madd(a0, b5, c05);
      c15 = madd(a1, b5, c15);
      pa += 16;
      pb += 96;
    }
    if (pb == end) break;
  }
  const va = f64x2.splat(alpha);
  const row = <usize>ldc << 3;
  const c1 = c + row;
  endPair(c, c1, 0, va, c00, c10, set, ct, row);
  endPair(c, c1, 16, va, c01, c11, set, ct, row);
  endPair(c, c1, 32, va, c02, c12, set, ct, row);
  endPair(c, c1, 48, va, c03, c13, set, ct, row);
  endPair(c, c1, 64, va, c04, c14, set, ct, row);
  endPair(c, c1, 80, va, c05, c15, set, ct, row);
}

/**
 * The register tile in force (NR columns): C[0:2, 0:NR] (+)= alpha · Σ_p a(:, p) b(p, :), as the kernels above;
 * ct ≠ 0 (SYRK's last k-block, SIMD build only) also stores the tile transposed at ct, its mirror image (endPair).
 */
@inline function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f64, set: i32, ct: usize): void {
  if (ASC_FEATURE_SIMD && NR == 10) microKernel2x10(kc, pa, pb, c, ldc, alpha, set, ct);
  else if (ASC_FEATURE_SIMD && NR == 12) microKernel2x12(kc, pa, pb, c, ldc, alpha, set, ct);
  else microKernel2x8(kc, pa, pb, c, ldc, alpha, set, ct);
}

/**
 * Pack op(B)[pc:pc+kc, jc:jc+nc] into ⌈nc/NR⌉ panels of kc rows × NR contiguous doubles (columns past nc are 0).
 * op(B)(p, j) = B[p, j] (tb = 0) or B[j, p] (tb = 1). Either way B is read along its rows: for tb = 0 each row's
 * nc entries are dealt out to the panels (padded, so the panels' rows fall in different cache sets), rather than
 * each panel walking down kc rows of B, which at a power-of-two ldb all map to one or two L1 sets.
 */
function packB(tb: i32, b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const row = <usize>NR << 3;
  const stride = <usize>bPanelStride(kc) << 3;
  if (tb == 0) {
    const whole = nc - nc % NR;
    const wide = NR >= 10;
    const wider = NR == 12;
    for (let p = 0; p < kc; p++) {
      const src = at(b, pc + p, jc, ldb);
      let d = dst + <usize>p * row;
      for (let jr = 0; jr < whole; jr += NR) {
        const s = src + (<usize>jr << 3);
        if (ASC_FEATURE_SIMD) {
          // a row of one panel: 4 f64x2 copies, a fifth for 2×10 and a sixth for 2×12 (a loop cost more than they do)
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          v128.store(d, v128.load(s, 32), 32);
          v128.store(d, v128.load(s, 48), 48);
          if (wide) v128.store(d, v128.load(s, 64), 64);
          if (wider) v128.store(d, v128.load(s, 80), 80);
        } else {
          for (let q: usize = 0; q < row; q += 8) store<f64>(d + q, load<f64>(s + q));
        }
        d += stride;
      }
      if (whole < nc) {
        const s = src + (<usize>whole << 3);
        for (let q = 0; q < NR; q++) store<f64>(d + (<usize>q << 3), whole + q < nc ? load<f64>(s + (<usize>q << 3)) : 0);
      }
    }
    return;
  }
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = imin(NR, nc - jr);
    const panel = dst + <usize>(jr / NR) * stride;
    for (let q = 0; q < NR; q++) {
      if (q < nr) {
        const src = at(b, jc + jr + q, pc, ldb);
        for (let p = 0; p < kc; p++) store<f64>(panel + (<usize>(p * NR + q) << 3), load<f64>(src + (<usize>p << 3)));
      } else {
        for (let p = 0; p < kc; p++) store<f64>(panel + (<usize>(p * NR + q) << 3), 0);
      }
    }
  }
}

/**
 * Pack op(A)[ic:ic+mc, pc:pc+kc] into ⌈mc/2⌉ panels of kc steps × 2 interleaved rows (a missing last row is 0).
 * op(A)(i, p) = A[i, p] (ta = 0) or A[p, i] (ta = 1).
 */
function packA(ta: i32, a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const stride = <usize>aPanelStride(kc) << 3;
  if (ta == 0) {
    for (let ir = 0; ir < mc; ir += MR) {
      const two = mc - ir >= 2;
      const panel = dst + <usize>(ir / MR) * stride;
      const r0 = at(a, ic + ir, pc, lda);
      const r1 = r0 + (<usize>lda << 3);
      let p = 0;
      if (ASC_FEATURE_SIMD && two) {
        // two steps at a time: (r0[p], r0[p+1]) and (r1[p], r1[p+1]) → (r0[p], r1[p]), (r0[p+1], r1[p+1])
        for (; p + 2 <= kc; p += 2) {
          const x0 = v128.load(r0 + (<usize>p << 3));
          const x1 = v128.load(r1 + (<usize>p << 3));
          const d = panel + (<usize>p << 4);
          v128.store(d, i64x2.shuffle(x0, x1, 0, 2));
          v128.store(d, i64x2.shuffle(x0, x1, 1, 3), 16);
        }
      }
      for (; p < kc; p++) {
        const d = panel + (<usize>p << 4);
        const q = <usize>p << 3;
        store<f64>(d, load<f64>(r0 + q));
        store<f64>(d, two ? load<f64>(r1 + q) : 0, 8);
      }
    }
    return;
  }
  // op(A) = Aᵀ: row pc + p of A holds step p of every panel. Read each row's mc entries in order and deal them
  // out to the panels (padded, so the panels' lines fall in different cache sets), rather than walk down two
  // columns per panel: at a power-of-two lda those kc rows would all map to one or two L1 sets and miss again
  // for every panel.
  const even = mc & ~1;
  for (let p = 0; p < kc; p++) {
    const src = at(a, pc + p, ic, lda);
    let d = dst + (<usize>p << 4);
    for (let ir = 0; ir < even; ir += MR) {
      if (ASC_FEATURE_SIMD) {
        v128.store(d, v128.load(src + (<usize>ir << 3)));
      } else {
        store<f64>(d, load<f64>(src + (<usize>ir << 3)));
        store<f64>(d, load<f64>(src + (<usize>ir << 3), 8), 8);
      }
      d += stride;
    }
    if (even < mc) {
      store<f64>(d, load<f64>(src + (<usize>even << 3)));
      store<f64>(d, 0, 8);
    }
  }
}

/**
 * An edge tile's valid part (mr rows × nr columns of the 2×NR tile computed into scratch `tile`, alpha applied)
 * into C at (i0, j0): copied when `first`, else added.
 */
function addEdgeTile(tile: usize, mr: i32, nr: i32, c: usize, i0: i32, j0: i32, ldc: i32, first: i32): void {
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) {
      const cij = at(c, i0 + r, j0 + q, ldc);
      const t = load<f64>(at(tile, r, q, NR));
      store<f64>(cij, first ? t : load<f64>(cij) + t);
    }
  }
}

/** The column block for n columns: nc rounded down to whole tiles (nc is a multiple of 8, not always of NR), balanced. */
@inline function columnBlock(n: i32): i32 {
  return balancedBlock(n, imax(NC - NC % NR, NR), NR);
}

/** The packed A block in the workspace: after the packed B block (kb steps × nb columns) at bPack. */
@inline function aPackAt(bPack: usize, kb: i32, nb: i32): usize {
  return bPack + ((<usize>bPanelStride(kb) * <usize>(nb / NR)) << 3);
}

/** The packed B panel (kc steps × NR columns) of columns jc + jr … in a block packed from column jc at bPack. */
@inline function bPanelAt(bPack: usize, jr: i32, kc: i32): usize {
  return bPack + ((<usize>(jr / NR) * <usize>bPanelStride(kc)) << 3);
}

/** The packed A panel (kc steps) of rows i0, i0+1 in a block packed from row ic at aPack. */
@inline function aPanelAt(aPack: usize, ic: i32, i0: i32, kc: i32): usize {
  return aPack + ((<usize>((i0 - ic) / MR) * <usize>aPanelStride(kc)) << 3);
}

/** The edge tile's scratch (2 × NR) in the workspace: after the packed A block (kb steps × mb rows) at aPack. */
@inline function edgeTileAt(aPack: usize, kb: i32, mb: i32): usize {
  return aPack + ((<usize>aPanelStride(kb) * <usize>(mb / MR)) << 3);
}

/**
 * C += alpha · op(A) · op(B) over packed blocks; with `set` = 1, C = alpha · op(A) · op(B) (C is not read: the
 * first KC block overwrites the tiles, later ones add).
 */
function gemmBlocked(
  ta: i32, tb: i32, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize, set: i32,
): void {
  // Balanced blocks (k = 513 is three k-blocks of 171, not 256, 256, 1): no thin last block that
  // repacks a whole operand, or passes over all of C, for a sliver of work.
  const KB = balancedBlock(k, KC, 1);
  const MB = balancedBlock(m, MC, MR);
  const NB = columnBlock(n);
  const bPack = work;
  const aPack = aPackAt(bPack, KB, NB);
  const tile = edgeTileAt(aPack, KB, MB);
  for (let jc = 0; jc < n; jc += NB) {
    const nc = imin(NB, n - jc);
    for (let pc = 0; pc < k; pc += KB) {
      const kc = imin(KB, k - pc);
      const first = set && pc == 0 ? 1 : 0;
      packB(tb, b, ldb, pc, kc, jc, nc, bPack);
      for (let ic = 0; ic < m; ic += MB) {
        const mc = imin(MB, m - ic);
        packA(ta, a, lda, ic, mc, pc, kc, aPack);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = imin(NR, nc - jr);
          const j0 = jc + jr;
          const pb = bPanelAt(bPack, jr, kc);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = imin(MR, mc - ir);
            const i0 = ic + ir;
            const pa = aPanelAt(aPack, ic, i0, kc);
            if (mr == MR && nr == NR) {
              microKernel(kc, pa, pb, at(c, i0, j0, ldc), ldc, alpha, first, 0);
            } else {
              // Edge tile: compute the full 2×NR tile into scratch (padding is zero), add or copy its valid part.
              microKernel(kc, pa, pb, tile, NR, alpha, 1, 0);
              addEdgeTile(tile, mr, nr, c, i0, j0, ldc, first);
            }
          }
        }
      }
    }
  }
}

// ---- SYRK ----------------------------------------------------------------------------------------------------
// dsyrk is GEMM's loop nest on op(A)·op(A)ᵀ, op(A) = Aᵀ (AᵀA) or A (AAᵀ), cut down to the lower triangle:
// - op(A) is packed as GEMM packs it, op(A)ᵀ into NR-column B panels and op(A) into 2-row A panels. (The B panels
//   hold op(A)'s rows too, as columns: reading a tile's row pair out of them, NR·8 bytes apart step to step, saves
//   the A packing but cost as much in the tiles at n = 256 and 512, and 1–3 % more at n = 1024, in node 20 and
//   Chromium 156.) The diagonal kernels below do read both sides out of the diagonal block's B panel;
// - on the diagonal, only the tiles the lower triangle needs: in the NR×NR block on C's diagonal, row pair r
//   (rows j0+r, j0+r+1) needs column pairs 0 … r/2, not the NR columns of a full tile. Row pairs 0 and 4 (1 + 3
//   column pairs) share a kernel of 8 accumulators, row pair 2 (2 column pairs) has one of 4, and pairs 6, 8 and
//   10 are full tiles: 20 accumulator updates a step on an 8×8 diagonal block instead of 32, 32 instead of 50 on
//   10×10, 48 instead of 72 on 12×12. (Kernels of 10 accumulators for pairs 0 and 6, 2 and 4, need 17–18
//   registers where node 20's V8 loads every B vector before the multiplies, and were slower than full tiles there.
//   Since the 2×8 tile takes eight k-steps a pass, full tiles on the diagonal run as fast as these kernels in node 20;
//   in Chromium 156 they were ≈ 2 % slower at n = 512, on 2×10 and on the relaxed 2×12, so the kernels stay.
//   syrkDiagonal04 taking eight steps a pass, as microKernel2x8, changed SYRK by less than 1 % in node 20.)
// - each tile of the last k-block is also stored transposed, from its registers, at its mirror image above the
//   diagonal (GEMM's own tile with ct ≠ 0: endPair), instead of a pass over C at the end. (GEMM's tile followed
//   by a transposing copy that reloads the stored tile ran 7 % slower at d = 901, k = 200, where C's odd rows are
//   not 16-byte aligned.)
// The scalar build runs GEMM's tile throughout (full tiles on the diagonal too) and mirrors entry by entry.
// Every entry is the sum dgemm forms, in the same order (from 0 over p within each k-block, then alpha·sum or
// C + alpha·sum): the diagonal kernels differ from GEMM's tiles only in which entries they compute.

/**
 * Row pairs 0 and 4 of a diagonal block (SIMD build): C[0:2, 0:2] and C[4:6, 0:6] (+)= alpha · Σ_p a(:, p) a(:, p)ᵀ
 * restricted to those entries, C at the block's corner C[j0, j0]. `pb` is the block's packed B panel (NR columns
 * a step, sb = NR·8 bytes apart), which holds the rows j0 … j0+NR−1 of op(A) as its columns, so the A splats and
 * the B vectors come from the same row of the panel. 8 accumulators, 4 splats and 3 B vectors: 15 of V8's 16 xmm
 * registers, even where the engine loads every B vector before the multiplies.
 */
function syrkDiagonal04(kc: i32, pb: usize, sb: usize, c: usize, ldc: i32, alpha: f64, set: i32): void {
  let x0 = f64x2.splat(0), x1 = f64x2.splat(0);
  let y0 = f64x2.splat(0), y1 = f64x2.splat(0), y2 = f64x2.splat(0);
  let z0 = f64x2.splat(0), z1 = f64x2.splat(0), z2 = f64x2.splat(0);
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const a0 = v128.load64_splat(pb);
    const a1 = v128.load64_splat(pb, 8);
    const a4 = v128.load64_splat(pb, 32);
    const a5 = v128.load64_splat(pb, 40);
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    x0 = madd(a0, b0, x0);
    x1 = madd(a1, b0, x1);
    y0 = madd(a4, b0, y0);
    y1 = madd(a4, b1, y1);
    y2 = madd(a4, b2, y2);
    z0 = madd(a5, b0, z0);
    z1 = madd(a5, b1, z1);
    z2 = madd(a5, b2, z2);
    pb += sb;
  }
  const va = f64x2.splat(alpha);
  const row = <usize>ldc << 3;
  const c4 = c + 4 * row;
  const c5 = c4 + row;
  endTile(c, va, x0, set);
  endTile(c + row, va, x1, set);
  endTile(c4, va, y0, set);
  endTile(c4 + 16, va, y1, set);
  endTile(c4 + 32, va, y2, set);
  endTile(c5, va, z0, set);
  endTile(c5 + 16, va, z1, set);
  endTile(c5 + 32, va, z2, set);
}

/** Row pair 2 of a diagonal block (SIMD build): C[2:4, 0:4], as syrkDiagonal04 (4 accumulators). */
function syrkDiagonal2(kc: i32, pb: usize, sb: usize, c: usize, ldc: i32, alpha: f64, set: i32): void {
  let x0 = f64x2.splat(0), x1 = f64x2.splat(0), x2 = f64x2.splat(0), x3 = f64x2.splat(0);
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const a2 = v128.load64_splat(pb, 16);
    const a3 = v128.load64_splat(pb, 24);
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    x0 = madd(a2, b0, x0);
    x1 = madd(a2, b1, x1);
    x2 = madd(a3, b0, x2);
    x3 = madd(a3, b1, x3);
    pb += sb;
  }
  const va = f64x2.splat(alpha);
  const c2 = c + 2 * (<usize>ldc << 3);
  const c3 = c2 + (<usize>ldc << 3);
  endTile(c2, va, x0, set);
  endTile(c2 + 16, va, x1, set);
  endTile(c3, va, x2, set);
  endTile(c3 + 16, va, x3, set);
}

/**
 * C[j, i] = C[i, j] for i in [i0, i1) and j in [j0, min(j1, i)): the entries of a block below the diagonal copied to
 * their mirror images above it.
 */
function mirrorEntries(c: usize, ldc: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  for (let i = i0; i < i1; i++) {
    const je = imin(j1, i);
    for (let j = j0; j < je; j++) store<f64>(at(c, j, i, ldc), load<f64>(at(c, i, j, ldc)));
  }
}

/**
 * One SYRK tile, rows i0, i0+1 × columns j0 … j0+NR−1 of C from the packed panels at pa and pb: straight into C
 * when whole, else (mr < 2 rows or nr < NR columns inside C) through the scratch `tile` and addEdgeTile; with
 * `mirror` (the last k-block) its entries below the diagonal are also copied to their mirror images — by the
 * micro-kernel's transposed store for a whole tile in the SIMD build, else entry by entry.
 */
@inline function syrkTile(
  kc: i32, pa: usize, pb: usize, mr: i32, nr: i32, c: usize, i0: i32, j0: i32, ldc: i32, alpha: f64,
  first: i32, mirror: i32, tile: usize,
): void {
  if (mr == MR && nr == NR) {
    microKernel(kc, pa, pb, at(c, i0, j0, ldc), ldc, alpha, first, ASC_FEATURE_SIMD && mirror ? at(c, j0, i0, ldc) : 0);
    if (!ASC_FEATURE_SIMD && mirror) mirrorEntries(c, ldc, i0, i0 + mr, j0, j0 + nr);
  } else {
    microKernel(kc, pa, pb, tile, NR, alpha, 1, 0);
    addEdgeTile(tile, mr, nr, c, i0, j0, ldc, first);
    if (mirror) mirrorEntries(c, ldc, i0, i0 + mr, j0, j0 + nr);
  }
}

/**
 * The rows lo … hi−1 (row pairs, j0 ≤ lo < hi ≤ j0 + NR) of the diagonal block at C[j0, j0], whose packed B panel
 * `pb` (nr ≤ NR columns inside C) holds op(A)'s rows j0 … j0+NR−1 (SIMD build). Row pairs 0 and 4 go through
 * syrkDiagonal04 when both are in [lo, hi) and inside C, and row pair 2 through syrkDiagonal2 when inside C; any
 * other pair (pairs 6, 8 and 10, a pair whose partner lies in another row block or past C's last row) is a full tile,
 * its rows from the packed A panels from row lo at pa0. With `mirror` (the last k-block) the rows' entries below
 * the diagonal are then copied to their mirror images (over the entries C[i, i+1] the tiles wrote above it).
 */
function syrkDiagonal(
  kc: i32, pa0: usize, pb: usize, j0: i32, lo: i32, hi: i32, d: i32, nr: i32, c: usize, ldc: i32, alpha: f64,
  first: i32, mirror: i32, tile: usize,
): void {
  const sb = <usize>NR << 3;
  for (let i0 = lo; i0 < hi; i0 += MR) {
    const r = i0 - j0;
    if (r == 2 && i0 + 2 <= d) {
      syrkDiagonal2(kc, pb, sb, at(c, j0, j0, ldc), ldc, alpha, first);
      continue;
    }
    if (r == 0 || r == 4) {
      const partner = j0 + 4 - r;
      if (partner >= lo && partner < hi && j0 + 6 <= d) {
        if (r == 0) syrkDiagonal04(kc, pb, sb, at(c, j0, j0, ldc), ldc, alpha, first);
        continue; // r = 4 was done with its partner
      }
    }
    syrkTile(kc, aPanelAt(pa0, lo, i0, kc), pb, imin(MR, d - i0), nr, c, i0, j0, ldc, alpha, first, 0, tile);
  }
  if (mirror) mirrorEntries(c, ldc, lo, imin(hi, d), j0, j0 + nr);
}

/**
 * The lower triangle of C (d×d) (+)= alpha · op(A)·op(A)ᵀ, op(A) (d×k) = Aᵀ (ata = 1, A k×d) or A (ata = 0,
 * A d×k), over packed blocks (see the SYRK notes above); with `set` = 1 the first k-block overwrites C (C is not
 * read). On the last k-block each finished tile is also copied to its mirror image above the diagonal, so C ends
 * exactly symmetric: the strict upper triangle a copy of the lower one.
 */
function syrkBlocked(
  ata: i32, d: i32, k: i32, alpha: f64, a: usize, lda: i32, c: usize, ldc: i32, work: usize, set: i32,
): void {
  const KB = balancedBlock(k, KC, 1);
  const MB = balancedBlock(d, MC, MR);
  const NB = columnBlock(d);
  const bPack = work;
  const aPack = aPackAt(bPack, KB, NB);
  const tile = edgeTileAt(aPack, KB, MB);
  for (let jc = 0; jc < d; jc += NB) {
    const nc = imin(NB, d - jc);
    for (let pc = 0; pc < k; pc += KB) {
      const kc = imin(KB, k - pc);
      const first = set && pc == 0 ? 1 : 0;
      const mirror = pc + kc == k ? 1 : 0;
      packB(ata ? 0 : 1, a, lda, pc, kc, jc, nc, bPack);
      // from the row block holding row jc: rows above it meet no tile of the lower triangle in this column block
      for (let ic = jc - jc % MB; ic < d; ic += MB) {
        const mc = imin(MB, d - ic);
        packA(ata, a, lda, ic, mc, pc, kc, aPack);
        for (let jr = 0; jr < nc && jc + jr < ic + mc; jr += NR) {
          const nr = imin(NR, nc - jr);
          const j0 = jc + jr;
          const pb = bPanelAt(bPack, jr, kc);
          // the rows lo … hi−1 of the block lie in this panel's diagonal block (the scalar build: full tiles)
          const lo = imax(ic, j0);
          const hi = imin(ic + mc, j0 + NR);
          if (ASC_FEATURE_SIMD && lo < hi) {
            syrkDiagonal(kc, aPanelAt(aPack, ic, lo, kc), pb, j0, lo, hi, d, nr, c, ldc, alpha, first, mirror, tile);
          }
          for (let i0 = ASC_FEATURE_SIMD ? imax(lo, hi) : lo; i0 < ic + mc; i0 += MR) {
            const pa = aPanelAt(aPack, ic, i0, kc);
            syrkTile(kc, pa, pb, imin(MR, d - i0), nr, c, i0, j0, ldc, alpha, first, mirror, tile);
          }
        }
      }
    }
  }
}

/** C (rows × cols, leading dimension ldc) = beta · C; beta = 0 writes zeros (so NaN/Inf in C never leak). */
function scaleMatrix(rows: i32, cols: i32, beta: f64, c: usize, ldc: i32): void {
  if (beta == 1) return;
  for (let i = 0; i < rows; i++) {
    const row = at(c, i, 0, ldc);
    for (let j = 0; j < cols; j++) {
      const p = row + (<usize>j << 3);
      store<f64>(p, beta == 0 ? 0 : beta * load<f64>(p));
    }
  }
}

/**
 * C (m×n) = alpha·op(A)·op(B) + beta·C; op(A) is m×k, op(B) is k×n; ta/tb = 1 transposes (op(X) = Xᵀ).
 * m, n, k ≥ 1; lda, ldb, ldc ≥ the row lengths of A, B, C as stored. C must not overlap A, B or `work`;
 * `work` points at `dgemmWorkSize(m, n, k)` doubles of scratch (64-byte aligned is best).
 */
export function dgemm(
  ta: i32, tb: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32, work: usize,
): void {
  assert(m >= 0 && n >= 0 && k >= 0, "dgemm: m, n, k must be >= 0");
  assert(lda >= (ta ? m : k) && ldb >= (tb ? k : n) && ldc >= n, "dgemm: lda, ldb, ldc must be >= the row lengths of A, B, C");
  assert((m == 0 || k == 0 || a != 0) && (k == 0 || n == 0 || b != 0) && (m == 0 || n == 0 || c != 0) && work != 0, "dgemm: null pointer");
  // beta = 0: the first KC block overwrites C (no zero-fill pass; NaN/Inf in C never leak).
  if (beta != 0) scaleMatrix(m, n, beta, c, ldc);
  if (ASC_FEATURE_SIMD) {
    if (ta == 0 && tb == 1 && n <= SMALL_NT && k <= SMALL_NT) {
      // small A·Bᵀ (the forward products of narrow layers): gemm-small.ts, the same sums in the same order
      gemmSmallNT(m, n, k, alpha, a, lda, b, ldb, c, ldc, work, beta == 0 ? 0 : c, ldc);
      return;
    }
  }
  gemmBlocked(ta, tb, m, n, k, alpha, a, lda, b, ldb, c, ldc, work, beta == 0 ? 1 : 0);
}

/**
 * Symmetric rank-k update: C = alpha·AᵀA + beta·C (ata = 1, A m×n, C n×n) or alpha·AAᵀ + beta·C (ata = 0,
 * C m×m). Only the micro-tiles meeting the lower triangle are computed (about half the flops), each copied to its
 * mirror image above the diagonal as it is finished, so C is exactly symmetric (the strict upper triangle a copy of
 * the lower one). With beta ≠ 0, C's lower triangle is the input. `work` points at `dgemmWorkSize(d, d, k)`
 * doubles (d the order of C, k the other dimension of A).
 */
export function dsyrk(ata: i32, m: i32, n: i32, alpha: f64, a: usize, lda: i32, beta: f64, c: usize, ldc: i32, work: usize): void {
  const d = ata ? n : m;
  const k = ata ? m : n;
  assert(m >= 0 && n >= 0 && lda >= n && ldc >= d, "dsyrk: m, n must be >= 0, lda >= n, ldc >= the order of C");
  assert((m == 0 || n == 0 || a != 0) && (d == 0 || c != 0) && work != 0, "dsyrk: null pointer");
  // beta = 0: the first KC block overwrites the lower tiles (with k = 0, C = beta·C: zeros).
  if (beta != 0 || k == 0) scaleMatrix(d, d, beta, c, ldc);
  if (k == 0) mirrorEntries(c, ldc, 0, d, 0, d);
  syrkBlocked(ata, d, k, alpha, a, lda, c, ldc, work, beta == 0 ? 1 : 0);
}

/** Dot product of n contiguous doubles at x and y. */
@inline function dotContiguous(n: i32, x: usize, y: usize): f64 {
  let s: f64 = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    for (; j + 4 <= n; j += 4) {
      const q = <usize>j << 3;
      s0 = f64x2.add(s0, f64x2.mul(v128.load(x + q), v128.load(y + q)));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(x + q, 16), v128.load(y + q, 16)));
    }
    const t = f64x2.add(s0, s1);
    s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  }
  for (; j < n; j++) s += load<f64>(x + (<usize>j << 3)) * load<f64>(y + (<usize>j << 3));
  return s;
}

/** y[0:n] += alpha · x[0:n] (contiguous). */
@inline function axpyContiguous(n: i32, alpha: f64, x: usize, y: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(alpha);
    for (; j + 4 <= n; j += 4) {
      const q = <usize>j << 3;
      v128.store(y + q, f64x2.add(v128.load(y + q), f64x2.mul(va, v128.load(x + q))));
      v128.store(y + q, f64x2.add(v128.load(y + q, 16), f64x2.mul(va, v128.load(x + q, 16))), 16);
    }
  }
  for (; j < n; j++) {
    const q = <usize>j << 3;
    store<f64>(y + q, load<f64>(y + q) + alpha * load<f64>(x + q));
  }
}

/**
 * y = alpha·op(A)·x + beta·y; A is m×n (leading dimension lda); trans = 0: y has m entries, yᵢ = Σⱼ aᵢⱼxⱼ;
 * trans = 1: y has n entries, yⱼ = Σᵢ aᵢⱼxᵢ (a sum of scaled rows, so both orientations read A row by row).
 * beta = 0 does not read y.
 */
export function dgemv(trans: i32, m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  assert(m >= 0 && n >= 0 && lda >= n, "dgemv: m, n must be >= 0, lda >= n");
  assert((m == 0 || n == 0 || a != 0) && ((trans ? m : n) == 0 || x != 0) && ((trans ? n : m) == 0 || y != 0), "dgemv: null pointer");
  if (trans) {
    scaleMatrix(1, n, beta, y, n);
    for (let i = 0; i < m; i++) axpyContiguous(n, alpha * load<f64>(x + (<usize>i << 3)), at(a, i, 0, lda), y);
  } else {
    for (let i = 0; i < m; i++) {
      const yi = y + (<usize>i << 3);
      const s = alpha * dotContiguous(n, at(a, i, 0, lda), x);
      store<f64>(yi, beta == 0 ? s : s + beta * load<f64>(yi));
    }
  }
}

/**
 * The index of the first entry of x[0..n) that is NaN or ±∞, or −1 when all are finite: the boundary check of the
 * public BLAS functions, run on their operands once copied into WASM memory. xᵢ·0 is 0 for a finite xᵢ and NaN
 * otherwise, so the sum of xᵢ·0 over a block of 256 entries (f64x2 lanes in the SIMD build) is 0 exactly when the
 * block is finite; only a block that is not gets searched entry by entry.
 */
export function firstNonFinite(x: usize, n: i32): i32 {
  const BLOCK: i32 = 256;
  for (let b = 0; b < n; b += BLOCK) {
    const end = imin(b + BLOCK, n);
    let i = b;
    let s: f64 = 0;
    if (ASC_FEATURE_SIMD) {
      const zero = f64x2.splat(0);
      let s0 = zero;
      let s1 = zero;
      for (; i + 4 <= end; i += 4) {
        const p = x + (<usize>i << 3);
        s0 = f64x2.add(s0, f64x2.mul(v128.load(p), zero));
        s1 = f64x2.add(s1, f64x2.mul(v128.load(p, 16), zero));
      }
      s0 = f64x2.add(s0, s1);
      s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    }
    for (; i < end; i++) s += load<f64>(x + (<usize>i << 3)) * 0;
    if (s != 0) {
      for (let j = b; j < end; j++) if (!isFinite(load<f64>(x + (<usize>j << 3)))) return j;
    }
  }
  return -1;
}
