import { axpy, checkNumber, DEFAULT_INERTIA_TOL, dot, eigh, eigvalsh, inertiaFromEigenvalues, nrm2, ValueError, type Inertia, type Mat } from "@losscape/core";
import { DEFAULT_DISTINCT_TOL, DEFAULT_GTOL } from "./defaults.js";
import { initParams } from "./init.js";
import { Lbfgs } from "./lbfgs.js";
import { lossAndGradientRaw } from "./network.js";
import { Problem } from "./problem.js";
import { checkData, checkModel, compileSpec, type Net } from "./spec.js";
import type { Dataset, MlpSpec, Model } from "./types.js";

export interface RefineOptions {
  /** 'newton' (default): Levenberg–Marquardt on ∇R = 0; 'gradnorm': L-BFGS on ½‖∇R‖², then the same LM polish. */
  method?: "newton" | "gradnorm";
  /** Target ‖∇R‖ (default `DEFAULT_GTOL` = 1e-12). */
  gtol?: number;
  /** Iteration budget (default 200 LM iterations; 'gradnorm' also gets up to 20·maxIter L-BFGS iterations). */
  maxIter?: number;
  /** Relative zero tolerance of the inertia (default @losscape/core's `DEFAULT_INERTIA_TOL` = 1e-9). */
  tol?: number;
  signal?: AbortSignal;
}

export interface CriticalPoint {
  model: Model;
  loss: number;
  gradNorm: number;
  iterations: number;
  /** ‖∇R‖ ≤ gtol was reached. */
  converged: boolean;
  /** Hessian eigenvalues at the point, ascending. */
  eigenvalues: Float64Array;
  inertia: Inertia;
}

/**
 * Refine θ to a critical point of R (∇R = 0), minimum or saddle, until ‖∇R‖ ≤ gtol (default 1e-12).
 *
 * 'newton': Levenberg–Marquardt on the equations ∇R(θ) = 0 with the exact Hessian as their Jacobian: with
 * H = VΛVᵀ, the velocity is δ₁ = −V·diag(λᵢ/(λᵢ² + μ))·Vᵀ∇R = −(H² + μI)⁻¹H∇R, a damped pseudo-inverse Newton
 * step that stays bounded where H is singular (critical points of wide nets are degenerate) and indefinite
 * (saddles). Each step adds the geodesic acceleration δ₂ = −½(H² + μI)⁻¹H·∇³R[δ₁, δ₁] (Transtrum & Sethna 2012;
 * the third derivative by a central difference of exact HVPs) when it is small against δ₁, so steps follow the
 * curved valleys around degenerate critical sets instead of stalling in them; the better of δ₁ and δ₁ + δ₂ is
 * taken when it lowers ‖∇R‖. μ follows Nielsen's gain-ratio rule (μ·max(1/3, 1 − (2ρ − 1)³) on success, ×2, ×4,
 * … on failure), with μ ≥ (1e-12·max|λ|)²; the nearly undamped step (μ at that floor) is also tried once per
 * iteration, so a gradient lying in directions μ damps out is not left stuck at its rounding noise.
 * 'gradnorm': minimise ½‖∇R‖² (Pennington & Bahri 2017's way to land on saddles) by
 * L-BFGS with the gradient H∇R from the R-operator, then the LM polish. Returns the point with its loss,
 * ‖∇R‖, eigenvalues and inertia (|λ| ≤ tol·max(1, max|λ|) counts as zero). `converged` is ‖∇R‖ ≤ gtol at the
 * returned point, never assumed: where no critical point is near (e.g. a minimum at infinity, towards which
 * ‖∇R‖ only decays) it is false and `gradNorm` is the norm reached.
 * @example
 * const cp = refineCriticalPoint(model, data, { method: "newton" }); // cp.converged, cp.inertia
 */
export function refineCriticalPoint(model: Model, data: Dataset, options: RefineOptions = {}): CriticalPoint {
  const fn = "refineCriticalPoint";
  const net = checkModel(fn, model);
  checkData(fn, net, data);
  const o = checkRefineOptions(fn, options);
  return refineRaw(net, model, data, o);
}

function checkRefineOptions(fn: string, options: RefineOptions): Required<Omit<RefineOptions, "signal">> & { signal?: AbortSignal } {
  const method = options.method ?? "newton";
  if (method !== "newton" && method !== "gradnorm") throw new ValueError(`${fn}: 'method' must be 'newton' or 'gradnorm'; found ${String(method)}`);
  const gtol = options.gtol ?? DEFAULT_GTOL;
  checkNumber(fn, "gtol", gtol, { min: 0 });
  const maxIter = options.maxIter ?? 200;
  checkNumber(fn, "maxIter", maxIter, { min: 0, integer: true });
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  return { method, gtol, maxIter, tol, signal: options.signal };
}

function refineRaw(net: Net, model: Model, data: Dataset, o: ReturnType<typeof checkRefineOptions>): CriticalPoint {
  let p: Float64Array = Float64Array.from(model.params);
  let iterations = 0;
  // θ, X and Y stay in WASM memory for both phases: each evaluation only writes the new θ.
  using problem = new Problem("refineCriticalPoint", net, p, data);
  if (o.method === "gradnorm") {
    const phi = (x: Float64Array) => {
      const g = problem.setParamsUnchecked(x).gradient();
      const hg = problem.hvpUnchecked(g);
      return { value: 0.5 * dot(g, g), grad: hg };
    };
    const lb = new Lbfgs(phi, p);
    const budget = 20 * o.maxIter;
    // Stop the first-order phase once LM can take over (‖∇R‖ small) or progress stalls.
    while (iterations < budget && Math.sqrt(2 * lb.state.value) > Math.max(o.gtol, 1e-8) && !o.signal?.aborted) {
      if (!lb.step()) break;
      iterations++;
    }
    p = lb.state.x;
  }
  const lm = levenbergMarquardt(problem, p, o);
  p = lm.p;
  iterations += lm.iterations;
  const { loss, gradient } = problem.setParamsUnchecked(p).lossAndGradient();
  const gradNorm = nrm2(gradient);
  const eigenvalues = lm.hessian ? eigvalsh(lm.hessian) : problem.hessianEigenvalues();
  return {
    model: { ...model, params: p },
    loss,
    gradNorm,
    iterations,
    converged: gradNorm <= o.gtol,
    eigenvalues,
    inertia: inertiaFromEigenvalues(eigenvalues, { tol: o.tol }),
  };
}

/** LM on ∇R = 0 from p0. `hessian`: H at the returned p when the last iteration built it (no step accepted), else null. */
function levenbergMarquardt(
  problem: Problem,
  p0: Float64Array,
  o: { gtol: number; maxIter: number; signal?: AbortSignal },
): { p: Float64Array; iterations: number; hessian: Mat | null } {
  let p: Float64Array = p0;
  let g = problem.setParamsUnchecked(p).gradient();
  let gn = nrm2(g);
  let mu = -1;
  let nu = 2;
  let it = 0;
  let hessian: Mat | null = null;
  const M = p.length;
  const grad = (x: Float64Array) => problem.setParamsUnchecked(x).gradient();
  // Past gtol, up to 3 polishing iterations run while they still lower ‖∇R‖ (to working precision), so the
  // reported point and its spectrum are as accurate as float64 allows.
  let polish = 0;
  while (it < o.maxIter && (gn > o.gtol || polish < 3) && Number.isFinite(gn) && gn > 0 && !o.signal?.aborted) {
    if (gn <= o.gtol) polish++;
    it++;
    const H = problem.setParamsUnchecked(p).hessian();
    const { values: lam, vectors: V } = eigh(H);
    let lmax = 0;
    for (let i = 0; i < M; i++) lmax = Math.max(lmax, Math.abs(lam[i]));
    const muMin = (MU_FLOOR * Math.max(lmax, 1e-300)) ** 2;
    if (mu < 0) mu = Math.max(1e-6 * lmax * lmax, muMin);
    const c = toEigenbasis(V.data, M, g);
    let pmax = 0; // ‖θ‖∞, the scale of the Newton step bound and of the geodesic difference step
    for (let i = 0; i < M; i++) pmax = Math.max(pmax, Math.abs(p[i]));
    type Trial = { p: Float64Array; g: Float64Array; n: number; pred: number };
    // One trial at damping m: the velocity δ₁ = −V diag(λ/(λ² + m)) c, alone and with its geodesic correction;
    // the better of the two, with the decrease of ‖∇R‖² the linear model ∇R + Hδ₁ predicts.
    const trial = (m: number, maxStep: number): Trial | null => {
      const coef = new Float64Array(M);
      let pred = 0;
      for (let j = 0; j < M; j++) {
        const den = lam[j] * lam[j] + m;
        coef[j] = -(lam[j] * c[j]) / den;
        const rest = (m * c[j]) / den;
        pred += c[j] * c[j] - rest * rest;
      }
      const d1 = fromEigenbasis(V.data, M, coef);
      if (!(nrm2(d1) <= maxStep)) return null;
      let best: Trial | null = null;
      const consider = (pn: Float64Array) => {
        if (!pn.every(Number.isFinite)) return;
        const gnew = grad(pn);
        const nn = nrm2(gnew);
        if (Number.isFinite(nn) && (best === null || nn < best.n)) best = { p: pn, g: gnew, n: nn, pred };
      };
      const p1 = axpy(1, d1, Float64Array.from(p));
      consider(p1);
      const d2 = geodesicAcceleration(problem, p, pmax, d1, lam, V.data, m);
      if (d2 !== null) consider(axpy(1, d2, Float64Array.from(p1)));
      return best;
    };
    // The nearly undamped step (pseudo-inverse Newton on the eigenvalues above MU_FLOOR·max|λ|), tried once per
    // iteration next to the LM step: where ∇R lies in directions that the current μ damps out, the LM step is too
    // short to lower ‖∇R‖ above its rounding noise, and raising μ on that failure would only shorten it further.
    const newton = mu <= 10 * muMin ? null : trial(muMin, 0.1 * (1 + pmax));
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      let b = trial(mu, Infinity);
      if (tries === 0 && newton !== null && (b === null || newton.n < b.n)) b = newton;
      if (b !== null && b.n < gn) {
        const rho = b.pred > 0 ? (gn * gn - b.n * b.n) / b.pred : 1;
        p = b.p;
        g = b.g;
        gn = b.n;
        mu = Math.max(mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3), muMin);
        nu = 2;
        accepted = true;
        break;
      }
      mu *= nu;
      nu *= 2;
      if (!Number.isFinite(mu)) break;
    }
    if (!accepted) {
      hessian = H; // p did not move: H is the Hessian at the returned point
      break; // ‖∇R‖ cannot be lowered further (working precision, or a local minimum of ‖∇R‖)
    }
  }
  return { p, iterations: it, hessian };
}

/** Damping floor: eigenvalues below MU_FLOOR·max|λ| are not inverted (they are at the level of rounding noise). */
const MU_FLOOR = 1e-12;

/**
 * Geodesic acceleration of LM (Transtrum & Sethna 2012): the second-order correction
 * δ₂ = −½(H² + μI)⁻¹H·∇³R[δ₁, δ₁] that bends the step along the curved valley of ∇R = 0. The directional third
 * derivative is the central difference of the exact HVP along u = δ₁/‖δ₁‖: ∇³R[u, u] ≈ (H(θ + su)u − H(θ − su)u)/2s
 * with s = 1e-4·(1 + ‖θ‖∞) (error O(s²), rounding O(ε/s)); `pmax` is ‖θ‖∞. Null when the correction is not small
 * against the step (2‖δ₂‖ > 0.75‖δ₁‖, Transtrum's acceptance), i.e. the quadratic model is not trusted.
 */
function geodesicAcceleration(
  problem: Problem,
  p: Float64Array,
  pmax: number,
  d1: Float64Array,
  lam: Float64Array,
  V: Float64Array,
  mu: number,
): Float64Array | null {
  const M = p.length;
  const n1 = nrm2(d1);
  if (!(n1 > 0)) return null;
  const s = 1e-4 * (1 + pmax);
  const u = new Float64Array(M);
  for (let i = 0; i < M; i++) u[i] = d1[i] / n1;
  const hp = problem.setParamsUnchecked(axpy(s, u, Float64Array.from(p))).hvpUnchecked(u);
  const hm = problem.setParamsUnchecked(axpy(-s, u, Float64Array.from(p))).hvpUnchecked(u);
  const r2 = new Float64Array(M);
  for (let i = 0; i < M; i++) r2[i] = ((hp[i] - hm[i]) / (2 * s)) * n1 * n1;
  const e = toEigenbasis(V, M, r2);
  for (let j = 0; j < M; j++) e[j] = (-0.5 * lam[j] * e[j]) / (lam[j] * lam[j] + mu);
  const d2 = fromEigenbasis(V, M, e);
  if (!d2.every(Number.isFinite) || 2 * nrm2(d2) > 0.75 * n1) return null;
  return d2;
}

/** Vᵀx for V row-major M × M with eigenvectors in columns. */
function toEigenbasis(V: Float64Array, M: number, x: Float64Array): Float64Array {
  const c = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    const xi = x[i];
    for (let j = 0; j < M; j++) c[j] += V[i * M + j] * xi;
  }
  return c;
}

/** Vc. */
function fromEigenbasis(V: Float64Array, M: number, c: Float64Array): Float64Array {
  const x = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let s = 0;
    for (let j = 0; j < M; j++) s += V[i * M + j] * c[j];
    x[i] = s;
  }
  return x;
}

export interface FindOptions extends RefineOptions {
  /** Number of random starts (default 20). */
  starts?: number;
  /** Seed of the starts (default 0); start k uses initParams(spec, { scheme, std, seed: seed + k }). */
  seed?: number;
  /** Initialisation of the starts: default 'normal' with std 1. */
  init?: "normal" | "xavier" | "he";
  std?: number;
  /** Relative tolerance under which two points count as the same: losses and spectra agree to it (default `DEFAULT_DISTINCT_TOL` = 1e-6). */
  distinctTol?: number;
  /**
   * Also descend the loss from every start (up to `descentIter` L-BFGS iterations, default 500) and refine the
   * end point, so minima are found as well as saddles (direct refinement is drawn to saddles). Default true.
   */
  descend?: boolean;
  descentIter?: number;
  /** Called after every start. */
  onProgress?: (p: { start: number; starts: number; found: number }) => void;
}

export interface FoundCriticalPoint extends CriticalPoint {
  /** How many starts converged to this point (or to a symmetric copy with the same loss and spectrum). */
  hits: number;
}

/**
 * Multi-start search for critical points of R: `starts` seeded random initialisations, each refined with
 * `refineCriticalPoint` directly (drawn to saddles) and, with `descend`, after an L-BFGS descent of R (drawn to
 * minima); converged points are collected once each and returned sorted by loss, with loss,
 * ‖∇R‖, eigenvalues and inertia. Two points are the same when their losses agree to `distinctTol` (relative,
 * with an absolute floor of distinctTol·1e-6) and so do their sorted Hessian spectra (to distinctTol·max(1, max|λ|)):
 * copies under neuron permutations and sign flips (odd activations) have identical spectra and are merged.
 * Points of one connected critical set whose spectrum varies along it (degenerate saddles, e.g. with dead output
 * weights) are listed separately, each with its own spectrum.
 * @example
 * const points = findCriticalPoints({ widths: [1, 3, 1], activation: "tanh" }, data, { starts: 40, seed: 1 });
 */
export function findCriticalPoints(spec: MlpSpec, data: Dataset, options: FindOptions = {}): FoundCriticalPoint[] {
  const fn = "findCriticalPoints";
  const net = compileSpec(fn, spec);
  checkData(fn, net, data);
  const o = checkRefineOptions(fn, options);
  const starts = options.starts ?? 20;
  checkNumber(fn, "starts", starts, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const scheme = options.init ?? "normal";
  const std = options.std ?? 1;
  const dtol = options.distinctTol ?? DEFAULT_DISTINCT_TOL;
  checkNumber(fn, "distinctTol", dtol, { min: 0 });
  const found: FoundCriticalPoint[] = [];
  const { params: _drop, ...bare } = spec as Model;
  const descend = options.descend ?? true;
  const descentIter = options.descentIter ?? 500;
  checkNumber(fn, "descentIter", descentIter, { min: 0, integer: true });
  const collect = (params: Float64Array) => {
    const cp = refineRaw(net, { ...(bare as MlpSpec), params }, data, o);
    if (!cp.converged) return;
    const same = found.find((f) => samePoint(f, cp, dtol));
    if (same) same.hits++;
    else found.push({ ...cp, hits: 1 });
  };
  for (let k = 0; k < starts && !o.signal?.aborted; k++) {
    const params = initParams(spec, { scheme, std, seed: seed + k });
    collect(params);
    if (descend) {
      const lb = new Lbfgs((x) => {
        const e = lossAndGradientRaw(net, x, data);
        return { value: e.loss, grad: e.gradient };
      }, params);
      for (let it = 0; it < descentIter && nrm2(lb.state.grad) > 1e-8; it++) if (!lb.step()) break;
      collect(lb.state.x);
    }
    options.onProgress?.({ start: k + 1, starts, found: found.length });
  }
  return found.sort((a, b) => a.loss - b.loss);
}

function samePoint(a: CriticalPoint, b: CriticalPoint, tol: number): boolean {
  if (Math.abs(a.loss - b.loss) > tol * Math.max(Math.abs(a.loss), Math.abs(b.loss)) + tol * 1e-6) return false;
  const la = a.eigenvalues;
  const lb = b.eigenvalues;
  let scale = 1;
  for (let i = 0; i < la.length; i++) scale = Math.max(scale, Math.abs(la[i]), Math.abs(lb[i]));
  for (let i = 0; i < la.length; i++) if (Math.abs(la[i] - lb[i]) > tol * scale) return false;
  return true;
}
