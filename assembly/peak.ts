// The machine's arithmetic ceiling as WASM sees it: loops of independent multiply–add chains with no memory traffic,
// against which the GEMM/SYRK/eigh benchmarks state their GFLOP/s as a share ("peak" suite, benchmarks/).
//
// Each loop keeps 12 independent accumulator chains cᵢ ← cᵢ·m + a (one mul and one add per lane and step, the
// operation mix of the GEMM micro-kernel); 12 chains hide the mul + add latency on current x86 and Arm cores, so the
// loop runs at the throughput of the mul and add ports. With m = 1 − 2⁻¹⁰ and a = 2⁻¹⁰ every chain stays at 1 (no
// overflow, no subnormals), and the returned sum keeps the optimiser from dropping the loop.
// m and a are the caller's arguments: the engine can neither fold them nor recompute them inside the loop, so they
// stay in registers. Coded as constants, or computed from the step count, they were rematerialised at each use by
// node 20's and 22's V8 (the f64x2 loop then ran at 19.0 against 24.9 GFLOP/s, the scalar one at 7.4 against 11.7,
// on a Zen 4 core); Chromium 156 runs the computed coding as fast as this one (23.4) and the constant one slower.

import { madd } from "./madd";

/**
 * 48·steps flops of f64x2 mul + add in 12 independent chains cᵢ ← cᵢ·m + a (relaxed-SIMD build: relaxed_madd,
 * fused where the hardware fuses; scalar build: the 12 scalar chains of peakMulAddScalar, 24·steps flops).
 * Returns the sum of the chains' lanes. Meant for m = 1 − 2⁻¹⁰, a = 2⁻¹⁰.
 */
export function peakMulAdd(steps: i32, m: f64, a: f64): f64 {
  if (!ASC_FEATURE_SIMD) return peakMulAddScalar(steps, m, a);
  const vm = f64x2.splat(m);
  const va = f64x2.splat(a);
  let c0 = f64x2.splat(0), c1 = f64x2.splat(0.01), c2 = f64x2.splat(0.02), c3 = f64x2.splat(0.03);
  let c4 = f64x2.splat(0.04), c5 = f64x2.splat(0.05), c6 = f64x2.splat(0.06), c7 = f64x2.splat(0.07);
  let c8 = f64x2.splat(0.08), c9 = f64x2.splat(0.09), c10 = f64x2.splat(0.1), c11 = f64x2.splat(0.11);
  for (let s = 0; s < steps; s++) {
    c0 = madd(c0, vm, va);
    c1 = madd(c1, vm, va);
    c2 = madd(c2, vm, va);
    c3 = madd(c3, vm, va);
    c4 = madd(c4, vm, va);
    c5 = madd(c5, vm, va);
    c6 = madd(c6, vm, va);
    c7 = madd(c7, vm, va);
    c8 = madd(c8, vm, va);
    c9 = madd(c9, vm, va);
    c10 = madd(c10, vm, va);
    c11 = madd(c11, vm, va);
  }
  const t = f64x2.add(
    f64x2.add(f64x2.add(f64x2.add(c0, c1), f64x2.add(c2, c3)), f64x2.add(f64x2.add(c4, c5), f64x2.add(c6, c7))),
    f64x2.add(f64x2.add(c8, c9), f64x2.add(c10, c11)),
  );
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** 24·steps flops of scalar f64 mul + add in 12 independent chains cᵢ ← cᵢ·m + a (every build); returns their sum. */
export function peakMulAddScalar(steps: i32, m: f64, a: f64): f64 {
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
