// The arithmetic ceiling of WASM on this machine, measured beside the kernels: an impl that runs core's
// `peakMulAdd` loop (12 independent mul+add chains, no memory traffic) for a case's flop count, so its median is the
// time the ceiling would take for that case, sampled round-robin with the kernels under the same load. A suite
// lists { impl, ceiling } pairs in `shares`; the report divides the two medians (ceiling / impl = the impl's share
// of the ceiling).
import { getBackend, peakMulAdd, relaxedSimdSupported, residentBuffer, setBackend } from "@losscape/core";

/** The strict f64x2 mul + add ceiling (SIMD build) and the relaxed_madd one (relaxed build, where it validates). */
export const CEILING = "f64x2 ceiling";
export const RELAXED_CEILING = "relaxed_madd ceiling";
/**
 * How core's ceiling loop (peakMulAdd) gets its multiplier and addend, recorded with every run: "arguments" since
 * 2026-12-06. Before, they were constants (or computed from the step count), which node's V8 rematerialised at each
 * use: in node the f64x2 ceiling read below the machine's (19.0 against 24.9 GFLOP/s on a Zen 4, 16.4 against
 * Chromium's 23.9 on a Zen 3), so node runs without this field overstate every share of it and their targets on it
 * are not judged. Chromium's runs kept the faster of the two old codings, which ran as fast as the arguments do
 * there, and node 22's relaxed_madd loop ran at full speed with constants.
 */
export const CEILING_CODING = "arguments";
/** Why relaxed rows are skipped where the engine does not validate relaxed SIMD without flags. */
export const NO_RELAXED = "this engine does not validate relaxed SIMD without flags (node < 22)";

/** The ceiling impls of a case of `flops` flops (extra fields, e.g. reps, apply to both). */
export function ceilingImpls(flops, extra = {}) {
  return {
    [CEILING]: { backend: "simd", ...extra, accuracy: false, run: () => peakMulAdd(flops) },
    [RELAXED_CEILING]: relaxedSimdSupported() ? { backend: "relaxed", ...extra, accuracy: false, run: () => peakMulAdd(flops) } : { skip: NO_RELAXED },
  };
}

/** `impl` on the relaxed build, or a skip where it is not available. */
export function relaxedImpl(impl) {
  return relaxedSimdSupported() ? { backend: "relaxed", ...impl } : { skip: NO_RELAXED };
}

/**
 * Resident copies of `arrays` (f64) in the relaxed build's memory, for its "kernel only" impls (a resident buffer
 * belongs to one WASM instance), or [] where the relaxed build does not run. Call it in a case's setup.
 */
export function relaxedResident(fn, ...arrays) {
  if (!relaxedSimdSupported()) return [];
  const previous = getBackend();
  setBackend("relaxed");
  try {
    return arrays.map((x) => residentBuffer(fn, "f64", x));
  } finally {
    setBackend(previous);
  }
}

/**
 * The cost of a fresh result alone: `read()` of a resident n²-double buffer is the copy out of WASM memory into a new
 * Float64Array that `matmul` and `syrk` make per call without `out` (its allocation, first-touch page faults and the
 * garbage collection they cause), timed beside them. `fresh` is that buffer, made in the case's setup. The page faults
 * come in phases (glibc returns freed results to the system at times), so this row and the allocating call may
 * each land in a cheap or a faulting phase (see the gemm suite's notes).
 */
export const FRESH_RESULT = "fresh result alone";
export const freshResultImpl = { backend: "simd", accuracy: false, run: ({ fresh }) => fresh.read("fresh result") };

/** The relaxed build's rows of the gemm and syrk suites: into a reused `out`, and the kernel alone on resident operands. */
export const RELAXED_INTO_OUT = "relaxed into out";
export const RELAXED_KERNEL = "relaxed kernel only";

/** A suite's `shares`: each of `strict` against the f64x2 ceiling, each of `relaxed` against the relaxed_madd one. */
export function shareRows(strict, relaxed) {
  return [...strict.map((impl) => ({ impl, ceiling: CEILING })), ...relaxed.map((impl) => ({ impl, ceiling: RELAXED_CEILING }))];
}

/**
 * The square sizes of the gemm and syrk suites, in the order they run: each power of two of the targets between its
 * neighbours, which time only losscape's rows and the ceilings. A change in the host's load lasts minutes on a shared
 * VM: run side by side, a power of two and its neighbours meet it alike, and it cannot pass for a dip.
 */
export const POWERS_OF_TWO_AND_NEIGHBOURS = [255, 256, 257, 511, 512, 513, 1023, 1024, 1025];
/** n is a neighbour (255, 257, …), not a power of two. */
export const isNeighbour = (n) => (n & (n - 1)) !== 0;

/**
 * The ≥ 85 % share targets of the gemm and syrk suites at n ∈ {256, 512, 1024} (case `caseName(n)`): each of
 * `strict` against the f64x2 ceiling and, where the relaxed build runs (targets are recorded with the run, so each
 * environment states its own), RELAXED_INTO_OUT and RELAXED_KERNEL against the relaxed_madd one.
 */
export function shareTargets(caseName, strict) {
  const sizes = [256, 512, 1024];
  const share = (n, impl, ceiling) => ({ kind: "share", case: caseName(n), impl, ceiling, min: 0.85 });
  const relaxed = sizes.flatMap((n) => [share(n, RELAXED_INTO_OUT, RELAXED_CEILING), share(n, RELAXED_KERNEL, RELAXED_CEILING)]);
  return [...sizes.flatMap((n) => strict.map((impl) => share(n, impl, CEILING))), ...(relaxedSimdSupported() ? relaxed : [])];
}
