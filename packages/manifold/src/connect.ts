import { axpy, checkNumber, dot, inCallerName, nrm2, ShapeError, ValueError, checkOptions } from "@losscape/core";
import {
  activationEntry,
  adam,
  createProblem,
  paramCount,
  validateData,
  validateModel,
  type Activation,
  type Dataset,
  type DatasetInput,
  type Model,
  type ModelInput,
  type Problem,
} from "@losscape/mlp";
import { checkPositiveTol } from "./errors.js";
import { checkInt, checkInterpolationLoss, pullToLevel } from "./internal.js";

/** A path between two minima and the loss along it (the CLI's `losscape connect --json` fields first). */
export interface ConnectionPath {
  /** max_t R(θ(t)) − max(R(θ_A), R(θ_B)): the height of the loss barrier above the higher end point. */
  barrier: number;
  /** The loss at `points` values of t ∈ [0, 1] (uniform in the curve's parameter). */
  path: { t: number; loss: number }[];
  method: "linear" | "chain" | "bezier" | "neb";
  /** max_t R(θ(t)) over the evaluated points. */
  maxLoss: number;
  /** The control points: [θ_A, bends…, θ_B] (chain, neb: the polygon's vertices; bezier: [θ_A, C, θ_B]). */
  nodes: Float64Array[];
  /** Optimisation steps taken (0 for linear). */
  iterations: number;
}

/** Options of `connectMinima`. */
export interface ConnectOptions {
  /** "linear" (default), "chain" (polygonal chain), "bezier" (quadratic Bézier), "neb" (nudged elastic band). */
  method?: "linear" | "chain" | "bezier" | "neb";
  /** Points at which the reported path is evaluated (default 51, ≥ 2). */
  points?: number;
  /** Optimisation steps for chain/bezier/neb (default 300). */
  iterations?: number;
  /** Step size (default 0.01 for chain/bezier with Adam; 0.05 for neb's plain force steps). */
  learningRate?: number;
  /** Interior bends of the chain (default 1, Garipov's polychain) or images of the band (default 15). */
  bends?: number;
  /** Spring constant of the band (default 1). */
  spring?: number;
  /**
   * What chain/bezier minimise over the t-grid: "mean" (default; Garipov et al.'s mean loss) or "max", the smooth
   * maximum M₁₆ = ((1/K) Σ_t R(θ(t))¹⁶)^{1/16} (a p-norm with p = 16: within a factor K^{1/16} of the maximum,
   * scale-free), whose gradient (1/K)·(R_t/M₁₆)¹⁵·∇R_t concentrates on the highest points of the curve.
   */
  objective?: "mean" | "max";
}

/** The exponent p of the "max" objective's p-norm. */
const MAX_NORM_P = 16;

/**
 * Loss along a path between two minima θ_A, θ_B (mode connectivity) and the barrier height
 * max_t R(θ(t)) − max(R(θ_A), R(θ_B)).
 * - linear: θ(t) = (1 − t)θ_A + tθ_B (Goodfellow, Vinyals & Saxe 2015).
 * - bezier: θ(t) = (1 − t)²θ_A + 2t(1 − t)C + t²θ_B with C minimising the mean loss over a fixed grid of t
 *   (Adam on ∂/∂C = Σ 2t(1 − t)∇R(θ(t))); Garipov et al., Loss surfaces, mode connectivity and fast ensembling of
 *   DNNs, NeurIPS 2018.
 * - chain: a polygonal chain with `bends` interior vertices, each moved by Adam on the mean loss over the grid
 *   (the hat-function weights of piecewise-linear interpolation; Garipov's polychain).
 * - neb: nudged elastic band (Jónsson, Mills & Jacobsen 1998; Henkelman's upwind tangent and climbing image,
 *   2000), as used for networks by Draxler et al., Essentially no barriers in neural network energy landscape,
 *   ICML 2018: images move by F = −∇R⊥ + k(|θ_{i+1} − θ_i| − |θ_i − θ_{i−1}|)τ; after half the steps the highest
 *   image climbs (F = −∇R + 2(∇R·τ)τ). Explicit steps lr·F, each capped at 0.1·‖θ_B − θ_A‖/(images + 1).
 * The end points stay fixed. For chain and neb, t runs uniformly over the vertices' polygon. The optimisers minimise
 * the mean loss or (`objective: "max"`) a smooth maximum of the loss over the t-grid (bezier, chain), or relax the
 * band (neb); every 10 steps the curve's maximum is measured (on the
 * reported t grid; the band at 4 points per segment) and the curve with the lowest maximum seen — the straight
 * line at step 0 included — is returned, so these methods never report a higher barrier than the straight line
 * on that grid.
 * The loss R is a's and b's: they must agree in every field that defines it (widths and bias, else `ShapeError`;
 * activation, output, loss and l2, else `ValueError` naming the field).
 * @example
 * connectMinima(a, b, data, { method: "neb" }).barrier // ≈ 0 when the minima are connected at their level
 */
export function connectMinima(a: ModelInput, b: ModelInput, data: DatasetInput, options: ConnectOptions = {}): ConnectionPath {
  try {
    return connectMinimaOf(a, b, data, options);
  } catch (e) {
    throw inCallerName(e, "connectMinima", PROBLEM_NAMES);
  }
}

function connectMinimaOf(a: ModelInput, b: ModelInput, data: DatasetInput, options: ConnectOptions): ConnectionPath {
  const fn = "connectMinima";
  options = checkOptions(fn, options, ["method", "points", "iterations", "learningRate", "bends", "spring", "objective"]);
  ({ a, b, data } = checkPair(fn, a, b, data));
  const method = options.method ?? "linear";
  const points = options.points ?? 51;
  checkInt(fn, "points", points, 2);
  const iterations = options.iterations ?? 300;
  checkInt(fn, "iterations", iterations, 0);
  const A = a.params;
  const B = b.params;
  // Every evaluation of the run on one problem: X and Y uploaded once (resident in WASM memory), freed on return or throw.
  using problem = createProblem(a, data);
  const Lfn = (p: Float64Array): number => lossAt(problem, p);
  const ts = Array.from({ length: points }, (_, i) => i / (points - 1));
  let nodes: Float64Array[];
  let curve: (t: number) => Float64Array;
  if (method === "linear") {
    nodes = [A, B];
    curve = (t) => lerp(A, B, t);
  } else if (method === "bezier" || method === "chain") {
    const lr = options.learningRate ?? 0.01;
    checkNumber(fn, "learningRate", lr, { min: 0, exclusiveMin: true });
    const bends = method === "bezier" ? 1 : (options.bends ?? 1);
    checkInt(fn, "bends", bends, 1);
    const ctrl = Array.from({ length: bends }, (_, j) => lerp(A, B, (j + 1) / (bends + 1)));
    const objective = options.objective ?? "mean";
    if (objective !== "mean" && objective !== "max") throw new ValueError(`${fn}: 'objective' must be "mean" or "max"; found ${String(objective)}`);
    const eval_ = method === "bezier" ? bezierWeights : chainWeights(bends);
    // Interior grid of 4·(bends + 1) + 1 points, offset from the vertices (a fixed quadrature of the mean loss).
    const K = 4 * (bends + 1) + 1;
    const grid = Array.from({ length: K }, (_, i) => (i + 0.5) / K);
    const curveMax = (): number => {
      let mx = -Infinity;
      for (const t of ts) mx = Math.max(mx, Lfn(combine(A, B, ctrl, eval_(t))));
      return mx;
    };
    let best = { max: curveMax(), ctrl: ctrl.map((c) => Float64Array.from(c)) };
    adamSteps(ctrl, iterations, lr, (step) => {
      if (step % 10 === 0) {
        const mx = curveMax();
        if (mx < best.max) best = { max: mx, ctrl: ctrl.map((c) => Float64Array.from(c)) };
      }
      const grads = ctrl.map(() => new Float64Array(A.length));
      const ws = grid.map(eval_);
      const evals = ws.map((w) => lossAndGradientAt(problem, combine(A, B, ctrl, w)));
      // ∂objective/∂R_t: 1/K (mean); for the p-norm, with r_t = R_t/max R (no overflow),
      // ∂M_p/∂R_t = (1/K)·r_t^{p−1} / ((1/K)Σ r^p)^{(p−1)/p}.
      let coef = evals.map(() => 1 / K);
      if (objective === "max") {
        const top = Math.max(...evals.map((e) => e.loss));
        if (top > 0) {
          const r = evals.map((e) => e.loss / top);
          const meanPow = r.reduce((s, x) => s + x ** MAX_NORM_P, 0) / K;
          coef = r.map((x) => x ** (MAX_NORM_P - 1) / K / meanPow ** ((MAX_NORM_P - 1) / MAX_NORM_P));
        }
      }
      for (let q = 0; q < K; q++) {
        const w = ws[q];
        const g = evals[q].gradient;
        for (let j = 0; j < ctrl.length; j++) if (w.ctrl[j] !== 0) for (let i = 0; i < g.length; i++) grads[j][i] += coef[q] * w.ctrl[j] * g[i];
      }
      return grads;
    });
    const mx = curveMax();
    if (mx < best.max) best = { max: mx, ctrl: ctrl.map((c) => Float64Array.from(c)) };
    const C = best.ctrl;
    nodes = [A, ...C, B];
    curve = (t) => combine(A, B, C, eval_(t));
  } else if (method === "neb") {
    const images = options.bends ?? 15;
    checkInt(fn, "bends", images, 1);
    const lr = options.learningRate ?? 0.05;
    checkNumber(fn, "learningRate", lr, { min: 0, exclusiveMin: true });
    const k = options.spring ?? 1;
    checkNumber(fn, "spring", k, { min: 0 });
    nodes = nudgedElasticBand(problem, A, B, images, iterations, lr, k);
    curve = polygon(nodes);
  } else {
    throw new ValueError(`${fn}: 'method' must be "linear", "chain", "bezier" or "neb"; found ${String(method)}`);
  }
  const path = ts.map((t) => ({ t, loss: Lfn(curve(t)) }));
  let maxLoss = -Infinity;
  for (const q of path) maxLoss = Math.max(maxLoss, q.loss);
  // The vertices of linear, chain and neb paths lie on the path (a Bézier control point does not).
  if (method !== "bezier") for (const v of nodes) maxLoss = Math.max(maxLoss, Lfn(v));
  const ends = Math.max(Lfn(A), Lfn(B));
  return { barrier: maxLoss - ends, path, method, maxLoss, nodes, iterations: method === "linear" ? 0 : iterations };
}

/**
 * Validate the end points and the data, and return them validated (parameters as Float64Arrays, x and y as Mats):
 * the callers work on these. a and b must be the same network with the same loss, since the path is scored with
 * a's loss throughout: widths and bias (the parameter layout; `ShapeError`), then activation (per hidden layer, a
 * parameter's default spelt out or not), output, loss and l2 (`ValueError` naming the field, a's value and b's).
 */
function checkPair(fn: string, a: ModelInput, b: ModelInput, data: DatasetInput): { a: Model; b: Model; data: Dataset } {
  const A = validateModel(a, fn);
  const B = validateModel(b, fn);
  const d = validateData(A, data, fn);
  if (JSON.stringify(A.widths) !== JSON.stringify(B.widths) || (A.bias ?? true) !== (B.bias ?? true)) {
    throw new ShapeError(`${fn}: 'a' and 'b' must be the same architecture; found widths ${JSON.stringify(A.widths)} and ${JSON.stringify(B.widths)}`);
  }
  if (paramCount(A) !== paramCount(B)) throw new ShapeError(`${fn}: 'a' and 'b' differ in parameter count`);
  const fields: [string, (m: Model) => unknown, (m: Model) => string][] = [
    ["activation", (m) => activationKeys(m), (m) => JSON.stringify(m.activation)],
    ["output", (m) => m.output ?? "linear", (m) => JSON.stringify(m.output ?? "linear")],
    ["loss", (m) => m.loss ?? "mse", (m) => JSON.stringify(m.loss ?? "mse")],
    ["l2", (m) => m.l2 ?? 0, (m) => String(m.l2 ?? 0)],
  ];
  for (const [field, key, shown] of fields) {
    if (JSON.stringify(key(A)) !== JSON.stringify(key(B))) {
      throw new ValueError(`${fn}: 'a' and 'b' must have the same '${field}' (b's loss is measured with a's); found a.${field} = ${shown(A)}, b.${field} = ${shown(B)}`);
    }
  }
  return { a: A, b: B, data: d };
}

/** Each hidden layer's activation as "name" or "name param=value" (a parameter's default filled in). */
function activationKeys(m: Model): string[] {
  const L = m.widths.length - 1;
  return Array.from({ length: L - 1 }, (_, l) => {
    const a = (Array.isArray(m.activation) ? m.activation[l] : m.activation) as Activation;
    const p = activationEntry(a)?.param;
    if (!p) return typeof a === "string" ? a : a.name;
    const v = typeof a === "string" ? p.default : ((a as unknown as Record<string, number | undefined>)[p.name] ?? p.default);
    return `${typeof a === "string" ? a : a.name} ${p.name}=${v}`;
  });
}

/**
 * The resident problem's methods, whose refusals along a path (a NaN loss or gradient: finite parameters whose
 * outputs overflow float64) connectMinima and sublevelConnected report in their own names.
 */
const PROBLEM_NAMES = /^Problem\.(loss|lossAndGradient|setParams): /;

/** R(θ) of `problem`'s model at θ = p (mlp's `loss(withParams(model, p), data)`, bit for bit). */
function lossAt(problem: Problem, p: Float64Array): number {
  problem.setParams(p);
  return problem.loss();
}

/** R(θ) and ∇R(θ) at θ = p (mlp's `lossAndGradient(withParams(model, p), data)`, bit for bit). */
function lossAndGradientAt(problem: Problem, p: Float64Array): { loss: number; gradient: Float64Array } {
  problem.setParams(p);
  return problem.lossAndGradient();
}

function lerp(A: Float64Array, B: Float64Array, t: number): Float64Array {
  const out = new Float64Array(A.length);
  for (let i = 0; i < A.length; i++) out[i] = (1 - t) * A[i] + t * B[i];
  return out;
}

interface Weights {
  a: number;
  b: number;
  ctrl: number[];
}

function bezierWeights(t: number): Weights {
  return { a: (1 - t) * (1 - t), b: t * t, ctrl: [2 * t * (1 - t)] };
}

/** Piecewise-linear (hat-function) weights of a chain with `bends` interior vertices at t = j/(bends + 1). */
function chainWeights(bends: number): (t: number) => Weights {
  return (t) => {
    const s = t * (bends + 1);
    const j = Math.min(Math.floor(s), bends);
    const u = s - j;
    const w: Weights = { a: 0, b: 0, ctrl: new Array<number>(bends).fill(0) };
    const put = (v: number, x: number) => {
      if (v === 0) w.a += x;
      else if (v === bends + 1) w.b += x;
      else w.ctrl[v - 1] += x;
    };
    put(j, 1 - u);
    put(j + 1, u);
    return w;
  };
}

function combine(A: Float64Array, B: Float64Array, ctrl: Float64Array[], w: Weights): Float64Array {
  const out = new Float64Array(A.length);
  for (let i = 0; i < A.length; i++) out[i] = w.a * A[i] + w.b * B[i];
  for (let j = 0; j < ctrl.length; j++) if (w.ctrl[j] !== 0) for (let i = 0; i < A.length; i++) out[i] += w.ctrl[j] * ctrl[j][i];
  return out;
}

/** θ(t) on the polygon through `nodes`, t uniform over the vertices. */
function polygon(nodes: Float64Array[]): (t: number) => Float64Array {
  const K = nodes.length - 1;
  return (t) => {
    const s = t * K;
    const j = Math.min(Math.floor(s), K - 1);
    return lerp(nodes[j], nodes[j + 1], s - j);
  };
}

/**
 * `steps` Adam steps (@losscape/mlp's `adam`, default β₁, β₂, ε) on the control points, in place: step s uses the
 * gradients `grad(s)` at the current points.
 */
function adamSteps(x: Float64Array[], steps: number, lr: number, grad: (step: number) => Float64Array[]): void {
  const opts = x.map(() => adam({ lr }));
  for (let s = 0; s < steps; s++) {
    const g = grad(s);
    // A non-finite gradient (the descent diverged) ends the descent: Adam's step would refuse it, and no later
    // curve could beat the best finite one kept so far (before, NaN control points followed and never won).
    if (!g.every((gj) => gj.every(Number.isFinite))) return;
    for (let j = 0; j < x.length; j++) opts[j].step(x[j], g[j]);
  }
}

function nudgedElasticBand(
  problem: Problem,
  A: Float64Array,
  B: Float64Array,
  images: number,
  steps: number,
  lr: number,
  k: number,
): Float64Array[] {
  const nodes = Array.from({ length: images + 2 }, (_, i) => lerp(A, B, i / (images + 1)));
  const E = nodes.map((p) => lossAt(problem, p));
  const maxStep = (0.1 * nrm2(axpy(-1, A, Float64Array.from(B)))) / (images + 1);
  const bandMax = (): number => {
    let mx = -Infinity;
    for (let i = 0; i < nodes.length - 1; i++) for (let q = 0; q < 4; q++) mx = Math.max(mx, lossAt(problem, lerp(nodes[i], nodes[i + 1], q / 4)));
    return mx;
  };
  let best = { max: bandMax(), nodes: nodes.map((v) => Float64Array.from(v)) };
  for (let s = 0; s < steps; s++) {
    if (s % 10 === 0 && s > 0) {
      const mx = bandMax();
      if (mx < best.max) best = { max: mx, nodes: nodes.map((v) => Float64Array.from(v)) };
    }
    const climb = s >= steps / 2;
    let top = 1;
    for (let i = 2; i <= images; i++) if (E[i] > E[top]) top = i;
    const forces: Float64Array[] = [];
    for (let i = 1; i <= images; i++) {
      const { loss: Ei, gradient: g } = lossAndGradientAt(problem, nodes[i]);
      E[i] = Ei;
      // Upwind tangent (Henkelman & Jónsson 2000): towards the higher-energy neighbour.
      const fwd = axpy(-1, nodes[i], Float64Array.from(nodes[i + 1])); // θᵢ₊₁ − θᵢ
      const bwd = axpy(-1, nodes[i - 1], Float64Array.from(nodes[i])); // θᵢ − θᵢ₋₁
      const tau = E[i + 1] > E[i - 1] ? fwd : bwd;
      const tn = nrm2(tau);
      if (tn > 0) for (let q = 0; q < tau.length; q++) tau[q] /= tn;
      const gt = dot(g, tau);
      const F = new Float64Array(g.length);
      if (climb && i === top) {
        for (let q = 0; q < F.length; q++) F[q] = -g[q] + 2 * gt * tau[q];
      } else {
        const spring = k * (nrm2(fwd) - nrm2(bwd));
        for (let q = 0; q < F.length; q++) F[q] = -(g[q] - gt * tau[q]) + spring * tau[q];
      }
      forces.push(F);
    }
    // Each image moves by lr·F, capped at a tenth of the initial image spacing (keeps the explicit steps stable
    // where the landscape is not smooth, e.g. relu kinks, and stops a climbing image from running away).
    for (let i = 1; i <= images; i++) {
      const F = forces[i - 1];
      const len = lr * nrm2(F);
      const t = len > maxStep ? (lr * maxStep) / len : lr;
      for (let q = 0; q < F.length; q++) nodes[i][q] += t * F[q];
    }
  }
  return bandMax() < best.max ? nodes : best.nodes;
}

/** Result of `sublevelConnected`. */
export interface SublevelConnection {
  /** A piecewise-linear path inside {R ≤ level} was found (true is a certificate up to the sampling of each segment). */
  connected: boolean;
  level: number;
  /** The polygon found so far: [θ_A, …, θ_B]; when not connected, the segments that stayed above the level remain. */
  nodes: Float64Array[];
  /** Largest loss seen on the final polygon's sampled points. */
  maxLoss: number;
  /** Deepest bisection level used. */
  depth: number;
}

/**
 * Is the λ-sublevel set {θ : R(θ) ≤ λ} connected between θ_A and θ_B? Dynamic string sampling in the spirit of
 * Freeman & Bruna, Topology and geometry of half-rectified network optimization, ICLR 2017 (Alg. 1): a segment
 * whose sampled loss stays ≤ λ is accepted; otherwise its midpoint is pulled into the sublevel set by
 * minimum-norm Gauss–Newton steps on the residuals (which stay close to the midpoint: the step is the smallest
 * one that reaches the level to first order) and both halves are treated recursively, up to `maxDepth` bisections.
 * `connected: true` exhibits a path (each segment checked at `samples` points); `false` means none was found — on its
 * own not a proof of disconnection. mse models without l2 only (the Gauss–Newton pull fits the residuals
 * f(xᵢ) − yᵢ, whose squares are R only then): `loss` "cross-entropy" or `l2` ≠ 0 is a `ValueError` naming the field.
 * a and b must agree in every field of the loss, as for `connectMinima`.
 * @example
 * sublevelConnected(a, b, data, { level: 1e-3 }).connected
 */
export function sublevelConnected(
  a: ModelInput,
  b: ModelInput,
  data: DatasetInput,
  options: { level: number; maxDepth?: number; samples?: number; maxIter?: number },
): SublevelConnection {
  try {
    return sublevelConnectedOf(a, b, data, options);
  } catch (e) {
    throw inCallerName(e, "sublevelConnected", PROBLEM_NAMES);
  }
}

function sublevelConnectedOf(
  a: ModelInput,
  b: ModelInput,
  data: DatasetInput,
  options: { level: number; maxDepth?: number; samples?: number; maxIter?: number },
): SublevelConnection {
  const fn = "sublevelConnected";
  options = checkOptions(fn, options, ["level", "maxDepth", "samples", "maxIter"]);
  // The validated end points and data from here on: plain rows reached the Gauss–Newton pull unconverted (TypeError).
  ({ a, b, data } = checkPair(fn, a, b, data));
  checkInterpolationLoss(fn, a);
  const level = options?.level;
  checkPositiveTol(fn, "level", level);
  const maxDepth = options.maxDepth ?? 8;
  checkInt(fn, "maxDepth", maxDepth, 0);
  const samples = options.samples ?? 21;
  checkInt(fn, "samples", samples, 2);
  const maxIter = options.maxIter ?? 50;
  checkInt(fn, "maxIter", maxIter, 1);
  using problem = createProblem(a, data);
  const L = (p: Float64Array): number => lossAt(problem, p);
  const La = L(a.params);
  const Lb = L(b.params);
  if (La > level || Lb > level) {
    throw new ValueError(`${fn}: both end points must lie in the sublevel set R ≤ level = ${level}; found R(a) = ${La}, R(b) = ${Lb}`);
  }
  let depthUsed = 0;
  let maxLoss = Math.max(La, Lb);
  const segmentMax = (p: Float64Array, q: Float64Array): number => {
    let m = -Infinity;
    for (let i = 1; i < samples - 1; i++) m = Math.max(m, L(lerp(p, q, i / (samples - 1))));
    return m;
  };
  const rec = (p: Float64Array, q: Float64Array, depth: number): { ok: boolean; nodes: Float64Array[] } => {
    depthUsed = Math.max(depthUsed, depth);
    const m = segmentMax(p, q);
    if (m <= level) {
      maxLoss = Math.max(maxLoss, m);
      return { ok: true, nodes: [p, q] };
    }
    if (depth >= maxDepth) {
      maxLoss = Math.max(maxLoss, m);
      return { ok: false, nodes: [p, q] };
    }
    const mid = pullToLevel(a, data, lerp(p, q, 0.5), level, maxIter);
    if (mid === null) {
      maxLoss = Math.max(maxLoss, m);
      return { ok: false, nodes: [p, q] };
    }
    const left = rec(p, mid, depth + 1);
    if (!left.ok) return { ok: false, nodes: [...left.nodes, q] };
    const right = rec(mid, q, depth + 1);
    return { ok: right.ok, nodes: [...left.nodes.slice(0, -1), ...right.nodes] };
  };
  const r = rec(a.params, b.params, 0);
  return { connected: r.ok, level, nodes: r.nodes, maxLoss, depth: depthUsed };
}

