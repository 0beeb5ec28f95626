import { matmul, ValueError, wasmActive, type Mat } from "@losscape/core";
import { act, ACTIVATION_CODES } from "./activations.js";
import { wasmAffinePlane } from "./engine-wasm.js";
import { notNaNOnGrid, planeArguments, type LossPlaneOptions } from "./plane.js";
import { asModel, checkData, checkModel, unpackParams, type Net } from "./spec.js";
import type { Dataset, DatasetInput, Model, ModelInput } from "./types.js";

/**
 * Whether `affineLossPlane` evaluates this model: one hidden layer, a linear output, mse loss and l2 = 0 (any
 * hidden activation, with or without bias). The model is not otherwise validated.
 * @example
 * affineLossPlaneApplies({ widths: [2, 8, 1], activation: "tanh", params }) // true
 */
export function affineLossPlaneApplies(model: ModelInput): boolean {
  return (
    Array.isArray(model?.widths) &&
    model.widths.length === 3 &&
    (model.loss ?? "mse") === "mse" &&
    (model.output ?? "linear") === "linear" &&
    (model.l2 ?? 0) === 0
  );
}

/** Largest relative deviation of bAxis from an arithmetic progression that `affineLossPlane` accepts. */
const SPACING_TOL = 1e-10;

/**
 * The loss on a line or a plane through θ for a one-hidden-layer net (see `affineLossPlaneApplies`), with the
 * options and the grid of `lossPlane` (grid[i·nB + j] = R(θ + aᵢ·d₁ + bⱼ·d₂), row-major), and bAxis evenly
 * spaced (bⱼ = b₀ + j·Δb up to 1e-10 of max|b|; aAxis is free). Along θ(a, b) = θ + a·d₁ + b·d₂ the hidden
 * pre-activations are affine in (a, b), Z(a, b) = Z₀ + a·Z₁ + b·Z₂ with Z₀ = XW¹ᵀ + 1b¹ᵀ and Zₖ the same
 * product of the first-layer blocks of dₖ (three products, once), and the output
 * f = (W² + aE² + bF²)σ(Z) + (b² + ae² + bf²) is linear in the output-layer parameters; so a grid point costs
 * O(n·m) instead of a forward pass, and R = 1/(2n) Σᵢ ‖fᵢ − yᵢ‖².
 * On a row of fixed a the transcendental goes too: u_j = exp(2z(a, b_j)) = u₀·q^j with q = exp(2Δb·z₂), so
 * tanh z = (u − 1)/(u + 1) costs a product and a division (rows where |z| > 300 somewhere use Math.tanh, so u
 * never overflows; the relative error grows by ≤ 1 ulp per step); sigmoid likewise, σ = 1/(1 + u) with
 * u_j = exp(−z_j) = u₀·Q^j, Q = exp(−Δb·z₂); relu, leaky-relu, linear and quadratic are evaluated directly,
 * softplus, gelu and sin by σ at every (sample, neuron, column).
 * On a WASM backend (simd, scalar) the grid is one kernel call (`sliceAffinePlane`, assembly/slice.ts: column
 * pairs in f64x2, u re-anchored with a polynomial exp every 52 columns; one output: two tanh neurons per pass
 * sharing one division); the `ts` backend runs the TypeScript evaluator, the kernel's oracle (equal to ≤ 1e-13
 * relative in the tests). Both equal `lossPlane` to ≤ 1e-11 relative (the exp products) when the hidden
 * pre-activations are O(1), at a fraction of its cost (benchmarks/suites/manifold-slice.js). The exp products give
 * tanh = (u − 1)/(u + 1) an absolute error of a few ulp per column (re-anchored every 52 columns in WASM), not a
 * relative one (sigmoid's 1/(1 + u) stays relatively accurate), so f is off by ≈ k·2⁻⁵³·Σₛ|W²ₖₛ| at column k
 * rather than by ≈ 2⁻⁵³·|f|: in tanh's linear regime (small first-layer weights, large output weights, the
 * a·tanh(x/a) rescaling) the error grows with the output weights.
 * A 2-6-1 tanh net with first-layer weights ≈ 1e-9 and output weights ≈ 1e9, along a 101-point row, measured
 * against 50-digit mpmath: up to 1.4e-7 (simd), 8.9e-8 (scalar) and 5.6e-7 (ts) relative, `lossPlane` 4.7e-16;
 * with 1e-6 and 1e6 on an 11 × 11 plane up to 7.2e-11. Use `lossPlane` for such nets.
 * A grid point where R is NaN (hidden values that overflow float64 meet 0·∞ or ∞ − ∞) is a ValueError naming it,
 * as `loss` refuses that NaN; R = +∞ is returned.
 * @example
 * const plane = affineLossPlane(model, data, { directions: [d1, d2], aAxis: axis, bAxis: axis }); // nA × nB
 */
export function affineLossPlane(model: ModelInput, data: DatasetInput, options: LossPlaneOptions): Float64Array {
  const fn = "affineLossPlane";
  model = asModel(model);
  const net = checkModel(fn, model);
  if (!affineLossPlaneApplies(model)) {
    throw new ValueError(
      `${fn}: 'model' must have one hidden layer, a linear output, mse loss and l2 = 0; found widths [${net.widths.join(", ")}], ` +
        `output ${model.output ?? "linear"}, loss ${model.loss ?? "mse"}, l2 ${model.l2 ?? 0}`,
    );
  }
  data = checkData(fn, net, data);
  const { d1, d2, aAxis, bAxis } = planeArguments(fn, net, options);
  const nb = bAxis.length;
  const db = nb > 1 ? bAxis[1] - bAxis[0] : 0;
  let bMax = 0;
  for (const b of bAxis) bMax = Math.max(bMax, Math.abs(b));
  for (let j = 2; j < nb; j++) {
    if (Math.abs(bAxis[j] - (bAxis[0] + j * db)) > SPACING_TOL * bMax) {
      throw new ValueError(
        `${fn}: 'bAxis' must be evenly spaced (bⱼ = b₀ + j·(b₁ − b₀) to 1e-10 of max|b|); found b₀ = ${bAxis[0]}, b₁ = ${bAxis[1]}, b${j} = ${bAxis[j]}`,
      );
    }
  }
  const plane = { model, data, d1, d2, aAxis, bAxis, db, code: net.codes[0], slope: net.cparams[0], bias: net.bias };
  return notNaNOnGrid(fn, wasmActive(fn) ? affinePlaneWasm(fn, plane) : affinePlaneTs(plane), aAxis, bAxis);
}

interface AffinePlane {
  model: Model;
  data: Dataset;
  d1: Float64Array;
  d2: Float64Array;
  aAxis: Float64Array;
  bAxis: Float64Array;
  /** b₁ − b₀ (0 for one b value). */
  db: number;
  /** The hidden activation's code and parameter (Net.codes[0], Net.cparams[0]). */
  code: number;
  slope: number;
  bias: boolean;
}

/**
 * The WASM evaluator: Zₖ = XWₖᵀ + 1bₖᵀ by core's `matmul`, then the whole grid in one call of the kernel
 * `sliceAffinePlane`. Same formulas as `affinePlaneTs` (the oracle, and the `ts` backend's path).
 */
function affinePlaneWasm(fn: string, { model, data, d1, d2, aAxis, bAxis, db, code, slope, bias }: AffinePlane): Float64Array {
  const [L1, L2] = unpackParams(model, model.params);
  const [D1a, D1b] = unpackParams(model, d1);
  const [D2a, D2b] = unpackParams(model, d2);
  const n = data.x.rows;
  const m = L1.W.rows;
  const r = L2.W.rows;
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
  const nA = aAxis.length;
  const g = wasmAffinePlane(fn, {
    n, m, r, nA, nb, nbp, code, slope,
    z0: pre(L1.W, L1.b), z1: pre(D1a.W, D1a.b), z2: pre(D2a.W, D2a.b),
    w0: L2.W.data, w1: D1b.W.data, w2: D2b.W.data, c0: biasOf(L2.b), c1: biasOf(D1b.b), c2: biasOf(D2b.b),
    y: data.y.data, aAxis, bAxis: bPad, db,
  });
  const grid = new Float64Array(nA * nb);
  for (let i = 0; i < nA; i++) grid.set(g.subarray(i * nbp, i * nbp + nb), i * nb);
  return grid;
}

const TANH = ACTIVATION_CODES.tanh;
const RELU = ACTIVATION_CODES.relu;
const LEAKY = ACTIVATION_CODES["leaky-relu"];
const QUADRATIC = ACTIVATION_CODES.quadratic;
const LINEAR = ACTIVATION_CODES.linear;
const SIGMOID = ACTIVATION_CODES.sigmoid;

/** The TypeScript evaluator (the kernel's oracle). */
function affinePlaneTs({ model, data, d1, d2, aAxis, bAxis, db, code, slope, bias }: AffinePlane): Float64Array {
  const [L1, L2] = unpackParams(model, model.params);
  const [D1a, D1b] = unpackParams(model, d1);
  const [D2a, D2b] = unpackParams(model, d2);
  const n = data.x.rows;
  const din = data.x.cols;
  const m = L1.W.rows;
  const r = L2.W.rows;
  const X = data.x.data;
  const Y = data.y.data;
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
  const nA = aAxis.length;
  const nb = bAxis.length;
  const grid = new Float64Array(nA * nb);
  const S1 = new Float64Array(nb * r); // Σ_s (W₂ + aE₂)[k, s]·h
  const S2 = new Float64Array(nb * r); // Σ_s F₂[k, s]·h
  const lossRow = new Float64Array(nb);
  const Wa = new Float64Array(r * m);
  const ba = new Float64Array(r);
  const F2 = D2b.W.data;
  // sigmoid (|z| > 300), softplus, gelu, sin: σ at every column, the formulas of mlp's forward pass
  const sigma = (z: number): number => act(code, slope, z);
  const H = new Float64Array(nb); // σ(z(a, b_j)) of one (sample, neuron) pair along the row
  const C = new Float64Array(m * nb); // r = 1: C[s, j] = (W₂ + aE₂ + b_jF₂)[0, s], the output weight at (a, b_j)
  for (let ia = 0; ia < nA; ia++) {
    const a = aAxis[ia];
    for (let q = 0; q < r * m; q++) Wa[q] = L2.W.data[q] + a * D1b.W.data[q];
    for (let k = 0; k < r; k++) ba[k] = bias ? L2.b[k] + a * D1b.b[k] : 0;
    lossRow.fill(0);
    if (r === 1) {
      for (let s = 0; s < m; s++) for (let j = 0; j < nb; j++) C[s * nb + j] = Wa[s] + bAxis[j] * F2[s];
    }
    for (let i = 0; i < n; i++) {
      S1.fill(0);
      S2.fill(0);
      if (r === 1 && code === TANH) {
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
      } else if (r === 1 && code === RELU) {
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
          if (code === TANH) {
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
          } else if (code === RELU) {
            for (let j = 0; j < nb; j++) {
              const z = zr + bAxis[j] * z2;
              H[j] = z > 0 ? z : 0;
            }
          } else if (code === LEAKY) {
            for (let j = 0; j < nb; j++) {
              const z = zr + bAxis[j] * z2;
              H[j] = z > 0 ? z : slope * z;
            }
          } else if (code === QUADRATIC) {
            for (let j = 0; j < nb; j++) {
              const z = zr + bAxis[j] * z2;
              H[j] = z * z;
            }
          } else if (code === LINEAR) {
            for (let j = 0; j < nb; j++) H[j] = zr + bAxis[j] * z2;
          } else if (code === SIGMOID && Math.max(Math.abs(zStart), Math.abs(zr + bAxis[nb - 1] * z2)) <= 300) {
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
              if (Number.isFinite(H[j])) {
                S1[j] += w * H[j];
                S2[j] += f * H[j];
              } else S1[j] += (w + bAxis[j] * f) * H[j]; // σ = ±∞: the weight at (a, b_j) first, as `loss` (0·∞ in f·σ is not R's)
            }
          } else {
            for (let k = 0; k < r; k++) {
              const w = Wa[k * m + s];
              const f = F2[k * m + s];
              for (let j = 0; j < nb; j++) {
                if (Number.isFinite(H[j])) {
                  S1[j * r + k] += w * H[j];
                  S2[j * r + k] += f * H[j];
                } else S1[j * r + k] += (w + bAxis[j] * f) * H[j];
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
    for (let j = 0; j < nb; j++) grid[ia * nb + j] = lossRow[j] / (2 * n);
  }
  return grid;
}
