// Forward + backward (loss and gradient) throughput of a 784→256→10 relu net, batch n = 256, mse and
// cross-entropy (@losscape/mlp). Peer: the pure-TS backend.
import { createRng, initParams, lossAndGradient } from "@losscape/mlp";

const n = 256;
const widths = [784, 256, 10];
const M = 784 * 256 + 256 + 256 * 10 + 10;

function problem(loss) {
  const spec = { widths, activation: "relu", loss };
  const model = { ...spec, params: initParams(spec, { scheme: "he", seed: 1 }) };
  const rng = createRng(5);
  const x = new Float64Array(n * 784).map(() => rng.next());
  const y = new Float64Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + rng.int(10)] = 1;
  return { model, data: { x: { rows: n, cols: 784, data: x }, y: { rows: n, cols: 10, data: y } } };
}

export default {
  name: "mlp-throughput",
  title: "MLP forward + backward, 784→256→10 relu, batch 256",
  main: "losscape",
  notes: [
    "x uniform in [0, 1), one-hot y (seed 5), He init (seed 1). FLOPs ≈ 6·n·(784·256 + 256·10) (one forward GEMM, two backward GEMMs per layer).",
  ],
  peers: ["plain TS", "losscape scalar"],
  cases: ["mse", "cross-entropy"].map((loss) => ({
    name: `fwd+bwd ${loss}`,
    params: { n, widths, M, loss },
    flops: 6 * n * (784 * 256 + 256 * 10),
    warmup: 3,
    reps: 15,
    setup: () => problem(loss),
    impls: {
      losscape: { backend: "simd", run: ({ model, data }) => lossAndGradient(model, data) },
      "losscape scalar": { backend: "scalar", run: ({ model, data }) => lossAndGradient(model, data) },
      "plain TS": { backend: "ts", warmup: 1, reps: 3, run: ({ model, data }) => lossAndGradient(model, data) },
    },
  })),
  targets: [{ kind: "speedup", case: "fwd+bwd mse", impl: "losscape", peer: "plain TS", min: 5, env: "node" }],
};
