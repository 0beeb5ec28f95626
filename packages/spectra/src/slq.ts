import { ShapeError, ValueError, checkNumber, checkOptions, checkVector, checkedProduct, lanczos, nrm2, ritzPairs } from "@losscape/core";
import { createRng, hessianVectorProduct, validateData, validateModel, type DatasetInput, type ModelInput } from "@losscape/mlp";

/** One Lanczos run: Gauss quadrature nodes θ_k and weights τ_k (Σ τ_k = 1) for the probe's spectral measure. */
export interface LanczosQuadrature {
  nodes: Float64Array;
  weights: Float64Array;
  /** The tridiagonal coefficients: alpha (diagonal, length m) and beta (off-diagonal, length m − 1). */
  alpha: Float64Array;
  beta: Float64Array;
}

/** Result of stochastic Lanczos quadrature: one quadrature per probe, and estimators built on them. */
export interface SlqResult {
  dim: number;
  probes: LanczosQuadrature[];
  /** Estimated spectral measure ≈ (1/probes)·Σ_probes Σ_k τ_k δ_{θ_k}: its mass below x (e.g. the index at 0). */
  massBelow(x: number): number;
  /** Gaussian-broadened density (1/probes)·Σ Σ τ_k·N(λ; θ_k, σ²) at each point (PyHessian's plot). */
  densityOn(points: ArrayLike<number>, sigma: number): Float64Array;
  /** Estimated normalised moment (1/dim)·tr(H^p) ≈ mean over probes of Σ τ_k θ_k^p. */
  moment(p: number): number;
}

/**
 * @losscape/core's `lanczos` (float64, full reorthogonalisation, stopping at an invariant subspace) from the unit
 * vector v₀, for `steps` steps. The eigenpairs (θ_k, u_k) of T give the Gauss
 * quadrature ∫ f dμ_v ≈ Σ_k u_k[0]² f(θ_k) of the measure μ_v = Σ_i (v·q_i)² δ_{λ_i}, exact for polynomials of degree
 * < 2·steps (Golub & Meurant, Matrices, Moments and Quadrature, 2010).
 * @example
 * const q = lanczosQuadrature((v) => matVec(a, v), v0, 30);
 */
export function lanczosQuadrature(matvec: (v: Float64Array) => ArrayLike<number>, v0: ArrayLike<number>, steps: number): LanczosQuadrature {
  return lanczosQuadratureOf("lanczosQuadrature", matvec, v0, steps);
}

/**
 * `lanczosQuadrature` with its errors naming `fn`: the arguments are checked here, and every product as it comes
 * (core's `checkedProduct`), so a bad argument or product is refused in the caller's name, not in core's `lanczos`.
 */
function lanczosQuadratureOf(fn: string, matvec: (v: Float64Array) => ArrayLike<number>, v0: ArrayLike<number>, steps: number): LanczosQuadrature {
  if (typeof matvec !== "function") throw new ValueError(`${fn}: argument 'matvec' must be a function; found ${matvec === null ? "null" : typeof matvec}`);
  checkVector(fn, "v0", v0);
  if (v0.length === 0) throw new ShapeError(`${fn}: argument 'v0' must be a non-empty vector; found length 0`);
  const v0Norm = nrm2(v0);
  if (!(v0Norm > 0 && v0Norm < Infinity)) throw new ValueError(`${fn}: argument 'v0' must be non-zero and of finite norm; found norm ${v0Norm}`);
  checkNumber(fn, "steps", steps, { min: 1, integer: true });
  const l = lanczos((v) => checkedProduct(fn, matvec, v), v0, steps);
  const { values, firstComponents } = ritzPairs(l);
  return { nodes: values, weights: firstComponents.map((u) => u * u), alpha: l.alpha, beta: l.beta };
}

/**
 * Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019; PyHessian, Yao et al.
 * 2020): the spectral density of a symmetric operator of dimension `dim` known only through products H·v, as the
 * average over `probes` Rademacher vectors v/‖v‖ of the Lanczos Gauss quadratures of μ_v (E μ_v = (1/dim)Σδ_{λ_i}).
 * Float64, full reorthogonalisation. Seeded with the project's RNG.
 * @example
 * const r = stochasticLanczosQuadrature((v) => hvp(v), M, { steps: 40, probes: 8, seed: 1 });
 * r.massBelow(0); // estimated index
 */
export function stochasticLanczosQuadrature(
  matvec: (v: Float64Array) => ArrayLike<number>,
  dim: number,
  options: { steps?: number; probes?: number; seed: number },
): SlqResult {
  const fn = "stochasticLanczosQuadrature";
  options = checkOptions(fn, options, ["steps", "probes", "seed"], { required: true });
  checkNumber(fn, "dim", dim, { min: 1, integer: true });
  const { steps, nProbes } = checkSlqOptions(fn, options);
  const rng = createRng(options.seed);
  const probes: LanczosQuadrature[] = [];
  for (let p = 0; p < nProbes; p++) {
    const v = new Float64Array(dim);
    for (let i = 0; i < dim; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
    probes.push(lanczosQuadratureOf(fn, matvec, v, steps));
  }
  return slqResult(dim, probes);
}

function slqResult(dim: number, probes: LanczosQuadrature[]): SlqResult {
  const P = probes.length;
  return {
    dim,
    probes,
    massBelow: (x) => {
      if (typeof x !== "number" || Number.isNaN(x)) throw new ValueError(`SlqResult.massBelow: 'x' must be a number; found ${String(x)}`);
      let s = 0;
      for (const q of probes) for (let k = 0; k < q.nodes.length; k++) if (q.nodes[k] < x) s += q.weights[k];
      return s / P;
    },
    densityOn: (points, sigma) => {
      checkNumber("SlqResult.densityOn", "sigma", sigma, { min: 0, exclusiveMin: true });
      const out = new Float64Array(points.length);
      const c = 1 / (Math.sqrt(2 * Math.PI) * sigma * P);
      for (let i = 0; i < points.length; i++) {
        let s = 0;
        for (const q of probes) for (let k = 0; k < q.nodes.length; k++) s += q.weights[k] * Math.exp(-0.5 * ((points[i] - q.nodes[k]) / sigma) ** 2);
        out[i] = c * s;
      }
      return out;
    },
    moment: (p) => {
      checkNumber("SlqResult.moment", "p", p, { min: 0, integer: true });
      let s = 0;
      for (const q of probes) for (let k = 0; k < q.nodes.length; k++) s += q.weights[k] * Math.pow(q.nodes[k], p);
      return s / P;
    },
  };
}

/** SLQ's options, checked in the name of the function the caller called. */
function checkSlqOptions(fn: string, options: { steps?: number; probes?: number; seed: number }): { steps: number; nProbes: number } {
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: argument 'options' must be { steps?, probes?, seed }; found ${String(options)}`);
  const steps = options.steps ?? 80;
  const nProbes = options.probes ?? 10;
  checkNumber(fn, "steps", steps, { min: 1, integer: true });
  checkNumber(fn, "probes", nProbes, { min: 1, integer: true });
  checkNumber(fn, "seed", options.seed);
  return { steps, nProbes };
}

/**
 * Stochastic Lanczos quadrature of the Hessian of a network's loss through exact Hessian-vector products
 * (@losscape/mlp's R-operator `hessianVectorProduct`; `part` selects H, H₀ = Gauss–Newton or H₁ = residual part),
 * never forming the M × M matrix.
 * @example
 * const r = hessianSpectrumSLQ(model, data, { steps: 60, probes: 8, seed: 1 });
 * r.densityOn(grid, 0.01);
 */
export function hessianSpectrumSLQ(
  model: ModelInput,
  data: DatasetInput,
  options: { steps?: number; probes?: number; seed: number; part?: "full" | "gauss-newton" | "residual" },
): SlqResult {
  const fn = "hessianSpectrumSLQ";
  options = checkOptions(fn, options, ["steps", "probes", "seed", "part"], { required: true });
  if (typeof model !== "object" || model === null || !(model.params?.length > 0)) throw new ValueError(`${fn}: argument 'model' must be a Model with params; found ${String(model)}`);
  checkSlqOptions(fn, options);
  // Validated (and plain arrays converted) once, not at every Hessian-vector product.
  const m = validateModel(model, fn);
  const d = validateData(m, data, fn);
  const part = options.part ?? "full";
  return stochasticLanczosQuadrature((v) => hessianVectorProduct(m, d, v, { part }), m.params.length, { steps: options.steps, probes: options.probes, seed: options.seed });
}
