// Symmetric rank-k product C = AᵀA (the Gauss–Newton JᵀJ of an exact MLP Hessian): losscape `syrk`, which
// computes only the lower-triangle tiles, against the full GEMM `matmul(a, a, { transA: true })`, the core `ts`
// backend and ml-matrix. FLOPs counted as n(n+1)k (the symmetric half), so GEMM's GFLOP/s are comparable.
import { matmul, syrk } from "@losscape/core";
import { randomMat, toMl } from "../lib/data.js";

/** [k, n]: A is k×n, C = AᵀA is n×n. 200×901 is the 1→300→1 tanh network on 200 points (M = 901). */
const shapes = [
  [200, 901],
  [1000, 300],
];

export default {
  name: "syrk",
  title: "SYRK C = AᵀA (f64, A k×n)",
  main: "losscape syrk",
  peers: ["losscape matmul(Aᵀ, A)", "ml-matrix", "plain TS"],
  notes: [
    "A uniform in [-1, 1) (seed 5). ml-matrix = A.transpose().mmul(A); plain TS = the core ts backend (a full i-p-j product).",
    "GFLOP/s count n(n+1)k flops (one triangle), so they are comparable with GEMM's.",
  ],
  cases: shapes.map(([k, n]) => ({
    name: `k=${k} n=${n}`,
    params: { k, n },
    flops: n * (n + 1) * k,
    warmup: 2,
    reps: 9,
    setup() {
      const a = randomMat(k, n, 5);
      return { a, ma: toMl(a) };
    },
    impls: {
      "losscape syrk": { backend: "simd", run: ({ a }) => syrk(a) },
      "losscape matmul(Aᵀ, A)": { backend: "simd", run: ({ a }) => matmul(a, a, { transA: true }) },
      "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ a }) => syrk(a) },
      "ml-matrix": { warmup: 1, reps: 3, run: ({ ma }) => ma.transpose().mmul(ma) },
    },
  })),
  targets: [],
};
