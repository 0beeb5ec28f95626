// The arithmetic ceiling of WebAssembly on this machine: core's `peakMulAdd` loop (assembly/peak.ts: 12
// independent accumulator chains cᵢ ← cᵢ·m + a, no memory traffic) on f64x2 lanes (SIMD build), with
// f64x2.relaxed_madd (relaxed build, where the engine validates it) and on scalar f64. GEMM, SYRK and eigh state
// their GFLOP/s as a share of the f64x2 figure, measured again beside them in their own suites.
import { relaxedImpl } from "../lib/ceiling.js";
import { peakMulAdd } from "@losscape/core";

/** Flops per sample: ≈ 10–20 ms at the f64x2 ceiling of current x86 cores. */
const FLOPS = 2.4e8;

export default {
  name: "peak",
  title: "WASM mul+add ceiling (12 independent chains, no memory traffic)",
  main: "f64x2 mul+add",
  peers: ["f64x2 relaxed_madd", "scalar mul+add"],
  notes: [
    "GFLOP/s of each loop = 2 flops per lane and step / time; the ratio columns are loop time / f64x2 loop time for the same flops (relaxed < 1: fused multiply–adds; scalar ≈ 2: one lane instead of two).",
    "These are the ceilings the gemm, syrk and eigh suites divide by (share of ceiling), each measured there again in the same run.",
  ],
  cases: [
    {
      name: `${FLOPS / 1e6} Mflop`,
      params: { flops: FLOPS },
      flops: FLOPS,
      warmup: 3,
      reps: 21,
      impls: {
        "f64x2 mul+add": { backend: "simd", run: () => peakMulAdd(FLOPS) },
        "f64x2 relaxed_madd": relaxedImpl({ run: () => peakMulAdd(FLOPS) }),
        "scalar mul+add": { backend: "simd", run: () => peakMulAdd(FLOPS, { scalar: true }) },
      },
    },
  ],
  targets: [],
};
