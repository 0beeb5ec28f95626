// Critical-point search on the experiments the field knows (@losscape/mlp `refineCriticalPoint`, `findCriticalPoints`;
// @losscape/spectra `indexEnergyExperiment`). Each case is one batch of runs, timed once; the "accuracy" columns are
// what the runs ended with: the share of each outcome (docs/conventions.md#critical-outcomes), the share critical at
// ‖∇R‖ ≤ 1e-12 absolute, the median seconds per critical point, and for the runs that did not converge the medians
// of ρ = ‖H∇R‖/(‖H‖‖∇R‖) (gradient-flat) and of ‖θ_end‖/‖θ_start‖ (escaping): why the landscape did not allow more.
// Node only: the batches take minutes, and the browser would only repeat node's numbers.
import { createRng, findCriticalPoints, forward, initParams, refineCriticalPoint, train } from "@losscape/mlp";
import { embedSequence, irisData } from "@losscape/embedding";
import { indexEnergyExperiment } from "@losscape/spectra";

const median = (xs) => {
  if (xs.length === 0) return undefined;
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};

/** Outcome shares and the diagnostics of the non-critical runs, from records { outcome, gradNorm, seconds, flatness, normGrowth }. */
function outcomeMetrics(records) {
  const n = records.length;
  const share = (o) => records.filter((r) => r.outcome === o).length / n;
  const critical = records.filter((r) => r.outcome === "critical");
  return {
    critical: share("critical"),
    "critical ≤1e-12": records.filter((r) => r.outcome === "critical" && r.gradNorm <= 1e-12).length / n,
    escaping: share("escaping"),
    "gradient-flat": share("gradient-flat"),
    stalled: share("stalled"),
    "s per critical": median(critical.map((r) => r.seconds)),
    "ρ gradient-flat": median(records.filter((r) => r.outcome === "gradient-flat").map((r) => r.flatness)),
    "growth escaping": median(records.filter((r) => r.outcome === "escaping").map((r) => r.normGrowth)),
  };
}

/**
 * Pennington & Bahri (ICML 2017, §6): n → n → n tanh nets without biases, x and y i.i.d. N(0, 1), φ = M/(m·n);
 * each run an L-BFGS descent stopped after 0, 4, 16, 64, 256 or 1024 steps (in turn), then refinement ('newton').
 */
function pbCase(n, phi, runs) {
  return {
    name: `PB n=${n} φ=${phi}`,
    params: { widths: [n, n, n], bias: false, phi, runs, steps: [0, 4, 16, 64, 256, 1024] },
    warmup: 0,
    reps: 1,
    setup: () => ({}),
    impls: {
      losscape: {
        backend: "simd",
        run: () =>
          indexEnergyExperiment({
            widths: [n, n, n],
            activation: "tanh",
            bias: false,
            data: "gaussian",
            phi: [phi],
            runs,
            descent: { optimizer: "lbfgs", steps: [0, 4, 16, 64, 256, 1024] },
            seed: 1,
          }),
      },
    },
    accuracy: (_ctx, out) => outcomeMetrics(out.phis[0].runs),
  };
}

/** n = 40 points, x ~ N(0, I₂), y₁ = sin x₁ + ½x₂, y₂ = sin x₂ + ½x₁: a smooth two-output target. */
function synthetic() {
  const rng = createRng(3);
  const n = 40;
  const x = new Float64Array(2 * n).map(() => rng.normal());
  const y = new Float64Array(2 * n).map((_, i) => Math.sin(x[i]) + 0.5 * x[i % 2 === 0 ? i + 1 : i - 1]);
  return { x: { rows: n, cols: 2, data: x }, y: { rows: n, cols: 2, data: y } };
}

/** Variance of the network's outputs over the data, summed over outputs: 0 for a constant (trivial) critical point. */
function outputVariance(model, data) {
  const f = forward(model, data.x).data;
  const d = model.widths[model.widths.length - 1];
  const n = data.x.rows;
  let v = 0;
  for (let j = 0; j < d; j++) {
    let mu = 0;
    for (let i = 0; i < n; i++) mu += f[i * d + j];
    mu /= n;
    for (let i = 0; i < n; i++) v += (f[i * d + j] - mu) ** 2 / n;
  }
  return v;
}

/**
 * Deep and multi-output nets: 16 seeded xavier starts, each trained by L-BFGS for 0, 2, 5 or 10 steps (in turn),
 * then refined. "non-trivial" counts the critical points (‖∇R‖ ≤ 1e-12) whose outputs vary over the data (variance
 * > 1e-6, against ≈ 1 for the targets).
 */
function deepCase(name, spec, data, method) {
  return {
    name: `${name} ${method}`,
    params: { widths: spec.widths, loss: spec.loss ?? "mse", method, starts: 16, steps: [0, 2, 5, 10] },
    warmup: 0,
    reps: 1,
    setup: () => ({ data: data() }),
    impls: {
      losscape: {
        backend: "simd",
        run: (ctx) => {
          const records = [];
          for (let seed = 0; seed < 16; seed++) {
            let model = { ...spec, params: initParams(spec, { scheme: "xavier", seed }) };
            const steps = [0, 2, 5, 10][seed % 4];
            if (steps > 0) model = train(model, ctx.data, { optimizer: "lbfgs", epochs: steps }).model;
            const t0 = performance.now();
            const cp = refineCriticalPoint(model, ctx.data, { method });
            records.push({ ...cp, seconds: (performance.now() - t0) / 1000, variance: outputVariance(cp.model, ctx.data) });
          }
          return records;
        },
      },
    },
    accuracy: (_ctx, records) => ({
      ...outcomeMetrics(records),
      "non-trivial": records.filter((r) => r.outcome === "critical" && r.gradNorm <= 1e-12 && r.variance > 1e-6).length,
    }),
  };
}

/**
 * The Embedding Principle's route to critical points of a deep net: the critical points of the narrow net
 * `narrowWidths` (findCriticalPoints, 20 starts) with non-constant output, each embedded into `spec.widths` by
 * one-neuron splits (neuron 0, α = 0.3; a critical point of the wide net, arXiv:2111.15527 Thm. 4.1), perturbed by
 * 1e-3·sin(i) and refined back. "non-trivial" counts the refinements that end critical (‖∇R‖ ≤ 1e-12) with
 * non-constant output.
 */
function embeddedCase(name, spec, narrowWidths, data) {
  return {
    name: `${name} via embedding`,
    params: { widths: spec.widths, narrow: narrowWidths, starts: 20, perturbation: 1e-3 },
    warmup: 0,
    reps: 1,
    setup: () => ({ data: data() }),
    impls: {
      losscape: {
        backend: "simd",
        run: (ctx) => {
          const narrow = findCriticalPoints({ ...spec, widths: narrowWidths }, ctx.data, { starts: 20, seed: 1 });
          const records = [];
          for (const cp of narrow) {
            if (!(outputVariance(cp.model, ctx.data) > 1e-6)) continue;
            const steps = [];
            const widths = narrowWidths.slice();
            for (let l = 1; l < widths.length - 1; l++) {
              for (; widths[l] < spec.widths[l]; widths[l]++) steps.push({ layer: l, neuron: 0, alpha: 0.3 });
            }
            const wide = embedSequence(cp.model, steps);
            const start = { ...wide, params: wide.params.map((v, i) => v + 1e-3 * Math.sin(i)) };
            const t0 = performance.now();
            const r = refineCriticalPoint(start, ctx.data);
            records.push({ ...r, seconds: (performance.now() - t0) / 1000, variance: outputVariance(r.model, ctx.data) });
          }
          return records;
        },
      },
    },
    accuracy: (_ctx, records) => ({
      ...outcomeMetrics(records),
      "non-trivial": records.filter((r) => r.outcome === "critical" && r.gradNorm <= 1e-12 && r.variance > 1e-6).length,
    }),
  };
}

/**
 * Deflation (Farrell et al. 2015): the number of distinct critical loss levels `findCriticalPoints` finds from the same
 * 20 starts with and without deflating the points already found (tanh 1-4-1 and 1-2-2-1 on y = sin 2x, n = 20).
 */
function deflationCase(widths) {
  const data = () => {
    const rng = createRng(5);
    const x = new Float64Array(20).map(() => rng.normal());
    return { x: { rows: 20, cols: 1, data: x }, y: { rows: 20, cols: 1, data: x.map((v) => Math.sin(2 * v)) } };
  };
  const levels = (points) => new Set(points.map((p) => p.loss.toPrecision(6))).size;
  const find = (ctx, deflate) => findCriticalPoints({ widths, activation: "tanh" }, ctx.data, { starts: 20, seed: 1, deflate });
  return {
    name: `deflation ${widths.join("-")}`,
    params: { widths, starts: 20 },
    warmup: 0,
    reps: 1,
    setup: () => ({ data: data() }),
    impls: {
      losscape: { backend: "simd", run: (ctx) => find(ctx, true) },
      "no deflation": { backend: "simd", run: (ctx) => find(ctx, false) },
    },
    accuracy: (_ctx, points) => ({ "distinct points": points.length, "loss levels": levels(points) }),
  };
}

const iris = () => irisData();
const IRIS = { widths: [4, 3, 3, 3], activation: "tanh" };

export default {
  name: "critical-search",
  title: "Critical-point search: outcomes on Pennington–Bahri's experiment and on deep / multi-output nets",
  env: "node",
  main: "losscape",
  peers: ["no deflation"],
  cases: [
    pbCase(8, 0.25, 100),
    pbCase(8, 0.5, 100),
    pbCase(8, 0.8, 100),
    pbCase(16, 0.5, 12),
    deepCase("iris-mse [4,3,3,3]", IRIS, iris, "newton"),
    deepCase("iris-mse [4,3,3,3]", IRIS, iris, "gradnorm"),
    deepCase("iris-ce [4,3,3,3]", { ...IRIS, loss: "cross-entropy" }, iris, "newton"),
    deepCase("iris-ce [4,3,3,3]", { ...IRIS, loss: "cross-entropy" }, iris, "gradnorm"),
    deepCase("synthetic [2,3,3,2]", { widths: [2, 3, 3, 2], activation: "tanh" }, synthetic, "newton"),
    deepCase("synthetic [2,3,3,2]", { widths: [2, 3, 3, 2], activation: "tanh" }, synthetic, "gradnorm"),
    embeddedCase("iris-mse [4,3,3,3]", IRIS, [4, 1, 1, 3], iris),
    embeddedCase("synthetic [2,3,3,2]", { widths: [2, 3, 3, 2], activation: "tanh" }, [2, 1, 1, 2], synthetic),
    deflationCase([1, 4, 1]),
    deflationCase([1, 2, 2, 1]),
  ],
  targets: [
    ...[0.25, 0.5, 0.8].flatMap((phi) => [
      { kind: "accuracy", case: `PB n=8 φ=${phi}`, impl: "losscape", metric: "critical ≤1e-12", min: 0.7 },
      { kind: "accuracy", case: `PB n=8 φ=${phi}`, impl: "losscape", metric: "s per critical", max: 1 },
    ]),
    { kind: "accuracy", case: "PB n=16 φ=0.5", impl: "losscape", metric: "critical ≤1e-12", min: 0.5 },
    { kind: "accuracy", case: "PB n=16 φ=0.5", impl: "losscape", metric: "s per critical", max: 5 },
    ...["iris-mse [4,3,3,3]", "iris-ce [4,3,3,3]", "synthetic [2,3,3,2]"].map((c) => ({
      kind: "accuracy",
      case: `${c} gradnorm`,
      impl: "losscape",
      metric: "non-trivial",
      min: 1,
    })),
    ...["iris-mse [4,3,3,3]", "synthetic [2,3,3,2]"].map((c) => ({ kind: "accuracy", case: `${c} via embedding`, impl: "losscape", metric: "non-trivial", min: 1 })),
  ],
};
