// Curvature of a network of about 10⁶ parameters (@losscape/curvature), in node and in headless Chromium: the top-5
// eigenpairs of the Hessian of a 784-1000-200-10 tanh cross-entropy net (M = 987,210) by block Lanczos to relative
// residual 1e-8, and an SLQ density (4 probes × 30 Lanczos steps, PyHessian's broadened form), on one thread, with
// the peak WASM memory of the instance (core's arena and resident data; the basis lives in JS memory). No peer:
// a dense Hessian would have 10¹² entries.
import { loadWasm } from "@losscape/core";
import { initParams } from "@losscape/mlp";
import { mnistShaped } from "../lib/data.js";
import { broadenedDensity, eigenpairs, hessianOperator, lanczosQuadratures } from "@losscape/curvature";

const WIDTHS = [784, 1000, 200, 10];
const N = 500;

const CASE = `784-1000-200-10 tanh n=${N} top-5 + SLQ 4×30`;

export default {
  name: "curvature-1m",
  title: "Curvature of a 10⁶-parameter network: top-5 eigenpairs (residual 1e-8) and an SLQ density, one thread",
  main: "losscape",
  peers: [],
  cases: [
    {
      name: CASE,
      params: { widths: WIDTHS, activation: "tanh", loss: "cross-entropy", n: N, M: 987210, k: 5, probes: 4, steps: 30 },
      warmup: 0,
      reps: 1,
      async setup() {
        const data = mnistShaped(N, 784, 10, 1);
        const spec = { widths: WIDTHS, activation: "tanh", loss: "cross-entropy" };
        return { data, model: { ...spec, params: initParams(spec, { scheme: "xavier", seed: 1 }) }, wasm: await loadWasm("simd") };
      },
      impls: {
        losscape: {
          backend: "simd",
          run: async ({ model, data, wasm }) => {
            const op = await hessianOperator(model, data, { threads: 1 });
            try {
              const e = await eigenpairs(op, 5, { tol: 1e-8, seed: 1 });
              const q = await lanczosQuadratures(op, { probes: 4, steps: 30, seed: 2 });
              const d = broadenedDensity(q.probes, { bins: 500 });
              return { values: Array.from(e.values), residuals: Array.from(e.residuals), products: e.products + q.products, mass: d.density.reduce((a, b) => a + b, 0) * (d.grid[1] - d.grid[0]), wasmBytes: wasm.memoryBytes };
            } finally {
              op.dispose();
            }
          },
        },
      },
      accuracy: (_ctx, out) => ({
        "max ‖Hv−λv‖/λ₁": Math.max(...out.residuals) / Math.abs(out.values[0]),
        products: out.products,
        "density mass": out.mass,
        "WASM MiB": out.wasmBytes / 2 ** 20,
      }),
    },
  ],
  targets: [
    { kind: "accuracy", case: CASE, impl: "losscape", metric: "max ‖Hv−λv‖/λ₁", max: 1e-8 },
    { kind: "accuracy", case: CASE, impl: "losscape", metric: "WASM MiB", max: 1024 },
  ],
};
