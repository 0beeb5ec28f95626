// Dimension of the minima manifold at an exact fit with ~2,000 parameters (@losscape/manifold): the Jacobian SVD
// (rank, singular values) and the whole `globalMinimumDimension` record (Jacobian SVD + exact Hessian + eigvalsh).
import { createRng, initParams, jacobian } from "@losscape/mlp";
import { globalMinimumDimension, jacobianRank, projectToZeroLoss } from "@losscape/manifold";
import { SingularValueDecomposition } from "ml-matrix";
import { toMl } from "../lib/data.js";

const n = 200;
const widths = [10, 166, 1]; // M = 166·11 + 167 = 1993
const M = 1993;

function problem() {
  const spec = { widths, activation: "tanh" };
  const rng = createRng(5);
  const x = new Float64Array(n * 10).map(() => rng.normal());
  const y = new Float64Array(n).map(() => rng.normal());
  const data = { x: { rows: n, cols: 10, data: x }, y: { rows: n, cols: 1, data: y } };
  const start = { ...spec, params: initParams(spec, { scheme: "he", seed: 6 }) };
  const fit = projectToZeroLoss(start, data, { maxIter: 100 });
  if (!fit.converged) throw new Error(`manifold-dimension: the exact fit did not converge (R = ${fit.loss})`);
  const J = jacobian(fit.model, data.x);
  return { model: fit.model, data, J, mJ: toMl(J) };
}
/** Both cases measure the same fit: it is found once (≈ 0.7 s of Gauss–Newton), by the first case's setup. */
let shared = null;
const sharedProblem = () => (shared ??= problem());

export default {
  name: "manifold-dimension",
  title: "Minima-manifold dimension at an exact fit, 10→166→1 tanh (M = 1993), n = 200",
  main: "losscape",
  notes: [
    "x ∈ ℝ¹⁰ and y standard normal (seed 5); exact fit (R ≤ 1e-26) by damped minimum-norm Gauss–Newton from a seeded init, in setup.",
    "jacobianRank: SVD of the 200 × 1993 Jacobian (values only); peer ml-matrix SVD of the same matrix (transposed internally, no vectors wanted but computed).",
    "globalMinimumDimension: loss + gradient, Jacobian SVD, exact 1993 × 1993 Hessian, eigvalsh, redundancy reduction. accuracy: |rank − n| and |corank − (M − n)|.",
  ],
  peers: ["ml-matrix"],
  cases: [
    {
      name: "jacobian SVD 200x1993",
      params: { n, widths, M },
      warmup: 1,
      reps: 5,
      setup: sharedProblem,
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => jacobianRank(model, data.x, { nullspace: false }) },
        "ml-matrix": { reps: 2, accuracy: false, run: ({ mJ }) => new SingularValueDecomposition(mJ, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }) },
      },
      accuracy: (_ctx, out) => ({ rankError: Math.abs(out.rank - n) }),
    },
    {
      name: "globalMinimumDimension M=1993",
      params: { n, widths, M },
      warmup: 1,
      reps: 3,
      setup: sharedProblem,
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => globalMinimumDimension(model, data) },
        "ml-matrix": { skip: "no peer for the whole record" },
      },
      accuracy: (_ctx, out) => ({ rankError: Math.abs(out.jacobianRank - n), corankError: Math.abs(out.hessianCorank - (M - n)) }),
    },
  ],
  targets: [
    { kind: "accuracy", case: "jacobian SVD 200x1993", impl: "losscape", metric: "rankError", max: 0 },
    { kind: "accuracy", case: "globalMinimumDimension M=1993", impl: "losscape", metric: "corankError", max: 0 },
    { kind: "speedup", case: "jacobian SVD 200x1993", impl: "losscape", peer: "ml-matrix", min: 3, env: "node" },
  ],
};
