import { checkEighOrder, checkNumber, DEFAULT_INERTIA_TOL, eigh, nrm2, ValueError, checkOptions } from "@losscape/core";
import { backpropagate, createRng, hessian, hessianVectorProduct, hiddenActivations, lossAndGradient, loss, paramCount, type Dataset, type DatasetInput, type ModelInput } from "@losscape/mlp";
import { criticalGradientTol, maxAbs } from "./certificate.js";
import { checkLift, defaultLiftActivation, liftDepth, type LiftResult } from "./depth.js";
import { sigma } from "./layers.js";

/** Options of `strictSaddleLift`. */
export interface StrictSaddleLiftOptions {
  /** q: the new layer reads the output of layer q (0..L − 1), as in `liftDepth`. */
  layer: number;
  /** Random starts of the search for the extra neuron (default 32). */
  starts?: number;
  /** Seed of the starts (default 0). */
  seed?: number;
  /** Strict saddle when λ_min < −tol·max|λ| (default `DEFAULT_INERTIA_TOL`). */
  tol?: number;
  /** α and δ of the affine part of the lift (`liftDepth`'s scale and margin, default 1). */
  scale?: number;
  margin?: number;
}

/** What `strictSaddleLift` returns. */
export interface StrictSaddleLift {
  /** The lifted point: the affine lift at layer q plus one extra neuron σ(wᵀh̃) with zero outgoing weight. */
  lift: LiftResult;
  /** The extra neuron's incoming weights a and bias c (w = [a; c]). */
  neuron: { weights: number[]; bias: number };
  /** S: the rows where the extra neuron is active (wᵀh̃ᵢ > 0). */
  activeRows: number[];
  /** ‖G_S w‖ / ‖G_S‖‖w‖ (0 up to rounding: the lifted point is critical) and ‖G_S‖_F, G_S = Σ_{i∈S} δᵢh̃ᵢᵀ. */
  residual: number;
  partialSumNorm: number;
  /** min_i |wᵀh̃ᵢ| / max_i |wᵀh̃ᵢ| (> 0: no row on the extra neuron's kink). */
  kinkDistance: number;
  loss: number;
  gradNorm: number;
  gtol: number;
  /** The smallest eigenvalue of the lifted Hessian, max|λ|, and the unit eigenvector v (the witness direction). */
  minEigenvalue: number;
  hessianNorm: number;
  direction: Float64Array;
  /** vᵀHv recomputed with the R-operator Hessian-vector product (independent of the eigensolver). */
  curvature: number;
  /** The first t of 10⁻¹, 10⁻², … with R(θ + t·v) < R(θ), and R(θ + t·v) − R(θ) (a true descent, evaluated). */
  step: number;
  lossDrop: number;
  /** Critical (‖∇R‖ ≤ gtol), λ_min < −tol·max|λ|, vᵀHv < 0 and lossDrop < 0. */
  verified: boolean;
}

/**
 * A local minimum of a shallow net lifted to a strict saddle of a deeper one (the statement of Bai, Luo, Xu & Zhang,
 * arXiv:2205.13283, derived here from first principles; see `liftDepth`). The lifted point is the affine lift at
 * layer q plus one extra neuron g = σ(wᵀh̃) (h̃ = [hᵠ; 1]) with zero outgoing weight v: the outputs are unchanged,
 * ∂R/∂v = (1 − s)G_S w with G_S = Σ_{i∈S} δᵢh̃ᵢᵀ (S the rows where wᵀh̃ᵢ > 0, δᵢ the back-propagated error at layer
 * q + 1, s the leaky slope), ∂R/∂w = 0, and the Hessian on (v, w) is [[P, (1 − s)G_S], [(1 − s)G_Sᵀ, 0]]. So a w
 * with G_S w = 0 and G_S ≠ 0 — a partial gradient sum over S that does not vanish while the full one does — gives a
 * critical point with a negative eigenvalue, whatever the shallow point's inertia. The same sums decide every
 * kinked neuron k of a lifted critical point (outputs preserved, so δ is the shallow one): ∂R/∂vₖ = (1 − s)G_S wₖ and
 * ∂R/∂wₖ = (1 − s)G_Sᵀvₖ, so it needs wₖ ∈ null(G_S) and vₖ ∈ null(G_Sᵀ); with G_S of full rank (generic data)
 * that leaves vₖ = 0 when m_q + 1 > m_{q+1} and no kinked neuron at all when m_q + 1 ≤ m_{q+1} — kinked neurons
 * with non-zero outgoing weights, as in the split lifting, need partial sums that vanish. Within one pattern S the
 * condition is linear, so the search alternates: S from w, w projected onto null(G_S), until S is stable (random
 * starts; the m_{q+1} equations need m_q + 1 > m_{q+1} unknowns, else generically no such w exists). The witness is
 * checked independently: vᵀHv by the R-operator and R(θ + t·v) < R(θ) evaluated. Returns null when no start
 * converges to a pattern with 0 < |S| < n, no row on the kink and G_S ≠ 0 (seen at some minima of nets with a
 * one-dimensional input, whose hᵠ lie on a curve: in the case examined the zeros reached put a row on the kink).
 * relu and leaky-relu (s ≠ 1) only.
 * @example
 * const r = strictSaddleLift(localMin, data, { layer: 1 });
 * r?.verified; // true: λ_min < 0 and a descent from the lifted minimum
 */
export function strictSaddleLift(model: ModelInput, data: DatasetInput, options: StrictSaddleLiftOptions): StrictSaddleLift | null {
  const fn = "strictSaddleLift";
  options = checkOptions(fn, options, ["layer", "starts", "seed", "tol", "scale", "margin"]);
  const { m, d, q } = checkLift(fn, model, data, options?.layer);
  const starts = options.starts ?? 32;
  checkNumber(fn, "starts", starts, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  const act = defaultLiftActivation(m, q);
  const name = typeof act === "string" ? act : act.name;
  if ((name !== "relu" && name !== "leaky-relu") || sigma(act, -1).first === 1) {
    throw new ValueError(`${fn}: the extra neuron's negative curvature comes from the kink of σ; the new layer's activation must be relu or leaky-relu with slope ≠ 1, found '${name}'`);
  }
  const bias = m.bias ?? true;
  const n = d.x.rows;
  const mq = m.widths[q];
  const p = mq + (bias ? 1 : 0);
  const r = m.widths[q + 1];
  // the certificate eigendecomposes the lifted net's Hessian (a layer of m_q + 1 neurons inserted after layer q)
  checkEighOrder(fn, "the lifted net's Hessian", paramCount({ widths: [...m.widths.slice(0, q + 1), mq + 1, ...m.widths.slice(q + 1)], activation: "linear", bias }));
  const Hq = q === 0 ? d.x : hiddenActivations(m, d.x)[q - 1];
  const Ht = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < mq; j++) Ht[i * p + j] = Hq.data[i * mq + j];
    if (bias) Ht[i * p + mq] = 1;
  }
  const delta = backpropagate(m, d).deltas[q].data;
  let scaleG = 0;
  for (let i = 0; i < n; i++) scaleG += nrm2(delta.subarray(i * r, (i + 1) * r)) * nrm2(Ht.subarray(i * p, (i + 1) * p));
  const rng = createRng(seed);
  for (let start = 0; start < starts && p > r; start++) {
    const w = normalize(Float64Array.from({ length: p }, () => rng.normal()));
    if (bias) {
      // the bias through the median row, so that S starts near half the data
      const z = Array.from({ length: n }, (_, i) => dotRow(Ht, i, p, w) - w[mq]).sort((a, b) => a - b);
      w[mq] = -z[n >> 1] + 1e-3 * rng.normal();
    }
    const found = patternFixedPoint(w, Ht, delta, n, p, r);
    if (found === null) continue;
    const { S, G, z } = found;
    const Gn = nrm2(G);
    const zmax = maxAbs(z);
    let zmin = Infinity;
    for (const v of z) zmin = Math.min(zmin, Math.abs(v));
    if (S.length === 0 || S.length === n || !(Gn > 1e-8 * scaleG) || !(zmin > 1e-8 * zmax)) continue;
    let Gw = 0;
    for (let o = 0; o < r; o++) Gw = Math.hypot(Gw, dotRow(G, o, p, w));
    const lift = liftDepth(m, d, {
      layer: q,
      ...(options.scale === undefined ? {} : { scale: options.scale }),
      ...(options.margin === undefined ? {} : { margin: options.margin }),
      extraNeurons: [{ weights: w.subarray(0, mq), bias: bias ? w[mq] : 0 }],
    });
    return certifySaddle(lift, d, { w, mq, bias, S, residual: Gw / (Gn * nrm2(w)), partialSumNorm: Gn, kinkDistance: zmin / zmax, tol });
  }
  return null;
}

function normalize(w: Float64Array): Float64Array {
  const s = nrm2(w);
  return w.map((v) => v / s);
}

function dotRow(A: Float64Array, i: number, p: number, w: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < p; j++) s += A[i * p + j] * w[j];
  return s;
}

/**
 * Alternate S = {i: wᵀh̃ᵢ > 0} and w ← the projection of w onto null(G_S) (normalized) until S repeats; null when
 * it does not settle in 100 rounds or null(G_S) = {0}. G_S is r × p, row-major.
 */
function patternFixedPoint(w: Float64Array, Ht: Float64Array, delta: Float64Array, n: number, p: number, r: number): { S: number[]; G: Float64Array; z: Float64Array } | null {
  let prev = "";
  for (let round = 0; round < 100; round++) {
    const z = Float64Array.from({ length: n }, (_, i) => dotRow(Ht, i, p, w));
    const S: number[] = [];
    for (let i = 0; i < n; i++) if (z[i] > 0) S.push(i);
    const G = new Float64Array(r * p);
    for (const i of S) for (let o = 0; o < r; o++) for (let j = 0; j < p; j++) G[o * p + j] += delta[i * r + o] * Ht[i * p + j];
    const key = S.join(",");
    if (key === prev) return { S, G, z };
    prev = key;
    // null(G) from GᵀG: the eigenvectors of its p − r smallest eigenvalues
    const GtG = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let o = 0; o < r; o++) GtG[a * p + b] += G[o * p + a] * G[o * p + b];
    const { vectors } = eigh({ rows: p, cols: p, data: GtG });
    const next = new Float64Array(p);
    for (let k = 0; k < p - r; k++) {
      let c = 0;
      for (let j = 0; j < p; j++) c += vectors.data[j * p + k] * w[j];
      for (let j = 0; j < p; j++) next[j] += c * vectors.data[j * p + k];
    }
    const s = nrm2(next);
    if (!(s > 1e-12)) return null;
    w.set(next.map((v) => v / s));
  }
  return null;
}

function certifySaddle(
  lift: LiftResult,
  d: Dataset,
  o: { w: Float64Array; mq: number; bias: boolean; S: number[]; residual: number; partialSumNorm: number; kinkDistance: number; tol: number },
): StrictSaddleLift {
  const deep = lift.model;
  const { loss: R, gradient } = lossAndGradient(deep, d);
  const { values, vectors } = eigh(hessian(deep, d));
  const M = values.length;
  const direction = Float64Array.from({ length: M }, (_, i) => vectors.data[i * M]);
  const hv = hessianVectorProduct(deep, d, direction);
  let curvature = 0;
  for (let i = 0; i < M; i++) curvature += direction[i] * hv[i];
  const gradNorm = nrm2(gradient);
  const gtol = criticalGradientTol(values, deep.params);
  let step = 0;
  let lossDrop = 0;
  for (let t = 0.1; t >= 1e-8; t /= 10) {
    const best = Math.min(...[t, -t].map((u) => loss({ ...deep, params: deep.params.map((v, i) => v + u * direction[i]) }, d) - R));
    if (best < 0) {
      step = t;
      lossDrop = best;
      break;
    }
  }
  const hessianNorm = maxAbs(values);
  return {
    lift,
    neuron: { weights: Array.from(o.w.subarray(0, o.mq)), bias: o.bias ? o.w[o.mq] : 0 },
    activeRows: o.S,
    residual: o.residual,
    partialSumNorm: o.partialSumNorm,
    kinkDistance: o.kinkDistance,
    loss: R,
    gradNorm,
    gtol,
    minEigenvalue: values[0],
    hessianNorm,
    direction,
    curvature,
    step,
    lossDrop,
    verified: gradNorm <= gtol && values[0] < -o.tol * hessianNorm && curvature < 0 && lossDrop < 0,
  };
}
