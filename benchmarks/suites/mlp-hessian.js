// Exact Hessian, its H₀/H₁ split, one HVP, the gradient and the Jacobian of a 1→w→1 tanh net on n = 200 points
// (@losscape/mlp). Peers: the same functions on the pure-TS backend, and the Hessian assembled from M central
// finite differences of the TS gradient (the ≥ 100× target). Then the exact Hessian of a deep net (10-40-40-1) against
// the SYRK of its Jacobian alone (the ≤ 3× target).
import { init, setBackend, getBackend, syrk } from "@losscape/core";
import { createRng, gradient, hessian, hessianVectorProduct, hessianWithoutJacobian, initParams, jacobian } from "@losscape/mlp";
import { mnistShaped } from "../lib/data.js";
import { startPythonPeer, writePeerInputs } from "../lib/python-peer.js";

const n = 200;

function problem(w) {
  const spec = { widths: [1, w, 1], activation: "tanh" };
  const model = { ...spec, params: initParams(spec, { scheme: "he", seed: 1 }) };
  const rng = createRng(2);
  const x = new Float64Array(n).map(() => 2 * rng.normal());
  const y = x.map((t) => Math.sin(2 * t));
  const data = { x: { rows: n, cols: 1, data: x }, y: { rows: n, cols: 1, data: y } };
  const v = new Float64Array(model.params.length).map(() => rng.normal());
  return { model, data, v };
}

/** H by central differences of the gradient: column j = (∇R(θ + heⱼ) − ∇R(θ − heⱼ))/2h, h = 1e-5. */
function fdHessian({ model, data }) {
  const M = model.params.length;
  const h = 1e-5;
  const H = new Float64Array(M * M);
  const p = Float64Array.from(model.params);
  for (let j = 0; j < M; j++) {
    p[j] = model.params[j] + h;
    const gp = gradient({ ...model, params: p }, data);
    p[j] = model.params[j] - h;
    const gm = gradient({ ...model, params: p }, data);
    p[j] = model.params[j];
    for (let i = 0; i < M; i++) H[i * M + j] = (gp[i] - gm[i]) / (2 * h);
  }
  return { rows: M, cols: M, data: H };
}

/** max|A − B| / max|B| with B the exact Hessian on the TS backend. */
function relDiff(ctx, h) {
  const prev = getBackend();
  setBackend("ts");
  const ref = ctx.refH ?? (ctx.refH = hessian(ctx.model, ctx.data));
  setBackend(prev);
  let d = 0;
  let s = 0;
  for (let i = 0; i < ref.data.length; i++) {
    d = Math.max(d, Math.abs(h.data[i] - ref.data[i]));
    s = Math.max(s, Math.abs(ref.data[i]));
  }
  return { relErr: d / s };
}

const hessianCases = [100, 300].map((w) => {
  const M = 3 * w + 1;
  return {
    name: `hessian M=${M}`,
    params: { w, n, M },
    // H₀ = JᵀJ/n by SYRK: n·M² multiply-adds (both triangles counted once each) dominate
    flops: 2 * n * M * M,
    warmup: 3,
    reps: 15,
    setup: () => problem(w),
    impls: {
      losscape: { backend: "simd", run: ({ model, data }) => hessian(model, data) },
      "losscape scalar": { backend: "scalar", run: ({ model, data }) => hessian(model, data) },
      "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ model, data }) => hessian(model, data) },
      "FD of TS gradient": { backend: "ts", warmup: 0, reps: w === 300 ? 1 : 2, run: (ctx) => fdHessian(ctx), accuracy: false },
    },
    accuracy: (ctx, out) => relDiff(ctx, out),
  };
});

const M901 = problem(300);

/** 10-40-40-1 tanh (M = 2,121), mse, n = 500: x ~ N(0, 1), y = sin(x₁ + x₂) (seed 2); He-initialised θ (seed 1). */
function deepProblem() {
  const nDeep = 500;
  const spec = { widths: [10, 40, 40, 1], activation: "tanh" };
  const model = { ...spec, params: initParams(spec, { scheme: "he", seed: 1 }) };
  const rng = createRng(2);
  const x = new Float64Array(nDeep * 10).map(() => rng.normal());
  const y = new Float64Array(nDeep).map((_, i) => Math.sin(x[i * 10] + x[i * 10 + 1]));
  const data = { x: { rows: nDeep, cols: 10, data: x }, y: { rows: nDeep, cols: 1, data: y } };
  return { model, data, J: jacobian(model, data.x) };
}
const DEEP = "deep hessian 10-40-40-1 n=500";

const CLASSIFIER = "classifier hessian 100-16-10 n=1000";
const TORCH = "PyTorch f64 1 thread";

/**
 * The exact Hessian of a 100-16-10 tanh cross-entropy classifier (M = 1,786) on n = 1000 MNIST-shaped rows (seed 1,
 * Xavier θ seed 1), assembled without the Jacobian (mlp's hessianWithoutJacobian), against PyTorch's
 * torch.autograd.functional.hessian (benchmarks/peers/torch_curvature.py, op "hessian": same net, data and θ) and core's
 * syrk of the 10,000 × 1,786 Jacobian computed beforehand (what assembling H₀ from J costs at least).
 */
function classifierCase() {
  const widths = [100, 16, 10];
  const n = 1000;
  const c = {
    name: CLASSIFIER,
    params: { widths: "100-16-10", activation: "tanh", loss: "cross-entropy", n, M: 1786 },
    warmup: 1,
    reps: 5,
    async setup() {
      await init();
      const data = mnistShaped(n, 100, 10, 1);
      const model = { widths, activation: "tanh", loss: "cross-entropy", params: initParams({ widths, activation: "tanh" }, { scheme: "xavier", seed: 1 }) };
      if (!hessianWithoutJacobian(model)) throw new Error(`${CLASSIFIER}: expected the assembly without the Jacobian`);
      const dir = await writePeerInputs("losscape-hessian-", data, model.params);
      const peer = await startPythonPeer("torch_curvature.py");
      if (peer.reason) c.impls[TORCH].skip = peer.reason;
      else await peer.request({ op: "prepare", dir, widths, n, threads: 1, chunk: n });
      return { model, data, peer, out: `${dir}/hessian.f64`, J: jacobian(model, data.x) };
    },
    impls: {
      losscape: { backend: "simd", run: ({ model, data }) => hessian(model, data) },
      [TORCH]: { run: (ctx) => ctx.peer.request({ op: "hessian", out: ctx.out }) },
      "JᵀJ SYRK": { backend: "simd", accuracy: false, run: ({ J }) => syrk(J) },
    },
    // max|H − H_torch| / max|H_torch| (the peer's last H, written to a file).
    accuracy: async (ctx, out, impl) => {
      const { existsSync, readFileSync } = await import("node:fs");
      if (impl === TORCH || !existsSync(ctx.out)) return {};
      const b = readFileSync(ctx.out);
      const ref = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
      let d = 0;
      let s = 0;
      for (let i = 0; i < ref.length; i++) {
        d = Math.max(d, Math.abs(out.data[i] - ref[i]));
        s = Math.max(s, Math.abs(ref[i]));
      }
      return { "relErr vs torch": d / s };
    },
  };
  return c;
}

export default {
  name: "mlp-hessian",
  title: "MLP exact Hessian and friends (1→w→1 tanh, n = 200; a deep 10-40-40-1 tanh, n = 500; a 100-16-10 classifier, n = 1000)",
  main: "losscape",
  notes: [
    "x ~ N(0, 4), y = sin 2x (seed 2); He-initialised θ (seed 1). relErr = max|H − H_ts|/max|H_ts| against the exact TS Hessian.",
    "Targets: exact Hessian M = 901 within 1.5× of a vectorised numpy exact Hessian (≈ 3.8–4 ms on the Intel Xeon where the target was set, so ≤ 6 ms there; 16.7 ms on the Zen 5 of the tables below; " +
      "measured by packages/mlp/bench/numpy_hessian.py, not in this run) and ≥ 100× faster than M central differences of the TS gradient; " +
      "one HVP ≤ 3× one gradient (speed-up target 'hvp' vs 'gradient' ≥ 1/3).",
    `${DEEP}: the exact Hessian (H₀ by the SYRK of J, H₁ by GEMMs over chunks of samples) against 'JᵀJ SYRK', core's syrk of ` +
      "the 500 × 2,121 Jacobian computed beforehand (its copy into WASM included): target ≤ 3× the SYRK.",
    "H₁ of these one-hidden-layer nets is assembled by two GEMMs per hidden neuron (assembly/mlp.ts, addResidualShallow; since 2026-12-07). " +
      "At d_in = 1 their fixed cost shows: interleaved runs of the build before and after it (node 20, Zen 3, medians of 31) gave M = 301 " +
      "3.3–4.7 ms before and 4.0–5.9 ms after (≈ 17 % slower), M = 901 22.7–32.1 ms before and 22.8–28.4 ms after (no change). " +
      "Where d_in is large it is faster: 784-6-10 cross-entropy, n = 2000, 65–76 s before and 35–41 s after.",
    `${CLASSIFIER}: tanh, cross-entropy, x uniform in [0, 1) with one-hot labels (seed 1), Xavier θ (seed 1). With d_out ≥ 2 ` +
      "H₀ is assembled without the Jacobian (assembly/mlp.ts, gaussNewtonByUnits; since 2026-12-07): per unit and layer one GEMM of the layers' inputs " +
      "weighted per sample, about n·M²/2 multiply–adds where the SYRK of J takes n·d_out·M²/2 " +
      "('JᵀJ SYRK': core's syrk of the 10,000 × 1,786 Jacobian computed beforehand, the least the former path took). " +
      `${TORCH}: torch.autograd.functional.hessian of the same loss at the same θ (benchmarks/peers/torch_curvature.py, /usr/bin/python3, ` +
      "one thread, float64; vectorize=False, which was faster here), timed in node around the reply; the H it writes is the accuracy reference " +
      "(relErr vs torch = max|H − H_torch|/max|H_torch|). On 784-6-10 cross-entropy, n = 2000 (M = 4780; Zen 3, node 20, one thread): " +
      "5.0 s without the Jacobian against 40.5 s by the SYRK of J̃ (38 s for torch.autograd.functional.hessian in an earlier run); the two losscape paths agree to 1.9e-16 (max|H| = 0.11). " +
      "Two hidden layers, 100-32-32-10 cross-entropy, n = 1000 (M = 4618): 4.9 s against 20.5 s (H₁ by addResidualDeep in both). " +
      "Narrow inputs keep the SYRK (mlp's hessianWithoutJacobian, a cost estimate): 4-400-3, n = 150, took 1.18 s without the Jacobian against 0.63 s.",
  ],
  peers: ["plain TS", "FD of TS gradient", "losscape scalar", "gradient", "JᵀJ SYRK", TORCH],
  cases: [
    ...hessianCases,
    {
      name: "split M=901",
      params: { w: 300, n, M: 901 },
      warmup: 3,
      reps: 15,
      setup: () => M901,
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => hessian(model, data, { split: true }) },
        "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ model, data }) => hessian(model, data, { split: true }) },
      },
      accuracy: (ctx, out) => relDiff(ctx, out.h),
    },
    {
      name: "hvp M=901",
      params: { w: 300, n, M: 901 },
      warmup: 10,
      reps: 15,
      inner: 10,
      setup: () => M901,
      impls: {
        losscape: { backend: "simd", run: ({ model, data, v }) => hessianVectorProduct(model, data, v) },
        gradient: { backend: "simd", run: ({ model, data }) => gradient(model, data), accuracy: false },
        "plain TS": { backend: "ts", inner: 1, run: ({ model, data, v }) => hessianVectorProduct(model, data, v) },
      },
    },
    {
      name: "jacobian M=901",
      params: { w: 300, n, M: 901 },
      warmup: 5,
      reps: 15,
      inner: 5,
      setup: () => M901,
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => jacobian(model, data.x) },
        "plain TS": { backend: "ts", inner: 1, run: ({ model, data }) => jacobian(model, data.x) },
      },
    },
    {
      name: DEEP,
      params: { widths: "10-40-40-1", activation: "tanh", n: 500, M: 2121 },
      // the SYRK's count, as above (n·M² multiply-adds, both triangles); H₁'s GEMMs are about as many again, not counted
      flops: 2 * 500 * 2121 * 2121,
      warmup: 1,
      reps: 7,
      setup: () => deepProblem(),
      impls: {
        losscape: { backend: "simd", run: ({ model, data }) => hessian(model, data) },
        "JᵀJ SYRK": { backend: "simd", run: ({ J }) => syrk(J) },
      },
    },
    classifierCase(),
  ],
  targets: [
    { kind: "speedup", case: "hessian M=901", impl: "losscape", peer: "FD of TS gradient", min: 100 },
    { kind: "speedup", case: "hvp M=901", impl: "losscape", peer: "gradient", min: 1 / 3 },
    { kind: "accuracy", case: "hessian M=901", impl: "losscape", metric: "relErr", max: 1e-12 },
    { kind: "accuracy", case: "split M=901", impl: "losscape", metric: "relErr", max: 1e-12 },
    { kind: "ratio", case: DEEP, impl: "losscape", peer: "JᵀJ SYRK", max: 3 },
  ],
};
