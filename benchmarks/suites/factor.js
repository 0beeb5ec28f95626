// Dense factorisations of an n×n matrix, blocked in WASM on core's packed kernels: `cholesky` (A = L·Lᵀ of a symmetric
// positive-definite A: 64-row diagonal blocks by Cholesky–Crout, the panels below by substitution, the trailing
// matrix by dsyrk), `lu` (P·A = L·U with partial pivoting: 64-column panels by elimination, U₁₂ by substitution,
// the trailing matrix by dgemm) and `qr` (thin Householder QR: 32-column panels, each panel's reflectors applied to
// the rest as one compact-WY block by dgemm, then Q formed the same way), against LAPACK through numpy's OpenBLAS on
// one thread (numpy.linalg.cholesky and numpy.linalg.qr, and dgetrf through ctypes; the persistent peer
// benchmarks/peers/numpy_eigh.py, timed inside Python), ml-matrix and the core `ts` backend (unblocked), with the
// WASM mul+add ceiling for their n³/3, 2n³/3 and 8n³/3 flops beside them (benchmarks/lib/ceiling.js).
import { cholesky, lu, qr, syrk } from "@losscape/core";
import { CholeskyDecomposition, LuDecomposition, QrDecomposition } from "ml-matrix";
import { CEILING, RELAXED_CEILING, ceilingImpls, relaxedImpl } from "../lib/ceiling.js";
import { randomMat, toMl } from "../lib/data.js";
import { peerOp, peerWith } from "../lib/numpy-peer.js";

const sizes = [300, 1000];
const NUMPY = "numpy 1 thread";
const LAPACK = "LAPACK 1 thread";

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

/**
 * What differs between the factorisations: the input, the flops, losscape's call, the peer impl that runs in the
 * numpy peer (`peerName`, its op) and the one that does not, and ml-matrix's call.
 */
const kinds = {
  cholesky: {
    input: spd,
    flops: (n) => n ** 3 / 3,
    run: ({ a }) => cholesky(a),
    peerName: NUMPY,
    peerOp: "cholesky",
    noPeer: { [LAPACK]: { skip: "numpy's own cholesky is the peer here" } },
    ml: ({ ma }) => new CholeskyDecomposition(ma).lowerTriangularMatrix,
  },
  lu: {
    input: (n) => randomMat(n, n, 12),
    flops: (n) => (2 * n ** 3) / 3,
    run: ({ a }) => lu(a),
    peerName: LAPACK,
    peerOp: "dgetrf",
    noPeer: { [NUMPY]: { skip: "numpy has no LU of its own: LAPACK's dgetrf is the peer here" } },
    ml: ({ ma }) => new LuDecomposition(ma).pivotPermutationVector,
  },
  qr: {
    input: (n) => randomMat(n, n, 13),
    // 4n³/3 to factor (dgeqrf) and 4n³/3 to form the thin Q (dorgqr)
    flops: (n) => (8 * n ** 3) / 3,
    run: ({ a }) => qr(a),
    peerName: NUMPY,
    peerOp: "qr",
    noPeer: { [LAPACK]: { skip: "numpy's own qr is the peer here" } },
    ml: ({ ma }) => {
      const d = new QrDecomposition(ma);
      return [d.orthogonalMatrix, d.upperTriangularMatrix];
    },
  },
};

function factorCase(kind, n) {
  const { ours, peer } = plan[n];
  const k = kinds[kind];
  const flops = k.flops(n);
  const c = {
    name: `${kind} n=${n}`,
    params: { n },
    flops,
    async setup() {
      const a = k.input(n);
      return { a, ma: toMl(a), peer: await peerWith(a, (reason) => (c.impls[k.peerName].skip = reason)) };
    },
    impls: {
      losscape: { backend: "simd", ...ours, run: k.run },
      "losscape scalar": { backend: "scalar", ...ours, run: k.run },
      "losscape relaxed": relaxedImpl({ ...ours, run: k.run }),
      ...ceilingImpls(flops, ours),
      [k.peerName]: peerOp(k.peerOp, ours),
      ...k.noPeer,
      "core ts backend": { backend: "ts", ...peer, run: k.run },
      "ml-matrix": { ...peer, accuracy: false, run: k.ml },
    },
  };
  return c;
}

export default {
  name: "factor",
  title: "Cholesky, LU and QR factorisations (f64, n×n)",
  main: "losscape",
  peers: [NUMPY, LAPACK, "ml-matrix", "core ts backend", "losscape scalar", "losscape relaxed"],
  shares: [
    { impl: "losscape", ceiling: CEILING },
    { impl: "losscape relaxed", ceiling: RELAXED_CEILING },
  ],
  notes: [
    "Input: cholesky B·Bᵀ + n·I with B uniform in [-1, 1) (seed 11), exactly symmetric; lu B uniform in [-1, 1) (seed 12); qr B uniform in [-1, 1) (seed 13). GFLOP/s and shares count n³/3 flops (cholesky), 2n³/3 (lu) and 8n³/3 (qr: 4n³/3 to factor, 4n³/3 to form the thin Q).",
    `${NUMPY}: numpy.linalg.cholesky (LAPACK dpotrf through numpy's OpenBLAS, with numpy's copy of A into LAPACK's order), numpy.linalg.qr (mode "reduced": LAPACK dgeqrf, then dorgqr for Q) and ${LAPACK}: dgetrf called through ctypes in the liblapack.so.3 numpy links (OpenBLAS's on Debian; a Fortran-order copy made before the clock), both in the persistent /usr/bin/python3 peer of the eigh suite (benchmarks/peers/numpy_eigh.py, OMP/OPENBLAS/MKL_NUM_THREADS=1, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset), timed inside Python.`,
    "losscape: the call as a user makes it — cholesky's symmetry and finiteness check (one WASM pass), the copies in and out of WASM memory and fresh n²-double results (their page faults: see the gemm suite) — around the blocked kernels (assembly/factor.ts: cholFactor, luFactor, qrThin). qr returns Q (n×n) and R; numpy.linalg.qr the same. The core ts backend runs the unblocked Cholesky–Crout, ml-matrix's LU and the unblocked Householder QR; ml-matrix's column here forms its Q and R.",
  ],
  cases: ["cholesky", "lu", "qr"].flatMap((kind) => sizes.map((n) => factorCase(kind, n))),
  targets: [],
};
