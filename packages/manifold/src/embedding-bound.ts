// The embedding lower bound m_total − m_min on the extra degeneracy of redundant neurons.
// Kept in this one file on purpose: when @losscape/embedding exports its reduction (`reduce`), the count below
// should come from it; until then this is the minimal local reduction (the lossless-compression rules of
// Farrugia-Roberts 2023 for one pass over each hidden layer).
import { checkNumber } from "@losscape/core";
import { unpackParams, type Model } from "@losscape/mlp";

/** One neuron the reduction removes, and why. */
export interface RemovedNeuron {
  /** Hidden layer, 1-based. */
  layer: number;
  /** Neuron index (0-based) in the original layer. */
  neuron: number;
  reason: "zero-outgoing" | "constant" | "duplicate" | "negated-duplicate";
  /** For duplicates: the neuron it merges into. */
  mergesInto?: number;
}

/** The embedding bound: hidden neurons of the net, of the narrowest net it reduces to, and the difference. */
export interface EmbeddingBound {
  mTotal: number;
  mMin: number;
  /** m_total − m_min: a lower bound on the number of degenerate directions that redundancy adds. */
  bound: number;
  removed: RemovedNeuron[];
  /** Which reduction produced the count. */
  source: "local-reduction";
}

const ODD = new Set(["tanh", "sin", "linear"]);

/**
 * Lower bound m_total − m_min on the Hessian degeneracy added by redundant neurons (Embedding Principle: a
 * critical point of the narrowest net, embedded by splitting neurons, gains at least one zero direction per split,
 * the α-line of T^α; Zhang et al. 2021/2022, Fukumizu & Amari 2000). The reduction removes, layer by layer,
 * a neuron whose outgoing weights are all |w| ≤ tol·scale (zero-outgoing), whose incoming weights vanish while the
 * net has biases (constant: absorbed into the next bias), or whose incoming (w, b) equals another's (duplicate)
 * or, for odd activations (tanh, sin, linear), its negative (negated-duplicate); scale = max(1, max|θ|).
 * Default tol 1e-8.
 * @example
 * embeddingLowerBound(splitModel).bound // 1 for a net with one neuron split
 */
export function embeddingLowerBound(model: Model, options: { tol?: number } = {}): EmbeddingBound {
  const fn = "embeddingLowerBound";
  const tol = options.tol ?? 1e-8;
  checkNumber(fn, "tol", tol, { min: 0 });
  const layers = unpackParams(model, model.params);
  let scale = 1;
  for (const v of model.params) scale = Math.max(scale, Math.abs(v));
  const thr = tol * scale;
  const L = layers.length;
  const removed: RemovedNeuron[] = [];
  let mTotal = 0;
  const bias = model.bias ?? true;
  for (let l = 1; l < L; l++) {
    const { W, b } = layers[l - 1];
    const next = layers[l].W; // (m_{l+1} × m_l)
    const m = W.rows;
    const fanIn = W.cols;
    mTotal += m;
    const act = Array.isArray(model.activation) ? model.activation[l - 1] : model.activation;
    const odd = typeof act === "string" && ODD.has(act);
    const gone = new Array<boolean>(m).fill(false);
    const incoming = (s: number): number[] => {
      const v = Array.from(W.data.subarray(s * fanIn, (s + 1) * fanIn));
      if (bias) v.push(b[s]);
      return v;
    };
    for (let s = 0; s < m; s++) {
      let out = 0;
      for (let k = 0; k < next.rows; k++) out = Math.max(out, Math.abs(next.data[k * m + s]));
      if (out <= thr) {
        gone[s] = true;
        removed.push({ layer: l, neuron: s, reason: "zero-outgoing" });
        continue;
      }
      let inc = 0;
      for (let j = 0; j < fanIn; j++) inc = Math.max(inc, Math.abs(W.data[s * fanIn + j]));
      if (bias && inc <= thr) {
        gone[s] = true;
        removed.push({ layer: l, neuron: s, reason: "constant" });
      }
    }
    for (let s = 0; s < m; s++) {
      if (gone[s]) continue;
      const vs = incoming(s);
      for (let t = 0; t < s; t++) {
        if (gone[t]) continue;
        const vt = incoming(t);
        let same = 0;
        let neg = 0;
        for (let j = 0; j < vs.length; j++) {
          same = Math.max(same, Math.abs(vs[j] - vt[j]));
          neg = Math.max(neg, Math.abs(vs[j] + vt[j]));
        }
        if (same <= thr || (odd && neg <= thr)) {
          gone[s] = true;
          removed.push({ layer: l, neuron: s, reason: same <= thr ? "duplicate" : "negated-duplicate", mergesInto: t });
          break;
        }
      }
    }
  }
  return { mTotal, mMin: mTotal - removed.length, bound: removed.length, removed, source: "local-reduction" };
}
