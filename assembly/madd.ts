// The multiply–add steps of the GEMM micro-kernels (blas.ts, gemm-small.ts), of the tridiagonal reduction's fused
// pass (eigen.ts) and of the peak loop (peak.ts).
//
// Strict SIMD build: c ± a·b rounded twice (the mul, then the add): the same bits on every engine.
// Relaxed-SIMD build (`relaxed-simd` target): f64x2.relaxed_madd and relaxed_nmadd, which the engine may fuse into
// one FMA rounded once (x86 with FMA3, Arm) or not — so its results may differ from the strict build's in the last
// bits, and from one machine to another (WebAssembly relaxed-SIMD proposal, "relaxed_madd": "either a·b rounded
// then added, or fused"). Each error bound of the strict build holds for it too (a fused step only removes a
// rounding).

/** c + a·b on f64x2 lanes (fused where the relaxed build and the hardware allow). */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** c − a·b on f64x2 lanes (fused where the relaxed build and the hardware allow). */
@inline export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_nmadd(a, b, c);
  return f64x2.sub(c, f64x2.mul(a, b));
}
