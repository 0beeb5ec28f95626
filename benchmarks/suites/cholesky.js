// Cholesky factor L (A = L·Lᵀ) of a symmetric positive-definite n×n matrix: `cholesky` from @losscape/core (blocked:
// 64-row diagonal blocks by Cholesky–Crout, the panels below by substitution, the trailing matrix by core's dsyrk)
// against numpy (LAPACK dpotrf through OpenBLAS, one thread, the persistent peer benchmarks/peers/numpy_eigh.py,
// timed inside Python), ml-matrix's CholeskyDecomposition and the core `ts` backend (the unblocked Crout), with the
// WASM mul+add ceiling for its n³/3 flops beside them (benchmarks/lib/ceiling.js).
import { cholesky, syrk } from "@losscape/core";
import { CholeskyDecomposition } from "ml-matrix";
import { CEILING, RELAXED_CEILING, ceilingImpls, relaxedImpl } from "../lib/ceiling.js";
import { randomMat, toMl } from "../lib/data.js";
import { peerOp, peerWith } from "../lib/numpy-peer.js";

const sizes = [300, 1000];
const NUMPY = "numpy 1 thread";

/** Runs per size for losscape and for the pure-JS peers (ml-matrix and the ts backend take ≈ 0.3 s at n = 1000). */
const plan = {
  300: { ours: { warmup: 2, reps: 11 }, peer: { warmup: 1, reps: 5 } },
  1000: { ours: { warmup: 1, reps: 7 }, peer: { warmup: 1, reps: 3 } },
};

/** B·Bᵀ + n·I for B uniform in [-1, 1) (seed 11): symmetric positive definite, κ₂ ≈ 5. */
function spd(n) {
  const a = syrk(randomMat(n, n, 11), { form: "AAt" });
  for (let i = 0; i < n; i++) a.data[i * n + i] += n;
  return a;
}

function choleskyCase(n) {
  const { ours, peer } = plan[n];
  const run = ({ a }) => cholesky(a);
  const flops = n ** 3 / 3;
  const c = {
    name: `n=${n}`,
    params: { n },
    flops,
    async setup() {
      const a = spd(n);
      return { a, ma: toMl(a), peer: await peerWith(a, (reason) => (c.impls[NUMPY].skip = reason)) };
    },
    impls: {
      losscape: { backend: "simd", ...ours, run },
      "losscape scalar": { backend: "scalar", ...ours, run },
      "losscape relaxed": relaxedImpl({ ...ours, run }),
      ...ceilingImpls(flops, ours),
      [NUMPY]: peerOp("cholesky", ours),
      "core ts backend": { backend: "ts", ...peer, run },
      "ml-matrix": { ...peer, accuracy: false, run: ({ ma }) => new CholeskyDecomposition(ma).lowerTriangularMatrix },
    },
  };
  return c;
}

export default {
  name: "cholesky",
  title: "Cholesky factorisation A = L·Lᵀ (f64, n×n)",
  main: "losscape",
  peers: [NUMPY, "ml-matrix", "core ts backend", "losscape scalar", "losscape relaxed"],
  shares: [
    { impl: "losscape", ceiling: CEILING },
    { impl: "losscape relaxed", ceiling: RELAXED_CEILING },
  ],
  notes: [
    "Input: B·Bᵀ + n·I with B uniform in [-1, 1) (seed 11), exactly symmetric. GFLOP/s and shares count n³/3 flops.",
    `${NUMPY}: numpy.linalg.cholesky (LAPACK dpotrf through numpy's OpenBLAS) in the persistent /usr/bin/python3 peer of the eigh suite (benchmarks/peers/numpy_eigh.py, OMP/OPENBLAS/MKL_NUM_THREADS=1, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset), timed inside Python.`,
    "losscape: the call as a user makes it — the symmetry and finiteness check (one WASM pass), the copies in and out of WASM memory and a fresh n²-double result (its page faults: see the gemm suite) — around the blocked kernel (assembly/factor.ts, cholFactor). The core ts backend runs the unblocked Cholesky–Crout.",
  ],
  cases: sizes.map(choleskyCase),
  targets: [],
};
