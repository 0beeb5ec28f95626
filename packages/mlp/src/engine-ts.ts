import { act, act1, act2, ACTIVATION_CODES } from "./activations.js";
import type { Net } from "./spec.js";

const LINEAR = ACTIVATION_CODES.linear;

/**
 * The pure-TypeScript numerical core (the `ts` backend and the oracle of the WASM kernels in assembly/mlp.ts,
 * which follow the same algorithms). All matrices are row-major Float64Arrays batched over the n samples.
 * Internal: the public functions in network.ts validate and dispatch.
 */

export interface ForwardState {
  n: number;
  /** Zˡ = Aˡ⁻¹Wˡᵀ + 1bˡᵀ (n × mₗ), index l − 1. */
  Z: Float64Array[];
  /** Aˡ = σₗ(Zˡ) (n × mₗ), index l (A⁰ = X). */
  A: Float64Array[];
}

export function forwardTs(net: Net, p: Float64Array, X: Float64Array, n: number): ForwardState {
  const { widths, L } = net;
  const Z: Float64Array[] = [];
  const A: Float64Array[] = [X];
  for (let l = 1; l <= L; l++) {
    const m = widths[l];
    const k = widths[l - 1];
    const oW = net.offW[l - 1];
    const oB = net.offB[l - 1];
    const Ap = A[l - 1];
    const z = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = net.bias ? p[oB + j] : 0;
        for (let a = 0; a < k; a++) s += Ap[i * k + a] * p[oW + j * k + a];
        z[i * m + j] = s;
      }
    }
    Z.push(z);
    const code = net.codes[l - 1];
    const cp = net.cparams[l - 1];
    if (code === LINEAR) A.push(z);
    else {
      const h = new Float64Array(n * m);
      for (let q = 0; q < h.length; q++) h[q] = act(code, cp, z[q]);
      A.push(h);
    }
  }
  return { n, Z, A };
}

/** The loss on the outputs and its derivative G = ∂R/∂f (n × r, the 1/n included); softmax P for cross-entropy. */
export interface OutputState {
  loss: number;
  G: Float64Array;
  /** Softmax probabilities (cross-entropy only). */
  P?: Float64Array;
  /** Σₖ yᵢₖ per sample (cross-entropy only; 1 for one-hot or probability rows). */
  S?: Float64Array;
}

export function outputTs(net: Net, F: Float64Array, Y: Float64Array, n: number): OutputState {
  const r = net.widths[net.L];
  const G = new Float64Array(n * r);
  let loss = 0;
  if (net.loss === 0) {
    for (let q = 0; q < G.length; q++) {
      const e = F[q] - Y[q];
      loss += e * e;
      G[q] = e / n;
    }
    return { loss: loss / (2 * n), G };
  }
  const P = new Float64Array(n * r);
  const S = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < r; k++) mx = Math.max(mx, F[i * r + k]);
    let se = 0;
    for (let k = 0; k < r; k++) se += Math.exp(F[i * r + k] - mx);
    const lse = mx + Math.log(se);
    let s = 0;
    let yf = 0;
    for (let k = 0; k < r; k++) {
      const y = Y[i * r + k];
      s += y;
      yf += y * F[i * r + k];
      P[i * r + k] = Math.exp(F[i * r + k] - lse);
    }
    S[i] = s;
    loss += s * lse - yf;
    for (let k = 0; k < r; k++) G[i * r + k] = (s * P[i * r + k] - Y[i * r + k]) / n;
  }
  return { loss: loss / n, G, P, S };
}

/** Λu/n per sample: u/n for mse; sᵢ(pᵢ ⊙ uᵢ − pᵢ(pᵢ·uᵢ))/n for softmax cross-entropy. */
function applyLambda(net: Net, out: OutputState, U: Float64Array, n: number): Float64Array {
  const r = net.widths[net.L];
  const R = new Float64Array(n * r);
  if (net.loss === 0) {
    for (let q = 0; q < R.length; q++) R[q] = U[q] / n;
    return R;
  }
  const P = out.P!;
  const S = out.S!;
  for (let i = 0; i < n; i++) {
    let pu = 0;
    for (let k = 0; k < r; k++) pu += P[i * r + k] * U[i * r + k];
    for (let k = 0; k < r; k++) R[i * r + k] = (S[i] * P[i * r + k] * (U[i * r + k] - pu)) / n;
  }
  return R;
}

/** Backpropagation of G = ∂R/∂f: returns ∇θR (without the L2 term) and the adjoints GAˡ = ∂R/∂Aˡ, δˡ = ∂R/∂Zˡ. */
export function backwardTs(net: Net, p: Float64Array, fw: ForwardState, G: Float64Array): { grad: Float64Array; GA: Float64Array[]; D: Float64Array[] } {
  const { widths, L } = net;
  const n = fw.n;
  const grad = new Float64Array(net.M);
  const GA: Float64Array[] = new Array(L);
  const D: Float64Array[] = new Array(L);
  let ga = G;
  for (let l = L; l >= 1; l--) {
    const m = widths[l];
    const k = widths[l - 1];
    const z = fw.Z[l - 1];
    const code = net.codes[l - 1];
    const cp = net.cparams[l - 1];
    GA[l - 1] = ga;
    let d = ga;
    if (code !== 0) {
      d = new Float64Array(n * m);
      for (let q = 0; q < d.length; q++) d[q] = ga[q] * act1(code, cp, z[q]);
    }
    D[l - 1] = d;
    const Ap = fw.A[l - 1];
    const oW = net.offW[l - 1];
    const oB = net.offB[l - 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const dij = d[i * m + j];
        if (dij === 0) continue;
        for (let a = 0; a < k; a++) grad[oW + j * k + a] += dij * Ap[i * k + a];
        if (net.bias) grad[oB + j] += dij;
      }
    }
    if (l > 1) {
      const prev = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          const dij = d[i * m + j];
          if (dij === 0) continue;
          for (let a = 0; a < k; a++) prev[i * k + a] += dij * p[oW + j * k + a];
        }
      }
      ga = prev;
    }
  }
  return { grad, GA, D };
}

/** Which part of H·v the R-operator computes: H = H₀ + H₁. */
export const enum HvpPart {
  Full = 0,
  GaussNewton = 1,
  Residual = 2,
}

/**
 * Pearlmutter's R-operator: H·v (or H₀·v, H₁·v) exactly, without finite differences, for the loss WITHOUT the L2
 * term (callers add l2·v). R-forward: R{Zˡ} = R{Aˡ⁻¹}Wˡᵀ + Aˡ⁻¹Vˡᵀ + 1vbˡᵀ, R{Aˡ} = σ'(Zˡ)⊙R{Zˡ}.
 * R-backward: R{G^L} = ΛR{f} (Gauss–Newton part); R{δˡ} = R{GAˡ}⊙σ' + GAˡ⊙σ''⊙R{Zˡ};
 * R{∇Wˡ} = R{δˡ}ᵀAˡ⁻¹ + δˡᵀR{Aˡ⁻¹}; R{GAˡ⁻¹} = R{δˡ}Wˡ + δˡVˡ. The terms carrying GA or δ (which vanish with
 * the residual) form H₁·v; the rest is H₀·v = JᵀΛJv/n.
 */
export function hvpTs(
  net: Net,
  p: Float64Array,
  fw: ForwardState,
  out: OutputState,
  bw: { GA: Float64Array[]; D: Float64Array[] },
  v: Float64Array,
  part: HvpPart,
): Float64Array {
  const { widths, L } = net;
  const n = fw.n;
  const gn = part !== HvpPart.Residual;
  const res = part !== HvpPart.GaussNewton;
  const RZ: Float64Array[] = new Array(L);
  const RA: (Float64Array | null)[] = new Array(L + 1);
  RA[0] = null;
  for (let l = 1; l <= L; l++) {
    const m = widths[l];
    const k = widths[l - 1];
    const oW = net.offW[l - 1];
    const oB = net.offB[l - 1];
    const Ap = fw.A[l - 1];
    const RAp = RA[l - 1];
    const rz = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = net.bias ? v[oB + j] : 0;
        for (let a = 0; a < k; a++) {
          s += Ap[i * k + a] * v[oW + j * k + a];
          if (RAp) s += RAp[i * k + a] * p[oW + j * k + a];
        }
        rz[i * m + j] = s;
      }
    }
    RZ[l - 1] = rz;
    const code = net.codes[l - 1];
    const cp = net.cparams[l - 1];
    if (code === LINEAR) RA[l] = rz;
    else {
      const z = fw.Z[l - 1];
      const ra = new Float64Array(n * m);
      for (let q = 0; q < ra.length; q++) ra[q] = act1(code, cp, z[q]) * rz[q];
      RA[l] = ra;
    }
  }
  const hv = new Float64Array(net.M);
  let rga = gn ? applyLambda(net, out, RA[L]!, n) : new Float64Array(n * widths[L]);
  for (let l = L; l >= 1; l--) {
    const m = widths[l];
    const k = widths[l - 1];
    const z = fw.Z[l - 1];
    const code = net.codes[l - 1];
    const cp = net.cparams[l - 1];
    const ga = bw.GA[l - 1];
    const d = bw.D[l - 1];
    const rz = RZ[l - 1];
    const rd = new Float64Array(n * m);
    for (let q = 0; q < rd.length; q++) {
      let s = code === LINEAR ? rga[q] : rga[q] * act1(code, cp, z[q]);
      if (res) s += ga[q] * act2(code, cp, z[q]) * rz[q];
      rd[q] = s;
    }
    const Ap = fw.A[l - 1];
    const RAp = RA[l - 1];
    const oW = net.offW[l - 1];
    const oB = net.offB[l - 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const rdij = rd[i * m + j];
        const dij = res && RAp ? d[i * m + j] : 0;
        for (let a = 0; a < k; a++) {
          hv[oW + j * k + a] += rdij * Ap[i * k + a] + (dij !== 0 ? dij * RAp![i * k + a] : 0);
        }
        if (net.bias) hv[oB + j] += rdij;
      }
    }
    if (l > 1) {
      const prev = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          const rdij = rd[i * m + j];
          const dij = res ? d[i * m + j] : 0;
          for (let a = 0; a < k; a++) prev[i * k + a] += rdij * p[oW + j * k + a] + dij * v[oW + j * k + a];
        }
      }
      rga = prev;
    }
  }
  return hv;
}

/** Output Jacobian J ((n·r) × M): row i·r + k is ∂fₖ(xᵢ)/∂θ (per-sample backpropagation of eₖ). */
export function jacobianTs(net: Net, p: Float64Array, fw: ForwardState): Float64Array {
  const { widths, L, M } = net;
  const n = fw.n;
  const r = widths[L];
  const J = new Float64Array(n * r * M);
  for (let kOut = 0; kOut < r; kOut++) {
    // δ^L for output kOut: σ_L'(Z^L_{i,kOut}) in column kOut.
    let d = new Float64Array(n * r);
    const zL = fw.Z[L - 1];
    for (let i = 0; i < n; i++) d[i * r + kOut] = act1(net.codes[L - 1], net.cparams[L - 1], zL[i * r + kOut]);
    for (let l = L; l >= 1; l--) {
      const m = widths[l];
      const k = widths[l - 1];
      const Ap = fw.A[l - 1];
      const oW = net.offW[l - 1];
      const oB = net.offB[l - 1];
      for (let i = 0; i < n; i++) {
        const row = (i * r + kOut) * M;
        for (let j = 0; j < m; j++) {
          const dij = d[i * m + j];
          for (let a = 0; a < k; a++) J[row + oW + j * k + a] = dij * Ap[i * k + a];
          if (net.bias) J[row + oB + j] = dij;
        }
      }
      if (l > 1) {
        const z = fw.Z[l - 2];
        const code = net.codes[l - 2];
        const cp = net.cparams[l - 2];
        const prev = new Float64Array(n * k);
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < k; a++) {
            let s = 0;
            for (let j = 0; j < m; j++) s += d[i * m + j] * p[oW + j * k + a];
            prev[i * k + a] = s * act1(code, cp, z[i * k + a]);
          }
        }
        d = prev;
      }
    }
  }
  return J;
}

/**
 * The Gauss–Newton factor J̃ with H₀ = J̃ᵀJ̃/n: J itself for mse; for softmax cross-entropy the rows of sample i
 * are √sᵢ·Cᵢ·Jᵢ with Cᵢ = diag(√pᵢ) − √pᵢpᵢᵀ, since CᵢᵀCᵢ = diag(pᵢ) − pᵢpᵢᵀ (the softmax Hessian) when Σp = 1.
 * Overwrites J.
 */
export function gaussNewtonFactorInPlace(net: Net, out: OutputState, J: Float64Array, n: number): void {
  if (net.loss === 0) return;
  const r = net.widths[net.L];
  const M = net.M;
  const P = out.P!;
  const S = out.S!;
  const mix = new Float64Array(M);
  for (let i = 0; i < n; i++) {
    mix.fill(0);
    for (let k = 0; k < r; k++) {
      const pk = P[i * r + k];
      const row = (i * r + k) * M;
      for (let c = 0; c < M; c++) mix[c] += pk * J[row + c];
    }
    const rs = Math.sqrt(S[i]);
    for (let k = 0; k < r; k++) {
      const f = rs * Math.sqrt(P[i * r + k]);
      const row = (i * r + k) * M;
      for (let c = 0; c < M; c++) J[row + c] = f * (J[row + c] - mix[c]);
    }
  }
}

/**
 * H₁ (without L2) of a one-hidden-layer net with linear output, from its block structure: with G = ∂R/∂f (n × r),
 * x̃ᵢ = [xᵢ; 1] (bias) and gᵢⱼ = Σₖ Gᵢₖ W²ₖⱼ:
 *   block (W¹ⱼ,b¹ⱼ)×(W¹ⱼ,b¹ⱼ) = Σᵢ gᵢⱼ σ''(zᵢⱼ) x̃ᵢx̃ᵢᵀ (block-diagonal over neurons j),
 *   block (W¹ⱼ,b¹ⱼ)×W²ₖⱼ = Σᵢ Gᵢₖ σ'(zᵢⱼ) x̃ᵢ; every other block is 0.
 * Returns the M × M matrix (both triangles).
 */
export function residualHessianShallowTs(net: Net, p: Float64Array, fw: ForwardState, G: Float64Array): Float64Array {
  const M = net.M;
  const d = net.widths[0];
  const m = net.widths[1];
  const r = net.widths[2];
  const n = fw.n;
  const code = net.codes[0];
  const cp = net.cparams[0];
  const H = new Float64Array(M * M);
  const X = fw.A[0];
  const Z = fw.Z[0];
  const oW1 = net.offW[0];
  const oB1 = net.offB[0];
  const oW2 = net.offW[1];
  const dt = net.bias ? d + 1 : d;
  const idx = (j: number, a: number) => (a < d ? oW1 + j * d + a : oB1 + j);
  const xt = new Float64Array(dt);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) xt[a] = X[i * d + a];
    if (net.bias) xt[d] = 1;
    for (let j = 0; j < m; j++) {
      const z = Z[i * m + j];
      let g = 0;
      for (let k = 0; k < r; k++) g += G[i * r + k] * p[oW2 + k * m + j];
      const c = g * act2(code, cp, z);
      if (c !== 0) {
        for (let a = 0; a < dt; a++) {
          const ia = idx(j, a);
          for (let b = 0; b <= a; b++) H[ia * M + idx(j, b)] += c * xt[a] * xt[b];
        }
      }
      const s1 = act1(code, cp, z);
      for (let k = 0; k < r; k++) {
        const e = G[i * r + k] * s1;
        const col = oW2 + k * m + j;
        for (let a = 0; a < dt; a++) H[col * M + idx(j, a)] += e * xt[a];
      }
    }
  }
  symmetrizeFromLower(H, M);
  return H;
}

/** Fill the upper triangle from the lower one (H[i][j] for j > i := H[j][i]), treating the lower triangle as the sum. */
function symmetrizeFromLower(H: Float64Array, M: number): void {
  // Entries were accumulated into (row ≥ col) or (col > row) positions; fold both into one and mirror.
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < i; j++) {
      const s = H[i * M + j] + H[j * M + i];
      H[i * M + j] = s;
      H[j * M + i] = s;
    }
  }
}
