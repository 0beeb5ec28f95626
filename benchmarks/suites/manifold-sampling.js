// Sampling a manifold of global minima (@losscape/manifold `sampleMinimumManifold`): null-space steps followed by
// Gauss–Newton projection, samples per second; and the designed neighbourhoods of `sampleNeighbourhoods` with the
// TwoNN and Levina–Bickel estimates on them.
import { createRng, initParams } from "@losscape/mlp";
import { jacobianRank, levinaBickelDimension, projectToZeroLoss, sampleMinimumManifold, sampleNeighbourhoods, twoNnDimension } from "@losscape/manifold";

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

const neighbourhoodCase = {
  name: "1-10-1 n=10 (M=31): 1000 centres × 10 neighbours + TwoNN + Levina–Bickel",
  params: { widths: [1, 10, 1], n: 10, centres: 1000, neighbours: 10 },
  warmup: 1,
  reps: 3,
  setup: () => {
    const { model, data } = problem([1, 10, 1], 10, 4);
    const rank = jacobianRank(model, data.x).rank;
    if (rank !== 10) throw new Error(`manifold-sampling: the fit has rank J = ${rank}, not n·r = 10`);
    return { model, data, centres: sampleMinimumManifold(model, data, { count: 1000, radius: 0.05, seed: 1 }).points };
  },
  impls: {
    losscape: {
      backend: "simd",
      run: ({ model, data, centres }) => {
        const nb = sampleNeighbourhoods(model, data, centres, { neighbours: 10, seed: 2 });
        return { twoNn: twoNnDimension(nb.points, { queries: nb.queries }), levinaBickel: levinaBickelDimension(nb.points, { queries: nb.queries, k: 10 }) };
      },
    },
  },
  // M − n·r = 31 − 10 = 21 (setup checks rank J = n·r = 10, so the zero-loss set is a 21-manifold here).
  accuracy: (_ctx, out) => ({ twoNn: out.twoNn, levinaBickel: out.levinaBickel, twoNnError: Math.abs(out.twoNn - 21), levinaBickelError: Math.abs(out.levinaBickel - 21) }),
};

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
  })).concat([neighbourhoodCase]),
  targets: [
    { kind: "accuracy", case: "1-10-1 n=10 (M=31), 100 samples", impl: "losscape", metric: "maxLoss", max: 1e-26 },
    // 3 standard errors of the MLEs at Q = 1000 centres: TwoNN 21/√998 ≈ 0.66, Levina–Bickel (k = 10) 21/√9000 ≈ 0.22.
    { kind: "accuracy", case: neighbourhoodCase.name, impl: "losscape", metric: "twoNnError", max: 2.0 },
    { kind: "accuracy", case: neighbourhoodCase.name, impl: "losscape", metric: "levinaBickelError", max: 0.66 },
  ],
};
