// The machine's arithmetic ceiling as WASM sees it: loops of independent multiply–add chains with no memory traffic,
// against which the GEMM/SYRK/eigh benchmarks state their GFLOP/s as a share ("peak" suite, benchmarks/).
//
// Each loop keeps 12 independent accumulator chains cᵢ ← cᵢ·m + a (one mul and one add per lane and step, the
// operation mix of the GEMM micro-kernel); 12 chains hide the mul + add latency on current x86 and Arm cores, so the
// loop runs at the throughput of the mul and add ports. m = 1 − 2⁻¹⁰ and a = 2⁻¹⁰ keep every chain at 1 (no
// overflow, no subnormals), and the returned sum keeps the optimiser from dropping the loop. Engines compile the
// loop differently depending on how m and a are coded, so there are two forms: in peakMulAdd they are computed from
// the argument (+ steps·0, which the optimiser may not fold for doubles) and stay in registers (Chromium 156 runs
// this at the full mul + add throughput, and 12 % to 35 % slower the other form); in peakMulAddConst they are
// compile-time constants, which Binaryen rematerialises as v128.const at each use (node 20 runs this one faster).

import { madd } from "./madd";

const M: f64 = 1 - 1.0 / 1024;
const A: f64 = 1.0 / 1024;

/**
 * 48·steps flops of f64x2 mul + add in 12 independent chains (relaxed-SIMD build: relaxed_madd, fused where the
 * hardware fuses; scalar build: 12 scalar chains, 24·steps flops).
 */
export function peakMulAdd(steps: i32): f64 {
  if (ASC_FEATURE_SIMD) {
    const zero = <f64>steps * 0.0;
    return mulAddChains(steps, f64x2.splat(M + zero), f64x2.splat(A + zero));
  }
  return peakMulAddScalar(steps);
}

/**
 * peakMulAdd with m and a as compile-time constants (Binaryen then rematerialises them as v128.const at each use in
 * the loop): the same loop, coded so that engines which keep constants in registers (node 20's V8) run it at their
 * best, where the register form above is slower. core's peakMulAdd runs the faster of the two on the engine at hand.
 */
export function peakMulAddConst(steps: i32): f64 {
  if (ASC_FEATURE_SIMD) return mulAddChains(steps, f64x2.splat(M), f64x2.splat(A));
  return peakMulAddScalar(steps);
}

/** The 12 chains cᵢ ← cᵢ·m + a for `steps` steps; returns the sum of their lanes (inlined: m, a keep their form). */
@inline function mulAddChains(steps: i32, m: v128, a: v128): f64 {
  let c0 = f64x2.splat(0), c1 = f64x2.splat(0.01), c2 = f64x2.splat(0.02), c3 = f64x2.splat(0.03);
  let c4 = f64x2.splat(0.04), c5 = f64x2.splat(0.05), c6 = f64x2.splat(0.06), c7 = f64x2.splat(0.07);
  let c8 = f64x2.splat(0.08), c9 = f64x2.splat(0.09), c10 = f64x2.splat(0.1), c11 = f64x2.splat(0.11);
  for (let s = 0; s < steps; s++) {
    c0 = madd(c0, m, a);
    c1 = madd(c1, m, a);
    c2 = madd(c2, m, a);
    c3 = madd(c3, m, a);
    c4 = madd(c4, m, a);
    c5 = madd(c5, m, a);
    c6 = madd(c6, m, a);
    c7 = madd(c7, m, a);
    c8 = madd(c8, m, a);
    c9 = madd(c9, m, a);
    c10 = madd(c10, m, a);
    c11 = madd(c11, m, a);
  }
  const t = f64x2.add(
    f64x2.add(f64x2.add(f64x2.add(c0, c1), f64x2.add(c2, c3)), f64x2.add(f64x2.add(c4, c5), f64x2.add(c6, c7))),
    f64x2.add(f64x2.add(c8, c9), f64x2.add(c10, c11)),
  );
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** 24·steps flops of scalar f64 mul + add in 12 independent chains (both builds). */
export function peakMulAddScalar(steps: i32): f64 {
  const zero = <f64>steps * 0.0;
  const m = M + zero;
  const a = A + zero;
  let c0: f64 = 0, c1: f64 = 0.01, c2: f64 = 0.02, c3: f64 = 0.03, c4: f64 = 0.04, c5: f64 = 0.05;
  let c6: f64 = 0.06, c7: f64 = 0.07, c8: f64 = 0.08, c9: f64 = 0.09, c10: f64 = 0.1, c11: f64 = 0.11;
  for (let s = 0; s < steps; s++) {
    c0 = c0 * m + a;
    c1 = c1 * m + a;
    c2 = c2 * m + a;
    c3 = c3 * m + a;
    c4 = c4 * m + a;
    c5 = c5 * m + a;
    c6 = c6 * m + a;
    c7 = c7 * m + a;
    c8 = c8 * m + a;
    c9 = c9 * m + a;
    c10 = c10 * m + a;
    c11 = c11 * m + a;
  }
  return ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
}
