import type { Mat } from "@losscape/core";
import { activationEntry, type Activation, type OutputActivation } from "@losscape/mlp";
import { sigma, type EditableLayer } from "./layers.js";

/**
 * Internal: the data-driven steps of `reduceNetwork` on one hidden layer l, given its activations H (n × mₗ) on the
 * data. Both replace a neuron's values hⱼ on the data by an affine function of what remains and fold it into layer
 * l+1, so they are exact on the data only (not on other inputs):
 * - "constant-on-data": hⱼ(xᵢ) takes one value c on every row (a dead relu neuron: c = 0) → b^{l+1} += W^{l+1}_{·j}·c;
 * - "merged-on-data": hⱼ ≈ k·hᵢ + c on the rows (least squares) → W^{l+1}_{·i} += k·W^{l+1}_{·j}, b^{l+1} += c·W^{l+1}_{·j}.
 */

/** One data-driven removal: the neuron's position in the current layer, and the one it was merged into. */
export interface DataRemoval {
  j: number;
  reason: "constant-on-data" | "merged-on-data";
  into?: number;
}

/**
 * Neurons constant on the data: max_i hⱼ(xᵢ) − min_i hⱼ(xᵢ) ≤ tol·max|H| (the layer's own scale). Their mean value
 * is folded into the next bias (without biases only a zero value, or one whose outgoing weights vanish). Edits
 * `out` (layer l+1) in place and returns the removals; the caller drops the neurons.
 */
export function constantOnData(H: Mat, out: EditableLayer, bias: boolean, tol: number, alive: boolean[]): DataRemoval[] {
  const { rows: n, cols: m } = H;
  let scale = 0;
  for (let k = 0; k < H.data.length; k++) scale = Math.max(scale, Math.abs(H.data[k]));
  const thr = tol * scale;
  const removed: DataRemoval[] = [];
  for (let j = 0; j < m; j++) {
    if (!alive[j]) continue;
    let lo = Infinity;
    let hi = -Infinity;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const v = H.data[i * m + j];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      mean += v / n;
    }
    if (!(hi - lo <= thr)) continue;
    if (!bias && mean !== 0) {
      let a = 0;
      for (let r = 0; r < out.rows; r++) a = Math.max(a, Math.abs(out.W[r * m + j]));
      if (a !== 0) continue;
    }
    for (let r = 0; r < out.rows; r++) {
      if (bias) out.b[r] += out.W[r * m + j] * mean;
      out.W[r * m + j] = 0;
    }
    alive[j] = false;
    removed.push({ j, reason: "constant-on-data" });
  }
  return removed;
}

/** What the greedy reduction needs besides the layer: how to finish the forward pass from Z^{l+1} and the reference. */
export interface GreedyContext {
  /** Outputs on the data from the pre-activations of layer l+1 (n × m_{l+1}); f itself when l+1 = L. */
  tail: (Z: Float64Array) => Float64Array;
  /** The outputs of the input model on the data (the reference of the budget τ). */
  f0: Float64Array;
  /** τ: max over rows and outputs of |f_reduced − f| allowed. */
  outputTol: number;
}

/**
 * Greedy reduction of hidden layer l to an output budget: every live neuron j gets its cheapest candidate — fold its
 * mean ("constant-on-data") or merge it into the neuron i whose incoming vector [Wˡᵢ; bˡᵢ] is closest in direction
 * (|cos| for an activation with a reflection symmetry, cos otherwise), with k, c the least-squares fit hⱼ ≈ k·hᵢ + c
 * on the data (c = 0 without biases) — ranked by max|W^{l+1}_{·j}|·rms(residual). In that order each is applied,
 * the outputs recomputed exactly (Z^{l+1} changes by a rank-one term), and kept when max|f − f₀| ≤ τ on the data,
 * else undone. Rounds repeat until one accepts nothing. `inL` holds the incoming weights of layer l, `out` layer l+1.
 */
export function greedyOnData(H: Mat, inL: EditableLayer, out: EditableLayer, a: Activation, bias: boolean, alive: boolean[], ctx: GreedyContext): DataRemoval[] {
  const { rows: n, cols: m } = H;
  const r = out.rows;
  const p = inL.cols;
  const h = (i: number, j: number) => H.data[i * m + j];
  const Z = new Float64Array(n * r);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < r; o++) {
      let s = bias ? out.b[o] : 0;
      for (let j = 0; j < m; j++) if (alive[j]) s += out.W[o * m + j] * h(i, j);
      Z[i * r + o] = s;
    }
  const symmetric = activationEntry(a)?.reflection != null;
  const stats = Array.from({ length: m }, (_, j) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += h(i, j) / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (h(i, j) - mean) ** 2;
    let norm = 0;
    for (let k = 0; k < p; k++) norm += inL.W[j * p + k] ** 2;
    if (bias) norm += inL.b[j] ** 2;
    return { mean, ss: v, norm: Math.sqrt(norm) };
  });
  const removed: DataRemoval[] = [];
  let accepted = true;
  while (accepted) {
    accepted = false;
    const live = alive.flatMap((x, j) => (x ? [j] : []));
    if (live.length <= 1) break;
    const cands: { j: number; i: number; k: number; c: number; cost: number }[] = [];
    for (const j of live) {
      let aj = 0;
      for (let o = 0; o < r; o++) aj = Math.max(aj, Math.abs(out.W[o * m + j]));
      const sj = stats[j];
      // fold the mean: residual hⱼ − mean
      cands.push({ j, i: -1, k: 0, c: bias ? sj.mean : 0, cost: aj * Math.sqrt((bias ? sj.ss : sj.ss + n * sj.mean ** 2) / n) });
      let best = -1;
      let bestCos = -Infinity;
      for (const i of live) {
        if (i === j || stats[i].norm === 0 || sj.norm === 0) continue;
        let d = 0;
        for (let k = 0; k < p; k++) d += inL.W[j * p + k] * inL.W[i * p + k];
        if (bias) d += inL.b[j] * inL.b[i];
        const cos = d / (sj.norm * stats[i].norm);
        const score = symmetric ? Math.abs(cos) : cos;
        if (score > bestCos) {
          bestCos = score;
          best = i;
        }
      }
      if (best < 0) continue;
      const si = stats[best];
      // least squares hⱼ ≈ k·hᵢ + c (c = 0 without biases)
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < n; i++) {
        const x = bias ? h(i, best) - si.mean : h(i, best);
        sxy += x * (bias ? h(i, j) - sj.mean : h(i, j));
        sxx += x * x;
      }
      if (sxx === 0) continue;
      const k = sxy / sxx;
      const c = bias ? sj.mean - k * si.mean : 0;
      let res = 0;
      for (let i = 0; i < n; i++) res += (h(i, j) - k * h(i, best) - c) ** 2;
      cands.push({ j, i: best, k, c, cost: aj * Math.sqrt(res / n) });
    }
    cands.sort((x, y) => x.cost - y.cost);
    const trial = new Float64Array(n * r);
    for (const cd of cands) {
      if (!alive[cd.j] || (cd.i >= 0 && !alive[cd.i])) continue;
      // Z' = Z + (k·hᵢ + c − hⱼ)·W^{l+1}_{·j}ᵀ
      for (let i = 0; i < n; i++) {
        const dh = (cd.i >= 0 ? cd.k * h(i, cd.i) : 0) + cd.c - h(i, cd.j);
        for (let o = 0; o < r; o++) trial[i * r + o] = Z[i * r + o] + dh * out.W[o * m + cd.j];
      }
      const f = ctx.tail(trial);
      let worst = 0;
      for (let t = 0; t < f.length; t++) worst = Math.max(worst, Math.abs(f[t] - ctx.f0[t]));
      if (!(worst <= ctx.outputTol)) continue;
      Z.set(trial);
      for (let o = 0; o < r; o++) {
        const w = out.W[o * m + cd.j];
        if (cd.i >= 0) out.W[o * m + cd.i] += cd.k * w;
        if (bias) out.b[o] += cd.c * w;
        out.W[o * m + cd.j] = 0;
      }
      alive[cd.j] = false;
      removed.push(cd.i >= 0 ? { j: cd.j, reason: "merged-on-data", into: cd.i } : { j: cd.j, reason: "constant-on-data" });
      accepted = true;
      if (alive.filter(Boolean).length <= 1) break;
    }
  }
  return removed;
}

/** σ applied entry-wise (a fresh array). */
export function applyActivation(a: Activation | OutputActivation, z: Float64Array): Float64Array {
  if (a === "linear") return Float64Array.from(z);
  return z.map((v) => sigma(a as Activation, v).value);
}
