import { checkNumber, eigh, kernels, matmul, ShapeError, ValueError, wasmActive, type Mat } from "@losscape/core";
import {
  activationDerivatives,
  createRng,
  hessian,
  lossPlane,
  packParams,
  paramCount,
  unpackParams,
  validateData,
  validateModel,
  ACTIVATION_CODES,
  DEFAULT_LEAKY_SLOPE,
  type Activation,
  type ActivationName,
  type Dataset,
  type Model,
} from "@losscape/mlp";
import { splitNeuron } from "@losscape/embedding";
import { checkInt, checkParamsVector, norm } from "./internal.js";

/**
 * A random filter-normalised direction (Li, Xu, Taylor, Studer, Goldstein, Visualizing the loss landscape of
 * neural nets, NeurIPS 2018): d has N(0, 1) entries, then every filter — row s of a weight matrix Wˡ, the incoming
 * weights of neuron s — is rescaled to the norm of the same row of θ: d_s ← d_s·‖W_s‖/‖d_s‖. Bias entries of d
 * are 0 (Li et al. leave biases out of the direction). Seeded.
 * @example
 * const d = filterNormalizedDirection(model, { seed: 1 }); // Float64Array of length M
 */
export function filterNormalizedDirection(model: Model, options: { seed?: number } = {}): Float64Array {
  const fn = "filterNormalizedDirection";
  validateModel(model, fn);
  const seed = options.seed ?? 0;
  checkNumber(fn, "seed", seed);
  const rng = createRng(seed);
  const layers = unpackParams(model, model.params);
  const M = paramCount(model);
  const d = new Float64Array(M);
  let off = 0;
  const bias = model.bias ?? true;
  for (const { W, b } of layers) {
    for (let s = 0; s < W.rows; s++) {
      const row = W.data.subarray(s * W.cols, (s + 1) * W.cols);
      const r = new Float64Array(W.cols).map(() => rng.normal());
      const nr = norm(r);
      const nw = norm(row);
      for (let j = 0; j < W.cols; j++) d[off + s * W.cols + j] = nr > 0 ? (r[j] * nw) / nr : 0;
    }
    off += W.rows * W.cols;
    if (bias) off += b.length; // bias directions stay 0
  }
  return d;
}

/**
 * The eigenvectors of the `count` largest eigenvalues of the exact Hessian (mlp's `hessian`), largest first
 * (the directions of strongest curvature, used for slices in Yao et al. PyHessian 2020).
 * @example
 * const [d1, d2] = hessianDirections(model, data, { count: 2 });
 */
export function hessianDirections(model: Model, data: Dataset, options: { count?: number } = {}): Float64Array[] {
  const fn = "hessianDirections";
  const count = options.count ?? 2;
  checkInt(fn, "count", count, 1);
  const M = paramCount(model);
  if (count > M) throw new ValueError(`${fn}: 'count' must be ≤ M = ${M}; found ${count}`);
  const { vectors } = eigh(hessian(model, data));
  const out: Float64Array[] = [];
  for (let c = M - 1; c >= M - count; c--) {
    const v = new Float64Array(M);
    for (let i = 0; i < M; i++) v[i] = vectors.data[i * M + c];
    out.push(v);
  }
  return out;
}

/**
 * The embedding line of a neuron split (DESIGN.md's T^α_{l,s}): the model with neuron s of hidden layer l split at
 * `alpha` (default 0.5; the copy appended last in layer l, incoming weights and bias copied, outgoing weights α·w
 * and (1 − α)·w), and the unit direction ∂T^α(θ)/∂α / ‖·‖ = (w on the original, −w on the copy)/(√2‖w‖), along
 * which the output — hence the loss — is constant (Zhang et al., Embedding Principle, NeurIPS 2021; Fukumizu &
 * Amari 2000). A slice along it is flat: the landscape's degenerate line through an embedded critical point.
 * (The wide model is @losscape/embedding's `splitNeuron`.)
 * @example
 * const { model: wide, direction } = embeddingLine(model, { layer: 1, neuron: 0 });
 */
export function embeddingLine(model: Model, options: { layer: number; neuron: number; alpha?: number }): { model: Model; direction: Float64Array } {
  const fn = "embeddingLine";
  validateModel(model, fn);
  const L = model.widths.length - 1;
  const { layer, neuron } = options;
  checkInt(fn, "layer", layer, 1);
  if (layer > L - 1) throw new ValueError(`${fn}: 'layer' must be a hidden layer in 1..${L - 1}; found ${layer}`);
  const m = model.widths[layer];
  checkInt(fn, "neuron", neuron, 0);
  if (neuron >= m) throw new ValueError(`${fn}: 'neuron' must be in 0..${m - 1}; found ${neuron}`);
  const alpha = options.alpha ?? 0.5;
  checkNumber(fn, "alpha", alpha);
  const wide = splitNeuron(model, { layer, neuron, alpha });
  // The direction: zero except on the outgoing weights of the original (column s of W^{l+1}) and of the copy
  // (column m, the last), (w, −w)/(√2‖w‖).
  const outW = unpackParams(model, model.params)[layer].W;
  const dirLayers = unpackParams(wide, new Float64Array(wide.params.length));
  const D2 = dirLayers[layer].W.data;
  let wn = 0;
  for (let k = 0; k < outW.rows; k++) {
    const w = outW.data[k * m + neuron];
    D2[k * (m + 1) + neuron] = w;
    D2[k * (m + 1) + m] = -w;
    wn += 2 * w * w;
  }
  const direction = packParams(wide, dirLayers);
  const dn = Math.sqrt(wn);
  if (dn > 0) for (let i = 0; i < direction.length; i++) direction[i] /= dn;
  return { model: wide, direction };
}

/** A loss slice: grid[i][j] = R(θ + axes[0][i]·d₁ + axes[1][j]·d₂) (2-D) or grid[0][i] = R(θ + axes[0][i]·d₁) (1-D). */
export interface LossSlice {
  grid: number[][];
  axes: number[][];
  /** The directions used (unit or filter-normalised, as given). */
  directions: Float64Array[];
  /**
   * Which evaluator ran: "affine-plane" (one hidden layer, linear output, mse, no l2: no forward pass per point) or
   * "forward-per-point" (every other net: one forward pass per grid point, mlp's `lossPlane`).
   */
  evaluator: "affine-plane" | "forward-per-point";
}

/**
 * The loss on a 1-D line or 2-D plane through θ: R(θ + a·d₁ [+ b·d₂]) for a, b on a uniform grid of `points`
 * values in [−range, range] (default 51 and 1). Directions are given (length M each, 1 or 2 of them).
 *
 * Plane evaluation (one hidden layer, linear output, mse, no l2, any of the 9 activations): along θ(a, b) = θ + a·d₁ + b·d₂ the first layer's pre-activations are affine in (a, b),
 * Z(a, b) = Z₀ + a·Z₁ + b·Z₂ with Z₀ = XW₁ᵀ + 1b₁ᵀ and Zᵢ = XD₁⁽ⁱ⁾ᵀ + 1e₁⁽ⁱ⁾ᵀ (three products, computed once),
 * and the output f = (W₂ + aE₂ + bF₂)σ(Z) + (b₂ + ae₂ + bf₂) is linear in the output-layer parameters. A grid
 * point then costs O(n·m) instead of a full forward pass, and for tanh the transcendental is removed too: on a
 * row of fixed a, u_j = exp(2z(a, b_j)) = u₀·q^j with q = exp(2Δb·z₂), so tanh z = (u − 1)/(u + 1) costs one
 * multiplication and one division (rows where |z| > 300 somewhere fall back to Math.tanh so u never
 * overflows; the recurrence's relative error grows by ≤ 1 ulp per step, ≤ ~100 ulp over a row); sigmoid likewise,
 * σ = 1/(1 + u) with u_j = exp(−z_j) = u₀·Q^j, Q = exp(−Δb·z₂); relu, leaky-relu, linear and quadratic are evaluated
 * directly; softplus, gelu and sin by σ at every (sample, neuron, column).
 * On a WASM backend (simd, scalar) the plane is evaluated by one kernel call (`sliceAffinePlane`, see
 * `affinePlaneWasm`); the `ts` backend runs the TypeScript evaluator, the kernel's oracle (equal to ≤ 1e-13 relative).
 * Every other network (deeper, non-linear output, cross-entropy, l2 > 0) is evaluated "forward-per-point" by mlp's
 * `lossPlane`: on WASM one kernel call for the whole grid (a forward pass of values per point, the first layer's
 * pre-activations taken from their plane Z¹₀ + aZ¹₁ + bZ¹₂), on `ts` one TypeScript forward pass per point; both equal
 * mlp's `loss` at each point (the l2 term included).
 * @example
 * const d1 = filterNormalizedDirection(model, { seed: 1 }), d2 = filterNormalizedDirection(model, { seed: 2 });
 * const { grid, axes } = lossSlice(model, data, { directions: [d1, d2], points: 51, range: 1 });
 */
export function lossSlice(model: Model, data: Dataset, options: { directions: Float64Array[]; points?: number; range?: number }): LossSlice {
  const fn = "lossSlice";
  validateModel(model, fn);
  validateData(model, data, fn);
  const dirs = options?.directions;
  if (!Array.isArray(dirs) || dirs.length < 1 || dirs.length > 2) {
    throw new ShapeError(`${fn}: 'directions' must be an array of 1 or 2 vectors; found ${Array.isArray(dirs) ? dirs.length : String(dirs)}`);
  }
  const M = paramCount(model);
  dirs.forEach((d, i) => checkParamsVector(fn, `directions[${i}]`, d, M));
  const points = options.points ?? 51;
  checkInt(fn, "points", points, 2);
  const range = options.range ?? 1;
  checkNumber(fn, "range", range, { min: 0, exclusiveMin: true });
  const axis = Array.from({ length: points }, (_, i) => -range + (2 * range * i) / (points - 1));
  const d1 = dirs[0];
  const d2 = dirs.length === 2 ? dirs[1] : new Float64Array(M);
  const axes = dirs.length === 2 ? [axis, axis.slice()] : [axis];
  const bAxis = dirs.length === 2 ? axis : [0];
  const plane = planeEvaluator(model);
  if (plane) {
    const grid = plane(model, data, d1, d2, axis, bAxis);
    return { grid: dirs.length === 2 ? grid : [grid.map((row) => row[0])], axes, directions: dirs, evaluator: "affine-plane" };
  }
  if (dirs.length === 1) {
    const line = lossPlane(model, data, { directions: [d1], aAxis: axis });
    return { grid: [Array.from(line)], axes, directions: dirs, evaluator: "forward-per-point" };
  }
  const flat = lossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: axis });
  const grid = Array.from({ length: points }, (_, i) => Array.from(flat.subarray(i * points, (i + 1) * points)));
  return { grid, axes, directions: dirs, evaluator: "forward-per-point" };
}

type PlaneFn = (model: Model, data: Dataset, d1: Float64Array, d2: Float64Array, aAxis: number[], bAxis: number[]) => number[][];

function planeEvaluator(model: Model): PlaneFn | null {
  if (model.widths.length !== 3) return null;
  if ((model.loss ?? "mse") !== "mse" || (model.output ?? "linear") !== "linear" || (model.l2 ?? 0) !== 0) return null;
  const act = (Array.isArray(model.activation) ? model.activation[0] : model.activation) as Activation;
  const name = typeof act === "string" ? act : act.name;
  const slope = typeof act === "object" ? (act.slope ?? DEFAULT_LEAKY_SLOPE) : DEFAULT_LEAKY_SLOPE;
  return (m, data, d1, d2, aAxis, bAxis) =>
    wasmActive("lossSlice") ? affinePlaneWasm(m, data, d1, d2, aAxis, bAxis, name, slope) : affinePlane(m, data, d1, d2, aAxis, bAxis, name, slope);
}


/**
 * The WASM plane evaluator: Zₖ = XWₖᵀ + 1bₖᵀ by core's `matmul`, then the whole grid in one kernel call
 * (`sliceAffinePlane`, assembly/slice.ts: column pairs in f64x2, tanh by exp(2z) products re-anchored with a fresh
 * polynomial exp every 52 columns; for one output, two neurons at a time sharing one division; sigmoid = 1/(1 + u)
 * with u = e^{−z} carried along the row the same way; softplus, gelu and sin by mlp's σ formulas at every column). Same formulas as `affinePlane` (the oracle, and the `ts` backend's path).
 */
function affinePlaneWasm(
  model: Model,
  data: Dataset,
  d1: Float64Array,
  d2: Float64Array,
  aAxis: number[],
  bAxis: number[],
  act: string,
  slope: number,
): number[][] {
  const [L1, L2] = unpackParams(model, model.params);
  const [D1a, D1b] = unpackParams(model, d1);
  const [D2a, D2b] = unpackParams(model, d2);
  const n = data.x.rows;
  const m = L1.W.rows;
  const r = L2.W.rows;
  const bias = model.bias ?? true;
  const pre = (W: Mat, b: Float64Array): Float64Array => {
    const Z = matmul(data.x, W, { transB: true }).data;
    if (bias) for (let i = 0; i < n; i++) for (let s = 0; s < m; s++) Z[i * m + s] += b[s];
    return Z;
  };
  const biasOf = (b: Float64Array): Float64Array => (bias ? b : new Float64Array(r));
  const nb = bAxis.length;
  const nbp = nb + (nb % 2); // the kernel works on column pairs: pad by repeating the last value
  const bPad = new Float64Array(nbp);
  bPad.set(bAxis);
  bPad[nbp - 1] = bAxis[nb - 1];
  const db = nb > 1 ? bAxis[1] - bAxis[0] : 0;
  const nA = aAxis.length;
  const { grid: g } = kernels.sliceAffinePlane("lossSlice", {
    n, m, r, nA, nb, nbp, code: ACTIVATION_CODES[act as ActivationName], slope,
    z0: pre(L1.W, L1.b), z1: pre(D1a.W, D1a.b), z2: pre(D2a.W, D2a.b),
    w0: L2.W.data, w1: D1b.W.data, w2: D2b.W.data, c0: biasOf(L2.b), c1: biasOf(D1b.b), c2: biasOf(D2b.b),
    y: data.y.data, aAxis: Float64Array.from(aAxis), bAxis: bPad, db,
  });
  return Array.from({ length: nA }, (_, i) => Array.from(g.subarray(i * nbp, i * nbp + nb)));
}

function affinePlane(
  model: Model,
  data: Dataset,
  d1: Float64Array,
  d2: Float64Array,
  aAxis: number[],
  bAxis: number[],
  act: string,
  slope: number,
): number[][] {
  const [L1, L2] = unpackParams(model, model.params);
  const [D1a, D1b] = unpackParams(model, d1);
  const [D2a, D2b] = unpackParams(model, d2);
  const n = data.x.rows;
  const din = data.x.cols;
  const m = L1.W.rows;
  const r = L2.W.rows;
  const X = data.x.data;
  const Y = data.y.data;
  const bias = model.bias ?? true;
  // Z₀, Z₁, Z₂ (n × m): the three products.
  const pre = (W: Float64Array, b: Float64Array): Float64Array => {
    const Z = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < m; s++) {
        let z = bias ? b[s] : 0;
        for (let j = 0; j < din; j++) z += X[i * din + j] * W[s * din + j];
        Z[i * m + s] = z;
      }
    }
    return Z;
  };
  const Z0 = pre(L1.W.data, L1.b);
  const Z1 = pre(D1a.W.data, D1a.b);
  const Z2 = pre(D2a.W.data, D2a.b);
  const nb = bAxis.length;
  const db = nb > 1 ? bAxis[1] - bAxis[0] : 0;
  const grid: number[][] = [];
  const S1 = new Float64Array(nb * r); // Σ_s (W₂ + aE₂)[k, s]·h
  const S2 = new Float64Array(nb * r); // Σ_s F₂[k, s]·h
  const lossRow = new Float64Array(nb);
  const Wa = new Float64Array(r * m);
  const ba = new Float64Array(r);
  const F2 = D2b.W.data;
  const code = act === "tanh" ? 0 : act === "relu" ? 1 : act === "leaky-relu" ? 2 : act === "quadratic" ? 3 : act === "linear" ? 4 : act === "sigmoid" ? 6 : 5;
  // sigmoid, softplus, gelu, sin: mlp's σ through its public activationDerivatives (value; the derivatives it also
  // computes are unused — this is the oracle/`ts` path, the WASM kernel calls σ directly)
  const sigma = (z: number): number => activationDerivatives(act as Activation, z).value;
  const H = new Float64Array(nb); // σ(z(a, b_j)) of one (sample, neuron) pair along the row
  const C = new Float64Array(m * nb); // r = 1: C[s, j] = (W₂ + aE₂ + b_jF₂)[0, s], the output weight at (a, b_j)
  for (const a of aAxis) {
    for (let q = 0; q < r * m; q++) Wa[q] = L2.W.data[q] + a * D1b.W.data[q];
    for (let k = 0; k < r; k++) ba[k] = bias ? L2.b[k] + a * D1b.b[k] : 0;
    lossRow.fill(0);
    if (r === 1) {
      for (let s = 0; s < m; s++) for (let j = 0; j < nb; j++) C[s * nb + j] = Wa[s] + bAxis[j] * F2[s];
    }
    for (let i = 0; i < n; i++) {
      S1.fill(0);
      S2.fill(0);
      if (r === 1 && code === 0) {
        // The hot path (tanh, one output): f(a, b_j) = Σ_s C[s, j]·tanh z_s(a, b_j), one pass per (i, s).
        for (let s = 0; s < m; s++) {
          const zr = Z0[i * m + s] + a * Z1[i * m + s];
          const z2 = Z2[i * m + s];
          const zStart = zr + bAxis[0] * z2;
          const zEnd = zr + bAxis[nb - 1] * z2;
          const cs = s * nb;
          if (Math.max(Math.abs(zStart), Math.abs(zEnd)) <= 300) {
            let u = Math.exp(2 * zStart);
            const qf = Math.exp(2 * db * z2);
            for (let j = 0; j < nb; j++) {
              S1[j] += (C[cs + j] * (u - 1)) / (u + 1);
              u *= qf;
            }
          } else {
            for (let j = 0; j < nb; j++) S1[j] += C[cs + j] * Math.tanh(zr + bAxis[j] * z2);
          }
        }
      } else if (r === 1 && code === 1) {
        // relu, one output: z along the row is affine, z_j = z_start + j·Δz.
        for (let s = 0; s < m; s++) {
          const zr = Z0[i * m + s] + a * Z1[i * m + s];
          const z2 = Z2[i * m + s];
          const cs = s * nb;
          for (let j = 0; j < nb; j++) {
            const z = zr + bAxis[j] * z2;
            if (z > 0) S1[j] += C[cs + j] * z;
          }
        }
      } else {
        for (let s = 0; s < m; s++) {
          const zr = Z0[i * m + s] + a * Z1[i * m + s];
          const z2 = Z2[i * m + s];
          const zStart = zr + bAxis[0] * z2;
          if (code === 0) {
            const zEnd = zr + bAxis[nb - 1] * z2;
            if (Math.max(Math.abs(zStart), Math.abs(zEnd)) <= 300) {
              // u_j = exp(2 z_j) = u₀·q^j; tanh z = (u − 1)/(u + 1).
              let u = Math.exp(2 * zStart);
              const qf = Math.exp(2 * db * z2);
              for (let j = 0; j < nb; j++) {
                H[j] = (u - 1) / (u + 1);
                u *= qf;
              }
            } else {
              for (let j = 0; j < nb; j++) H[j] = Math.tanh(zr + bAxis[j] * z2);
            }
          } else if (code === 1) {
            for (let j = 0; j < nb; j++) {
              const z = zr + bAxis[j] * z2;
              H[j] = z > 0 ? z : 0;
            }
          } else if (code === 2) {
            for (let j = 0; j < nb; j++) {
              const z = zr + bAxis[j] * z2;
              H[j] = z > 0 ? z : slope * z;
            }
          } else if (code === 3) {
            for (let j = 0; j < nb; j++) {
              const z = zr + bAxis[j] * z2;
              H[j] = z * z;
            }
          } else if (code === 4) {
            for (let j = 0; j < nb; j++) H[j] = zr + bAxis[j] * z2;
          } else if (code === 6 && Math.max(Math.abs(zStart), Math.abs(zr + bAxis[nb - 1] * z2)) <= 300) {
            // sigmoid z = 1/(1 + u), u_j = exp(−z_j) = u₀·Q^j with Q = exp(−Δb·z₂) (as tanh's u above)
            let u = Math.exp(-zStart);
            const qf = Math.exp(-db * z2);
            for (let j = 0; j < nb; j++) {
              H[j] = 1 / (1 + u);
              u *= qf;
            }
          } else {
            for (let j = 0; j < nb; j++) H[j] = sigma(zr + bAxis[j] * z2);
          }
          if (r === 1) {
            const w = Wa[s];
            const f = F2[s];
            for (let j = 0; j < nb; j++) {
              S1[j] += w * H[j];
              S2[j] += f * H[j];
            }
          } else {
            for (let k = 0; k < r; k++) {
              const w = Wa[k * m + s];
              const f = F2[k * m + s];
              for (let j = 0; j < nb; j++) {
                S1[j * r + k] += w * H[j];
                S2[j * r + k] += f * H[j];
              }
            }
          }
        }
      }
      for (let j = 0; j < nb; j++) {
        const b = bAxis[j];
        let e = 0;
        for (let k = 0; k < r; k++) {
          const f = S1[j * r + k] + b * S2[j * r + k] + ba[k] + (bias ? b * D2b.b[k] : 0);
          const res = f - Y[i * r + k];
          e += res * res;
        }
        lossRow[j] += e;
      }
    }
    grid.push(Array.from(lossRow, (v) => v / (2 * n)));
  }
  return grid;
}

/** Options of `landscapeSlice`. */
export interface LandscapeSliceOptions {
  /** random (filter-normalised, default), hessian (top eigenvectors), embedding (split line × random), or given vectors. */
  dirs?: "random" | "hessian" | "embedding" | Float64Array[];
  /** 1 or 2 (default 2) directions when `dirs` is a name. */
  dimensions?: 1 | 2;
  /** Grid points per axis (default 51). */
  points?: number;
  /** Half-width of each axis (default 1). */
  range?: number;
  /** Seed of the random directions (default 0). */
  seed?: number;
  /** For dirs "embedding": the neuron to split (default layer 1, neuron 0) and α (default 0.5). */
  split?: { layer: number; neuron: number; alpha?: number };
}

/**
 * A landscape slice as the CLI's `losscape slice --json` prints it: `{grid, axes, dirs}` (plus the directions and
 * the evaluator). dirs "random": filter-normalised random directions (Li et al. 2018); "hessian": the eigenvectors
 * of the largest Hessian eigenvalues; "embedding": the model is first widened by a neuron split and the first
 * direction is its embedding line (`embeddingLine`; the loss is constant along it), the second a random
 * filter-normalised direction; or explicit vectors. See `lossSlice` for the evaluation.
 * @example
 * const { grid, axes, dirs } = landscapeSlice(model, data, { dirs: "random", points: 101, range: 1, seed: 0 });
 */
export function landscapeSlice(
  model: Model,
  data: Dataset,
  options: LandscapeSliceOptions = {},
): LossSlice & { dirs: "random" | "hessian" | "embedding" | "given"; model: Model } {
  const fn = "landscapeSlice";
  validateModel(model, fn);
  const kind = options.dirs ?? "random";
  const dims = options.dimensions ?? 2;
  if (dims !== 1 && dims !== 2) throw new ValueError(`${fn}: 'dimensions' must be 1 or 2; found ${String(dims)}`);
  const seed = options.seed ?? 0;
  let base = model;
  let directions: Float64Array[];
  let name: "random" | "hessian" | "embedding" | "given";
  if (Array.isArray(kind)) {
    directions = kind;
    name = "given";
  } else if (kind === "random") {
    directions = Array.from({ length: dims }, (_, i) => filterNormalizedDirection(model, { seed: seed + i }));
    name = kind;
  } else if (kind === "hessian") {
    directions = hessianDirections(model, data, { count: dims });
    name = kind;
  } else if (kind === "embedding") {
    const sp = options.split ?? { layer: 1, neuron: 0 };
    const e = embeddingLine(model, sp);
    base = e.model;
    directions = dims === 1 ? [e.direction] : [e.direction, filterNormalizedDirection(base, { seed })];
    name = kind;
  } else {
    throw new ValueError(`${fn}: 'dirs' must be "random", "hessian", "embedding" or an array of vectors; found ${String(kind)}`);
  }
  const s = lossSlice(base, data, { directions, points: options.points, range: options.range });
  return { ...s, dirs: name, model: base };
}
