// Hand-written array paths of activations that replace the generated loops of activations.generated.ts, named in
// packages/mlp/src/activation-table.ts (`wasm.forward`, `wasm.values`): copies for linear, branch-free selects for
// relu and leaky-relu, and elementary.ts's f64x2 tanh and sigmoid. Not exported from the WASM module.

import { sigmoid } from "./special-functions";
import { sigmoidF, sigmoidV8, tanhF, tanhV, tanhV8 } from "./elementary";

@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// ---- forward (σ, σ′ and σ″): (p, z, a, s1, s2, cnt, want2) ------------------------------------------------

export function linearForward(p: f64, z: usize, a: usize, s1: usize, s2: usize, cnt: i32, want2: i32): void {
  memory.copy(a, z, <usize>cnt << 3);
  for (let q = 0; q < cnt; q++) stf(s1, q, 1);
  if (want2) for (let q = 0; q < cnt; q++) stf(s2, q, 0);
}

/** σ(z) = z for z > 0, slope·z otherwise (so relu's σ(z) for z ≤ 0 is 0·z, a signed zero). */
@inline function rampForward(slope: f64, z: usize, a: usize, s1: usize, s2: usize, cnt: i32, want2: i32): void {
  for (let q = 0; q < cnt; q++) {
    const x = ldf(z, q);
    stf(a, q, x > 0 ? x : slope * x);
    stf(s1, q, x > 0 ? 1 : slope);
    if (want2) stf(s2, q, 0);
  }
}

export function reluForward(p: f64, z: usize, a: usize, s1: usize, s2: usize, cnt: i32, want2: i32): void {
  rampForward(0, z, a, s1, s2, cnt, want2);
}

export function leakyReluForward(p: f64, z: usize, a: usize, s1: usize, s2: usize, cnt: i32, want2: i32): void {
  rampForward(p, z, a, s1, s2, cnt, want2);
}

// ---- values (σ alone): (p, z, a, cnt) ---------------------------------------------------------------------

export function linearValues(p: f64, z: usize, a: usize, cnt: i32): void {
  memory.copy(a, z, <usize>cnt << 3);
}

/**
 * tanh by one expm1 polynomial (elementary.ts, ≤ ~5 ulp) in both builds; in f64x2, eight values per step in the SIMD
 * build (tanhV8 shares the constants): tanh 30-20-20-1 plane (n = 1000, 21 × 21) 338 ms with Math.tanh, 230 with
 * f64x2 pairs of two polynomials each, ≈ 77 with eight per step (and the small products of gemm-small.ts).
 */
export function tanhValues(p: f64, z: usize, a: usize, cnt: i32): void {
  let q = 0;
  if (ASC_FEATURE_SIMD) {
    for (; q + 8 <= cnt; q += 8) tanhV8(z + (<usize>q << 3), a + (<usize>q << 3));
    for (; q + 2 <= cnt; q += 2) v128.store(a + (<usize>q << 3), tanhV(v128.load(z + (<usize>q << 3))));
  }
  for (; q < cnt; q++) stf(a, q, tanhF(ldf(z, q)));
}

/**
 * σ(z) = 1/(1 + e^{−z}): in the SIMD build with the polynomial exp (≤ ~3 ulp), eight values per step sharing the
 * constants (an f64x2 sigmoid two values per step measured no faster than Math.exp; eight per step made the sigmoid
 * 30-20-20-1 plane ≈ 2× faster); the scalar build uses the table's formula (Math.exp).
 */
export function sigmoidValues(p: f64, z: usize, a: usize, cnt: i32): void {
  if (ASC_FEATURE_SIMD) {
    let q = 0;
    for (; q + 8 <= cnt; q += 8) sigmoidV8(z + (<usize>q << 3), a + (<usize>q << 3));
    for (; q < cnt; q++) stf(a, q, sigmoidF(ldf(z, q)));
    return;
  }
  for (let q = 0; q < cnt; q++) stf(a, q, sigmoid(ldf(z, q)));
}

/**
 * z for z > 0, slope·z otherwise. In the SIMD build the same select per lane without a branch: random signs made
 * the scalar loop's branch mispredict about half the time (relu 30-20-20-1, n = 1000: ≈ 130 of 245 µs per grid
 * point went to this loop).
 */
@inline function rampValues(slope: f64, z: usize, a: usize, cnt: i32): void {
  let q = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f64x2.splat(slope);
    const zero = f64x2.splat(0);
    for (; q + 2 <= cnt; q += 2) {
      const v = v128.load(z + (<usize>q << 3));
      v128.store(a + (<usize>q << 3), v128.bitselect(v, f64x2.mul(vs, v), f64x2.gt(v, zero)));
    }
  }
  for (; q < cnt; q++) {
    const v = ldf(z, q);
    stf(a, q, v > 0 ? v : slope * v);
  }
}

export function reluValues(p: f64, z: usize, a: usize, cnt: i32): void {
  rampValues(0, z, a, cnt);
}

export function leakyReluValues(p: f64, z: usize, a: usize, cnt: i32): void {
  rampValues(p, z, a, cnt);
}

// ---- an unknown code --------------------------------------------------------------------------------------

// The abort message, built in static memory (kernels never allocate): an AssemblyScript string is UTF-16 text
// whose byte length is stored in the 4 bytes before it, which is all the loader's `abort` reads.
const MESSAGE: usize = memory.data(256, 16); // room for 16 header bytes and 120 characters
const PREFIX = "unknown activation code ";
const SUFFIX = " (not in packages/mlp/src/activation-table.ts)";

/** Writes character ch at position n of the message text; returns n + 1. */
function put(text: usize, n: i32, ch: i32): i32 {
  store<u16>(text + (<usize>n << 1), <u16>ch);
  return n + 1;
}

/** Abort with "unknown activation code <code> (…)": the loader turns it into a WasmError naming the code. */
export function unknownActivation(code: i32): void {
  const text = MESSAGE + 16;
  let n = 0;
  for (let i = 0; i < PREFIX.length; i++) n = put(text, n, PREFIX.charCodeAt(i));
  let v = <i64>code;
  if (v < 0) {
    n = put(text, n, 45); // '-'
    v = -v;
  }
  let digits = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  for (let k = digits - 1; k >= 0; k--) {
    put(text, n + k, <i32>(48 + v % 10));
    v /= 10;
  }
  n += digits;
  for (let i = 0; i < SUFFIX.length; i++) n = put(text, n, SUFFIX.charCodeAt(i));
  store<u32>(text - 4, <u32>n << 1);
  abort(changetype<string>(text), "assembly/activation-paths.ts", 0, 0);
}
