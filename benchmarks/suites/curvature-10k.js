// The curvature suite's case at the size of the targets: 784-400-10 tanh (M = 318,010) on n = 10,000
// samples, top-10 eigenpairs to residual 1e-8 and a 100-probe Hutchinson trace, PyTorch float64 on one thread against
// losscape on one and two threads. About 14 minutes on one core; PyHessian's chunked HVP is left out here (about
// 400 s more; it is measured at n = 1,000 in the curvature suite).
import { curvatureCase, curvatureTargets, PEER_NOTE, PEERS } from "./curvature.js";

const CHUNKED = "measured at n = 1,000 only (suite curvature): ≈ 400 s here";
const TARGET = curvatureCase({ n: 10000, hidden: 400, reps: 1, chunkedPeer: CHUNKED });

export default {
  name: "curvature-10k",
  title: "Curvature at the target's size: top-10 eigenpairs (residual 1e-8) + 100-probe Hutchinson trace, 784-400-10 tanh, n = 10,000",
  main: "losscape 1 thread",
  peers: PEERS,
  env: "node",
  notes: [
    PEER_NOTE,
    "One sample per implementation (PyTorch ≈ 3 minutes, losscape ≈ 7 on one thread).",
    "The one-thread target (≥ 3× PyTorch) is out of reach of WASM on this CPU: each Hessian-vector product needs two GEMMs of n·784·400 multiply–adds (the R-forward X·V₁ᵀ and the R-backward RΔ₁ᵀX), 12.5 GFLOP at n = 10,000, which take 0.77 s at the f64x2 ceiling of the peak suite (16.2 GFLOP/s in node 20: two lanes, no fused multiply–add); the 390 products of this case then take ≥ 300 s against PyTorch's 164 s for everything (OpenBLAS AVX2 with FMA).",
  ],
  cases: [TARGET],
  targets: curvatureTargets(TARGET.name, { chunkedPeer: false }),
};
