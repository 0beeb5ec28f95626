// Small helpers shared by the modules of @losscape/manifold (not exported from the package index).
import { axpy, checkNumber, dot, nrm2, svd, ValueError, type Mat } from "@losscape/core";
import { DEFAULT_RANK_TOL } from "./defaults.js";
import { forward, jacobian, lossAndGradient, withParams, type Dataset, type Model } from "@losscape/mlp";

/** Residual vector f(xᵢ) − yᵢ flattened in the Jacobian's row order i·r + k. */
export function residuals(model: Model, data: Dataset): Float64Array {
  const f = forward(model, data.x).data;
  const r = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) r[i] = f[i] - data.y.data[i];
  return r;
}

/** Loss and gradient norm of a model. */
export function lossAndGradNorm(model: Model, data: Dataset): { loss: number; gradNorm: number } {
  const { loss, gradient } = lossAndGradient(model, data);
  return { loss, gradNorm: nrm2(gradient) };
}

/**
 * Minimum-norm Gauss–Newton step δ = −J⁺·res for the residual map θ ↦ f(X; θ) − Y, with J⁺ the pseudo-inverse
 * truncated at σᵢ > rankTol·σ_max (so the step stays in the row space of J: the component along the zero-loss
 * manifold's tangent space is zero to first order).
 */
export function gaussNewtonStep(J: Mat, res: Float64Array, rankTol: number): Float64Array {
  const { u, s, vt } = svd(J);
  const k = s.length;
  const M = J.cols;
  const step = new Float64Array(M);
  const thr = rankTol * (k ? s[0] : 0);
  for (let c = 0; c < k; c++) {
    if (!(s[c] > thr)) continue;
    let coef = 0;
    for (let i = 0; i < J.rows; i++) coef += u.data[i * k + c] * res[i];
    coef /= s[c];
    for (let j = 0; j < M; j++) step[j] -= coef * vt.data[c * M + j];
  }
  return step;
}

/**
 * Project θ onto the zero-loss set by damped minimum-norm Gauss–Newton iterations θ ← θ − t·J⁺(f − y), t halved
 * until the loss decreases (t = 1 near the set: quadratic convergence where J has constant rank; Ben-Israel 1966).
 * Stops when R ≤ lossTol, after maxIter steps, or when no step length decreases R.
 */
export function projectToZeroLossRaw(
  model: Model,
  data: Dataset,
  params: Float64Array,
  opts: { lossTol: number; maxIter: number; rankTol: number },
): { params: Float64Array; loss: number; iterations: number } {
  const n = data.x.rows;
  let p = params;
  let m = withParams(model, p);
  let res = residuals(m, data);
  let L = dot(res, res) / (2 * n);
  let it = 0;
  for (; it < opts.maxIter && L > opts.lossTol; it++) {
    const step = gaussNewtonStep(jacobian(m, data.x), res, opts.rankTol);
    let t = 1;
    let accepted = false;
    for (let h = 0; h < 30; h++, t /= 2) {
      const q = axpy(t, step, Float64Array.from(p));
      if (!q.every(Number.isFinite)) continue;
      const mq = withParams(model, q);
      const rq = residuals(mq, data);
      const Lq = dot(rq, rq) / (2 * n);
      if (Lq < L) {
        p = q;
        m = mq;
        res = rq;
        L = Lq;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  return { params: p, loss: L, iterations: it };
}

/**
 * The zero-loss set {θ : f(xᵢ; θ) = yᵢ ∀i} that the Gauss–Newton projection reaches is where R vanishes only for an
 * mse model without l2 (R = 1/(2n) Σᵢ‖f(xᵢ) − yᵢ‖²). Refuse the others by name: for cross-entropy the outputs are
 * logits, not targets, and with l2 > 0 the loss there is (l2/2)·‖θ‖², not 0 — the projection's residual loss
 * ½n‖f − y‖² would be reported as R.
 */
export function checkInterpolationLoss(fn: string, model: Model): void {
  const lossName = model.loss ?? "mse";
  if (lossName !== "mse") {
    throw new ValueError(`${fn}: 'loss' must be "mse" (the zero-loss set f(xᵢ) = yᵢ is where the mse loss vanishes); found "${lossName}"`);
  }
  const l2 = model.l2 ?? 0;
  if (l2 !== 0) {
    throw new ValueError(`${fn}: 'l2' must be 0 (with l2 > 0 the loss on the zero-loss set f(xᵢ) = yᵢ is (l2/2)·‖θ‖², not 0); found ${l2}`);
  }
}

export function checkInt(fn: string, arg: string, v: unknown, min: number): asserts v is number {
  checkNumber(fn, arg, v, { integer: true, min });
}

export function checkParamsVector(fn: string, arg: string, v: ArrayLike<number>, M: number): void {
  if (!v || typeof (v as ArrayLike<number>).length !== "number" || v.length !== M) {
    throw new ValueError(`${fn}: '${arg}' must have length M = ${M} (the parameter count); found ${v ? v.length : String(v)}`);
  }
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new ValueError(`${fn}: '${arg}[${i}]' must be finite; found ${v[i]}`);
  }
}

/** Damped minimum-norm Gauss–Newton until R ≤ level (null when it cannot get there in maxIter steps). */
export function pullToLevel(model: Model, data: Dataset, p0: Float64Array, level: number, maxIter: number): Float64Array | null {
  const r = projectToZeroLossRaw(model, data, p0, { lossTol: level, maxIter, rankTol: DEFAULT_RANK_TOL });
  return r.loss <= level ? r.params : null;
}
