// Minibatch training throughput (@losscape/mlp `train`) against PyTorch: one epoch of SGD with momentum, float64,
// cross-entropy, 784-400-10 networks (MNIST-shaped random data, seeded: x uniform in [0, 1), one of 10 classes per
// row). PyTorch runs in a persistent /usr/bin/python3 subprocess (benchmarks/peers/torch_train.py) on ONE thread
// (torch.set_num_threads(1)), timed from here around its reply, so both sides are measured in the same run under the
// same load. Node only: the peer is a process.
import { readOnnx, readSafetensors, writeOnnx, writeSafetensors } from "@losscape/io";
import { initParams, train } from "@losscape/mlp";
import { mnistShaped } from "../lib/data.js";
import { startPythonPeer } from "../lib/python-peer.js";

const PEER = "PyTorch f64 1 thread";
const SGD = { lr: 0.01, momentum: 0.9 };

/** The PyTorch peer (benchmarks/peers/torch_train.py): { request, hello } or { reason }. */
const startPeer = () => startPythonPeer("torch_train.py");

function trainCase({ n, activation, batch, reps }) {
  const widths = [784, 400, 10];
  const c = {
    name: `784-400-10 ${activation} n=${n} b=${batch}`,
    params: { widths, activation, loss: "cross-entropy", n, batch, steps: Math.ceil(n / batch), ...SGD },
    // Per step: forward X·W¹ᵀ and the backward δ¹ᵀX (2·b·784·400 each), the small output layer; the end-of-epoch
    // and start rows: two forward passes over the n rows.
    flops: 4 * n * 784 * 400 + 2 * 2 * n * 784 * 400,
    warmup: 1,
    reps,
    async setup() {
      const data = mnistShaped(n, 784, 10, 1);
      const model = { widths, activation, loss: "cross-entropy", params: initParams({ widths, activation }, { scheme: activation === "relu" ? "he" : "xavier", seed: 1 }) };
      const p = await startPeer();
      if (p.reason) c.impls[PEER].skip = p.reason;
      else await p.request({ op: "prepare", n, widths, activation, seed: 1 });
      return { data, model, peer: p };
    },
    impls: {
      losscape: {
        backend: "simd",
        run: ({ model, data }) => {
          const r = train(model, data, { optimizer: "sgd", ...SGD, batchSize: batch, epochs: 1, seed: 1 });
          return { loss: r.loss, accuracy: r.history[1].accuracy };
        },
      },
      [PEER]: {
        run: async ({ peer }) => {
          const r = await peer.request({ op: "epoch", batch, ...SGD });
          if (r.error) throw new Error(r.error);
          return r;
        },
      },
    },
    // Both train: R over the n rows after the epoch is below the chance level ln 10 ≈ 2.303 of random labels only
    // by what an epoch can memorise; it is reported, not compared (the data and initialisations differ).
    accuracy: (_ctx, out) => ({ "loss after": out.loss, "accuracy after": out.accuracy }),
  };
  return c;
}

/**
 * Reading a 784-400-10 network file (314,010 float64 parameters, 2.5 MB), from bytes already in memory: the ONNX
 * file writeOnnx writes (the graph torch.onnx.export writes for nn.Sequential: Gemm, Tanh, Gemm) and the
 * safetensors file writeSafetensors writes (PyTorch's names, F64, the spec in __metadata__).
 */
function loadCase(format) {
  const widths = [784, 400, 10];
  return {
    name: `load 784-400-10 ${format}`,
    params: { widths, format, dtype: "float64" },
    warmup: 2,
    reps: 15,
    setup() {
      const model = { widths, activation: "tanh", params: initParams({ widths, activation: "tanh" }, { scheme: "xavier", seed: 1 }) };
      return { bytes: format === "onnx" ? writeOnnx(model) : writeSafetensors(model), model };
    },
    impls: {
      losscape: { run: ({ bytes }) => (format === "onnx" ? readOnnx(bytes) : readSafetensors(bytes)) },
      [PEER]: { skip: "the target is absolute (≤ 50 ms), not a ratio" },
    },
    // The parameters come back bit for bit: 0 differing entries.
    accuracy: ({ model }, out) => ({ "differing params": out.params.reduce((k, v, i) => k + (Object.is(v, model.params[i]) ? 0 : 1), 0) }),
  };
}

const BIG = "784-400-10 tanh n=60000 b=128";
const SMALL = "784-400-10 relu n=10000 b=128";

export default {
  name: "io-train",
  title: "Reading network files, and minibatch training: one epoch of SGD with momentum, f64, cross-entropy, against PyTorch on one thread",
  env: "node",
  main: "losscape",
  peers: [PEER],
  notes: [
    "losscape: train(model, data, { optimizer: 'sgd', lr: 0.01, momentum: 0.9, batchSize: 128, epochs: 1 }) on the SIMD backend: a seeded shuffle, one step per batch (the last one smaller), the history rows before and after the epoch (R and accuracy over all rows: one forward pass each).",
    "PyTorch (benchmarks/peers/torch_train.py, /usr/bin/python3, torch.set_num_threads(1), float64): the same epoch with torch.optim.SGD(lr 0.01, momentum 0.9), nn.CrossEntropyLoss, a torch.randperm shuffle, and the loss and accuracy over all rows under no_grad before and after it, in chunks of 1024 rows (losscape's two history rows, computed the same way), timed in node around the reply (the peer process is persistent, so no start-up is timed).",
    "Data: x uniform in [0, 1), one of 10 classes per row, seeded; the two sides draw their own data and initialisation (PyTorch's nn.Linear default; losscape xavier for tanh, he for relu), so the losses are reported, not compared.",
    "Target: losscape at least as fast as PyTorch (speed-up ≥ 1). Both are GEMM-bound (2·b·784·400 flops forward and again backward per step, the same again per row for each evaluation pass).",
    "Why it is missed on this machine: a 128-row step is one mlpLossGrad kernel call of ≈ 15 ms (≈ 11 GFLOP/s) against ≈ 4 ms for PyTorch's step (≈ 40 GFLOP/s, OpenBLAS). A CPU profile of losscape's epoch puts ≈ 75 % in the WASM kernels (68 % in the GEMM micro-kernel) and ≈ 15 % in JavaScript (the optimiser step, the gradient copy, the gather of the batch rows, the finiteness check); the batch is uploaded into one resident buffer and nothing M-sized is allocated in WASM memory per step. The gap is the GEMM ceiling: 128-bit WASM SIMD without FMA does 4 f64 flops per cycle, native AVX2 with FMA 16.",
  ],
  cases: [loadCase("onnx"), loadCase("safetensors"), trainCase({ n: 60000, activation: "tanh", batch: 128, reps: 5 }), trainCase({ n: 10000, activation: "relu", batch: 128, reps: 5 })],
  targets: [
    { kind: "time", case: "load 784-400-10 onnx", impl: "losscape", maxMs: 50, env: "node" },
    { kind: "time", case: "load 784-400-10 safetensors", impl: "losscape", maxMs: 50, env: "node" },
    { kind: "accuracy", case: "load 784-400-10 onnx", impl: "losscape", metric: "differing params", max: 0 },
    { kind: "accuracy", case: "load 784-400-10 safetensors", impl: "losscape", metric: "differing params", max: 0 },
    { kind: "speedup", case: BIG, impl: "losscape", peer: PEER, min: 1, env: "node" },
    { kind: "speedup", case: SMALL, impl: "losscape", peer: PEER, min: 1, env: "node" },
  ],
};
