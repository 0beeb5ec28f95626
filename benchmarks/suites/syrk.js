// Symmetric rank-k product C = AᵀA (the Gauss–Newton JᵀJ of an exact MLP Hessian): losscape `syrk`, which
// computes only the lower-triangle tiles, against the full GEMM `matmul(a, a, { transA: true })`, the core `ts`
// backend and ml-matrix, and beside them the WASM mul+add ceiling for the same flops (benchmarks/lib/ceiling.js).
// FLOPs counted as n(n+1)k (the symmetric half), so GEMM's GFLOP/s are comparable.
import { mat, matmul, residentBuffer, syrk, withKernels } from "@losscape/core";
import {
  FRESH_RESULT,
  POWERS_OF_TWO_AND_NEIGHBOURS,
  RELAXED_CEILING,
  RELAXED_INTO_OUT,
  RELAXED_KERNEL,
  ceilingImpls,
  freshResultImpl,
  isNeighbour,
  relaxedImpl,
  relaxedResident,
  shareRows,
  shareTargets,
} from "../lib/ceiling.js";
import { randomMat, toMl } from "../lib/data.js";

/**
 * [k, n]: A is k×n, C = AᵀA is n×n. 200×901 is the 1→300→1 tanh network on 200 points (M = 901); the square ones
 * measure the share of the ceiling at 256, 512 and 1024.
 */
/** The dsyrk kernel on a resident A, C left in WASM memory: syrk less its copies. */
const KERNEL = "dsyrk kernel only";
/** syrk writing C into a preallocated n×n Mat reused across repetitions (`{ out }`): no result array per call. */
const INTO_OUT = "syrk into out";

/** The non-square shapes, timed against the peers too. */
const shapes = [
  [200, 901],
  [1000, 300],
];

/** The case C = AᵀA for A k×n; a `neighbour` of a power of two times syrk, the kernels and the ceilings only. */
function syrkCase(k, n, neighbour) {
  const flops = n * (n + 1) * k;
  const peers = n !== k;
  const skip = { skip: "square shapes time losscape and the ceiling only" };
  const near = neighbour ? { skip: "neighbour of a power of two: syrk, the kernels and the ceilings only" } : null;
  /** dsyrk on a resident A (in the memory of the build that runs it), C left in WASM memory. */
  const kernelOnly = (ra) => withKernels("syrk bench", (s) => s.dsyrk({ ata: 1, m: k, n, alpha: 1, a: ra, lda: n, beta: 0, ldc: n }));
  return {
    name: `k=${k} n=${n}`,
    params: { k, n },
    flops,
    warmup: 2,
    reps: 9,
    setup() {
      const a = randomMat(k, n, 5);
      const [rra] = relaxedResident("syrk bench", a.data);
      const fresh = neighbour ? null : residentBuffer("syrk bench", "f64", n * n);
      return { a, ma: toMl(a), ra: residentBuffer("syrk bench", "f64", a.data), rra, out: mat(n, n), fresh };
    },
    impls: {
      "losscape syrk": { backend: "simd", run: ({ a }) => syrk(a) },
      [INTO_OUT]: near ?? { backend: "simd", run: ({ a, out }) => syrk(a, { out }) },
      [KERNEL]: { backend: "simd", run: ({ ra }) => kernelOnly(ra) },
      [FRESH_RESULT]: near ?? freshResultImpl,
      "losscape relaxed": near ?? relaxedImpl({ run: ({ a }) => syrk(a) }),
      [RELAXED_INTO_OUT]: near ?? relaxedImpl({ run: ({ a, out }) => syrk(a, { out }) }),
      [RELAXED_KERNEL]: relaxedImpl({ run: ({ rra }) => kernelOnly(rra) }),
      ...ceilingImpls(flops),
      "losscape matmul(Aᵀ, A)": near ?? { backend: "simd", run: ({ a }) => matmul(a, a, { transA: true }) },
      "plain TS": peers ? { backend: "ts", warmup: 1, reps: 3, run: ({ a }) => syrk(a) } : skip,
      "ml-matrix": peers ? { warmup: 1, reps: 3, run: ({ ma }) => ma.transpose().mmul(ma) } : skip,
    },
  };
}

export default {
  name: "syrk",
  title: "SYRK C = AᵀA (f64, A k×n)",
  main: "losscape syrk",
  peers: ["losscape matmul(Aᵀ, A)", "ml-matrix", "plain TS", "losscape relaxed"],
  shares: shareRows(["losscape syrk", INTO_OUT, KERNEL], ["losscape relaxed", RELAXED_INTO_OUT, RELAXED_KERNEL]),
  notes: [
    "A uniform in [-1, 1) (seed 5). ml-matrix = A.transpose().mmul(A); plain TS = the core ts backend (a full i-p-j product).",
    "GFLOP/s count n(n+1)k flops (one triangle), so they are comparable with GEMM's; share = ceiling median / syrk median for those flops (see gemm).",
    `${INTO_OUT}: the same syrk with \`{ out }\`, C written into one n×n Mat allocated in setup and reused by every repetition: syrk's share less the allocation of a fresh n²-double result per call.`,
    `${FRESH_RESULT}: the fresh n²-double result syrk allocates and fills per call without \`out\`, timed alone (see gemm): losscape syrk ≈ ${INTO_OUT} + ${FRESH_RESULT}.`,
    `${KERNEL}: the same dsyrk on A already resident in WASM memory (residentBuffer), C left there: syrk's share less its copies in and out.`,
    `${RELAXED_INTO_OUT} and ${RELAXED_KERNEL}: ${INTO_OUT} and ${KERNEL} on the relaxed build — what \`syrk(a, { out })\` runs in Chromium, where relaxed is the default build — as shares of the ${RELAXED_CEILING}.`,
    "The neighbours of the powers of two (k = n = 255, 257, 511, …) time syrk, its kernels and the ceilings only: a dip at 256, 512 or 1024 (cache-set aliasing, e.g. in the mirror image's stores at a power-of-two row length) would show against them. Each power of two runs between its neighbours, so that a change in the host's load falls on the three alike.",
    `Targets: syrk, and ${INTO_OUT}, at ≥ 85 % of the f64x2 ceiling for n = k ∈ {256, 512, 1024}; ${RELAXED_INTO_OUT} and ${RELAXED_KERNEL} at ≥ 85 % of the ${RELAXED_CEILING} there, where that build runs.`,
  ],
  cases: [...shapes.map(([k, n]) => syrkCase(k, n, false)), ...POWERS_OF_TWO_AND_NEIGHBOURS.map((n) => syrkCase(n, n, isNeighbour(n)))],
  targets: shareTargets((n) => `k=${n} n=${n}`, ["losscape syrk", INTO_OUT]),
};
