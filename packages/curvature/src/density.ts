import { checkNumber, eigh, checkOptions } from "@losscape/core";
import { createRng } from "@losscape/mlp";
import { Basis, checkBasisSize, meanAndStandardError, normalize, pack, rademacher, vectorOf } from "./block.js";
import type { SymmetricOperator } from "./operator.js";

/** One probe's Gauss quadrature of its spectral measure μ_v = Σᵢ (vᵀqᵢ)² δ_{λᵢ}: nodes θ_k, weights τ_k (Σ τ_k = 1). */
export interface Quadrature {
  nodes: Float64Array;
  weights: Float64Array;
}

/** Stochastic Lanczos quadrature of a symmetric operator: one quadrature per probe. */
export interface SpectralQuadrature {
  dim: number;
  probes: Quadrature[];
  /** Operator products (vectors) used. */
  products: number;
}

/**
 * The default `batch` of `lanczosQuadratures`: as many of the P probes (at most 16) as keep their bases of `steps`
 * vectors of dimension M within 2²⁶ doubles (512 MiB), at least one.
 */
export function defaultBatch(probes: number, steps: number, M: number): number {
  return Math.max(1, Math.min(probes, 16, Math.floor(2 ** 26 / (steps * M))));
}

/**
 * Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019; PyHessian, Yao et al.
 * 2020): for each of `probes` Rademacher vectors v (normalised), `steps` Lanczos steps with full reorthogonalisation
 * (classical Gram–Schmidt twice) give T; its eigenpairs (θ_k, u_k) are the nodes and weights τ_k = u_k[0]² of the
 * Gauss quadrature of μ_v, and E μ_v = (1/dim)Σᵢ δ_{λᵢ}. The probes run side by side, their products batched into
 * one block per step (at most `batch` probes at once, by default as many as fit 2²⁶ doubles = 512 MiB: memory is
 * batch·steps·dim doubles, resident in WASM memory on the WASM backends).
 * @example
 * const q = await lanczosQuadratures(op, { probes: 10, steps: 80, seed: 1 });
 */
export async function lanczosQuadratures(
  op: SymmetricOperator,
  options: { probes?: number; steps?: number; seed?: number; batch?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<SpectralQuadrature> {
  const fn = "lanczosQuadratures";
  options = checkOptions(fn, options, ["probes", "steps", "seed", "batch", "onProgress"]);
  const M = op.dim;
  const P = options.probes ?? 10;
  checkNumber(fn, "probes", P, { min: 2, integer: true });
  const steps = Math.min(options.steps ?? 80, M);
  checkNumber(fn, "steps", steps, { min: 1, integer: true });
  const batch = options.batch ?? defaultBatch(P, steps, M);
  checkNumber(fn, "batch", batch, { min: 1, integer: true });
  // A probe's basis holds steps vectors, a batch min(batch, P) bases at once: refused before any product.
  checkBasisSize(fn, `'steps' = ${steps}`, steps, M);
  checkBasisSize(fn, `'batch' = ${Math.min(batch, P)} probes of 'steps' = ${steps}`, Math.min(batch, P) * steps, M);
  const rng = createRng(options.seed ?? 0);
  const probes: Quadrature[] = [];
  let products = 0;
  for (let p0 = 0; p0 < P; p0 += batch) {
    // The batch's start vectors, drawn in probe order from the one generator (the same vectors as drawing all P
    // first), so memory is the batch's, not P·dim.
    const starts = Array.from({ length: Math.min(batch, P - p0) }, () => rademacher(rng, M));
    const runs = starts.map((v) => {
      normalize(v);
      const basis = new Basis(M, steps);
      basis.append(v, 1);
      return { basis, alpha: [] as number[], beta: [] as number[], done: false };
    });
    for (let step = 0; step < steps; step++) {
      const active = runs.filter((r) => !r.done);
      if (active.length === 0) break;
      const AQ = await op.apply(pack(active.map((r) => r.basis.row(r.basis.count - 1)), M), active.length);
      products += active.length;
      active.forEach((r, i) => {
        const w = Float64Array.from(vectorOf(AQ, M, i));
        const c = r.basis.orthogonalize(w, 1);
        const a = c[r.basis.count - 1];
        r.alpha.push(a);
        const scale = Math.max(Math.abs(a), ...r.beta);
        const nb = normalize(w);
        if (step === steps - 1 || !(nb > 1e-13 * scale)) {
          r.done = true;
          return;
        }
        r.beta.push(nb);
        r.basis.append(w, 1);
      });
      options.onProgress?.(products, P * steps);
    }
    for (const r of runs) {
      r.basis.dispose();
      probes.push(gaussQuadrature(r.alpha, r.beta));
    }
  }
  return { dim: M, probes, products };
}

/** Nodes and weights of the tridiagonal T (diagonal alpha, off-diagonal beta): eigenvalues and squared first components. */
function gaussQuadrature(alpha: number[], beta: number[]): Quadrature {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i];
  }
  const e = eigh({ rows: m, cols: m, data: t });
  return { nodes: e.values, weights: Float64Array.from({ length: m }, (_, k) => e.vectors.data[k] ** 2) };
}

/** The Gaussian-broadened spectral density on a grid. */
export interface SpectralDensity {
  grid: Float64Array;
  density: Float64Array;
  /** The Gaussian's variance. */
  variance: number;
}

/**
 * PyHessian's broadened density (Yao et al. 2020, `density_generate`): on `bins` equally spaced points from
 * min θ − overhead to max θ + overhead, φ(t) = mean over probes of Σ_k τ_k·N(t; θ_k, σ²) with variance
 * σ² = sigmaSquared·max(1, max θ − min θ + 2·overhead), normalised so that Σ φ(t)·Δt = 1.
 * @example
 * const { grid, density } = broadenedDensity(q.probes, { bins: 1000 });
 */
export function broadenedDensity(probes: readonly Quadrature[], options: { bins?: number; sigmaSquared?: number; overhead?: number } = {}): SpectralDensity {
  const fn = "broadenedDensity";
  options = checkOptions(fn, options, ["bins", "sigmaSquared", "overhead"]);
  const bins = options.bins ?? 1000;
  checkNumber(fn, "bins", bins, { min: 2, integer: true });
  const sigmaSquared = options.sigmaSquared ?? 1e-5;
  checkNumber(fn, "sigmaSquared", sigmaSquared, { min: 0, exclusiveMin: true });
  const overhead = options.overhead ?? 0.01;
  checkNumber(fn, "overhead", overhead, { min: 0 });
  let lo = Infinity;
  let hi = -Infinity;
  for (const q of probes) for (const t of q.nodes) (lo = Math.min(lo, t)), (hi = Math.max(hi, t));
  lo -= overhead;
  hi += overhead;
  const variance = sigmaSquared * Math.max(1, hi - lo);
  const grid = Float64Array.from({ length: bins }, (_, i) => lo + ((hi - lo) * i) / (bins - 1));
  const density = new Float64Array(bins);
  const c = 1 / Math.sqrt(2 * Math.PI * variance);
  for (const q of probes) {
    for (let k = 0; k < q.nodes.length; k++) {
      const w = q.weights[k] * c;
      const t = q.nodes[k];
      for (let i = 0; i < bins; i++) density[i] += w * Math.exp(-((grid[i] - t) ** 2) / (2 * variance));
    }
  }
  let total = 0;
  for (const d of density) total += d;
  total *= grid[1] - grid[0];
  if (total > 0) for (let i = 0; i < bins; i++) density[i] /= total;
  return { grid, density, variance };
}

/** The fraction of eigenvalues below a threshold, estimated by SLQ, with a confidence interval. */
export interface IndexEstimate {
  /** Estimated fraction of eigenvalues < threshold (the index / dim). */
  fraction: number;
  /** fraction·dim. */
  count: number;
  standardError: number;
  /** fraction ± 1.96·standardError, clipped to [0, 1]: a 95% interval for the probe average. */
  interval: [number, number];
  threshold: number;
}

/**
 * The index estimate of SLQ: each probe's quadrature mass below the threshold, Σ_{θ_k < t} τ_k (an estimate of
 * vᵀ 1[A < t] v), averaged over the probes; the standard error is their sample one over √probes. The interval
 * covers the probe variance; the quadrature's own error (a Ritz value on the wrong side of t) is not in it, and is
 * small once `steps` resolves the spectrum near t.
 * @example
 * const { fraction, interval } = indexEstimate(q, 0);
 */
export function indexEstimate(q: SpectralQuadrature, threshold = 0): IndexEstimate {
  const per = q.probes.map((p) => {
    let s = 0;
    for (let k = 0; k < p.nodes.length; k++) if (p.nodes[k] < threshold) s += p.weights[k];
    return s;
  });
  const { mean, standardError } = meanAndStandardError(per);
  return {
    fraction: mean,
    count: mean * q.dim,
    standardError,
    interval: [Math.max(0, mean - 1.96 * standardError), Math.min(1, mean + 1.96 * standardError)],
    threshold,
  };
}
