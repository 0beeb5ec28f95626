// Thin SVD of a random 300×300 matrix: @losscape/core `svd` against ml-matrix's SingularValueDecomposition.
// Accuracy column: ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F.
import { svd } from "@losscape/core";
import { SingularValueDecomposition } from "ml-matrix";
import { randomMat, svdAccuracy, toMl } from "../lib/data.js";

const n = 300;

export default {
  name: "svd",
  title: "Thin SVD (f64, n×n)",
  main: "losscape",
  notes: ["A uniform in [-1, 1) (seed 3). Accuracy: residual = ‖A − U·diag(s)·Vᵀ‖_F/‖A‖_F; target ≤ 1e-13·n."],
  peers: ["ml-matrix"],
  cases: [
    {
      name: `svd n=${n}`,
      params: { n },
      setup() {
        const a = randomMat(n, n, 3);
        return { a, ma: toMl(a) };
      },
      impls: {
        losscape: { backend: "simd", warmup: 1, reps: 5, run: ({ a }) => svd(a) },
        "ml-matrix": { warmup: 1, reps: 3, accuracy: false, run: ({ ma }) => new SingularValueDecomposition(ma) },
      },
      accuracy: ({ a }, out) => svdAccuracy(a, out),
    },
  ],
  targets: [{ kind: "accuracy", case: `svd n=${n}`, impl: "losscape", metric: "residual", max: 1e-13 * n }],
};
