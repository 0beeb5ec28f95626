import { checkBoolean, checkNumber, ValueError, checkOptions } from "@losscape/core";
import { activationEntry, forward, hiddenActivations, loss as riskOf, validateData, type Activation, type DatasetInput, type Model } from "@losscape/mlp";
import { probeInputs } from "./certificate.js";
import { DEFAULT_REDUCE_TOL } from "./defaults.js";
import { applyActivation, constantOnData, greedyOnData } from "./reduce-data.js";
import { fromLayers, hiddenActivation, maxAbsDiff, sigma, toLayers, type EditableLayer } from "./layers.js";

/** Why a neuron was removed by `reduceNetwork`. */
export type RemovalReason =
  | "zero-outgoing"
  | "constant"
  | "duplicate"
  | "duplicate-up-to-sign"
  | "duplicate-up-to-scale"
  /** Constant on the data (e.g. a relu neuron dead on every row), folded into the next bias: exact on the data only. */
  | "constant-on-data"
  /** hⱼ ≈ k·hᵢ + c on the data (least squares), folded into neuron i and the next bias (`outputTol` only). */
  | "merged-on-data";

/** One removed neuron: its layer and index in the input model; for duplicates, the neuron it was merged into. */
export interface RemovedNeuron {
  layer: number;
  neuron: number;
  reason: RemovalReason;
  into?: number;
}

/** Options of `reduceNetwork`. */
export interface ReduceOptions {
  /**
   * Relative tolerance (default `DEFAULT_REDUCE_TOL` = 1e-8). In hidden layer l with incoming vectors uⱼ = [Wˡⱼ; bˡⱼ] and scale
   * S = max|Wˡ, bˡ| (the layer's own scale, so the tolerance is relative on small-weight nets too): neurons i, j are duplicates when max|uᵢ − uⱼ| ≤ tol·S (or max|uᵢ + uⱼ| ≤ tol·S with
   * the activation's sign symmetry, or max|uⱼ − k·uᵢ| ≤ tol·S for a positively homogeneous one, k the least-squares
   * ratio); neuron j is constant when max|Wˡⱼ| ≤ tol·S; its outgoing weights are zero
   * when max|W^{l+1}_{·j}| ≤ tol·max|W^{l+1}|. Nets trained to convergence need a larger tol (≈ 1e-3–1e-2)
   * than exact embeddings; the reported maxOutputDiff says what it cost.
   */
  tol?: number;
  /** Data on which to measure max|f_reduced − f| and the loss (optional; needed by `constantOnData` and `outputTol`). */
  data?: DatasetInput;
  /**
   * Also remove neurons whose activation is constant on the data: max_i hⱼ(xᵢ) − min_i hⱼ(xᵢ) ≤ tol·max|hˡ| (the
   * layer's own scale over the data), e.g. relu neurons dead on every row; their value is folded into the next bias
   * ("constant-on-data"). Exact on the data only: another input may switch such a neuron on. Default false.
   */
  constantOnData?: boolean;
  /**
   * Reduce to an output budget τ: after the exact rules (and `constantOnData`, implied), greedily fold or merge
   * neurons on the data ("constant-on-data", "merged-on-data": hⱼ ≈ k·hᵢ + c by least squares) while
   * max over the data's rows and outputs of |f_reduced − f| ≤ τ (the max norm, the same measure as
   * `maxOutputDiffData`; f are the logits of a cross-entropy net). Exact on the data only. Needs `data`.
   */
  outputTol?: number;
  /** Random probe inputs for max|f_reduced − f| (default 64; N(0, I), or x̄ + 2·sd·N(0, I) from the data). */
  probes?: number;
  seed?: number;
}

/** Result of `reduceNetwork` (the `losscape reduce --json` object, plus detail). */
export interface ReduceResult {
  model: Model;
  widthsBefore: number[];
  widthsAfter: number[];
  removed: RemovedNeuron[];
  /** max|f_reduced − f| over the data (when given) and the probe inputs. */
  maxOutputDiff: number;
  maxOutputDiffData: number | null;
  maxOutputDiffProbes: number;
  /** The hidden widths of the narrowest equivalent net found: m_min of every hidden layer. */
  mMin: number[];
  lossBefore: number | null;
  lossAfter: number | null;
  passes: number;
  tol: number;
  /** The output budget τ of `outputTol` (null without it). */
  outputTol: number | null;
}

/**
 * The sign symmetry σ(−z) = s·σ(z) + c of an activation, when it has one: its `reflection` in mlp's activation
 * table — odd (tanh, sin, linear: s = −1, c = 0), even (quadratic: s = 1, c = 0), sigmoid (s = −1, c = 1). Null
 * otherwise.
 */
function signSymmetry(a: Activation): { s: number; c: number } | null {
  return activationEntry(a)?.reflection ?? null;
}

/** σ(kz) = k·σ(z) for every k > 0 (linear, relu, leaky-relu): `positivelyHomogeneous` in mlp's activation table. */
function positivelyHomogeneous(a: Activation): boolean {
  return activationEntry(a)?.positivelyHomogeneous === true;
}

/**
 * Reduce a network to the narrowest one with the same output — the inverse of critical embeddings: the reduction
 * operator of Zhang, Zhang & Luo (arXiv:2405.17501) and, for odd activations such as tanh, the lossless
 * compression of Farrugia-Roberts (arXiv:2306.02834) with its sign symmetry. Layer by layer (l = 1..L−1),
 * repeated until nothing changes:
 * 1. merge neurons with equal incoming weights and bias uᵢ ≈ uⱼ, summing outgoing weights ("duplicate"), and for
 *    an activation with σ(−z) = sσ(z) + c also uᵢ ≈ −uⱼ: W^{l+1}_{·i} += s·W^{l+1}_{·j}, b^{l+1} += c·W^{l+1}_{·j}
 *    ("duplicate-up-to-sign"); for a positively homogeneous activation (σ(kz) = kσ(z), k > 0: linear, relu,
 *    leaky-relu) also uⱼ ≈ k·uᵢ with k > 0: W^{l+1}_{·i} += k·W^{l+1}_{·j}, and with the sign symmetry k < 0:
 *    W^{l+1}_{·i} += s·|k|·W^{l+1}_{·j}, b^{l+1} += c·W^{l+1}_{·j} ("duplicate-up-to-scale"; neurons with
 *    vanishing incoming weights are left to rule 3). A merged neuron keeps the mean of its group's aligned incoming
 *    vectors uⱼ/k;
 * 2. drop neurons whose outgoing weights W^{l+1}_{·j} vanish ("zero-outgoing");
 * 3. fold neurons constant on the inputs (Wˡⱼ = 0, so hⱼ = σ(bⱼ)) into the next bias b^{l+1} += W^{l+1}_{·j}σ(bⱼ)
 *    ("constant"; needs biases, or σ(bⱼ) = 0);
 * 4. with `data` and `constantOnData` or `outputTol`, once more per layer on the data's activations hˡ: fold neurons
 *    constant on the data ("constant-on-data"), and with `outputTol` = τ greedily fold or merge the cheapest
 *    neurons (hⱼ ≈ k·hᵢ + c by least squares, candidates by the direction of their incoming weights) while
 *    max|f_reduced − f| ≤ τ on the data ("merged-on-data"). These are exact on the data only.
 * Exact for exact embeddings; for trained nets whose condensed neurons are close but not equal, choose `tol` and
 * read maxOutputDiff (and the losses). Removed neurons are reported with their index in the input model.
 * @example
 * const r = reduceNetwork(splitNeuron(model, { layer: 1, neuron: 0, alpha: 0.3 }));
 * r.widthsAfter; // model.widths
 */
export function reduceNetwork(model: Model, options: ReduceOptions = {}): ReduceResult {
  const fn = "reduceNetwork";
  options = checkOptions(fn, options, ["tol", "data", "constantOnData", "outputTol", "probes", "seed"]);
  let layers = toLayers(fn, model);
  const tol = options.tol ?? DEFAULT_REDUCE_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  const probes = options.probes ?? 64;
  checkNumber(fn, "probes", probes, { min: 0, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  // The validated data (x and y as Mats) is what the rest reads: plain rows reached the probes unconverted.
  const data = options.data !== undefined ? validateData(model, options.data, fn) : undefined;
  const outputTol = options.outputTol ?? null;
  if (outputTol !== null) checkNumber(fn, "outputTol", outputTol, { min: 0 });
  if (options.constantOnData !== undefined) checkBoolean(fn, "constantOnData", options.constantOnData);
  const onData = outputTol !== null || options.constantOnData === true;
  if (onData && data === undefined) {
    throw new ValueError(`${fn}: '${outputTol !== null ? "outputTol" : "constantOnData"}' needs 'data' (the reduction is exact on the data only); found no data`);
  }
  const bias = model.bias ?? true;
  const L = layers.length;
  const ids: number[][] = model.widths.map((w) => Array.from({ length: w }, (_, i) => i));
  const removed: RemovedNeuron[] = [];
  let passes = 0;
  let changed = true;
  while (changed) {
    changed = false;
    passes++;
    for (let l = 1; l < L; l++) {
      const a = hiddenActivation(model, l);
      const r = reduceLayer(layers, l, a, bias, tol, ids[l]);
      if (r.length > 0) {
        changed = true;
        for (const x of r) removed.push({ ...x, layer: l });
      }
    }
  }
  if (onData) {
    const d = data!;
    const f0 = outputTol !== null ? forward(model, d.x).data : new Float64Array(0);
    for (let l = 1; l < L; l++) {
      const a = hiddenActivation(model, l);
      const H = hiddenActivations(fromLayers(model, layers), d.x)[l - 1];
      const alive = new Array<boolean>(H.cols).fill(true);
      const found = constantOnData(H, layers[l], bias, tol, alive);
      if (outputTol !== null) found.push(...greedyOnData(H, layers[l - 1], layers[l], a, bias, alive, { tail: tailFrom(model, layers, l + 1), f0, outputTol }));
      if (found.length === 0) continue;
      const out = found.map(({ j, reason, into }) => ({ layer: l, neuron: ids[l][j], reason, ...(into !== undefined ? { into: ids[l][into] } : {}) }));
      dropNeurons(layers, l, bias, alive, ids[l], out);
      removed.push(...out);
    }
  }
  const reduced = fromLayers(model, layers);
  layers = [];
  let maxOutputDiffData: number | null = null;
  let lossBefore: number | null = null;
  let lossAfter: number | null = null;
  let probeX;
  if (data !== undefined) {
    const d = data;
    maxOutputDiffData = maxAbsDiff(forward(model, d.x).data, forward(reduced, d.x).data);
    lossBefore = riskOf(model, d);
    lossAfter = riskOf(reduced, d);
    probeX = probeInputs(d.x, probes, seed);
  } else {
    const dIn = model.widths[0];
    const unit = { rows: 2, cols: dIn, data: new Float64Array(2 * dIn).map((_, k) => (k < dIn ? 0.5 : -0.5)) };
    probeX = probeInputs(unit, probes, seed); // mean 0, sd 0.5 → N(0, I) probes
  }
  const maxOutputDiffProbes = probes > 0 ? maxAbsDiff(forward(model, probeX).data, forward(reduced, probeX).data) : 0;
  return {
    model: reduced,
    widthsBefore: model.widths.slice(),
    widthsAfter: reduced.widths.slice(),
    removed,
    maxOutputDiff: Math.max(maxOutputDiffData ?? 0, maxOutputDiffProbes),
    maxOutputDiffData,
    maxOutputDiffProbes,
    mMin: reduced.widths.slice(1, -1),
    lossBefore,
    lossAfter,
    passes,
    tol,
    outputTol,
  };
}

/**
 * The outputs on the data from the pre-activations Z (n × m_k) of layer k: σ_k, then layers k+1..L of `layers`
 * (the output activation last). A plain loop: only the layers after the one being reduced.
 */
function tailFrom(model: Model, layers: EditableLayer[], k: number): (Z: Float64Array) => Float64Array {
  const L = layers.length;
  return (Z) => {
    let cur = Z;
    for (let l = k; ; l++) {
      cur = applyActivation(l === L ? (model.output ?? "linear") : hiddenActivation(model, l), cur);
      if (l === L) return cur;
      const { rows: r, cols: c, W, b } = layers[l];
      const n = cur.length / c;
      const next = new Float64Array(n * r);
      for (let i = 0; i < n; i++)
        for (let o = 0; o < r; o++) {
          let s = b.length > 0 ? b[o] : 0;
          for (let j = 0; j < c; j++) s += W[o * c + j] * cur[i * c + j];
          next[i * r + o] = s;
        }
      cur = next;
    }
  };
}

/** One reduction sweep of hidden layer l (in place); returns the removals with original indices. */
function reduceLayer(layers: EditableLayer[], l: number, a: Activation, bias: boolean, tol: number, ids: number[]): Omit<RemovedNeuron, "layer">[] {
  const inL = layers[l - 1];
  const outL = layers[l];
  const m = inL.rows;
  const p = inL.cols;
  const r = outL.rows;
  const u = (j: number, k: number) => (k < p ? inL.W[j * p + k] : inL.b[j]);
  const q = p + (bias ? 1 : 0);
  // The layer's own scale (not max(1, ·), which made the tolerance absolute on small-weight nets).
  let S = 0;
  for (let j = 0; j < m; j++) for (let k = 0; k < q; k++) S = Math.max(S, Math.abs(u(j, k)));
  let So = 0;
  for (let k = 0; k < outL.W.length; k++) So = Math.max(So, Math.abs(outL.W[k]));
  const thr = tol * S;
  const thrOut = tol * So;
  const out: Omit<RemovedNeuron, "layer">[] = [];
  const keep = new Array<boolean>(m).fill(true);
  const outCol = (j: number) => {
    let mx = 0;
    for (let i = 0; i < r; i++) mx = Math.max(mx, Math.abs(outL.W[i * m + j]));
    return mx;
  };
  // 1. duplicates (greedy grouping around the first member); member j of a group has uⱼ ≈ k·u_rep
  const sym = signSymmetry(a);
  const useSym = sym !== null && (sym.c === 0 || bias);
  const homogeneous = positivelyHomogeneous(a);
  const inMax = (j: number) => {
    let mx = 0;
    for (let k = 0; k < p; k++) mx = Math.max(mx, Math.abs(inL.W[j * p + k]));
    return mx;
  };
  /** The least-squares k in uⱼ ≈ k·u_rep when it fits to thr and σ(k·z) is a multiple of σ(z) plus a constant. */
  const scaleOf = (j: number, rep: number): number | null => {
    if (!homogeneous || inMax(j) <= thr || inMax(rep) <= thr) return null;
    let uv = 0;
    let vv = 0;
    for (let k = 0; k < q; k++) {
      uv += u(j, k) * u(rep, k);
      vv += u(rep, k) * u(rep, k);
    }
    const f = uv / vv;
    if (!(f > 0 || (f < 0 && useSym))) return null;
    let d = 0;
    for (let k = 0; k < q; k++) d = Math.max(d, Math.abs(u(j, k) - f * u(rep, k)));
    return d <= thr ? f : null;
  };
  const groups: { rep: number; members: { j: number; k: number; reason: RemovalReason }[] }[] = [];
  for (let j = 0; j < m; j++) {
    if (!keep[j]) continue;
    let placed = false;
    for (const g of groups) {
      let dp = 0;
      let dm = 0;
      for (let k = 0; k < q; k++) {
        dp = Math.max(dp, Math.abs(u(j, k) - u(g.rep, k)));
        dm = Math.max(dm, Math.abs(u(j, k) + u(g.rep, k)));
      }
      if (dp <= thr) {
        g.members.push({ j, k: 1, reason: "duplicate" });
        placed = true;
      } else if (useSym && dm <= thr) {
        g.members.push({ j, k: -1, reason: "duplicate-up-to-sign" });
        placed = true;
      } else {
        const f = scaleOf(j, g.rep);
        if (f !== null) {
          g.members.push({ j, k: f, reason: "duplicate-up-to-scale" });
          placed = true;
        }
      }
      if (placed) break;
    }
    if (!placed) groups.push({ rep: j, members: [{ j, k: 1, reason: "duplicate" }] });
  }
  for (const g of groups) {
    if (g.members.length === 1) continue;
    const mean = new Float64Array(q);
    for (const { j, k: f } of g.members) for (let k = 0; k < q; k++) mean[k] += u(j, k) / f / g.members.length;
    for (let k = 0; k < p; k++) inL.W[g.rep * p + k] = mean[k];
    if (bias) inL.b[g.rep] = mean[p];
    for (const { j, k: f, reason } of g.members) {
      if (j === g.rep) continue;
      for (let i = 0; i < r; i++) {
        const w = outL.W[i * m + j];
        // hⱼ = σ(f·z_rep) = f·h_rep (f > 0), s·|f|·h_rep + c (f < 0; f = −1 the sign symmetry itself)
        if (f === 1) outL.W[i * m + g.rep] += w;
        else if (f === -1) {
          outL.W[i * m + g.rep] += sym!.s * w;
          if (bias) outL.b[i] += sym!.c * w;
        } else if (f > 0) outL.W[i * m + g.rep] += f * w;
        else {
          outL.W[i * m + g.rep] += sym!.s * -f * w;
          if (bias) outL.b[i] += sym!.c * w;
        }
      }
      keep[j] = false;
      out.push({ neuron: ids[j], reason, into: ids[g.rep] });
    }
  }
  // 2. zero outgoing weights; 3. constant neurons (after merging, so that small split shares are summed first)
  for (let j = 0; j < m; j++) {
    if (!keep[j]) continue;
    if (outCol(j) <= thrOut) {
      keep[j] = false;
      out.push({ neuron: ids[j], reason: "zero-outgoing" });
      continue;
    }
    let win = 0;
    for (let k = 0; k < p; k++) win = Math.max(win, Math.abs(inL.W[j * p + k]));
    if (win <= thr) {
      const h = sigma(a, bias ? inL.b[j] : 0).value;
      if (bias) {
        for (let i = 0; i < r; i++) outL.b[i] += outL.W[i * m + j] * h;
      } else if (Math.abs(h) * outCol(j) > thrOut) {
        continue; // cannot fold a non-zero constant without a bias
      }
      keep[j] = false;
      out.push({ neuron: ids[j], reason: "constant" });
    }
  }
  if (out.length === 0) return out;
  dropNeurons(layers, l, bias, keep, ids, out);
  return out;
}

/**
 * Remove the neurons of hidden layer l with keep[j] false (their outgoing weights already folded elsewhere) and
 * renumber `ids`; a layer left empty keeps one null neuron (zero incoming weights, bias and outgoing weights, so it
 * adds nothing: W·σ(0) = 0) so the net stays well formed, and that neuron's entry leaves `removals`. Nothing is folded
 * for it: neuron 0's own contribution was already folded (or was negligible) when it was removed.
 */
function dropNeurons(layers: EditableLayer[], l: number, bias: boolean, keep: boolean[], ids: number[], removals: { neuron: number }[]): void {
  const inL = layers[l - 1];
  const outL = layers[l];
  const m = inL.rows;
  const p = inL.cols;
  const r = outL.rows;
  const kept = keep.flatMap((k, j) => (k ? [j] : []));
  if (kept.length === 0) {
    kept.push(0);
    inL.W.fill(0, 0, p);
    if (bias) inL.b[0] = 0;
    for (let i = 0; i < r; i++) outL.W[i * m] = 0;
    const idx = removals.findIndex((x) => x.neuron === ids[0]);
    if (idx >= 0) removals.splice(idx, 1);
  }
  const m2 = kept.length;
  const W1 = new Float64Array(m2 * p);
  const b1 = new Float64Array(bias ? m2 : 0);
  const W2 = new Float64Array(r * m2);
  kept.forEach((j, jj) => {
    W1.set(inL.W.subarray(j * p, (j + 1) * p), jj * p);
    if (bias) b1[jj] = inL.b[j];
    for (let i = 0; i < r; i++) W2[i * m2 + jj] = outL.W[i * m + j];
  });
  layers[l - 1] = { rows: m2, cols: p, W: W1, b: b1 };
  layers[l] = { rows: r, cols: m2, W: W2, b: outL.b };
  const newIds = kept.map((j) => ids[j]);
  ids.length = 0;
  ids.push(...newIds);
}
