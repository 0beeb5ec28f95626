// 101 × 101 loss slices of nets with ~1,000 parameters on 1,000 points (@losscape/manifold `lossSlice`):
// one-hidden-layer nets go through the affine-plane evaluator (the WASM kernel sliceAffinePlane, SIMD build), deeper
// nets through mlp's `lossPlane` (the WASM kernel mlpLossPlane: one call, a forward pass per grid point). Each
// against the same evaluator in TypeScript (backend "ts") and against one mlp `loss` call (WASM SIMD) per grid point.
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

function perPointLoss({ model, data, d1, d2 }) {
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
  { name: "sigmoid 30-31-1 (M=993)", widths: [30, 31, 1], activation: "sigmoid" },
  // forward-per-point (mlp lossPlane): the TS grid costs ≈ 30 s, so the plain-TS peer runs once and the grid
  // comparison against it is left out
  { name: "tanh 30-20-20-1 (M=1061)", widths: [30, 20, 20, 1], activation: "tanh", deep: true },
  { name: "relu 30-20-20-1 (M=1061)", widths: [30, 20, 20, 1], activation: "relu", deep: true },
];

export default {
  name: "manifold-slice",
  title: "Loss slice 101×101, ~1,000 parameters, n = 1,000",
  main: "losscape",
  notes: [
    "Target: under 1 s for the 101×101 grid. x, y standard normal (seed 2), Xavier init (seed 1), filter-normalised directions (seeds 3, 4), range [−1, 1].",
    "losscape, one hidden layer (evaluator affine-plane): pre-activations affine in (a, b) (three matmuls once), then one WASM kernel call for the whole grid: column pairs in f64x2, tanh = (u − 1)/(u + 1) with u = exp(2z) carried along the row by products and re-anchored with a polynomial exp every 52 columns; one output: two neurons per pass sharing one division; sigmoid = 1/(1 + u) with u = e^{−z} carried along the row the same way.",
    "Cost: one-hidden-layer grid points cost O(n·m) each, so the 1-333-1 shape (m = 333) does ≈ 11× the work of 30-31-1 (m = 31) at about the same M: ≈ 3 s here, over the 1 s target; 30-31-1 meets it.",
    "losscape, deeper nets (evaluator forward-per-point): mlp lossPlane, one WASM kernel call (mlpLossPlane) for the grid: per point θ(a, b) in f64x2, the first layer's pre-activations from the plane Z¹₀ + aZ¹₁ + bZ¹₂ (no first GEMM), a values-only forward pass, the loss without gradient.",
    "plain TS: the same evaluator in TypeScript (backend ts; tanh by exp(2z) products along the whole row; deep nets: the TS forward pass per point).",
    "per-point mlp loss: one WASM forward pass (mlp `loss`, with its argument checks and copies) per grid point, θ formed in JS. accuracy: maxRelDiff = max relative difference to the per-point loss on 50 random grid points; relDiffVsTS = max relative difference to the plain-TS grid (all points; one-hidden-layer cases).",
  ],
  peers: ["plain TS", "per-point mlp loss"],
  cases: cases.map((c) => ({
    name: c.name,
    params: { n, widths: c.widths, activation: c.activation, grid: `${points}×${points}`, evaluator: c.deep ? "forward-per-point" : "affine-plane" },
    warmup: 1,
    reps: c.peerSkip || c.deep ? 3 : 5,
    setup: () => ({ ...problem(c.widths, c.activation), ref: null }),
    impls: {
      losscape: { backend: "simd", run: (ctx) => lossSlice(ctx.model, ctx.data, { directions: [ctx.d1, ctx.d2], points, range: 1 }) },
      "plain TS": {
        backend: "ts",
        warmup: c.deep ? 0 : 1,
        reps: c.deep ? 1 : c.peerSkip ? 2 : 5,
        run: (ctx) => lossSlice(ctx.model, ctx.data, { directions: [ctx.d1, ctx.d2], points, range: 1 }),
      },
      "per-point mlp loss": c.peerSkip
        ? { skip: "≈ 100 s per run (measured once: 96 s against 41 s for a first version of the plane evaluator)" }
        : { backend: "simd", warmup: 0, reps: 1, accuracy: false, run: (ctx) => perPointLoss(ctx) },
    },
    accuracy(ctx, out, impl) {
      // spot-check 50 grid points against the per-point evaluation
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
      if (impl !== "losscape" || c.deep) return { maxRelDiff: rel };
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
    // Target: a 101 × 101 slice of a net with ~1,000 parameters on 1,000 points in under 1 s.
    { kind: "time", case: "tanh 30-31-1 (M=993)", impl: "losscape", maxMs: 1000 },
    { kind: "time", case: "relu 30-31-1 (M=993)", impl: "losscape", maxMs: 1000 },
    { kind: "time", case: "tanh 1-333-1 (M=1000)", impl: "losscape", maxMs: 1000 },
    { kind: "time", case: "sigmoid 30-31-1 (M=993)", impl: "losscape", maxMs: 1000 },
    { kind: "speedup", case: "tanh 30-31-1 (M=993)", impl: "losscape", peer: "per-point mlp loss", min: 5, env: "node" },
    { kind: "speedup", case: "sigmoid 30-31-1 (M=993)", impl: "losscape", peer: "per-point mlp loss", min: 5, env: "node" },
    { kind: "accuracy", case: "sigmoid 30-31-1 (M=993)", impl: "losscape", metric: "maxRelDiff", max: 1e-13 },
    { kind: "accuracy", case: "sigmoid 30-31-1 (M=993)", impl: "losscape", metric: "relDiffVsTS", max: 1e-13 },
    { kind: "speedup", case: "tanh 30-20-20-1 (M=1061)", impl: "losscape", peer: "per-point mlp loss", min: 1.1, env: "node" },
    { kind: "accuracy", case: "tanh 30-20-20-1 (M=1061)", impl: "losscape", metric: "maxRelDiff", max: 1e-13 },
    { kind: "accuracy", case: "relu 30-20-20-1 (M=1061)", impl: "losscape", metric: "maxRelDiff", max: 1e-13 },
    { kind: "accuracy", case: "tanh 30-31-1 (M=993)", impl: "losscape", metric: "maxRelDiff", max: 1e-11 },
    { kind: "accuracy", case: "tanh 30-31-1 (M=993)", impl: "losscape", metric: "relDiffVsTS", max: 1e-13 },
    { kind: "speedup", case: "tanh 30-31-1 (M=993)", impl: "losscape", peer: "plain TS", min: 1.5, env: "node" },
    { kind: "speedup", case: "relu 30-31-1 (M=993)", impl: "losscape", peer: "plain TS", min: 1.5, env: "node" },
  ],
};
