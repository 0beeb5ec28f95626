// Symmetric eigendecomposition of a random symmetric n×n matrix (B + Bᵀ)/2: `eigh` (values and vectors) and
// `eigvalsh` (values only) from @losscape/core against ml-matrix's EigenvalueDecomposition and the core `ts`
// backend. Accuracy columns: ‖AV − VΛ‖_F/‖A‖_F and ‖VᵀV − I‖_F, target ≤ 1e-13·n.
import { eigh, eigvalsh } from "@losscape/core";
import { EigenvalueDecomposition } from "ml-matrix";
import { eighAccuracy, randomSymmetric, toMl } from "../lib/data.js";

const sizes = [100, 300, 1000];

/** Runs per size for losscape and for the peers (ml-matrix takes ≈ 6 s at n = 1000). */
const plan = {
  100: { ours: { warmup: 3, reps: 11 }, peer: { warmup: 2, reps: 7 } },
  300: { ours: { warmup: 2, reps: 7 }, peer: { warmup: 1, reps: 3 } },
  1000: { ours: { warmup: 1, reps: 5 }, peer: { warmup: 0, reps: 1 } },
};

function eighCase(n, valuesOnly) {
  const { ours, peer } = plan[n];
  const run = valuesOnly ? ({ a }) => eigvalsh(a) : ({ a }) => eigh(a);
  return {
    name: `${valuesOnly ? "eigvalsh" : "eigh"} n=${n}`,
    params: { n, vectors: !valuesOnly },
    setup() {
      const a = randomSymmetric(n, 7);
      return { a, ma: toMl(a) };
    },
    impls: {
      losscape: { backend: "simd", ...ours, run },
      "core ts backend": n >= 1000
        ? { skip: "same algorithm as ml-matrix (the ts backend wraps it); not repeated at n = 1000" }
        : { backend: "ts", ...peer, run },
      "ml-matrix": {
        ...peer,
        accuracy: false,
        run: ({ ma }) => new EigenvalueDecomposition(ma, { assumeSymmetric: true }).realEigenvalues,
      },
    },
    accuracy: valuesOnly ? undefined : ({ a }, out) => eighAccuracy(a, out),
  };
}

export default {
  name: "eigh",
  title: "Symmetric eigendecomposition (f64, n×n)",
  main: "losscape",
  peers: ["ml-matrix", "core ts backend"],
  notes: [
    "Input: (B + Bᵀ)/2 with B uniform in [-1, 1), seed 7. Accuracy: residual = ‖AV − VΛ‖_F/‖A‖_F, orthogonality = ‖VᵀV − I‖_F; target ≤ 1e-13·n.",
    "ml-matrix has no eigenvalues-only path: its eigvalsh column runs the full EigenvalueDecomposition.",
    "The core ts backend wraps ml-matrix (plus copies); it is not repeated at n = 1000 (≈ 6–9 s a run).",
  ],
  cases: [...sizes.map((n) => eighCase(n, false)), ...sizes.map((n) => eighCase(n, true))],
  targets: sizes.flatMap((n) => [
    { kind: "accuracy", case: `eigh n=${n}`, impl: "losscape", metric: "residual", max: 1e-13 * n },
    { kind: "accuracy", case: `eigh n=${n}`, impl: "losscape", metric: "orthogonality", max: 1e-13 * n },
  ]),
};
