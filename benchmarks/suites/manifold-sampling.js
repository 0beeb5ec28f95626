// Sampling a manifold of global minima (@losscape/manifold `sampleMinimumManifold`): null-space steps followed by
// Gauss–Newton projection, samples per second.
import { createRng, initParams } from "@losscape/mlp";
import { projectToZeroLoss, sampleMinimumManifold } from "@losscape/manifold";

function problem(widths, n, seed) {
  const spec = { widths, activation: "tanh" };
  const rng = createRng(seed);
  const din = widths[0];
  const x = new Float64Array(n * din).map(() => (din === 1 ? -2 + 4 * rng.next() : rng.normal()));
  const y = new Float64Array(n).map(() => rng.normal());
  const data = { x: { rows: n, cols: din, data: x }, y: { rows: n, cols: 1, data: y } };
  for (let s = 0; s < 20; s++) {
    const fit = projectToZeroLoss({ ...spec, params: initParams(spec, { scheme: "normal", std: 1.2, seed: seed * 100 + s }) }, data, { maxIter: 300 });
    if (fit.converged) return { model: fit.model, data };
  }
  throw new Error("manifold-sampling: no exact fit");
}

const cases = [
  { name: "1-10-1 n=10 (M=31), 100 samples", widths: [1, 10, 1], n: 10, count: 100 },
  { name: "5-25-1 n=50 (M=176), 20 samples", widths: [5, 25, 1], n: 50, count: 20 },
];

export default {
  name: "manifold-sampling",
  title: "Minimum-manifold sampling (null-space step + Gauss–Newton projection to R ≤ 1e-26)",
  main: "losscape",
  notes: ["Ball mode, radius 0.05, seed 1. Samples/s = count / median time. Plain TS: the same code on the pure-TS backend."],
  peers: ["plain TS"],
  cases: cases.map((c) => ({
    name: c.name,
    params: { widths: c.widths, n: c.n, count: c.count },
    warmup: 1,
    reps: 5,
    setup: () => problem(c.widths, c.n, 4),
    impls: {
      losscape: { backend: "simd", run: ({ model, data }) => sampleMinimumManifold(model, data, { count: c.count, radius: 0.05, seed: 1 }) },
      "plain TS": { backend: "ts", reps: 2, accuracy: false, run: ({ model, data }) => sampleMinimumManifold(model, data, { count: c.count, radius: 0.05, seed: 1 }) },
    },
    accuracy: (_ctx, out) => ({ maxLoss: Math.max(...out.losses), rejected: out.rejected }),
  })),
  targets: [{ kind: "accuracy", case: "1-10-1 n=10 (M=31), 100 samples", impl: "losscape", metric: "maxLoss", max: 1e-26 }],
};
