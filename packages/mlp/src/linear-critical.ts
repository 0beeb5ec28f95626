import { checkNumber, eigh, eigvalsh, matmul, solve, ShapeError, transpose, ValueError, type Mat, checkOptions } from "@losscape/core";
import { ACTIVATION_CODES } from "./activations.js";
import { DEFAULT_LINEAR_TOL } from "./defaults.js";
import { checkData, compileSpec, type Net } from "./spec.js";
import type { Dataset, DatasetInput, MlpSpec, Model, ModelInput } from "./types.js";

export interface LinearCriticalOptions {
  /**
   * Largest rank r = |I| of the products enumerated (default min(p, d_out), p the narrowest hidden width: every
   * critical point). Must lie in [0, min(p, d_out)].
   */
  maxRank?: number;
  /** Refuse (typed error) when more than this many index sets would be enumerated (default 4096). */
  maxPoints?: number;
  /**
   * Relative tolerance of the theory's assumptions (default `DEFAULT_LINEAR_TOL` = 1e-10): Σ_XX counts as invertible
   * when its smallest eigenvalue is > tol × its largest; Σ's eigenvalues count as positive and distinct when
   * λ_{d_out} and every gap λᵢ − λᵢ₊₁ are > tol·λ₁.
   */
  tol?: number;
}

/** One critical point of a linear network, from the closed form (docs/conventions.md#linear-networks). */
export interface LinearCriticalPoint {
  /** The index set I: 0-based indices into `eigenvalues` (descending), ascending. The product is W = U_I U_Iᵀ Σ_YX Σ_XX⁻¹. */
  indices: number[];
  /** r = |I|, the rank of the product W = W^L⋯W¹. */
  rank: number;
  /** A representative: the balanced factorisation of W (live units first, the others zero); output bias ȳ − Wx̄ with bias. */
  model: Model;
  /** R = ½(tr Σ_YY − Σ_{i∈I} λᵢ) (losscape's mse, 1/(2n); centred covariances with bias). */
  loss: number;
  /** The theory's type: I = {0, …, min(p, d_out) − 1} is the global minimum, every other index set a saddle. */
  kind: "global-minimum" | "saddle";
  /** The inertia of the exact Hessian at `model`, in closed form (docs/conventions.md#linear-networks). */
  inertia: { negative: number; zero: number; positive: number };
}

export interface LinearCriticalPoints {
  /** λ₁ > … > λ_{d_out} > 0, the eigenvalues of Σ = Σ_YX Σ_XX⁻¹ Σ_XY. */
  eigenvalues: Float64Array;
  /** p = min(m₁, …, m_{L−1}), the narrowest hidden width: products have rank ≤ min(p, d_out). */
  bottleneck: number;
  /** One point per index set I with |I| ≤ maxRank, sorted by loss (ascending; ties in the order of rank, then I). */
  points: LinearCriticalPoint[];
}

/**
 * The critical points of a linear network with mse loss, in closed form: for every index set I of the eigenvalues
 * of Σ = Σ_YX Σ_XX⁻¹ Σ_XY (|I| ≤ p, the narrowest hidden width), a representative parameter vector, its loss and
 * its type (docs/conventions.md#linear-networks).
 *
 * With Σ_XX = XᵀX/n, Σ_YX = YᵀX/n, Σ_YY = YᵀY/n (centred when the net has biases) and Σ = UΛUᵀ, λ₁ > … > λ_{d_out}
 * > 0, every critical point of R = (1/2n)‖Y − XWᵀ‖²_F, W = W^L⋯W¹, has W = U_I U_Iᵀ Σ_YX Σ_XX⁻¹ for some I with
 * |I| = rank W ≤ p, and R = ½(tr Σ_YY − Σ_{i∈I} λᵢ) (Baldi & Hornik 1989 for one hidden layer; the same argument
 * holds at any depth). I = {1, …, min(p, d_out)} is the global minimum and every other I a saddle (Baldi & Hornik
 * 1989; Kawaguchi 2016 for depth: every local minimum is global). The representative is the balanced factorisation
 * A_I = U_Iᵀ Σ_YX Σ_XX⁻¹ = Q S Vᵀ (S r × r): W^L = [U_I Q S^{1/L}, 0], W^l = [S^{1/L}, 0; 0, 0] in between,
 * W¹ = [S^{1/L} Vᵀ; 0], so W^{l+1}ᵀW^{l+1} = W^l W^lᵀ; hidden biases 0 and b^L = ȳ − W x̄. `inertia` is its
 * Hessian's inertia in closed form (for depth ≥ 3 the other points of the same critical set can have more negative
 * eigenvalues: the representative, with its unused units at zero, is the most degenerate one).
 *
 * Requirements (typed errors): every activation and the output linear, mse, l2 = 0, at least one hidden layer;
 * Σ_XX invertible and Σ's eigenvalues positive and distinct (to `tol`), which needs d_out ≤ d_in and n > d_in.
 * @example
 * const { points } = linearCriticalPoints({ widths: [3, 2, 3], activation: "linear", bias: false }, data);
 * points[0].kind; // "global-minimum"; points[0].loss === ½(tr Σ_YY − λ₁ − λ₂)
 */
export function linearCriticalPoints(spec: MlpSpec, data: DatasetInput, options: LinearCriticalOptions = {}): LinearCriticalPoints {
  const fn = "linearCriticalPoints";
  options = checkOptions(fn, options, ["maxRank", "maxPoints", "tol"]);
  const net = compileSpec(fn, spec);
  checkLinearNet(fn, net, spec);
  data = checkData(fn, net, data);
  if (typeof options !== "object" || options === null) throw new ValueError(`${fn}: 'options' must be an object; found ${String(options)}`);
  const tol = options.tol ?? DEFAULT_LINEAR_TOL;
  checkNumber(fn, "tol", tol, { min: 0 });
  const dIn = net.widths[0];
  const dOut = net.widths[net.L];
  const p = Math.min(...net.widths.slice(1, net.L));
  const rMax = Math.min(p, dOut);
  const maxRank = options.maxRank ?? rMax;
  checkNumber(fn, "maxRank", maxRank, { min: 0, max: rMax, integer: true });
  const maxPoints = options.maxPoints ?? 4096;
  checkNumber(fn, "maxPoints", maxPoints, { min: 1, integer: true });
  let count = 0;
  for (let r = 0; r <= maxRank; r++) count += binomial(dOut, r);
  if (count > maxPoints) {
    throw new ValueError(
      `${fn}: 'maxPoints' must be ≥ the number of index sets, ${count} (ranks 0…${maxRank} of d_out = ${dOut}); found ${maxPoints}: pass a smaller 'maxRank' or a larger 'maxPoints'`,
    );
  }

  const s = covariances(data, net.bias);
  const sxxEig = eigvalsh(s.sxx);
  if (!(sxxEig[0] > tol * sxxEig[dIn - 1])) {
    throw new ValueError(
      `${fn}: 'data.x' must have an invertible covariance Σ_XX (smallest eigenvalue > tol·largest, tol = ${tol}${net.bias ? ", centred: biases" : ""}); ` +
        `found eigenvalues ${sxxEig[0]} … ${sxxEig[dIn - 1]} (n = ${data.x.rows}, d_in = ${dIn})`,
    );
  }
  // B = Σ_XX⁻¹ Σ_XY (d_in × d_out), so Σ_YX Σ_XX⁻¹ = Bᵀ and Σ = Σ_YX B.
  let B: Mat;
  try {
    B = solve(s.sxx, transpose(s.syx));
  } catch (e) {
    // only with a tol so small that a numerically singular Σ_XX passed the check above
    throw new ValueError(`${fn}: 'data.x' must have an invertible covariance Σ_XX; found it singular to working precision (tol = ${tol}): ${(e as Error).message}`);
  }
  const sigma = matmul(s.syx, B);
  symmetrise(sigma);
  const { values, vectors } = eigh(sigma);
  const lambda = Float64Array.from(values).reverse();
  const U = mat(dOut, dOut, (i, k) => vectors.data[i * dOut + (dOut - 1 - k)]);
  for (let i = 0; i < dOut; i++) {
    const gap = i + 1 < dOut ? lambda[i] - lambda[i + 1] : lambda[i];
    if (!(gap > tol * lambda[0])) {
      throw new ValueError(
        `${fn}: 'data' must give Σ = Σ_YX Σ_XX⁻¹ Σ_XY positive, distinct eigenvalues (every gap > tol·λ₁, tol = ${tol}; ` +
          `d_out ≤ d_in is needed); found λ = [${Array.from(lambda).join(", ")}]`,
      );
    }
  }

  const { params: _params, ...bare } = spec as Model;
  const points: LinearCriticalPoint[] = [];
  for (let r = 0; r <= maxRank; r++) {
    for (const I of combinations(dOut, r)) {
      let explained = 0;
      for (const i of I) explained += lambda[i];
      points.push({
        indices: I,
        rank: r,
        model: { ...(bare as MlpSpec), params: balancedParams(net, U, B, s, I) },
        loss: 0.5 * (s.trSyy - explained),
        kind: r === rMax && I[r - 1] === r - 1 ? "global-minimum" : "saddle",
        inertia: hessianInertia(net, I, p),
      });
    }
  }
  points.sort((a, b) => a.loss - b.loss);
  return { eigenvalues: lambda, bottleneck: p, points };
}

/** The net must be linear with mse and no l2, with a hidden layer: otherwise the closed form does not apply. */
function checkLinearNet(fn: string, net: Net, spec: MlpSpec): void {
  if (net.L < 2) {
    throw new ShapeError(`${fn}: 'widths' must have a hidden layer ([d_in, m₁, …, d_out], at least 3 entries); found [${net.widths.join(", ")}]`);
  }
  for (let l = 0; l < net.L - 1; l++) {
    if (net.codes[l] !== ACTIVATION_CODES.linear) {
      const a = Array.isArray(spec.activation) ? { arg: `activation[${l}]`, v: spec.activation[l] } : { arg: "activation", v: spec.activation };
      throw new ValueError(`${fn}: '${a.arg}' must be 'linear' (the closed form holds for linear networks); found ${JSON.stringify(a.v)}`);
    }
  }
  if (net.codes[net.L - 1] !== ACTIVATION_CODES.linear) {
    throw new ValueError(`${fn}: 'output' must be 'linear' (the closed form holds for linear networks); found ${JSON.stringify(spec.output)}`);
  }
  if (net.loss !== 0) throw new ValueError(`${fn}: 'loss' must be 'mse' (the closed form is for the squared loss); found '${String(spec.loss)}'`);
  if (net.l2 !== 0) throw new ValueError(`${fn}: 'l2' must be 0 (weight decay moves the critical points); found ${net.l2}`);
}

interface Covariances {
  sxx: Mat;
  /** Σ_YX, d_out × d_in. */
  syx: Mat;
  trSyy: number;
  xMean: Float64Array;
  yMean: Float64Array;
}

/** Σ_XX = XᵀX/n, Σ_YX = YᵀX/n, tr Σ_YY = ‖Y‖²_F/n; with biases from the centred X − 1x̄ᵀ, Y − 1ȳᵀ. */
function covariances(data: Dataset, centre: boolean): Covariances {
  const n = data.x.rows;
  const mean = (a: Mat) => {
    const m = new Float64Array(a.cols);
    if (centre) {
      for (let i = 0; i < n; i++) for (let k = 0; k < a.cols; k++) m[k] += a.data[i * a.cols + k];
      for (let k = 0; k < a.cols; k++) m[k] /= n;
    }
    return m;
  };
  const xMean = mean(data.x);
  const yMean = mean(data.y);
  const X = mat(n, data.x.cols, (i, k) => data.x.data[i * data.x.cols + k] - xMean[k]);
  const Y = mat(n, data.y.cols, (i, k) => data.y.data[i * data.y.cols + k] - yMean[k]);
  const sxx = matmul(X, X, { transA: true, alpha: 1 / n });
  symmetrise(sxx);
  let trSyy = 0;
  for (const v of Y.data) trSyy += v * v;
  return { sxx, syx: matmul(Y, X, { transA: true, alpha: 1 / n }), trSyy: trSyy / n, xMean, yMean };
}

/**
 * θ of the balanced factorisation of W = U_I A_I, A_I = U_Iᵀ Σ_YX Σ_XX⁻¹ (r × d_in, rank r): A_I A_Iᵀ = Q S² Qᵀ,
 * Vᵀ = S⁻¹QᵀA_I; W^L = [U_I Q S^{1/L}, 0], W^l = [S^{1/L}, 0; 0, 0] (1 < l < L), W¹ = [S^{1/L} Vᵀ; 0], hidden
 * biases 0, b^L = ȳ − W x̄.
 */
function balancedParams(net: Net, U: Mat, B: Mat, s: Covariances, I: readonly number[]): Float64Array {
  const { widths, L } = net;
  const dIn = widths[0];
  const dOut = widths[L];
  const r = I.length;
  const theta = new Float64Array(net.M);
  if (r > 0) {
    const UI = mat(dOut, r, (i, k) => U.data[i * dOut + I[k]]);
    const A = matmul(UI, B, { transA: true, transB: true }); // U_Iᵀ Bᵀ, r × d_in
    const K = matmul(A, A, { transB: true });
    symmetrise(K);
    const { values: s2, vectors: Q } = eigh(K);
    const root = Float64Array.from(s2, (v) => Math.pow(Math.sqrt(v), 1 / L)); // S^{1/L}
    const UQ = matmul(UI, Q);
    const QtA = matmul(Q, A, { transA: true });
    const put = (l: number, row: number, col: number, v: number) => (theta[net.offW[l - 1] + row * widths[l - 1] + col] = v);
    for (let i = 0; i < dOut; i++) for (let k = 0; k < r; k++) put(L, i, k, UQ.data[i * r + k] * root[k]);
    for (let l = 2; l < L; l++) for (let k = 0; k < r; k++) put(l, k, k, root[k]);
    for (let k = 0; k < r; k++) {
      const c = root[k] / Math.sqrt(s2[k]); // S^{1/L}·S⁻¹
      for (let j = 0; j < dIn; j++) put(1, k, j, c * QtA.data[k * dIn + j]);
    }
    if (net.bias) {
      // b^L = ȳ − U_I (A_I x̄)
      const ax = new Float64Array(r);
      for (let k = 0; k < r; k++) for (let j = 0; j < dIn; j++) ax[k] += A.data[k * dIn + j] * s.xMean[j];
      for (let i = 0; i < dOut; i++) {
        let w = 0;
        for (let k = 0; k < r; k++) w += UI.data[i * r + k] * ax[k];
        theta[net.offB[L - 1] + i] = s.yMean[i] - w;
      }
    }
  } else if (net.bias) {
    theta.set(s.yMean, net.offB[L - 1]);
  }
  return theta;
}

/**
 * Inertia of the exact Hessian at the representative of I (docs/conventions.md#linear-networks): with
 * inv(I) = #{(i ∈ I, j ∉ I): j < i} (pairs whose swap explains more), r = |I|, p the bottleneck and M_w the number
 * of weights, negative = inv(I) + [L = 2](p − r)(d_out − r), positive = r(d_in + d_out) − r² − inv(I)
 * + [L = 2](p − r)(d_out − r) (+ d_out with biases), zero the rest.
 */
function hessianInertia(net: Net, I: readonly number[], p: number): { negative: number; zero: number; positive: number } {
  const { widths, L } = net;
  const dIn = widths[0];
  const dOut = widths[L];
  const r = I.length;
  let inversions = 0;
  const inI = new Set(I);
  for (const i of I) for (let j = 0; j < i; j++) if (!inI.has(j)) inversions++;
  const deadPairs = L === 2 ? (p - r) * (dOut - r) : 0;
  const negative = inversions + deadPairs;
  const positive = r * (dIn + dOut) - r * r - inversions + deadPairs + (net.bias ? dOut : 0);
  return { negative, zero: net.M - negative - positive, positive };
}

/** The r-element subsets of {0, …, n − 1}, each ascending, in lexicographic order. */
function* combinations(n: number, r: number): Generator<number[]> {
  const c = Array.from({ length: r }, (_, i) => i);
  for (;;) {
    yield c.slice();
    let i = r - 1;
    while (i >= 0 && c[i] === n - r + i) i--;
    if (i < 0) return;
    c[i]++;
    for (let j = i + 1; j < r; j++) c[j] = c[j - 1] + 1;
  }
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (n - k + i)) / i;
  return Math.round(b);
}

function mat(rows: number, cols: number, entry: (i: number, k: number) => number): Mat {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) data[i * cols + k] = entry(i, k);
  return { rows, cols, data };
}

/** A ← (A + Aᵀ)/2 in place (products like XᵀX are symmetric only up to rounding on some backends). */
function symmetrise(a: Mat): void {
  const n = a.rows;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const v = 0.5 * (a.data[i * n + k] + a.data[k * n + i]);
      a.data[i * n + k] = v;
      a.data[k * n + i] = v;
    }
  }
}
