// Thin SVD: a random 300×300 matrix, and a 1993×200 one (the shape of a Jacobian of 200 parameters on 1993 samples),
// with vectors and singular values alone: @losscape/core `svd` (preconditioned one-sided Jacobi) against numpy's
// numpy.linalg.svd (LAPACK dgesdd through OpenBLAS, one thread; the persistent peer benchmarks/peers/numpy_eigh.py,
// timed inside Python) and ml-matrix's SingularValueDecomposition. Accuracy column: ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F.
import { svd } from "@losscape/core";
import { SingularValueDecomposition } from "ml-matrix";
import { randomMat, svdAccuracy, toMl } from "../lib/data.js";
import { peerOp, peerWith } from "../lib/numpy-peer.js";

const NUMPY = "numpy 1 thread";

/** The case of an m×n A (seed 3): svd(a) with vectors, or svd(a, { vectors: false }) against dgesdd without them. */
function svdCase(m, n, vectors) {
  const name = vectors ? (m === n ? `svd n=${n}` : `svd ${m}x${n}`) : `singular values ${m}x${n}`;
  return {
    name,
    params: { m, n, vectors },
    async setup() {
      const a = randomMat(m, n, 3);
      const c = this;
      return { a, ma: toMl(a), peer: await peerWith(a, (reason) => (c.impls[NUMPY].skip = reason)) };
    },
    impls: {
      losscape: { backend: "simd", warmup: 3, reps: 9, accuracy: vectors, run: ({ a }) => svd(a, { vectors }) },
      [NUMPY]: peerOp(vectors ? "svd" : "svdvals", { warmup: 2, reps: 9 }),
      "ml-matrix": vectors
        ? { warmup: 1, reps: 3, accuracy: false, run: ({ ma }) => new SingularValueDecomposition(ma) }
        : { skip: "ml-matrix has no singular-values-only path" },
    },
    ...(vectors ? { accuracy: ({ a }, out) => svdAccuracy(a, out) } : {}),
  };
}

export default {
  name: "svd",
  title: "Thin SVD (f64, m×n)",
  main: "losscape",
  notes: [
    "A uniform in [-1, 1) (seed 3). Accuracy: residual = ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F; target ≤ 1e-13·n.",
    `${NUMPY}: numpy.linalg.svd(a, full_matrices=False), LAPACK dgesdd (Golub–Kahan bidiagonalisation, then divide and conquer; most of its flops in GEMMs) through numpy's OpenBLAS, in the persistent /usr/bin/python3 peer of the eigh suite (benchmarks/peers/numpy_eigh.py, one thread, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset), timed inside Python; for the singular values alone numpy.linalg.svd(a, compute_uv=False) (dgesdd without vectors). dgesdd's singular values are accurate to ε·σ₁ (absolute); losscape's preconditioned Jacobi (Drmač & Veselić) also gets the small σ of graded matrices to relative accuracy, at the price of level-1 sweeps (plane rotations of column pairs, ≈ 75 % of its time at n = 300), which is what the ratio shows.`,
    "1993×200: the first step, Householder QR with column pivoting of the tall A, takes about a third of losscape's time without vectors (blocked above 64 columns as LAPACK's dgeqp3: half its flops in GEMMs, the other half matrix–vector products); Jacobi then works on the 200×200 triangle.",
  ],
  peers: [NUMPY, "ml-matrix"],
  cases: [svdCase(300, 300, true), svdCase(1993, 200, true), svdCase(1993, 200, false)],
  targets: [{ kind: "accuracy", case: "svd n=300", impl: "losscape", metric: "residual", max: 1e-13 * 300 }],
};
