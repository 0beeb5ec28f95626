// GEMM C = A·B, f64, square n×n: losscape's SIMD and scalar WASM builds (and the relaxed-SIMD build where the engine
// validates it), the core `ts` backend's plain loop, and ml-matrix's `mmul`; beside them the WASM mul+add ceiling
// for the same flops (benchmarks/lib/ceiling.js), so every row states its share of the machine's ceiling.
// FLOPs = 2n³. The neighbours of the powers of two (255, 257, …) time losscape alone: a dip at 256, 512 or 1024
// (cache-set aliasing) would show against them.
import { mat, matmul, residentBuffer } from "@losscape/core";
import {
  CEILING,
  FRESH_RESULT,
  POWERS_OF_TWO_AND_NEIGHBOURS,
  RELAXED_CEILING,
  RELAXED_INTO_OUT,
  RELAXED_KERNEL,
  ceilingImpls,
  freshResultImpl,
  isNeighbour,
  relaxedImpl,
  shareRows,
  shareTargets,
} from "../lib/ceiling.js";
import { toMl } from "../lib/data.js";
import { residentGemm, residentGemmOperands } from "../lib/resident-gemm.js";

const sizes = [64, ...POWERS_OF_TWO_AND_NEIGHBOURS];
/** The dgemm kernel on resident A and B, C left in WASM memory: matmul less its copies (3n² doubles). */
const KERNEL = "dgemm kernel only";
/** matmul writing C into a preallocated n×n Mat reused across repetitions (`{ out }`): no result array per call. */
const INTO_OUT = "matmul into out";

/** Warm-up/repetitions per size: enough samples for a stable median, few where a run takes seconds. */
const plan = (n) =>
  n <= 64
    ? { warmup: 20, reps: 15, inner: 20, slow: { warmup: 3, reps: 9, inner: 5 } }
    : n <= 257
      ? { warmup: 3, reps: 15, inner: 1, slow: { warmup: 1, reps: 5, inner: 1 } }
      : n <= 513
        ? { warmup: 2, reps: 11, inner: 1, slow: { warmup: 1, reps: 3, inner: 1 } }
        : { warmup: 1, reps: 7, inner: 1, slow: { warmup: 0, reps: 1, inner: 1 } };

function gemmCase(n, withPeers) {
  const { slow, ...fast } = plan(n);
  const flops = 2 * n ** 3;
  const skip = { skip: "neighbour of a power of two: losscape and the ceiling only" };
  return {
    name: `n=${n}`,
    params: { n },
    flops,
    ...fast,
    setup() {
      // A and B also resident in WASM memory: the kernel alone, without matmul's copies in and out
      const operands = residentGemmOperands("gemm bench", n);
      const fresh = residentBuffer("gemm bench", "f64", n * n);
      return { ...operands, ma: toMl(operands.a), mb: toMl(operands.b), out: mat(n, n), fresh };
    },
    impls: {
      "losscape simd": { backend: "simd", run: ({ a, b }) => matmul(a, b) },
      [INTO_OUT]: withPeers ? { backend: "simd", run: ({ a, b, out }) => matmul(a, b, { out }) } : skip,
      [KERNEL]: { backend: "simd", accuracy: false, run: residentGemm("gemm bench", n) },
      [FRESH_RESULT]: withPeers ? freshResultImpl : skip,
      "losscape relaxed": relaxedImpl({ run: ({ a, b }) => matmul(a, b) }),
      [RELAXED_INTO_OUT]: withPeers ? relaxedImpl({ run: ({ a, b, out }) => matmul(a, b, { out }) }) : skip,
      [RELAXED_KERNEL]: relaxedImpl({ accuracy: false, run: ({ relaxed }) => residentGemm("gemm bench", n)(relaxed) }),
      ...ceilingImpls(flops),
      "losscape scalar": withPeers ? { backend: "scalar", run: ({ a, b }) => matmul(a, b) } : skip,
      "plain TS": withPeers ? { backend: "ts", ...slow, run: ({ a, b }) => matmul(a, b) } : skip,
      "ml-matrix": withPeers ? { ...slow, run: ({ ma, mb }) => ma.mmul(mb) } : skip,
    },
  };
}

export default {
  name: "gemm",
  title: "GEMM C = A·B (f64, n×n)",
  main: "losscape simd",
  notes: [
    "A, B uniform in [-1, 1) (seeds 1, 2). plain TS = the core ts backend's i-p-j loop; ml-matrix = Matrix#mmul.",
    `${CEILING} = core's peakMulAdd loop (12 independent f64x2 mul+add chains) for the case's 2n³ flops on the SIMD build, ${RELAXED_CEILING} the same with f64x2.relaxed_madd on the relaxed build; share = ceiling median / kernel median, sampled round-robin in the same run (see the peak suite for the ceilings alone).`,
    `Targets: n = 512 at least 25× ml-matrix in node; the SIMD GEMM, and ${INTO_OUT}, at ≥ 85 % of the f64x2 ceiling for n ∈ {256, 512, 1024}; the browser within 1.3× of node.`,
    `${INTO_OUT}: the same matmul with \`{ out }\`, C written into one n×n Mat allocated in setup and reused by every repetition: matmul's share less the allocation of a fresh n²-double result per call (its pages and the garbage collection they cause).`,
    `${FRESH_RESULT}: the fresh n²-double result matmul allocates and fills per call without \`out\` (a copy of a resident buffer out of WASM memory, \`read()\`), timed alone: losscape simd ≈ ${INTO_OUT} + ${FRESH_RESULT}. Where it is a large part of the ceiling's time, the allocating call cannot reach 85 % however fast the kernel. In node on Linux that cost is mostly first-touch page faults: glibc returns freed results to the system, so later ones fault their pages in again, in phases that come and go within a run (node 20 on the Zen 4 VM, n = 256: 0.04–0.3 ms for the 512 KiB, ≈ 2 µs a page; 1–18 % over the call with \`out\` in three processes of 300 calls). With MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 in node's environment freed results stay in the process and the allocating call ran within 1.5 % of it; the suite runs with glibc's defaults. Chromium 156 faults every fresh result's pages in again, and what a fault costs depends on the virtual machine: ≈ 2.4 µs a page on the Zen 4 VM (0.31 ms at n = 256), ≈ 11 µs on the Zen 5 VM (x86 family 26 model 2: 1.4–1.6 ms at n = 256, 5.7–6.0 at 512, 22–31 at 1024, in three runs), where the allocating call's share in Chromium is 42–45 % at n = 256 with the kernel alone at 91–94 %. The faults alone, without the library: a fresh 512 KiB Float64Array filled from WASM memory took 1.4–1.9 ms there, the same copy into a reused array under 0.1 ms.`,
    `${KERNEL}: the same dgemm on A and B already resident in WASM memory (residentBuffer) with C left there: matmul's share less the cost of copying 3n² doubles in and out of WASM memory.`,
    "The neighbours of the powers of two (255, 257, 511, …) show whether 256, 512 or 1024 dip on the machine at hand (on a Zen 5, n = 512 once ran at 56 % of the ceiling, cache-set aliasing). Each power of two runs between its neighbours, so that a change in the host's load falls on the three alike.",
    "Each table names the CPU its figures come from (x86 family and model; AMD family 25 model 1 is Zen 3, family 25 model 17 Zen 4, family 26 Zen 5).",
    "The relaxed build runs where the engine validates relaxed SIMD without flags (Chromium; node ≥ 22): its results may differ from the strict builds' in the last bits (fused multiply–adds).",
    `${RELAXED_INTO_OUT} and ${RELAXED_KERNEL}: ${INTO_OUT} and ${KERNEL} on the relaxed build — what \`matmul(a, b, { out })\` runs in Chromium, where relaxed is the default build — as shares of the ${RELAXED_CEILING}; targets ≥ 85 % at n ∈ {256, 512, 1024} where that build runs.`,
  ],
  peers: ["ml-matrix", "plain TS", "losscape scalar", "losscape relaxed"],
  shares: shareRows(["losscape simd", INTO_OUT, KERNEL], ["losscape relaxed", RELAXED_INTO_OUT, RELAXED_KERNEL]),
  cases: sizes.map((n) => gemmCase(n, !isNeighbour(n))),
  targets: [
    { kind: "speedup", case: "n=512", impl: "losscape simd", peer: "ml-matrix", min: 25, env: "node" },
    ...shareTargets((n) => `n=${n}`, ["losscape simd", INTO_OUT]),
  ],
};
