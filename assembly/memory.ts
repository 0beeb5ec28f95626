// Memory layout helpers. Core (TypeScript) owns everything above heapBase(): it places its arena there and
// grows the memory itself. Kernels never allocate.

/** First byte that core may use for its arena (end of static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this module was compiled with the f64x2 SIMD path, 0 for the scalar build. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** 1 when this module was compiled with relaxed SIMD (f64x2.relaxed_madd in the GEMM micro-kernel), else 0. */
export function relaxedSimdEnabled(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
