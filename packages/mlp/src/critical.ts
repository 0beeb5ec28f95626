import { axpy, checkBoolean, checkEighOrder, checkNumber, checkSignal, DEFAULT_INERTIA_TOL, dot, eigh, eigvalsh, inertiaFromEigenvalues, lanczos, minres, nrm2, ritzPairs, ShapeError, ValueError, zeroToleranceFromGap, type Inertia, type Mat, checkOptions } from "@losscape/core";
import { DEFAULT_DENSE_LIMIT, DEFAULT_DISTINCT_TOL, DEFAULT_SPECTRUM_LIMIT, DEFAULT_FLAT_TOL, DEFAULT_GTOL, DEFAULT_GTOL_REL } from "./defaults.js";
import { initParams } from "./init.js";
import { Lbfgs } from "./lbfgs.js";
import { HvpPart } from "./engine-ts.js";
import { forward, hvpRaw, lossAndGradientRaw } from "./network.js";
import { Problem } from "./problem.js";
import { Deflation } from "./symmetry.js";
import { asModel, checkData, checkModel, compileSpec, type Net } from "./spec.js";
import type { Dataset, DatasetInput, MlpSpec, Model, ModelInput } from "./types.js";

export interface RefineOptions {
  /**
   * 'newton' (default): Levenberg–Marquardt on ∇R = 0 with the exact Hessian; 'gradnorm': L-BFGS on ½‖∇R‖² until
   * ‖∇R‖ ≤ 1e-8, then the same LM (Pennington & Bahri 2017's way to land on saddles).
   */
  method?: "newton" | "gradnorm";
  /** Absolute target: critical when ‖∇R‖ ≤ max(gtol, gtolRel·‖|H|·max(1, |θ|)‖₂) (default `DEFAULT_GTOL` = 1e-12). */
  gtol?: number;
  /**
   * Relative target (default `DEFAULT_GTOL_REL` = ε = 2.2e-16): representing θ in float64 moves θᵢ by up to ε|θᵢ|,
   * which moves ∇R by up to ε·|H|·|θ| componentwise, so ‖∇R‖ below that scale cannot be asked of any point. 0 makes
   * `gtol` an absolute target.
   */
  gtolRel?: number;
  /** Bound on all iterations of the method, every phase counted (default 200 for 'newton', 5000 for 'gradnorm'). */
  maxIter?: number;
  /** Relative zero tolerance of the inertia (default @losscape/core's `DEFAULT_INERTIA_TOL` = 1e-9). */
  tol?: number;
  /** `gradient-flat` when ρ = ‖H∇R‖/(‖H‖₂‖∇R‖) ≤ this at a non-critical end point (default `DEFAULT_FLAT_TOL` = 1e-3). */
  flatTol?: number;
  /**
   * 'dense' (the default up to M = `DEFAULT_DENSE_LIMIT` = 1024 parameters): LM on the exact Hessian's
   * eigendecomposition. 'matrix-free' (the default above): Newton-MR on Hessian-vector products only (MINRES steps,
   * O(M) memory); the spectrum at the end point is computed densely up to M = 2048 and not at all above (then
   * `eigenvalues` and the inertias are null and `kind` is 'saddle' only where a Lanczos vector certifies vᵀHv < 0).
   * 'dense' asked for beyond `eigh`'s EIGH_MAX_ORDER = 10329 parameters is an OutOfMemoryError before any work.
   */
  hessian?: "dense" | "matrix-free";
  signal?: AbortSignal;
  /**
   * Called at the start of each phase and after every accepted iteration (and once at the end point, phase
   * 'classify', before its spectrum is computed), with the phase, the iterations done (all phases counted, at most
   * `maxIter`), R and ‖∇R‖ at the current iterate (`RefineProgress`). A run at 10⁴ parameters takes minutes: one call
   * per outer iteration (an eigendecomposition of H, or a MINRES solve of up to 200 Hessian-vector products). An
   * error it throws ends the run and propagates.
   */
  onProgress?: (p: RefineProgress) => void;
}

/**
 * Progress of `refineCriticalPoint`, passed to `onProgress`.
 * @example
 * refineCriticalPoint(model, data, { onProgress: (p) => console.log(p.phase, p.iteration, p.gradNorm) });
 */
export interface RefineProgress {
  /**
   * 'gradnorm': L-BFGS on ½‖∇R‖² (method 'gradnorm' only, first); 'levenberg-marquardt': LM on the dense Hessian;
   * 'newton-mr': Newton-MR on Hessian-vector products (matrix-free); 'classify': the end point's spectrum and outcome.
   */
  phase: "gradnorm" | "levenberg-marquardt" | "newton-mr" | "classify";
  /** Iterations done so far, every phase counted (the result's `iterations` at the end). */
  iteration: number;
  /** The budget of iterations, all phases counted (`maxIter`, or its default). */
  maxIter: number;
  /** R(θ) at the current iterate. */
  loss: number;
  /** ‖∇R(θ)‖₂ at the current iterate. */
  gradNorm: number;
}

/**
 * How a refinement ended (docs/conventions.md#critical-outcomes), decided in this order:
 * - `escaping`: over the second half of the accepted iterates ‖θ‖ grew by ≥ 10 % (and by ≥ 2.5 % over the last
 *   quarter) while ‖∇R‖ fell: the run follows
 *   a path to a critical point at infinity (saturating units; a minimum at infinity when R falls too), along which
 *   ‖∇R‖ only decays, below any gtol eventually;
 * - `critical`: ‖∇R‖ ≤ max(gtol, gtolRel·‖|H|·max(1, |θ|)‖₂), with R and that threshold finite;
 * - `gradient-flat`: ∇R lies in an approximate kernel of H, ρ = ‖H∇R‖/(‖H‖₂‖∇R‖) ≤ flatTol: a stationary region of
 *   ‖∇R‖² that is not critical (Frye et al. 2021), where Newton-type steps cannot lower ‖∇R‖;
 * - `stalled`: none of these (the iteration budget ran out, or no step lowered ‖∇R‖).
 */
export type CriticalOutcome = "critical" | "gradient-flat" | "escaping" | "stalled";

/** The second-order type of a critical point: a negative eigenvalue makes a saddle; no negative and no zero eigenvalue a strict minimum; otherwise the test is inconclusive. */
export type CriticalKind = "minimum" | "saddle" | "degenerate";

export interface CriticalPoint {
  model: Model;
  loss: number;
  gradNorm: number;
  iterations: number;
  outcome: CriticalOutcome;
  /** outcome === "critical". */
  converged: boolean;
  /** The threshold applied: max(gtol, gtolRel·‖|H|·max(1, |θ|)‖₂). */
  gtol: number;
  /** ρ = ‖H∇R‖/(‖H‖₂‖∇R‖) at the returned point (0 when ∇R = 0): small means ∇R lies in an approximate kernel of H. */
  flatness: number;
  /** ‖θ_end‖₂ / ‖θ_start‖₂ (Infinity from θ = 0 to θ ≠ 0). */
  normGrowth: number;
  /** Hessian eigenvalues at the point, ascending (null when matrix-free above M = 2048). */
  eigenvalues: Float64Array | null;
  /** Counts at `tol` (default 1e-9): |λ| ≤ tol·max(1, max|λ|) is zero (null without the spectrum). */
  inertia: Inertia | null;
  /** Counts at the spectral gap (core's `zeroToleranceFromGap`), null when the spectrum has no gap or is not known. */
  inertiaAtGap: (Inertia & { gapRatio: number }) | null;
  /** Counts at tol 1e-9 and 1e-6: when they differ the split into zero and non-zero is not sharp at this point. */
  inertiaRange: { tight: Inertia; loose: Inertia } | null;
  /** inertiaRange.tight and .loose agree (null without the spectrum). */
  inertiaStable: boolean | null;
  /** From `inertia`, and only for `critical` outcomes (null otherwise; without the spectrum only a certified 'saddle'). */
  kind: CriticalKind | null;
  /** How H entered: the dense Hessian, or Hessian-vector products only. */
  hessian: "dense" | "matrix-free";
}

/**
 * Refine θ to a critical point of R (∇R = 0), minimum or saddle, and say how the run ended (`outcome`).
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
 * 'gradnorm': minimise ½‖∇R‖² (Pennington & Bahri 2017's way to land on saddles) by L-BFGS with the gradient
 * H∇R from the R-operator until ‖∇R‖ ≤ 1e-8, then the LM polish; `maxIter` bounds both phases together.
 *
 * A start whose loss, gradient or H∇R is not finite (values beyond float64) is refused with a ValueError.
 * The outcome (`CriticalOutcome`) is decided at the returned point, never assumed: `escaping` when ‖θ‖ is still
 * growing, else `critical` when ‖∇R‖ ≤ max(gtol, gtolRel·‖|H|·max(1, |θ|)‖₂), else `gradient-flat` or `stalled`. `kind` is given for
 * critical points only. The inertia is reported three ways: at `tol`, at the spectral gap, and at 1e-9 and 1e-6
 * with a flag when these differ (docs/conventions.md#inertia).
 * @example
 * const cp = refineCriticalPoint(model, data, { method: "newton" }); // cp.outcome, cp.kind, cp.inertia
 */
export function refineCriticalPoint(model: ModelInput, data: DatasetInput, options: RefineOptions = {}): CriticalPoint {
  const fn = "refineCriticalPoint";
  options = checkOptions(fn, options, ["method", "gtol", "gtolRel", "maxIter", "tol", "flatTol", "hessian", "signal", "onProgress"]);
  model = asModel(model);
  const net = checkModel(fn, model);
  data = checkData(fn, net, data);
  const o = checkRefineOptions(fn, options);
  // 'dense' forms and eigendecomposes the M × M Hessian only after the first-order phase: its size is checked before
  // any work, at the limit of `eigh` (M ≤ EIGH_MAX_ORDER).
  if (o.hessian === "dense") checkEighOrder(fn, "'hessian' = 'dense' (use 'matrix-free' for larger nets): the Hessian", net.M);
  // A start whose loss or gradient is beyond float64 cannot be refined (it was called 'critical' with ‖∇R‖ ≈ 1e299 at
  // R = ∞, or failed inside eigvalsh or axpy on NaN): refused by name.
  const at = lossAndGradientRaw(net, model.params, data);
  if (!Number.isFinite(at.loss) || !at.gradient.every(Number.isFinite)) {
    throw new ValueError(`${fn}: the loss or its gradient is not finite at the starting parameters (R = ${at.loss}): the network's values overflow float64; scale the parameters down`);
  }
  // So is H∇R, which every step takes (Levenberg–Marquardt's −(H² + μI)⁻¹H∇R, the gradient of ½‖∇R‖²), where a finite
  // loss and gradient meet a Hessian whose product with them overflows (tanh weights ×1e150 on constant targets: it
  // reported 'critical' at ‖∇R‖ ≈ 1e150 with flatness ∞/∞ = NaN, or failed inside axpy on NaN).
  const hg = hvpRaw(net, model.params, data, at.gradient, HvpPart.Full);
  if (!hg.every(Number.isFinite)) {
    throw new ValueError(`${fn}: H∇R (the Hessian times the gradient, which every step takes) is not finite at the starting parameters (R = ${at.loss}, ‖∇R‖ = ${nrm2(at.gradient)}): the network's values overflow float64; scale the parameters down`);
  }
  return refineRaw(net, model, data, o);
}

type RefineSettings = Required<Omit<RefineOptions, "signal" | "hessian" | "onProgress">> & {
  hessian?: "dense" | "matrix-free";
  signal?: AbortSignal;
  onProgress?: (p: RefineProgress) => void;
};

function checkRefineOptions(fn: string, options: Omit<RefineOptions, "onProgress"> & { onProgress?: unknown }): RefineSettings {
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: 'options' must be an object; found ${String(options)}`);
  const method = options.method ?? "newton";
  if (method !== "newton" && method !== "gradnorm") throw new ValueError(`${fn}: 'method' must be 'newton' or 'gradnorm'; found ${String(method)}`);
  const gtol = options.gtol ?? DEFAULT_GTOL;
  checkNumber(fn, "gtol", gtol, { min: 0 });
  const gtolRel = options.gtolRel ?? DEFAULT_GTOL_REL;
  checkNumber(fn, "gtolRel", gtolRel, { min: 0 });
  const maxIter = options.maxIter ?? (method === "gradnorm" ? 5000 : 200);
  checkNumber(fn, "maxIter", maxIter, { min: 0, integer: true });
  const tol = options.tol ?? DEFAULT_INERTIA_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  const flatTol = options.flatTol ?? DEFAULT_FLAT_TOL;
  checkNumber(fn, "flatTol", flatTol, { min: 0 });
  checkSignal(fn, "signal", options.signal);
  const hessian = options.hessian;
  if (hessian !== undefined && hessian !== "dense" && hessian !== "matrix-free") throw new ValueError(`${fn}: 'hessian' must be 'dense' or 'matrix-free'; found ${String(hessian)}`);
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new ValueError(`${fn}: 'onProgress' must be a function; found ${onProgress === null ? "null" : Array.isArray(onProgress) ? "an array" : typeof onProgress === "string" ? JSON.stringify(onProgress) : typeof onProgress === "object" ? "an object" : String(onProgress)}`);
  }
  return { method, gtol, gtolRel, maxIter, tol, flatTol, hessian, signal: options.signal, onProgress: onProgress as RefineSettings["onProgress"] };
}

/** ‖θ‖₂, R and the step length ‖Δθ‖₂ at each accepted iterate, in order (the start first): what the `escaping` test reads. */
type Trace = { norm: number; loss: number; step: number }[];

function refineRaw(net: Net, model: Model, data: Dataset, o: RefineSettings, deflation?: Deflation): CriticalPoint {
  let p: Float64Array = Float64Array.from(model.params);
  let iterations = 0;
  // θ, X and Y stay in WASM memory for both phases: each evaluation only writes the new θ.
  using problem = new Problem("refineCriticalPoint", net, p, data);
  const start = problem.setParamsUnchecked(p);
  const trace: Trace = [{ norm: nrm2(p), loss: start.loss(), step: 0 }];
  const report = o.onProgress === undefined ? undefined : (phase: RefineProgress["phase"], loss: number, gradNorm: number) => o.onProgress!({ phase, iteration: iterations, maxIter: o.maxIter, loss, gradNorm });
  if (o.method === "gradnorm") {
    report?.("gradnorm", trace[0].loss, nrm2(start.gradient()));
    // R at the last point evaluated: the point an L-BFGS step accepts is the last one its line search evaluated,
    // so the trace takes R from there instead of another forward pass.
    let lastLoss = NaN;
    const phi = (x: Float64Array) => {
      const e = problem.setParamsUnchecked(x).lossAndGradient();
      lastLoss = e.loss;
      const hg = problem.hvpUnchecked(e.gradient);
      return { value: 0.5 * dot(e.gradient, e.gradient), grad: hg };
    };
    const lb = new Lbfgs(phi, p);
    // The first-order phase hands over to LM once ‖∇R‖ ≤ 1e-8 (LM's region of fast convergence), when progress
    // stalls, or when only LM's share of the budget is left (min(200, maxIter/2) iterations).
    const firstOrderBudget = o.maxIter - Math.min(200, Math.floor(o.maxIter / 2));
    while (iterations < firstOrderBudget && Math.sqrt(2 * lb.state.value) > Math.max(o.gtol, 1e-8) && !o.signal?.aborted) {
      if (!lb.step()) break;
      iterations++;
      trace.push({ norm: nrm2(lb.state.x), loss: lastLoss, step: distance(lb.state.x, p) });
      p = lb.state.x; // a new array at every accepted step
      report?.("gradnorm", lastLoss, Math.sqrt(2 * lb.state.value));
    }
    p = lb.state.x;
  }
  const mode = o.hessian ?? (net.M <= DEFAULT_DENSE_LIMIT ? "dense" : "matrix-free");
  // The second-order phase counts its iterations from 0: `report` adds the first phase's.
  const done = iterations;
  const phase = mode === "dense" ? "levenberg-marquardt" : "newton-mr";
  const onIteration = report === undefined ? undefined : (it: number, loss: number, gradNorm: number) => ((iterations = done + it), report(phase, loss, gradNorm));
  const second = { gtol: o.gtol, maxIter: o.maxIter - iterations, signal: o.signal, onIteration };
  const end = mode === "dense" ? levenbergMarquardt(problem, p, second, trace, deflation) : newtonMR(problem, p, second, trace, deflation);
  p = end.p;
  iterations = done + end.iterations;
  return classifyPoint(problem, model, p, iterations, trace, o, mode, end.hessian);
}

/** The returned record at θ = p: ‖∇R‖, the threshold, ρ, the spectrum, the three inertias, the outcome and kind. */
function classifyPoint(
  problem: Problem,
  model: Model,
  p: Float64Array,
  iterations: number,
  trace: Trace,
  o: RefineSettings,
  mode: "dense" | "matrix-free",
  hessianAtP: Mat | null,
): CriticalPoint {
  const { loss, gradient } = problem.setParamsUnchecked(p).lossAndGradient();
  const gradNorm = nrm2(gradient);
  o.onProgress?.({ phase: "classify", iteration: iterations, maxIter: o.maxIter, loss, gradNorm });
  const M = p.length;
  const thetaNorm = nrm2(p);
  let eigenvalues: Float64Array | null = null;
  let hNorm: number;
  let scale: number;
  let certifiedSaddle = false;
  if (mode === "dense" || M <= DEFAULT_SPECTRUM_LIMIT) {
    const H = hessianAtP ?? problem.hessian();
    eigenvalues = eigvalsh(H);
    hNorm = M === 0 ? 0 : Math.max(Math.abs(eigenvalues[0]), Math.abs(eigenvalues[M - 1]));
    scale = roundingScale(H, p);
  } else {
    // Lanczos from a fixed vector: the extreme Ritz values bound ‖H‖₂ from below, and the Ritz vector of the lowest
    // one certifies a negative eigenvalue when yᵀHy < 0 (Courant–Fischer).
    const ritz = ritzPairs(lanczos((v) => problem.hvpUnchecked(v), Float64Array.from({ length: M }, (_, i) => 1 + Math.sin(i + 1)), LANCZOS_STEPS));
    const k = ritz.values.length;
    hNorm = Math.max(Math.abs(ritz.values[0]), Math.abs(ritz.values[k - 1]));
    if (ritz.values[0] < -o.tol * Math.max(1, hNorm)) {
      const y = ritz.vector(0);
      certifiedSaddle = dot(y, problem.hvpUnchecked(y)) < -o.tol * Math.max(1, hNorm);
    }
    scale = hNorm * nrm2(Float64Array.from(p, (x) => Math.max(1, Math.abs(x))));
  }
  const gtol = Math.max(o.gtol, o.gtolRel * scale);
  const flatness = gradNorm > 0 && hNorm > 0 ? nrm2(problem.hvpUnchecked(gradient)) / (hNorm * gradNorm) : 0;
  const startNorm = trace[0].norm;
  const normGrowth = startNorm > 0 ? thetaNorm / startNorm : thetaNorm > 0 ? Infinity : 1;
  let outcome: CriticalOutcome;
  // A run still growing ‖θ‖ by 10 % over its second half is on its way to infinity, whatever ‖∇R‖ it reached
  // there (‖∇R‖ decays along such a run; a run converging to a finite point has stopped moving by then).
  if (isEscaping(trace)) outcome = "escaping";
  // A loss, ‖∇R‖ or threshold beyond float64 decides nothing: such a point is never called critical.
  else if (gradNorm <= gtol && Number.isFinite(loss) && Number.isFinite(gtol)) outcome = "critical";
  else if (flatness <= o.flatTol) outcome = "gradient-flat";
  else outcome = "stalled";
  const record = { model: { ...model, params: p }, loss, gradNorm, iterations, outcome, converged: outcome === "critical", gtol, flatness, normGrowth, hessian: mode };
  if (eigenvalues === null) {
    return { ...record, eigenvalues, inertia: null, inertiaAtGap: null, inertiaRange: null, inertiaStable: null, kind: outcome === "critical" && certifiedSaddle ? "saddle" : null };
  }
  const inertia = inertiaFromEigenvalues(eigenvalues, { tol: o.tol });
  const gap = M > 0 ? zeroToleranceFromGap(eigenvalues) : null;
  const tight = inertiaFromEigenvalues(eigenvalues, { tol: 1e-9 });
  const loose = inertiaFromEigenvalues(eigenvalues, { tol: 1e-6 });
  return {
    ...record,
    eigenvalues,
    inertia,
    inertiaAtGap: gap ? { ...inertiaFromEigenvalues(eigenvalues, { tol: gap.tol }), gapRatio: gap.gapRatio } : null,
    inertiaRange: { tight, loose },
    inertiaStable: tight.negative === loose.negative && tight.zero === loose.zero && tight.positive === loose.positive,
    kind: outcome === "critical" ? kindOfInertia(inertia) : null,
  };
}

/** Lanczos steps of the matrix-free classification above DEFAULT_SPECTRUM_LIMIT. */
const LANCZOS_STEPS = 40;

/**
 * ‖|H|·max(1, |θ|)‖₂ (componentwise): rounding θᵢ to float64 moves it by up to ε|θᵢ| (by ε where |θᵢ| < 1, the
 * scale of a step), which moves ∇R by up to ε·|H|·|θ| componentwise (Higham, Accuracy and Stability, §7.2).
 */
function roundingScale(H: Mat, p: Float64Array): number {
  const M = p.length;
  const rows = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let r = 0;
    for (let j = 0; j < M; j++) r += Math.abs(H.data[i * M + j]) * Math.max(1, Math.abs(p[j]));
    rows[i] = r;
  }
  // nrm2 scales as it sums (LAPACK's dnrm2): rows of 1e160 do not overflow their squares
  return nrm2(rows);
}

/** Minimum, saddle or degenerate from the counts (`CriticalKind`). */
function kindOfInertia(i: Inertia): CriticalKind {
  if (i.negative > 0) return "saddle";
  return i.zero > 0 ? "degenerate" : "minimum";
}

/**
 * The `escaping` test: at least 10 accepted iterates; from the middle one to the last ‖θ‖ grew by ≥ 10 %, and it was
 * still growing over the last quarter (by ≥ 2.5 %) with a last step longer than 1e-6·max(1, ‖θ‖). Every accepted
 * step lowered ‖∇R‖: the run converges to a critical point at infinity, a minimum when R fell. Saturating units make
 * such points: their curvature and gradient decay together as ‖θ‖ grows, and the steps along the escape stay long.
 * A run that ends at a finite point settles: its last (Newton) step is at the rounding level.
 */
function isEscaping(trace: Trace): boolean {
  const n = trace.length;
  if (n < 10) return false;
  const last = trace[n - 1];
  const settled = last.step <= 1e-6 * Math.max(1, last.norm);
  return !settled && last.norm >= ESCAPE_GROWTH * trace[Math.floor(n / 2)].norm && last.norm >= Math.sqrt(Math.sqrt(ESCAPE_GROWTH)) * trace[Math.floor((3 * n) / 4)].norm;
}

/** ‖a − b‖₂. */
function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** The `escaping` test's growth factor of ‖θ‖ over the second half of a run. */
const ESCAPE_GROWTH = 1.1;

/** The second-order phases' settings; `onIteration(it, R, ‖∇R‖)` at the start (it = 0) and after every accepted iteration. */
type SecondOrder = { gtol: number; maxIter: number; signal?: AbortSignal; onIteration?: (it: number, loss: number, gradNorm: number) => void };

/** LM on ∇R = 0 from p0. `hessian`: H at the returned p when the last iteration built it (no step accepted), else null. */
function levenbergMarquardt(
  problem: Problem,
  p0: Float64Array,
  o: SecondOrder,
  trace: Trace,
  deflation?: Deflation,
): { p: Float64Array; iterations: number; hessian: Mat | null } {
  let p: Float64Array = p0;
  let { g, gn, deflated, df, merit, loss } = startMerit(problem, p, deflation);
  o.onIteration?.(0, loss, gn);
  let mu = -1;
  let nu = 2;
  let it = 0;
  let hessian: Mat | null = null;
  const M = p.length;
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
    type Trial = { p: Float64Array; g: Float64Array; n: number; merit: number; df: typeof df; loss: number; pred: number };
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
      // The step δ₁ (+ δ₂): θ + δ₁ + δ₂, or with deflation θ + τ(δ₁ + δ₂) with τ = 1/(1 − ⟨∇log m, δ₁ + δ₂⟩), the
      // deflated Newton step (Farrell et al. 2015, by Sherman–Morrison).
      const consider = (step1: Float64Array, step2: Float64Array | null) => {
        let tau = 1;
        if (deflated) {
          const den = 1 - dot(df.gradLog, step1) - (step2 ? dot(df.gradLog, step2) : 0);
          if (Math.abs(den) > 1e-8) tau = 1 / den;
        }
        const pn = axpy(tau, step1, Float64Array.from(p));
        if (step2) axpy(tau, step2, pn);
        if (!pn.every(Number.isFinite)) return;
        const e = problem.setParamsUnchecked(pn).lossAndGradient();
        const nn = nrm2(e.gradient);
        const dfn = deflated && deflation ? deflation.factor(pn) : df;
        const mn = dfn.m * nn;
        if (Number.isFinite(mn) && (best === null || mn < best.merit)) best = { p: pn, g: e.gradient, n: nn, merit: mn, df: dfn, loss: e.loss, pred: pred * df.m * df.m };
      };
      consider(d1, null);
      const d2 = geodesicAcceleration(problem, p, pmax, d1, lam, V.data, m);
      if (d2 !== null) consider(d1, d2);
      return best;
    };
    // The nearly undamped step (pseudo-inverse Newton on the eigenvalues above MU_FLOOR·max|λ|), tried once per
    // iteration next to the LM step: where ∇R lies in directions that the current μ damps out, the LM step is too
    // short to lower ‖∇R‖ above its rounding noise, and raising μ on that failure would only shorten it further.
    const newton = mu <= 10 * muMin ? null : trial(muMin, 0.1 * (1 + pmax));
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      let b = trial(mu, Infinity);
      if (tries === 0 && newton !== null && (b === null || newton.merit < b.merit)) b = newton;
      if (b !== null && b.merit < merit) {
        const rho = b.pred > 0 ? (merit * merit - b.merit * b.merit) / b.pred : 1;
        trace.push({ norm: nrm2(b.p), loss: b.loss, step: distance(b.p, p) });
        p = b.p;
        g = b.g;
        gn = b.n;
        merit = b.merit;
        df = b.df;
        mu = Math.max(mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3), muMin);
        nu = 2;
        accepted = true;
        o.onIteration?.(it, b.loss, gn);
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

/**
 * R and ∇R at the start of LM or Newton-MR and the merit they lower: ‖∇R‖, or the deflated ‖m(θ)∇R‖ when points
 * are deflated (`deflated` false and m = 1 otherwise).
 */
function startMerit(problem: Problem, p: Float64Array, deflation?: Deflation) {
  const { loss, gradient: g } = problem.setParamsUnchecked(p).lossAndGradient();
  const gn = nrm2(g);
  const deflated = deflation !== undefined && deflation.size > 0;
  const df = deflated ? deflation.factor(p) : { m: 1, gradLog: new Float64Array(0) };
  return { g, gn, deflated, df, merit: df.m * gn, loss };
}

/**
 * Newton-MR on ∇R = 0, matrix-free (Roosta, Liu, Xu & Mahoney 2018; Liu & Roosta 2022): the step d solves H d = −∇R
 * in the least-squares sense by MINRES on Hessian-vector products (@losscape/core's `minres`, forcing term
 * rtol = min(1e-2, ‖∇R‖), at most min(5M, 200) products: Lanczos without reorthogonalisation needs more than M on
 * ill-conditioned H), which stays well defined where H is singular or indefinite.
 * ⟨H∇R, d⟩ ≤ 0 for MINRES iterates, so d descends ½‖∇R‖²; where it does not (rounding), the step is −H∇R. An Armijo
 * backtracking line search on ‖∇R‖² (c = 1e-4, halving, at most 40 times) takes the step, scaled by the deflation
 * factor τ when points are deflated. Stops at gtol (then up to 3 polishing steps), when no step lowers the merit, or
 * after `maxIter` iterations. `hessian` is always null (no dense H is formed).
 */
function newtonMR(
  problem: Problem,
  p0: Float64Array,
  o: SecondOrder,
  trace: Trace,
  deflation?: Deflation,
): { p: Float64Array; iterations: number; hessian: null } {
  let p: Float64Array = p0;
  let { g, gn, deflated, df, merit, loss } = startMerit(problem, p, deflation);
  o.onIteration?.(0, loss, gn);
  const M = p.length;
  let it = 0;
  let polish = 0;
  while (it < o.maxIter && (gn > o.gtol || polish < 3) && Number.isFinite(gn) && gn > 0 && !o.signal?.aborted) {
    if (gn <= o.gtol) polish++;
    it++;
    // θ is written once: MINRES and H∇R all multiply at this point (the line search moves θ only afterwards).
    problem.setParamsUnchecked(p);
    const hv = (v: Float64Array) => problem.hvpUnchecked(v);
    const minusG = g.map((v) => -v);
    const mr = minres(hv, minusG, { rtol: Math.min(1e-2, gn), maxIter: Math.min(5 * M, 200) });
    let d = mr.x;
    const hg = hv(g);
    let slope = dot(hg, d); // ½ d/dα ‖∇R(θ + αd)‖² at α = 0
    if (!(slope < 0)) {
      d = hg.map((v) => -v);
      slope = -dot(hg, hg);
    }
    if (deflated) {
      const den = 1 - dot(df.gradLog, d);
      if (Math.abs(den) > 1e-8) d = d.map((v) => v / den);
    }
    let accepted = false;
    for (let alpha = 1, k = 0; k < 40; k++, alpha /= 2) {
      const pn = axpy(alpha, d, Float64Array.from(p));
      if (!pn.every(Number.isFinite)) continue;
      const e = problem.setParamsUnchecked(pn).lossAndGradient();
      const nn = nrm2(e.gradient);
      const dfn = deflated && deflation ? deflation.factor(pn) : df;
      const mn = dfn.m * nn;
      const armijo = deflated ? mn < merit : nn * nn <= gn * gn + 2e-4 * alpha * slope;
      if (Number.isFinite(mn) && armijo && mn < merit) {
        trace.push({ norm: nrm2(pn), loss: e.loss, step: distance(pn, p) });
        p = pn;
        g = e.gradient;
        gn = nn;
        merit = mn;
        df = dfn;
        accepted = true;
        o.onIteration?.(it, e.loss, nn);
        break;
      }
    }
    if (!accepted) break;
  }
  return { p, iterations: it, hessian: null };
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

export interface FindOptions extends Omit<RefineOptions, "onProgress"> {
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
  /**
   * Deflate every critical point found (and its copies under neuron permutations and sign flips) from the later
   * refinements, so they converge to new critical points or fail instead of finding the same one again (Farrell,
   * Birkisson & Funke 2015). Default true.
   */
  deflate?: boolean;
  /**
   * Called after every start: the starts done, the distinct points found, and how the refinements so far ended
   * (`outcomes`, one count per `CriticalOutcome`; a `critical` one either found a new point or hit one found before).
   */
  onProgress?: (p: { start: number; starts: number; found: number; outcomes: Record<CriticalOutcome, number> }) => void;
}

/** A critical point with its spectrum (`findCriticalPoints` works on nets with M ≤ `DEFAULT_SPECTRUM_LIMIT`). */
export interface FoundCriticalPoint extends CriticalPoint {
  eigenvalues: Float64Array;
  inertia: Inertia;
  inertiaRange: { tight: Inertia; loose: Inertia };
  inertiaStable: boolean;
  /** How many starts converged to this point (or to a point with the same loss and the same spectrum or outputs). */
  hits: number;
}

/**
 * Multi-start search for critical points of R: `starts` seeded random initialisations, each refined with
 * `refineCriticalPoint` directly (drawn to saddles) and, with `descend`, after an L-BFGS descent of R (drawn to
 * minima); with `deflate` (default) every point found is deflated from the later refinements (`Deflation`, Farrell
 * et al. 2015). Points ending `critical` are collected once each and returned sorted by loss, with loss,
 * ‖∇R‖, eigenvalues and inertia. Two points are the same when their losses agree to `distinctTol` (relative,
 * with an absolute floor of distinctTol·1e-6) and so do either their sorted Hessian spectra (to
 * distinctTol·max(1, max|λ|)) or their outputs on the data (to distinctTol·max(1, max|f|)): copies under neuron
 * permutations and sign flips have identical spectra, and points of one critical set related by symmetries that
 * change the spectrum (rescalings, the GL(p) of linear layers, dead output weights) compute the same outputs.
 * @example
 * const points = findCriticalPoints({ widths: [1, 3, 1], activation: "tanh" }, data, { starts: 40, seed: 1 });
 */
export function findCriticalPoints(spec: MlpSpec, data: DatasetInput, options: FindOptions = {}): FoundCriticalPoint[] {
  const fn = "findCriticalPoints";
  options = checkOptions(fn, options, ["starts", "seed", "init", "std", "distinctTol", "descend", "descentIter", "deflate", "onProgress", "method", "gtol", "gtolRel", "maxIter", "tol", "flatTol", "hessian", "signal"]);
  const net = compileSpec(fn, spec);
  data = checkData(fn, net, data);
  // 'onProgress' is checked as refineCriticalPoint's is, but reports starts here, not the refinements' iterations.
  const o: RefineSettings = { ...checkRefineOptions(fn, options), onProgress: undefined };
  const starts = options.starts ?? 20;
  checkNumber(fn, "starts", starts, { min: 1, integer: true });
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const scheme = options.init ?? "normal";
  const std = options.std ?? 1;
  const dtol = options.distinctTol ?? DEFAULT_DISTINCT_TOL;
  checkNumber(fn, "distinctTol", dtol, { min: 0 });
  if (net.M > DEFAULT_SPECTRUM_LIMIT) {
    throw new ValueError(`${fn}: telling critical points apart needs their Hessian spectra, computed for M ≤ ${DEFAULT_SPECTRUM_LIMIT} parameters; found M = ${net.M}`);
  }
  const found: FoundCriticalPoint[] = [];
  const { params: _drop, ...bare } = spec as Model;
  const descend = options.descend ?? true;
  const descentIter = options.descentIter ?? 500;
  checkNumber(fn, "descentIter", descentIter, { min: 0, integer: true });
  const deflate = options.deflate ?? true;
  checkBoolean(fn, "deflate", deflate);
  const deflation = deflate ? new Deflation(net) : undefined;
  const outputs: Float64Array[] = []; // f(X) of each point found, in the order of `found`
  const outcomes: Record<CriticalOutcome, number> = { critical: 0, "gradient-flat": 0, escaping: 0, stalled: 0 };
  const collect = (params: Float64Array) => {
    const cp = refineRaw(net, { ...(bare as MlpSpec), params }, data, o, deflation);
    outcomes[cp.outcome]++;
    if (!cp.converged || !hasSpectrum(cp)) return;
    const f = forward(cp.model, data.x).data;
    const same = found.findIndex((p, i) => samePoint(p, outputs[i], cp, f, dtol));
    if (same >= 0) found[same].hits++;
    else {
      found.push({ ...cp, hits: 1 });
      outputs.push(f);
      deflation?.add(cp.model.params);
    }
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
    options.onProgress?.({ start: k + 1, starts, found: found.length, outcomes: { ...outcomes } });
  }
  return found.sort((a, b) => a.loss - b.loss);
}

/** The spectrum and its inertias are there (always up to M = DEFAULT_SPECTRUM_LIMIT). */
function hasSpectrum(cp: CriticalPoint): cp is CriticalPoint & Omit<FoundCriticalPoint, "hits"> {
  return cp.eigenvalues !== null && cp.inertia !== null && cp.inertiaRange !== null && cp.inertiaStable !== null;
}

/**
 * Two critical points are one when their losses agree to `tol` (relative, absolute floor tol·1e-6) and either their
 * sorted Hessian spectra agree (to tol·max(1, max|λ|): copies under neuron permutations and sign flips) or their
 * outputs on the data do (to tol·max(1, max|f|): one critical set up to symmetries that change the spectrum, such as
 * rescalings of positively homogeneous units and the GL(p) of linear layers).
 */
function samePoint(a: FoundCriticalPoint, fa: Float64Array, b: Omit<FoundCriticalPoint, "hits">, fb: Float64Array, tol: number): boolean {
  if (Math.abs(a.loss - b.loss) > tol * Math.max(Math.abs(a.loss), Math.abs(b.loss)) + tol * 1e-6) return false;
  return closeAll(a.eigenvalues, b.eigenvalues, tol) || closeAll(fa, fb, tol);
}

/** |aᵢ − bᵢ| ≤ tol·max(1, max|a|, max|b|) for every i. */
function closeAll(a: Float64Array, b: Float64Array, tol: number): boolean {
  let scale = 1;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol * scale) return false;
  return true;
}
