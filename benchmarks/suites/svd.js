// Thin SVD of a random 300×300 matrix: @losscape/core `svd` (preconditioned one-sided Jacobi) against numpy's
// numpy.linalg.svd (LAPACK dgesdd through OpenBLAS, one thread; the persistent peer benchmarks/peers/numpy_eigh.py,
// timed inside Python) and ml-matrix's SingularValueDecomposition. Accuracy column: ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F.
import { svd } from "@losscape/core";
import { SingularValueDecomposition } from "ml-matrix";
import { randomMat, svdAccuracy, toMl } from "../lib/data.js";
import { peerOp, peerWith } from "../lib/numpy-peer.js";

const n = 300;
const NUMPY = "numpy 1 thread";

export default {
  name: "svd",
  title: "Thin SVD (f64, n×n)",
  main: "losscape",
  notes: [
    "A uniform in [-1, 1) (seed 3). Accuracy: residual = ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F; target ≤ 1e-13·n.",
    `${NUMPY}: numpy.linalg.svd(a, full_matrices=False), LAPACK dgesdd (Golub–Kahan bidiagonalisation, then divide and conquer; most of its flops in GEMMs) through numpy's OpenBLAS, in the persistent /usr/bin/python3 peer of the eigh suite (benchmarks/peers/numpy_eigh.py, one thread, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset), timed inside Python. dgesdd's singular values are accurate to ε·σ₁ (absolute); losscape's preconditioned Jacobi (Drmač & Veselić) also gets the small σ of graded matrices to relative accuracy, at the price of level-1 sweeps (plane rotations of column pairs, ≈ 75 % of its time at n = 300), which is what the ratio shows.`,
  ],
  peers: [NUMPY, "ml-matrix"],
  cases: [
    {
      name: `svd n=${n}`,
      params: { n },
      async setup() {
        const a = randomMat(n, n, 3);
        const c = this;
        return { a, ma: toMl(a), peer: await peerWith(a, (reason) => (c.impls[NUMPY].skip = reason)) };
      },
      impls: {
        losscape: { backend: "simd", warmup: 1, reps: 5, run: ({ a }) => svd(a) },
        [NUMPY]: peerOp("svd", { warmup: 1, reps: 5 }),
        "ml-matrix": { warmup: 1, reps: 3, accuracy: false, run: ({ ma }) => new SingularValueDecomposition(ma) },
      },
      accuracy: ({ a }, out) => svdAccuracy(a, out),
    },
  ],
  targets: [{ kind: "accuracy", case: `svd n=${n}`, impl: "losscape", metric: "residual", max: 1e-13 * n }],
};
