// The Embedding Principle in practice (@losscape/embedding): certify a one-neuron split of a wide critical net,
// find the split that turns a critical point into a strict saddle, reduce a wide net with planted redundant
// neurons back to its base, and the two showcases of `losscape demo` (the tanh 1-3-1 table; Iris condensation).
// Peer: the same functions on the pure-TS backend (exact Hessians, eigensolvers and forward passes in plain TS).
import { createRng, findCriticalPoints, forward, initParams, paramCount, train } from "@losscape/mlp";
import {
  certifyEmbedding,
  condensationShowcase,
  embedSequence,
  irisData,
  reduceNetwork,
  sinData,
  splitNeuron,
  strictSaddleEmbedding,
  tanhShowcase,
} from "@losscape/embedding";

const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** n points x ~ N(0, I_d), y = sin 2x₁ + 0.3·x_d (the target of the package's critical-point tests). */
function sinProblem(n, d, seed) {
  const rng = createRng(seed);
  const x = new Float64Array(n * d).map(() => rng.normal());
  const y = new Float64Array(n).map((_, i) => Math.sin(2 * x[i * d]) + 0.3 * x[i * d + d - 1]);
  return { x: { rows: n, cols: d, data: x }, y: { rows: n, cols: 1, data: y } };
}

/**
 * The critical points of the narrow nets (findCriticalPoints, ‖∇R‖ ≤ 1e-12): the global minimum (inertia
 * (0, 0, 10)) of the tanh 1-3-1 net on the reference data sinData() (n = 20, y = sin 2x), as tanhShowcase finds
 * it; and the lowest saddle (inertia (4, 4, 7), R ≈ 0.259) of a tanh 2-2-2-1 net on n = 24 points
 * y = sin 2x₁ + 0.3x₂. The lowest point found there (R ≈ 0.139) sits at weights ≈ 50 with ‖∇R‖ ≈ 3e-13, and the
 * first search setting (4 starts) only found a point with a constant output. Trained nets on a few hundred points
 * did not refine to ‖∇R‖ ≤ 1e-12 (Levenberg–Marquardt stalls at 1e-5–1e-8 on their near-degenerate minima).
 */
const NARROW = {
  "1-3-1": () => ({ spec: { widths: [1, 3, 1], activation: "tanh" }, data: sinData(), find: { starts: 12, seed: 0 }, pick: (f) => f[0] }),
  "2-2-2-1": () => ({
    spec: { widths: [2, 2, 2, 1], activation: "tanh" },
    data: sinProblem(24, 2, 11),
    find: { starts: 10, seed: 2, maxIter: 200, descentIter: 1500 },
    pick: (f) => f.find((p) => p.inertia.negative > 0),
  }),
};

/** The certify and strictSaddle cases start from the same wide nets: each is searched for once (in setup). */
const wideNets = new Map();

/**
 * A critical point (‖∇R‖ ≤ 1e-12) of a narrow net, embedded into `wideWidths` by seeded one-neuron splits
 * T^α_{l,s} (s uniform among the current neurons, α uniform on [0.1, 0.9]): a critical point of the wide net
 * (arXiv:2111.15527, Thm. 4.1), degenerate as wide nets near condensed solutions are.
 */
function wideCriticalNet(narrow, wideWidths, seed) {
  const key = `${narrow} ${wideWidths.join("-")} ${seed}`;
  if (!wideNets.has(key)) wideNets.set(key, makeWideCriticalNet(narrow, wideWidths, seed));
  return wideNets.get(key);
}
function makeWideCriticalNet(narrow, wideWidths, seed) {
  const { spec, data, find, pick } = NARROW[narrow]();
  const cp = pick(findCriticalPoints(spec, data, find));
  if (!cp || cp.gradNorm > 1e-12) throw new Error(`embedding suite: no critical point of ${narrow} (‖∇R‖ = ${cp?.gradNorm})`);
  const rng = createRng(seed);
  const steps = [];
  const widths = spec.widths.slice();
  for (let l = 1; l < widths.length - 1; l++) {
    while (widths[l] < wideWidths[l]) {
      steps.push({ layer: l, neuron: rng.int(widths[l]), alpha: 0.1 + 0.8 * rng.next() });
      widths[l]++;
    }
  }
  const model = embedSequence(cp.model, steps);
  return { data, model, fmax: Math.max(1, maxAbs(forward(model, data.x).data)) };
}

function certifyCase(name, narrow, wideWidths, step, reps) {
  const M = paramCount({ widths: wideWidths, activation: "tanh" });
  return {
    name,
    params: { narrow, wideWidths, M, step },
    warmup: 2,
    reps,
    setup: () => wideCriticalNet(narrow, wideWidths, 5),
    impls: {
      // ≈ 10–20 ms per certificate: two per sample keeps the samples clear of the timer's resolution
      losscape: { backend: "simd", inner: 2, run: ({ model, data }) => certifyEmbedding(model, splitNeuron(model, step), data, { step }) },
      "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ model, data }) => certifyEmbedding(model, splitNeuron(model, step), data, { step }) },
    },
    // The package's tests (critical.test.ts): max|Δf| ≤ 1e-12·max(1, max|f|)·100, ‖∇R_wide‖ ≤ 1e-10,
    // |ΔR| ≤ 1e-12·max(1, R), counts never decrease.
    accuracy: ({ fmax }, c) => ({
      relOutputDiff: c.maxOutputDiff / fmax,
      gradNorm: c.gradNormAfter,
      lossDiff: Math.abs(c.lossAfter - c.lossBefore) / Math.max(1, c.lossBefore),
      countsDecrease: c.countsNeverDecrease ? 0 : 1,
    }),
  };
}

function strictSaddleCase(name, narrow, wideWidths) {
  const M = paramCount({ widths: wideWidths, activation: "tanh" });
  return {
    name,
    params: { narrow, wideWidths, M },
    warmup: 2,
    reps: 9,
    setup: () => wideCriticalNet(narrow, wideWidths, 5),
    impls: {
      losscape: { backend: "simd", run: ({ model, data }) => strictSaddleEmbedding(model, data) },
      "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ model, data }) => strictSaddleEmbedding(model, data) },
    },
    // critical.test.ts: escape verified; |vᵀHv − λ_min| ≤ 1e-10·max(1, max|v|) (v is a unit vector); ‖∇R_wide‖ ≤ 1e-10.
    accuracy: (_ctx, r) => ({
      notVerified: r.escape?.verified ? 0 : 1,
      curvatureGap: r.escape ? Math.abs(r.escape.curvature - r.escape.minEigenvalue) : Infinity,
      gradNorm: r.escape ? r.escape.gradNorm : Infinity,
    }),
  };
}

/**
 * A wide tanh net [8, 500, 500, 2] made from a He-initialised base [8, 40, 40, 2] by planting, in each hidden
 * layer, 200 split copies (outgoing shares α, 1 − α), 160 negated split copies (tanh(−z)·(−w) = tanh(z)·w),
 * 50 neurons with zero outgoing weights and 50 constant neurons (zero incoming weights, the next bias compensates).
 * The output is the base's up to rounding; reduceNetwork should remove exactly the 920 planted neurons.
 */
function plantedNet() {
  const base = [8, 40, 40, 2];
  const spec = { widths: base, activation: "tanh" };
  const p = initParams(spec, { scheme: "he", seed: 7 });
  const rng = createRng(8);
  // layers[k]: rows × cols weight rows (arrays) and biases, k = 0..L−1
  let off = 0;
  const layers = [];
  for (let k = 1; k < base.length; k++) {
    const rows = base[k];
    const cols = base[k - 1];
    const W = Array.from({ length: rows }, (_, i) => Array.from(p.subarray(off + i * cols, off + (i + 1) * cols)));
    off += rows * cols;
    const b = Array.from(p.subarray(off, off + rows));
    off += rows;
    layers.push({ W, b });
  }
  const plan = [
    ["duplicate", 200],
    ["negated", 160],
    ["zero-outgoing", 50],
    ["constant", 50],
  ];
  let planted = 0;
  const zeroOut = layers.map(() => new Set()); // neurons of hidden layer l whose outgoing column must stay 0
  for (let l = 1; l < base.length - 1; l++) {
    const inL = layers[l - 1];
    const outL = layers[l];
    const m0 = base[l];
    const cols = inL.W[0].length;
    const kinds = plan.flatMap(([kind, count]) => Array(count).fill(kind));
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
    }
    for (const kind of kinds) {
      const s = rng.int(m0);
      const alpha = 0.1 + 0.8 * rng.next();
      if (kind === "duplicate" || kind === "negated") {
        const sign = kind === "duplicate" ? 1 : -1;
        inL.W.push(inL.W[s].map((v) => sign * v));
        inL.b.push(sign * inL.b[s]);
        for (const row of outL.W) {
          row.push(sign * (1 - alpha) * row[s]);
          row[s] *= alpha;
        }
      } else if (kind === "zero-outgoing") {
        // a random incoming row, except zeros where the previous layer's neuron must keep zero outgoing weights
        inL.W.push(Array.from({ length: cols }, (_, k) => (zeroOut[l - 1].has(k) ? 0 : rng.normal())));
        inL.b.push(rng.normal());
        zeroOut[l].add(inL.W.length - 1);
        for (const row of outL.W) row.push(0);
      } else {
        const c = rng.normal();
        inL.W.push(Array(cols).fill(0));
        inL.b.push(c);
        outL.W.forEach((row, i) => {
          const w = rng.normal();
          row.push(w);
          outL.b[i] -= w * Math.tanh(c);
        });
      }
      planted++;
    }
  }
  const widths = [base[0], ...layers.map((L) => L.W.length)];
  const params = Float64Array.from(layers.flatMap((L) => [...L.W.flat(), ...L.b]));
  const model = { widths, activation: "tanh", params };
  const data = sinProblem(200, 8, 12);
  data.y = forward({ ...spec, params: p }, data.x); // the base net's outputs as targets (loss 0 up to rounding)
  return { model, base, planted, data, fmax: Math.max(1, maxAbs(forward(model, data.x).data)) };
}

const plainStep1 = { layer: 1, neuron: 0, alpha: 0.3 };

export default {
  name: "embedding",
  title: "Embedding Principle: certificates, strict saddles, reduction, showcases (tanh)",
  main: "losscape",
  notes: [
    "certify: a critical point (‖∇R‖ ≤ 1e-12, findCriticalPoints) of a narrow tanh net — the global minimum of 1-3-1 on sinData() (n = 20), " +
      "the lowest saddle of 2-2-2-1 on n = 24 points y = sin 2x₁ + 0.3x₂ — embedded to the wide widths by seeded splits, then certifyEmbedding of one more split T^0.3_{1,0} (splitNeuron included): " +
      "forward on data + 64 probes, two exact Hessians and their eigvalsh, Γ_s and K. The wide base is degenerate, so predictedInertia is null.",
    "strictSaddle: strictSaddleEmbedding at the same wide critical points: Γ_s and K for every hidden neuron, then eigh of the chosen wide Hessian and an HVP check.",
    "reduce planted: [8, 500, 500, 2] tanh built from a random [8, 40, 40, 2] with 460 planted neurons per layer (200 split copies, 160 negated copies, " +
      "50 zero-outgoing, 50 constant); reduceNetwork with the data (n = 200) and 64 probes. removedError = |#removed − 920| + Σ|widthsAfter − base|.",
    "tanhShowcase: as `losscape demo` runs it (seed 0, 20 starts, α ∈ {1/2, 1/4, −1}). failedChecks = 1 unless allChecksPass and the global minimum's escape is verified.",
    "condensation: reduce: [4, 400, 3] tanh trained on Iris as in condensationShowcase (std 1e-4 init, seed 1, Adam lr 0.003, 1500 steps; in setup), " +
      "then reduceNetwork at tol 3e-3 with the data. The whole default showcase (≈ 3 s, with the L-BFGS refinements) is over the 2 s per sample of this suite; " +
      "condensationShowcase quick is `losscape demo --quick`'s (width 60, 300 steps). lossIncrease = relative loss increase of the narrowest reduction (≤ 1 %: the showcase's lossSlack).",
    "Accuracy limits are the package tests' tolerances (critical.test.ts, reduce.test.ts, showcases.test.ts); relOutputDiff = max|Δf| / max(1, max|f(data)|).",
  ],
  peers: ["plain TS"],
  cases: [
    certifyCase("certify 1-100-1 (M=301)", "1-3-1", [1, 100, 1], plainStep1, 9),
    certifyCase("certify 2-16-16-1 (M=337)", "2-2-2-1", [2, 16, 16, 1], plainStep1, 9),
    strictSaddleCase("strictSaddle 1-100-1 (M=301)", "1-3-1", [1, 100, 1]),
    strictSaddleCase("strictSaddle 2-16-16-1 (M=337)", "2-2-2-1", [2, 16, 16, 1]),
    {
      name: "reduce planted 8-500-500-2",
      params: { base: [8, 40, 40, 2], widths: [8, 500, 500, 2], planted: 920, n: 200 },
      warmup: 2,
      reps: 9,
      setup: plantedNet,
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => reduceNetwork(model, { data }) },
        "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ model, data }) => reduceNetwork(model, { data }) },
      },
      // reduce.test.ts checks the removed list and the widths exactly; the output difference is rounding only
      // (critical.test.ts's rule for exact embeddings: 1e-12·max(1, max|f|)·100).
      accuracy: ({ base, planted, fmax }, r) => ({
        removedError: Math.abs(r.removed.length - planted) + r.widthsAfter.reduce((s, w, i) => s + Math.abs(w - base[i]), 0),
        relOutputDiff: r.maxOutputDiff / fmax,
      }),
    },
    {
      name: "tanhShowcase (demo)",
      params: { seed: 0, starts: 20, alphas: [0.5, 0.25, -1] },
      warmup: 1,
      reps: 5,
      impls: {
        losscape: { backend: "simd", run: () => tanhShowcase({ seed: 0, starts: 20, alphas: [0.5, 0.25, -1] }) },
        "plain TS": { backend: "ts", warmup: 1, reps: 3, run: () => tanhShowcase({ seed: 0, starts: 20, alphas: [0.5, 0.25, -1] }) },
      },
      accuracy: (_ctx, s) => ({ failedChecks: s.allChecksPass && s.globalMinimum.escape?.verified ? 0 : 1 }),
    },
    {
      name: "condensationShowcase quick",
      params: { seed: 1, width: 60, epochs: 300 },
      warmup: 1,
      reps: 5,
      impls: {
        losscape: { backend: "simd", run: () => condensationShowcase({ seed: 1, width: 60, epochs: 300 }) },
        "plain TS": { backend: "ts", warmup: 1, reps: 3, run: () => condensationShowcase({ seed: 1, width: 60, epochs: 300 }) },
      },
      accuracy: (_ctx, s) => ({ lossIncrease: s.narrowest.lossReduced / s.lossWide - 1 }),
    },
    {
      name: "condensation: reduce 4-400-3",
      params: { widths: [4, 400, 3], epochs: 1500, tol: 3e-3, n: 150 },
      warmup: 3,
      reps: 9,
      inner: 5,
      setup() {
        const data = irisData();
        const spec = { widths: [4, 400, 3], activation: "tanh" };
        const params = initParams(spec, { scheme: "normal", std: 1e-4, seed: 1 });
        return { data, model: train({ ...spec, params }, data, { optimizer: "adam", lr: 0.003, epochs: 1500 }).model };
      },
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => reduceNetwork(model, { tol: 3e-3, data, seed: 1 }) },
        "plain TS": { backend: "ts", warmup: 2, reps: 5, run: ({ model, data }) => reduceNetwork(model, { tol: 3e-3, data, seed: 1 }) },
      },
      accuracy: (_ctx, r) => ({ lossIncrease: r.lossAfter / r.lossBefore - 1 }),
    },
  ],
  targets: [
    { kind: "accuracy", case: "certify 1-100-1 (M=301)", impl: "losscape", metric: "relOutputDiff", max: 1e-10 },
    { kind: "accuracy", case: "certify 1-100-1 (M=301)", impl: "losscape", metric: "gradNorm", max: 1e-10 },
    { kind: "accuracy", case: "certify 1-100-1 (M=301)", impl: "losscape", metric: "lossDiff", max: 1e-12 },
    { kind: "accuracy", case: "certify 1-100-1 (M=301)", impl: "losscape", metric: "countsDecrease", max: 0 },
    { kind: "accuracy", case: "certify 2-16-16-1 (M=337)", impl: "losscape", metric: "relOutputDiff", max: 1e-10 },
    { kind: "accuracy", case: "certify 2-16-16-1 (M=337)", impl: "losscape", metric: "gradNorm", max: 1e-10 },
    { kind: "accuracy", case: "certify 2-16-16-1 (M=337)", impl: "losscape", metric: "lossDiff", max: 1e-12 },
    { kind: "accuracy", case: "certify 2-16-16-1 (M=337)", impl: "losscape", metric: "countsDecrease", max: 0 },
    { kind: "accuracy", case: "strictSaddle 1-100-1 (M=301)", impl: "losscape", metric: "notVerified", max: 0 },
    { kind: "accuracy", case: "strictSaddle 1-100-1 (M=301)", impl: "losscape", metric: "curvatureGap", max: 1e-10 },
    { kind: "accuracy", case: "strictSaddle 1-100-1 (M=301)", impl: "losscape", metric: "gradNorm", max: 1e-10 },
    { kind: "accuracy", case: "strictSaddle 2-16-16-1 (M=337)", impl: "losscape", metric: "notVerified", max: 0 },
    { kind: "accuracy", case: "strictSaddle 2-16-16-1 (M=337)", impl: "losscape", metric: "curvatureGap", max: 1e-10 },
    { kind: "accuracy", case: "strictSaddle 2-16-16-1 (M=337)", impl: "losscape", metric: "gradNorm", max: 1e-10 },
    { kind: "accuracy", case: "reduce planted 8-500-500-2", impl: "losscape", metric: "removedError", max: 0 },
    { kind: "accuracy", case: "reduce planted 8-500-500-2", impl: "losscape", metric: "relOutputDiff", max: 1e-10 },
    { kind: "accuracy", case: "tanhShowcase (demo)", impl: "losscape", metric: "failedChecks", max: 0 },
    { kind: "accuracy", case: "condensationShowcase quick", impl: "losscape", metric: "lossIncrease", max: 0.01 },
    { kind: "accuracy", case: "condensation: reduce 4-400-3", impl: "losscape", metric: "lossIncrease", max: 0.01 },
  ],
};
