// 101 × 101 loss slice of a one-hidden-layer net with ~1,000 parameters on 1,000 points (@losscape/manifold
// `lossSlice`, affine-plane evaluator): the WASM kernel (sliceAffinePlane, SIMD build) against the same evaluator in
// TypeScript (backend "ts") and against one mlp `loss` call (WASM SIMD) per grid point.
import { setBackend } from "@losscape/core";
import { createRng, initParams, loss, withParams } from "@losscape/mlp";
import { filterNormalizedDirection, lossSlice } from "@losscape/manifold";

const n = 1000;
const points = 101;

function problem(widths, activation) {
  const spec = { widths, activation };
  const model = { ...spec, params: initParams(spec, { scheme: "xavier", seed: 1 }) };
  const rng = createRng(2);
  const din = widths[0];
  const x = new Float64Array(n * din).map(() => rng.normal());
  const y = new Float64Array(n).map(() => rng.normal());
  const data = { x: { rows: n, cols: din, data: x }, y: { rows: n, cols: 1, data: y } };
  const d1 = filterNormalizedDirection(model, { seed: 3 });
  const d2 = filterNormalizedDirection(model, { seed: 4 });
  return { model, data, d1, d2 };
}

function pointwise({ model, data, d1, d2 }) {
  const grid = [];
  const p = new Float64Array(model.params.length);
  for (let i = 0; i < points; i++) {
    const a = -1 + (2 * i) / (points - 1);
    const row = [];
    for (let j = 0; j < points; j++) {
      const b = -1 + (2 * j) / (points - 1);
      for (let q = 0; q < p.length; q++) p[q] = model.params[q] + a * d1[q] + b * d2[q];
      row.push(loss(withParams(model, p), data));
    }
    grid.push(row);
  }
  return { grid };
}

const cases = [
  { name: "tanh 30-31-1 (M=993)", widths: [30, 31, 1], activation: "tanh" },
  { name: "relu 30-31-1 (M=993)", widths: [30, 31, 1], activation: "relu" },
  { name: "tanh 1-333-1 (M=1000)", widths: [1, 333, 1], activation: "tanh", peerSkip: true },
];

export default {
  name: "manifold-slice",
  title: "Loss slice 101×101, ~1,000 parameters, n = 1,000",
  main: "losscape",
  notes: [
    "Target: under 1 s for the 101×101 grid. x, y standard normal (seed 2), Xavier init (seed 1), filter-normalised directions (seeds 3, 4), range [−1, 1].",
    "losscape: pre-activations affine in (a, b) (three matmuls once), then one WASM kernel call for the whole grid: column pairs in f64x2, tanh = (u − 1)/(u + 1) with u = exp(2z) carried along the row by products and re-anchored with a polynomial exp every 52 columns; one output: two neurons per pass sharing one division.",
    "plain TS: the same plane evaluator in TypeScript (backend ts; tanh by exp(2z) products along the whole row).",
    "pointwise: one WASM forward pass (mlp `loss`) per grid point. accuracy: maxRelDiff = max relative difference to the pointwise loss on 50 random grid points; relDiffVsTS = max relative difference to the plain-TS grid (all points).",
  ],
  peers: ["plain TS", "pointwise mlp loss"],
  cases: cases.map((c) => ({
    name: c.name,
    params: { n, widths: c.widths, activation: c.activation, grid: `${points}×${points}` },
    warmup: 1,
    reps: c.peerSkip ? 2 : 5,
    setup: () => ({ ...problem(c.widths, c.activation), ref: null }),
    impls: {
      losscape: { backend: "simd", run: (ctx) => lossSlice(ctx.model, ctx.data, { directions: [ctx.d1, ctx.d2], points, range: 1 }) },
      "plain TS": { backend: "ts", reps: c.peerSkip ? 2 : 5, run: (ctx) => lossSlice(ctx.model, ctx.data, { directions: [ctx.d1, ctx.d2], points, range: 1 }) },
      "pointwise mlp loss": c.peerSkip
        ? { skip: "≈ 100 s per run (measured once: 96 s against 41 s for a first version of the plane evaluator)" }
        : { backend: "simd", warmup: 0, reps: 1, accuracy: false, run: (ctx) => pointwise(ctx) },
    },
    accuracy(ctx, out, impl) {
      // spot-check 50 grid points against the pointwise evaluation
      const rng = createRng(9);
      let rel = 0;
      for (let k = 0; k < 50; k++) {
        const i = rng.int(points);
        const j = rng.int(points);
        const a = -1 + (2 * i) / (points - 1);
        const b = -1 + (2 * j) / (points - 1);
        const p = ctx.model.params.map((v, q) => v + a * ctx.d1[q] + b * ctx.d2[q]);
        const ref = loss(withParams(ctx.model, p), ctx.data);
        rel = Math.max(rel, Math.abs(out.grid[i][j] - ref) / ref);
      }
      if (impl !== "losscape") return { maxRelDiff: rel };
      // the whole grid against the TS evaluator (computed once, outside the timings)
      if (!ctx.ref) {
        setBackend("ts");
        try {
          ctx.ref = lossSlice(ctx.model, ctx.data, { directions: [ctx.d1, ctx.d2], points, range: 1 }).grid;
        } finally {
          setBackend("simd");
        }
      }
      let vsTS = 0;
      for (let i = 0; i < points; i++) for (let j = 0; j < points; j++) vsTS = Math.max(vsTS, Math.abs(out.grid[i][j] - ctx.ref[i][j]) / ctx.ref[i][j]);
      return { maxRelDiff: rel, relDiffVsTS: vsTS };
    },
  })),
  targets: [
    { kind: "speedup", case: "tanh 30-31-1 (M=993)", impl: "losscape", peer: "pointwise mlp loss", min: 5, env: "node" },
    { kind: "accuracy", case: "tanh 30-31-1 (M=993)", impl: "losscape", metric: "maxRelDiff", max: 1e-11 },
    { kind: "accuracy", case: "tanh 30-31-1 (M=993)", impl: "losscape", metric: "relDiffVsTS", max: 1e-13 },
    { kind: "speedup", case: "tanh 30-31-1 (M=993)", impl: "losscape", peer: "plain TS", min: 1.5, env: "node" },
    { kind: "speedup", case: "relu 30-31-1 (M=993)", impl: "losscape", peer: "plain TS", min: 1.5, env: "node" },
  ],
};
