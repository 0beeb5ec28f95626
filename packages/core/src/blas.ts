import { activeWasm, getBackend } from "./backend.js";
import { ShapeError, ValueError } from "./errors.js";
import {
  checkGemmBlocking,
  checkGemmTile,
  DEFAULT_GEMM_BLOCKING,
  DEFAULT_GEMM_TILE,
  GEMM_TILES,
  gemmBlocking,
  gemmBlockingSettled,
  gemmTile,
  gemmTileSettled,
  tileColumns,
  useGemmBlocking,
  useGemmTile,
  type GemmBlocking,
  type GemmBlockingSource,
  type GemmTile,
} from "./gemm-blocking.js";
import type { Mat } from "./mat.js";
import { tsGemv, tsMatmul, tsSyrk } from "./ts-backend.js";
import { withKernels, type KernelSession, type WasmBuffer } from "./kernel-session.js";
import { arenaBytes, type WasmBuild } from "./wasm-instance.js";
import { settledBestTimes, type SettleOptions } from "./settled-timing.js";
import {
  checkBoolean,
  checkFinite,
  checkMat,
  checkNumber,
  checkOptions,
  checkOutMat,
  checkOutVector,
  checkVector,
  describeShape,
  notFinite,
  type MatInput,
} from "./validate.js";

function scaled(c: Mat, alpha: number): Mat {
  if (alpha !== 1) for (let i = 0; i < c.data.length; i++) c.data[i] *= alpha;
  return c;
}

/** The result `c` copied into `out` (and `out` returned) when the caller gave one, else `c` itself. */
function into(c: Float64Array, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return c;
  out.set(c);
  return out;
}

/**
 * The result `c` left in WASM memory by a session's kernel, copied into `out` when the caller gave one (no new
 * array: `set` into memory the caller reuses), else into a new Float64Array.
 */
function readResult(s: KernelSession, c: WasmBuffer<"f64">, out: Float64Array | undefined): Float64Array {
  return out === undefined ? s.read(c) : into(s.view(c), out);
}

/**
 * The operand `x` (argument `arg` of `fn`, checked by `checkMat` with `finite: false`) copied into the session's
 * arena and checked finite there by the WASM scan `firstNonFinite`: the ValueError of `checkFinite`, without a
 * separate pass over `x` in JavaScript.
 */
function putFinite(k: KernelSession, fn: string, arg: string, x: Mat): WasmBuffer<"f64"> {
  const b = k.put(x.data);
  checkFiniteCopy(k, fn, arg, x, b);
  return b;
}

/** The ValueError of `checkFinite` for `x` (argument `arg` of `fn`) when its copy `b` in the arena holds a NaN or ±∞. */
function checkFiniteCopy(k: KernelSession, fn: string, arg: string, x: Mat, b: WasmBuffer<"f64">): void {
  const bad = k.firstNonFinite({ x: b, n: x.data.length }).result;
  if (bad >= 0) throw notFinite(fn, arg, x.data, bad, x.cols);
}

/** Whether the diagonal of the n×n matrix `c` (row-major) is finite. */
function finiteDiagonal(c: Float64Array, n: number): boolean {
  for (let i = 0; i < c.length; i += n + 1) if (!Number.isFinite(c[i])) return false;
  return true;
}

/**
 * Matrix product C = α·op(A)·op(B), op(X) = X or Xᵀ (`transA`, `transB`); op(A) is m×k, op(B) is k×n,
 * C is m×n with cᵢⱼ = α·Σₚ op(A)ᵢₚ·op(B)ₚⱼ. Row-major inputs; transposes are never materialised.
 *
 * WASM: GotoBLAS-style GEMM (Goto & van de Geijn, ACM TOMS 34(3), 2008): op(A) packed into 2-row panels,
 * op(B) into panels as wide as the register tile, cache blocks kc = 256 and mc, nc chosen for the machine
 * (`setGemmBlocking`, `calibrateGemm`; defaults 128, 1024), and an f64x2 micro-kernel on a 2×8, 2×10 or 2×12
 * register tile chosen for the engine and build (`setGemmTile`, `calibrateGemm`). Accuracy: each entry has the usual inner-product error |ĉᵢⱼ − cᵢⱼ| ≤ k·u·|α|·Σₚ|aᵢₚ||bₚⱼ|
 * (u = 2⁻⁵³; Higham, Accuracy and Stability of Numerical Algorithms, §3.1); the summation order differs from
 * the `ts` backend, so results agree to that bound, not bit for bit.
 *
 * @param options.alpha scale α (default 1).
 * @param options.out a Mat of exactly m×n to write C into (returned; no new matrix is allocated, so a loop that
 *   reuses it skips the allocation of C). A and B are copied before the product, so `out` may be `a` or `b` itself:
 *   `matmul(a, b, { out: a })` holds the same bits as `matmul(a, b)`.
 * @throws ShapeError when the inner dimensions differ, an argument is not a Mat or `out` is not m×n (checked before
 *   any work: a refused `out` is left untouched); ValueError for NaN/±∞ (`out` left untouched too).
 * @example
 * matmul(matFromRows([[1, 2]]), matFromRows([[3], [4]])).data // Float64Array [11]
 * matmul(a, a, { transA: true })                              // AᵀA as a general product
 * const c = mat(rows, w.cols);
 * for (const x of batches) matmul(x, w, { out: c });           // each rows×k batch's X·W into the same memory
 */
export function matmul(a: MatInput, b: MatInput, options: { transA?: boolean; transB?: boolean; alpha?: number; out?: Mat } = {}): Mat {
  const fn = "matmul";
  options = checkOptions(fn, options, ["transA", "transB", "alpha", "out"]);
  const A = checkMat(fn, "a", a, { finite: false });
  const B = checkMat(fn, "b", b, { finite: false });
  checkBoolean(fn, "transA", options.transA);
  checkBoolean(fn, "transB", options.transB);
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const alpha = options.alpha ?? 1;
  checkNumber(fn, "alpha", alpha);
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const kb = transB ? B.cols : B.rows;
  const n = transB ? B.rows : B.cols;
  if (k !== kb) {
    throw new ShapeError(
      `${fn}: inner dimensions differ: op(a) is ${m}×${k} (a ${describeShape(A)}${transA ? "ᵀ" : ""}), ` +
        `op(b) is ${kb}×${n} (b ${describeShape(B)}${transB ? "ᵀ" : ""})`,
    );
  }
  const out = checkOutMat(fn, "out", options.out, m, n);
  let c: Float64Array;
  if (activeWasm(fn) === null) {
    checkFinite(fn, "a", A.data, A.cols);
    checkFinite(fn, "b", B.data, B.cols);
    c = into(scaled(tsMatmul(A, B, transA, transB), alpha).data, out?.data);
  } else {
    ensureGemmBlocking(2 * m * n * k);
    // When C has fewer entries than A and B together, their finiteness is read off C: a NaN or ±∞ at op(A)ᵢₚ makes
    // every cᵢⱼ = α·Σₚ op(A)ᵢₚ·op(B)ₚⱼ NaN or ±∞ (∞·0 and 0·∞ are NaN, NaN and ∞ survive every sum with finite
    // terms, ∞ − ∞ is NaN), and likewise a column of C for op(B)ₚⱼ. A and B are scanned, for the error, only when C
    // is not finite (or when an entry overflowed from finite operands).
    const checkC = m * n < A.data.length + B.data.length;
    c = withKernels(fn, (s) => {
      s.reserve(
        arenaBytes(8 * A.data.length) + arenaBytes(8 * B.data.length) + arenaBytes(8 * m * n) + arenaBytes(8 * s.workSizes.dgemmWorkSize({ m, n, k })),
        `arguments 'a' (${A.rows} × ${A.cols}) and 'b' (${B.rows} × ${B.cols}) with their product (${m} × ${n})`,
      );
      const pa = checkC ? s.put(A.data) : putFinite(s, fn, "a", A);
      const pb = checkC ? s.put(B.data) : putFinite(s, fn, "b", B);
      const product = s.dgemm({
        ta: transA ? 1 : 0, tb: transB ? 1 : 0, m, n, k, alpha, a: pa, lda: A.cols, b: pb, ldb: B.cols, beta: 0, ldc: n,
      });
      if (checkC && s.firstNonFinite({ x: product.c, n: m * n }).result >= 0) {
        checkFiniteCopy(s, fn, "a", A, pa);
        checkFiniteCopy(s, fn, "b", B, pb);
      }
      return readResult(s, product.c, out?.data);
    });
  }
  return out ?? { rows: m, cols: n, data: c };
}

/**
 * Symmetric rank-k product: C = α·AᵀA (`form: 'AtA'`, the default; n×n for A m×n, cᵢⱼ = α·Σₚ aₚᵢaₚⱼ) or
 * C = α·AAᵀ (`form: 'AAt'`, m×m, cᵢⱼ = α·Σₚ aᵢₚaⱼₚ) — e.g. the Gauss–Newton matrix JᵀJ.
 *
 * WASM: the GEMM machinery on op(A)·op(A)ᵀ, computing only the register tiles that meet the lower triangle (about
 * half the flops of `matmul`; on the diagonal blocks only the entries the triangle needs), each copied to its
 * mirror image above the diagonal once finished, so the result is exactly symmetric (cᵢⱼ and cⱼᵢ are the same
 * double) and its lower triangle holds the bits of `matmul(a, a, { transA: true })` (`AtA`) or
 * `matmul(a, a, { transB: true })` (`AAt`). Accuracy as for `matmul` (per entry ≤ k·u·|α|·Σₚ|aₚᵢ||aₚⱼ|).
 *
 * @param options.alpha scale α (default 1).
 * @param options.out a Mat of exactly the order of C (n×n for `AtA`, m×m for `AAt`) to write C into (returned; no
 *   new matrix is allocated). A is copied before the product, so `out` may be `a` itself (square A).
 * @throws ShapeError when `a` is not a Mat, `form` is unknown or `out` has the wrong shape (checked before any work:
 *   a refused `out` is left untouched); ValueError for NaN/±∞ entries.
 * @example
 * syrk(matFromRows([[1, 2], [3, 4]])).data              // AᵀA = [[10, 14], [14, 20]]
 * syrk(matFromRows([[1, 2], [3, 4]]), { form: "AAt" })   // AAᵀ = [[5, 11], [11, 25]]
 * syrk(j, { out: gaussNewton })                         // JᵀJ written into a reused M×M matrix
 */
export function syrk(a: MatInput, options: { form?: "AtA" | "AAt"; alpha?: number; out?: Mat } = {}): Mat {
  const fn = "syrk";
  options = checkOptions(fn, options, ["form", "alpha", "out"]);
  const A = checkMat(fn, "a", a, { finite: false });
  const form = options.form ?? "AtA";
  if (form !== "AtA" && form !== "AAt") throw new ShapeError(`${fn}: 'form' must be 'AtA' or 'AAt'; found ${String(form)}`);
  const alpha = options.alpha ?? 1;
  checkNumber(fn, "alpha", alpha);
  const n = form === "AtA" ? A.cols : A.rows;
  const out = checkOutMat(fn, "out", options.out, n, n);
  let c: Float64Array;
  if (activeWasm(fn) === null) {
    checkFinite(fn, "a", A.data, A.cols);
    c = into(scaled(tsSyrk(A, form), alpha).data, out?.data);
  } else {
    ensureGemmBlocking(n * n * (form === "AtA" ? A.rows : A.cols));
    c = withKernels(fn, (s) => {
      s.reserve(
        arenaBytes(8 * A.data.length) + arenaBytes(8 * n * n) + arenaBytes(8 * s.workSizes.dgemmWorkSize({ m: n, n, k: form === "AtA" ? A.rows : A.cols })),
        `argument 'a' (${A.rows} × ${A.cols}) with its ${n} × ${n} product`,
      );
      const a = s.put(A.data);
      const gram = s.dsyrk({ ata: form === "AtA" ? 1 : 0, m: A.rows, n: A.cols, alpha, a, lda: A.cols, beta: 0, ldc: n }).c;
      // A's finiteness from C's diagonal, n entries instead of A's rows·cols: a NaN or ±∞ in A enters some
      // cⱼⱼ = α·Σₚ aₚⱼ² (AᵀA; Σₚ aⱼₚ² for AAᵀ), whose terms are all ≥ 0 (an ∞ is never cancelled) and 0·∞ is NaN, so
      // cⱼⱼ is NaN or ±∞. Only then (or when a square overflowed from finite entries) is A scanned, for the error.
      if (!finiteDiagonal(s.view(gram), n)) checkFiniteCopy(s, fn, "a", A, a);
      return readResult(s, gram, out?.data);
    });
  }
  return out ?? { rows: n, cols: n, data: c };
}

/**
 * Matrix–vector product y = α·op(A)·x: yᵢ = α·Σⱼ aᵢⱼxⱼ (A m×n, x of length n), or with `trans`
 * yⱼ = α·Σᵢ aᵢⱼxᵢ (x of length m). WASM: f64x2 dot products (trans = false) or f64x2 row updates (trans = true);
 * accuracy per entry ≤ k·u·|α|·Σ|aᵢⱼ||xⱼ| (k the summed length).
 *
 * @param options.alpha scale α (default 1).
 * @param options.out a Float64Array of exactly the length of y to write y into (returned; no new array). A and x
 *   are copied before the product, so `out` may be `x` itself (square A).
 * @throws ShapeError when x has the wrong length, `a` is not a Mat or `out` has the wrong length (checked before any
 *   work: a refused `out` is left untouched); ValueError for NaN/±∞.
 * @example
 * gemv(matFromRows([[1, 2], [3, 4]]), [1, 1])                   // Float64Array [3, 7]
 * gemv(matFromRows([[1, 2], [3, 4]]), [1, 1], { trans: true })  // Float64Array [4, 6]
 * gemv(a, v, { out: v })                                        // v ← A·v in place (A square)
 */
export function gemv(a: MatInput, x: ArrayLike<number>, options: { trans?: boolean; alpha?: number; out?: Float64Array } = {}): Float64Array {
  const fn = "gemv";
  options = checkOptions(fn, options, ["trans", "alpha", "out"]);
  const A = checkMat(fn, "a", a, { finite: false });
  checkBoolean(fn, "trans", options.trans);
  const trans = options.trans ?? false;
  checkVector(fn, "x", x, trans ? A.rows : A.cols);
  const alpha = options.alpha ?? 1;
  checkNumber(fn, "alpha", alpha);
  const out = checkOutVector(fn, "out", options.out, trans ? A.cols : A.rows);
  if (activeWasm(fn) === null) {
    checkFinite(fn, "a", A.data, A.cols);
    const y = tsGemv(A, x, trans);
    if (alpha !== 1) for (let i = 0; i < y.length; i++) y[i] *= alpha;
    return into(y, out);
  }
  return withKernels(fn, (k) => {
    k.reserve(arenaBytes(8 * A.data.length) + arenaBytes(8 * A.rows) + arenaBytes(8 * A.cols), `argument 'a' (${A.rows} × ${A.cols})`);
    // A's finiteness from y, whose m (n with trans) entries cost nothing beside A's m·n: x is finite, so a NaN or
    // ±∞ at aᵢⱼ makes yᵢ (yⱼ) NaN or ±∞ (∞·0 is NaN, including α = 0). A is scanned, for the error, only then.
    const pa = k.put(A.data);
    const y = k.dgemv({ trans: trans ? 1 : 0, m: A.rows, n: A.cols, alpha, a: pa, lda: A.cols, x: k.put(x), beta: 0 }).y;
    if (k.firstNonFinite({ x: y, n: trans ? A.cols : A.rows }).result >= 0) checkFiniteCopy(k, fn, "a", A, pa);
    return readResult(k, y, out);
  });
}

/** Products of at least this many flops (≈ a 400³ GEMM, ≥ 10 ms) trigger the first-use calibration of the blocks. */
const CALIBRATE_FROM_FLOPS = 2 ** 27;
/** Products of at least this many flops (≈ a 200³ GEMM, ≥ 1 ms) trigger the first-use choice of the tile (≈ 10 ms). */
const CALIBRATE_TILE_FROM_FLOPS = 2 ** 24;
/** The row blocks calibration tries (A blocks of 128–512 KiB); nc keeps its value (L3 holds any of them). */
const MC_CANDIDATES = [64, 128, 192, 256];

/** node's environment variable `name`, or undefined (browsers, or unset or empty). */
function envVar(name: string): string | undefined {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return v === undefined || v === "" ? undefined : v;
}

/**
 * Choose the GEMM register tile of the active build (before its first product of at least 2²⁴ flops) and the cache
 * blocks (2²⁷ flops) for this machine, once per process (the tile once per build): each from node's environment
 * when set (`LOSSCAPE_GEMM_TILE`: `"2x8"`, `"2x10"` or `"2x12"`, for every build; `LOSSCAPE_GEMM_BLOCKING`:
 * `"mc,nc"` or `"default"`), else by calibration (`calibrateGemm()`). Nothing happens for what is already in force
 * (set, read or calibrated).
 */
export function ensureGemmBlocking(flops: number): void {
  if (flops < CALIBRATE_TILE_FROM_FLOPS) return;
  const w = activeWasm("ensureGemmBlocking");
  if (w === null) return;
  if (!gemmTileSettled(w.build)) {
    const env = envVar("LOSSCAPE_GEMM_TILE");
    if (env !== undefined) useGemmTile(checkGemmTile("LOSSCAPE_GEMM_TILE", "tile", env), "env", "all");
    else calibrateGemmTile(w.build);
  }
  if (flops >= CALIBRATE_FROM_FLOPS && !gemmBlockingSettled()) {
    const env = envVar("LOSSCAPE_GEMM_BLOCKING");
    if (env === "default") useGemmBlocking(DEFAULT_GEMM_BLOCKING, "env");
    else if (env !== undefined) {
      const parts = env.split(",").map((x) => (x.trim() === "" ? NaN : Number(x.trim())));
      if (parts.length !== 2 || !parts.every(Number.isFinite)) {
        throw new ValueError(`LOSSCAPE_GEMM_BLOCKING: must be "mc,nc" (two integers, e.g. "128,1024") or "default"; found ${JSON.stringify(env)}`);
      }
      const [mc, nc] = parts;
      useGemmBlocking(checkGemmBlocking("LOSSCAPE_GEMM_BLOCKING", "mc,nc", { mc, nc }), "env");
    } else calibrateRowBlock();
  }
}

/**
 * Set the GEMM cache blocks of every WASM build in this process (mc rows of op(A), nc columns of op(B) packed at a
 * time; see `GemmBlocking`), instead of the first-use calibration. Results do not depend on them, only the speed.
 * @throws ValueError when mc is not an even integer in [2, 512] or nc not a multiple of 8 in [8, 2048].
 * @example
 * setGemmBlocking({ mc: 192, nc: 1024 });
 */
export function setGemmBlocking(blocking: GemmBlocking): void {
  useGemmBlocking(checkGemmBlocking("setGemmBlocking", "blocking", blocking), "set");
}

/** The GEMM cache blocks in force and where they came from (`default`, `calibrated`, `set` or `env`). */
export function getGemmBlocking(): GemmBlocking & { readonly source: GemmBlockingSource } {
  return gemmBlocking();
}

/**
 * Set the GEMM register tile of every SIMD build in this process (`"2x8"`, `"2x10"` or `"2x12"`: 2 rows × 8, 10 or
 * 12 columns of C per micro-kernel call; see `GemmTile`), instead of the first-use calibration. Results do not
 * depend on it, only the speed.
 * @throws ValueError for any other value.
 * @example
 * setGemmTile("2x10");
 */
export function setGemmTile(t: GemmTile): void {
  useGemmTile(checkGemmTile("setGemmTile", "tile", t), "set", "all");
}

/**
 * The GEMM register tile in force in the active WASM build (the strict SIMD build's when the `ts` backend is active
 * or none is loaded yet) and where it came from (`default`, `calibrated`, `set` or `env`).
 */
export function getGemmTile(): { readonly tile: GemmTile; readonly source: GemmBlockingSource } {
  const b = getBackend();
  return gemmTile(b === undefined || b === "ts" ? "simd" : b);
}

/**
 * Time `product` (an m×k by k×n GEMM on the active build, fixed operands) under each of `configs` (each puts a
 * candidate in force in the session) in interleaved rounds until the times have settled in the engine's optimising
 * tier (settledBestTimes: at least `minMs`, at most `maxRounds` rounds): the best time of each candidate, in ms.
 */
function timeCandidates(fn: string, m: number, n: number, kk: number, configs: ((k: KernelSession) => void)[], settle: SettleOptions): number[] {
  return withKernels(fn, (k) => {
    const a = k.alloc("f64", m * kk);
    const b = k.alloc("f64", kk * n);
    const c = k.alloc("f64", m * n);
    const work = k.alloc("f64", k.workSizes.dgemmWorkSize({ m, n, k: kk }));
    const av = k.view(a);
    for (let i = 0; i < av.length; i++) av[i] = ((i * 7) % 13) / 8 - 0.75;
    const bv = k.view(b);
    for (let i = 0; i < bv.length; i++) bv[i] = ((i * 5) % 11) / 8 - 0.625;
    const product = () => k.dgemm({ ta: 0, tb: 0, m, n, k: kk, alpha: 1, a, lda: kk, b, ldb: n, beta: 0, c, ldc: n, work });
    return settledBestTimes(
      configs.map((config) => () => {
        config(k);
        product();
      }),
      settle,
    );
  });
}

/** The index of the fastest of `times`, or of `fallback` unless another is more than 3 % faster. */
function fastest(times: number[], fallback: number): number {
  let pick = fallback;
  for (let i = 0; i < times.length; i++) if (times[i] < times[pick]) pick = i;
  return times[pick] > times[fallback] / 1.03 ? fallback : pick;
}

/**
 * Choose the register tile: a 256×256 by 256×120 product (≈ 16 Mflop; 120 columns are whole tiles of all three)
 * with each tile, interleaved until the micro-kernels have settled in the engine's optimising tier (at least 10 ms);
 * the default 2×8 unless another is more than 3 % faster.
 */
function calibrateGemmTile(build: WasmBuild): void {
  const fn = "calibrateGemm";
  const times = timeCandidates(fn, 256, 120, 256, GEMM_TILES.map((t) => (k: KernelSession) => k.setGemmTile({ nr: tileColumns(t) })), { minMs: 10, maxRounds: 32 });
  useGemmTile(GEMM_TILES[fastest(times, GEMM_TILES.indexOf(DEFAULT_GEMM_TILE))], "calibrated", build);
}

/**
 * Choose the row block mc: a 512×256 by 256×128 product (≈ 34 Mflop) with mc ∈ {64, 128, 192, 256}, interleaved
 * until the times have settled (at least 20 ms); the default 128 unless another is more than 3 % faster.
 */
function calibrateRowBlock(): void {
  const fn = "calibrateGemm";
  const nc = gemmBlocking().nc;
  const times = timeCandidates(fn, 512, 128, 256, MC_CANDIDATES.map((mc) => (k: KernelSession) => k.setGemmBlocking({ mc, nc })), { minMs: 20, maxRounds: 8 });
  useGemmBlocking({ mc: MC_CANDIDATES[fastest(times, MC_CANDIDATES.indexOf(DEFAULT_GEMM_BLOCKING.mc))], nc }, "calibrated");
}

/**
 * Measure the GEMM on the active WASM build and put the fastest register tile (for that build) and row block (for
 * every build) in force: first the tile (2×8, 2×10 or 2×12, see `GemmTile`; a 256×256 by 256×120 product with
 * each, ≈ 10–15 ms), then with it the row block mc ∈ {64, 128, 192, 256} (a 512×256 by 256×128 product, ≈ 34 Mflop
 * each; ≈ 20–40 ms) — each timed in interleaved rounds until the times have settled in the engine's optimising
 * tier, and each the default (2×8, mc = 128) unless another is more than 3 % faster. Runs by itself before the
 * first large product on each build; call it to re-measure (e.g. after the machine's load changed); the tile chosen
 * is `getGemmTile()`. On the `ts` backend nothing is measured.
 */
export function calibrateGemm(): GemmBlocking & { readonly source: GemmBlockingSource } {
  const w = activeWasm("calibrateGemm");
  if (w === null) return gemmBlocking();
  calibrateGemmTile(w.build);
  calibrateRowBlock();
  return gemmBlocking();
}
