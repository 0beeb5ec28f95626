// Matrix-free curvature (@losscape/curvature) against PyTorch float64 running the same algorithms on autograd
// Hessian-vector products (PyHessian's HVP; benchmarks/peers/torch_curvature.py, a persistent /usr/bin/python3
// subprocess on one thread: torch.set_num_threads(1)): the top-10 eigenpairs of the Hessian of a
// 784-400-10 tanh cross-entropy net (M = 318,010) by block Lanczos with thick restart to relative residual 1e-8, then
// a 100-probe Hutchinson trace. losscape on 1 and on 2 threads (data chunks over worker threads). Node only: the
// peer is a process, and the inputs are handed to it as files.
import { init } from "@losscape/core";
import { initParams } from "@losscape/mlp";
import { mnistShaped } from "../lib/data.js";
import { startPythonPeer, writePeerInputs } from "../lib/python-peer.js";
import { eigenpairs, hessianOperator, hutchinsonTrace } from "@losscape/curvature";

const PEER = "PyTorch f64 1 thread";
/** The same on PyHessian's data-loader HVP: forward and backward of every chunk again for every vector. */
const PEER_BATCHES = "PyTorch f64 1 thread, chunked HVP";
const K = 10;
const TOL = 1e-8;
const PROBES = 100;

/** The PyTorch peer (benchmarks/peers/torch_curvature.py, one thread): { request, hello } or { reason }. */
const startPeer = () => startPythonPeer("torch_curvature.py");

/** The same top-k + trace on losscape's operator with `threads` threads. */
async function losscapeRun(ctx, threads) {
  const op = await hessianOperator(ctx.model, ctx.data, { threads });
  try {
    const e = await eigenpairs(op, K, { tol: TOL, seed: 1 });
    const t = await hutchinsonTrace(op, { probes: PROBES, seed: 1 });
    return { values: Array.from(e.values), residuals: Array.from(e.residuals), scale: e.scale, products: e.products, trace: t.value };
  } finally {
    op.dispose();
  }
}

/**
 * One case: the top-k + trace on 784-hidden-10 at n samples, PyTorch (both HVPs, unless `chunkedPeer` is false: it is
 * skipped with that reason) and losscape on 1 and 2 threads.
 */
export function curvatureCase({ n, hidden, reps, chunkedPeer = true }) {
  const widths = [784, hidden, 10];
  const M = hidden * 785 + 10 * (hidden + 1);
  const c = {
    name: `784-${hidden}-10 tanh n=${n} top-${K} + trace`,
    params: { widths, activation: "tanh", loss: "cross-entropy", n, M, k: K, tol: TOL, probes: PROBES },
    warmup: 0,
    reps,
    async setup() {
      await init();
      const data = mnistShaped(n, 784, 10, 1);
      const model = { widths, activation: "tanh", loss: "cross-entropy", params: initParams({ widths, activation: "tanh" }, { scheme: "xavier", seed: 1 }) };
      const dir = await writePeerInputs("losscape-curvature-", data, model.params);
      const p = await startPeer();
      if (p.reason) c.impls[PEER].skip = p.reason;
      else await p.request({ op: "prepare", dir, widths, n, threads: 1, chunk: 500 });
      if (p.reason) c.impls[PEER_BATCHES].skip = p.reason;
      else if (chunkedPeer !== true) c.impls[PEER_BATCHES].skip = chunkedPeer;
      return { data, model, peer: p, outputs: {} };
    },
    impls: {
      [PEER]: {
        run: async (ctx) => {
          const e = await ctx.peer.request({ op: "eig", k: K, tol: TOL, seed: 1 });
          const t = await ctx.peer.request({ op: "trace", probes: PROBES, seed: 1 });
          return (ctx.outputs[PEER] = { ...e, trace: t.value });
        },
      },
      [PEER_BATCHES]: {
        run: async (ctx) => {
          const e = await ctx.peer.request({ op: "eig", k: K, tol: TOL, seed: 1, mode: "batches" });
          const t = await ctx.peer.request({ op: "trace", probes: PROBES, seed: 1, mode: "batches" });
          return (ctx.outputs[PEER_BATCHES] = { ...e, trace: t.value });
        },
      },
      "losscape 1 thread": { backend: "simd", run: async (ctx) => (ctx.outputs["losscape 1 thread"] = await losscapeRun(ctx, 1)) },
      "losscape 2 threads": { backend: "simd", run: async (ctx) => (ctx.outputs["losscape 2 threads"] = await losscapeRun(ctx, 2)) },
    },
    // Per impl: the worst relative residual ‖Hv − λv‖/λ₁, the products used, and the largest relative difference
    // of its eigenvalues from PyTorch's (the same Hessian: the same net, data and θ are handed to the peer).
    accuracy: (ctx, out) => {
      const torch = ctx.outputs[PEER];
      const l1 = Math.abs(out.values[0]);
      const acc = { "max ‖Hv−λv‖/λ₁": Math.max(...out.residuals) / l1, products: out.products };
      if (torch) acc["eig rel diff vs torch"] = Math.max(...out.values.map((v, i) => Math.abs(v - torch.values[i]) / Math.abs(torch.values[i])));
      if (ctx.outputs["losscape 1 thread"] && out !== ctx.outputs["losscape 1 thread"]) {
        const one = ctx.outputs["losscape 1 thread"];
        acc["eig rel diff vs 1 thread"] = Math.max(...out.values.map((v, i) => Math.abs(v - one.values[i]) / Math.abs(one.values[i])));
      }
      return acc;
    },
  };
  return c;
}

const SMALL = curvatureCase({ n: 1000, hidden: 400, reps: 1 });

/** The notes both curvature suites share (this one and curvature-10k). */
export const PEER_NOTE =
  "PyTorch (benchmarks/peers/torch_curvature.py, /usr/bin/python3, torch.set_num_threads(1), float64), two HVPs: PyHessian's single-batch one (the gradient graph of all n rows built once, untimed, one torch.autograd.grad per vector) and its data-loader one (chunked HVP: for every vector and every chunk of 500 rows a forward pass, backward with create_graph and the product — what losscape's operator does, memory O(chunk)); the same block Lanczos (block 10, Gaussian starts, basis k + 30b within 2^25 values — 105 at M = 318,010 — thick restart, stopping at ‖R·u‖ ≤ 1e-8·‖H‖) and Hutchinson (100 Rademacher probes) as @losscape/curvature, timed in node around its replies.";

/** The targets on one case: ≥ 3× PyTorch on one thread, 2 threads ≥ 1.8× one, eigenvalues to 1e-8. */
export function curvatureTargets(name, { chunkedPeer = true } = {}) {
  return [
    { kind: "speedup", case: name, impl: "losscape 1 thread", peer: PEER, min: 3, env: "node" },
    ...(chunkedPeer === true ? [{ kind: "speedup", case: name, impl: "losscape 1 thread", peer: PEER_BATCHES, min: 3, env: "node" }] : []),
    { kind: "ratio", case: name, impl: "losscape 2 threads", peer: "losscape 1 thread", max: 1 / 1.8 },
    { kind: "accuracy", case: name, impl: "losscape 1 thread", metric: "eig rel diff vs torch", max: 1e-8 },
    { kind: "accuracy", case: name, impl: "losscape 1 thread", metric: "max ‖Hv−λv‖/λ₁", max: 1e-8 },
  ];
}

export const PEERS = [PEER, PEER_BATCHES, "losscape 2 threads"];

export default {
  name: "curvature",
  title: "Curvature at scale: top-10 eigenpairs (block Lanczos, residual 1e-8) + 100-probe Hutchinson trace, 784-400-10 tanh",
  main: "losscape 1 thread",
  peers: PEERS,
  env: "node",
  notes: [
    PEER_NOTE,
    "The target's own case, n = 10,000, is the suite curvature-10k (about 14 minutes); here n = 1,000, one sample per implementation (each takes about a minute).",
  ],
  cases: [SMALL],
  targets: curvatureTargets(SMALL.name),
};
