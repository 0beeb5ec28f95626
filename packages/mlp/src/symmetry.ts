import { ACTIVATION_TABLE } from "./activation-table.js";
import type { Net } from "./spec.js";

/**
 * A representative of θ's orbit under the network's exact symmetries: permutations of the neurons of each hidden
 * layer and, for odd activations (σ(−z) = −σ(z): tanh, sin, linear, …), the sign flip of a neuron's incoming weights,
 * bias and outgoing weights. canon(θ)ᵢ = signᵢ·θ[permᵢ]: a signed permutation of θ, so distances between
 * representatives are distances between orbits wherever the ordering below is not tied.
 *
 * Layer by layer from the input: each neuron is flipped (odd σ) so that the entry of largest magnitude of its
 * incoming row and bias is positive, then the neurons are sorted by that row and bias, lexicographically, and the next
 * layer's columns follow the same permutation and signs.
 */
export interface OrbitRepresentative {
  value: Float64Array;
  perm: Int32Array;
  sign: Float64Array;
}

const ODD_CODES = new Set<number>(ACTIVATION_TABLE.filter((e) => e.reflection !== null && e.reflection.s === -1 && e.reflection.c === 0).map((e) => e.code));

/**
 * The orbit representative of θ for the compiled net (see `OrbitRepresentative`).
 * @example
 * orbitRepresentative(net, theta).value; // equal for θ and any permuted / sign-flipped copy of θ
 */
export function orbitRepresentative(net: Net, theta: Float64Array): OrbitRepresentative {
  const M = net.M;
  const perm = new Int32Array(M);
  const sign = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    perm[i] = i;
    sign[i] = 1;
  }
  // colPerm/colSign: how the columns of the current layer (the previous layer's neurons) were permuted and flipped.
  let colPerm = Int32Array.from({ length: net.widths[0] }, (_, i) => i);
  let colSign = new Float64Array(net.widths[0]).fill(1);
  for (let l = 0; l < net.L; l++) {
    const rows = net.widths[l + 1];
    const cols = net.widths[l];
    const offW = net.offW[l];
    const offB = net.offB[l];
    const hidden = l < net.L - 1;
    const odd = hidden && ODD_CODES.has(net.codes[l]);
    // Each row r (a neuron of layer l + 1): its incoming weights in the canonical column order, with the column signs.
    const rowIdx: Int32Array[] = [];
    const rowSgn: Float64Array[] = [];
    for (let r = 0; r < rows; r++) {
      const idx = new Int32Array(cols + (net.bias ? 1 : 0));
      const sg = new Float64Array(idx.length);
      for (let c = 0; c < cols; c++) {
        idx[c] = offW + r * cols + colPerm[c];
        sg[c] = colSign[c];
      }
      if (net.bias) {
        idx[cols] = offB + r;
        sg[cols] = 1;
      }
      rowIdx.push(idx);
      rowSgn.push(sg);
    }
    const rowFlip = new Float64Array(rows).fill(1);
    if (odd) {
      for (let r = 0; r < rows; r++) {
        let big = 0;
        for (let k = 0; k < rowIdx[r].length; k++) {
          const v = rowSgn[r][k] * theta[rowIdx[r][k]];
          if (Math.abs(v) > Math.abs(big)) big = v;
        }
        if (big < 0) rowFlip[r] = -1;
      }
    }
    const order = Int32Array.from({ length: rows }, (_, r) => r);
    if (hidden) {
      const key = (r: number, k: number) => rowFlip[r] * rowSgn[r][k] * theta[rowIdx[r][k]];
      order.sort((a, b) => {
        for (let k = 0; k < rowIdx[a].length; k++) {
          const d = key(a, k) - key(b, k);
          if (d !== 0) return d;
        }
        return 0;
      });
    }
    // Write this layer's canonical entries: row i of the representative is row order[i] of θ.
    for (let i = 0; i < rows; i++) {
      const r = order[i];
      for (let c = 0; c < cols; c++) {
        const at = offW + i * cols + c;
        perm[at] = rowIdx[r][c];
        sign[at] = rowFlip[r] * rowSgn[r][c];
      }
      if (net.bias) {
        perm[offB + i] = rowIdx[r][cols];
        sign[offB + i] = rowFlip[r];
      }
    }
    colPerm = order;
    colSign = Float64Array.from(order, (r) => rowFlip[r]);
  }
  const value = new Float64Array(M);
  for (let i = 0; i < M; i++) value[i] = sign[i] * theta[perm[i]];
  return { value, perm, sign };
}

/**
 * Deflation of known critical points (Farrell, Birkisson & Funke 2015, SIAM J. Sci. Comput. 37, A2026): the
 * deflated residual m(θ)·∇R(θ) with m(θ) = Πₖ (d(θ, θₖ)^{−2} + 1), d the distance between orbit representatives,
 * has no zero at the known points θₖ nor at their symmetric copies, so a Newton-type solver on it converges to a new
 * critical point or fails. Its Newton step is the undeflated step δ scaled by τ = 1/(1 − ⟨∇log m, δ⟩) (Sherman–Morrison
 * on m·H + ∇R·∇mᵀ), which pushes away from a known point the step would otherwise return to.
 */
export class Deflation {
  private readonly known: Float64Array[] = [];

  constructor(private readonly net: Net) {}

  get size(): number {
    return this.known.length;
  }

  /** Deflate θ (and its orbit). */
  add(theta: Float64Array): void {
    this.known.push(orbitRepresentative(this.net, theta).value);
  }

  /** m(θ) and ∇log m(θ). */
  factor(theta: Float64Array): { m: number; gradLog: Float64Array } {
    const M = theta.length;
    const gradLog = new Float64Array(M);
    if (this.known.length === 0) return { m: 1, gradLog };
    const rep = orbitRepresentative(this.net, theta);
    let logM = 0;
    for (const k of this.known) {
      let d2 = 0;
      for (let i = 0; i < M; i++) d2 += (rep.value[i] - k[i]) ** 2;
      if (d2 === 0) return { m: Infinity, gradLog };
      // log(d⁻² + 1) = log(1 + d²) − log d²; its gradient in the representative's coordinates is (2/(1 + d²) − 2/d²)·(c − cₖ).
      logM += Math.log1p(d2) - Math.log(d2);
      const coef = 2 / (1 + d2) - 2 / d2;
      for (let i = 0; i < M; i++) gradLog[rep.perm[i]] += coef * rep.sign[i] * (rep.value[i] - k[i]);
    }
    return { m: Math.exp(logM), gradLog };
  }
}
