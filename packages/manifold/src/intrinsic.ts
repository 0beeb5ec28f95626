import { checkMat, svd, ValueError, type Mat } from "@losscape/core";
import { checkInt } from "./internal.js";

/** Squared Euclidean distances between the rows of X (N × N, symmetric, zero diagonal). */
function squaredDistances(X: Mat): Float64Array {
  const { rows: N, cols: D, data } = X;
  const d2 = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      let s = 0;
      for (let c = 0; c < D; c++) {
        const t = data[i * D + c] - data[j * D + c];
        s += t * t;
      }
      d2[i * N + j] = s;
      d2[j * N + i] = s;
    }
  }
  return d2;
}

/** The k smallest distances from point i to the others, ascending (excluding itself). */
function nearest(d2: Float64Array, N: number, i: number, k: number): Float64Array {
  const row = new Float64Array(N - 1);
  for (let j = 0, q = 0; j < N; j++) if (j !== i) row[q++] = d2[i * N + j];
  row.sort();
  return row.subarray(0, k).map(Math.sqrt);
}

function checkPoints(fn: string, points: Mat, minRows: number): void {
  checkMat(fn, "points", points);
  if (points.rows < minRows) throw new ValueError(`${fn}: 'points' needs at least ${minRows} rows; found ${points.rows}`);
}

/** Result of `localPcaDimension`. */
export interface PcaDimension {
  dimension: number;
  /** Singular values of the centred point cloud, descending. */
  singularValues: Float64Array;
  /** s_d / s_{d+1} at the chosen split (Infinity when s_{d+1} = 0; null when d is the full rank). */
  gapRatio: number | null;
}

/**
 * Intrinsic dimension by local PCA: the singular values sᵢ of the centred cloud (rows of `points`, a patch of
 * radius h of a smooth d-manifold) are O(h) along the d tangent directions and O(h²·curvature) across (then
 * O(h³), … — a cascade of further gaps), so the dimension is the first split whose ratio s_d/s_{d+1} is ≥ `minGap`
 * (default 10) among the first min(N − 1, D) values (Fukunaga & Olsen, IEEE Trans. Comput. 20 (1971); the ratio
 * makes the choice scale-free). The patch must be small enough that h·curvature ≪ 1/minGap. A cloud with no such
 * gap is reported as full dimension min(N − 1, D).
 * @example
 * localPcaDimension(samples.points).dimension // 21 for the width-10 net on 10 points
 */
export function localPcaDimension(points: Mat, options: { minGap?: number } = {}): PcaDimension {
  const fn = "localPcaDimension";
  checkPoints(fn, points, 2);
  const minGap = options.minGap ?? 10;
  if (!(minGap > 1) || !Number.isFinite(minGap)) throw new ValueError(`${fn}: 'minGap' must be a finite number > 1; found ${minGap}`);
  const { rows: N, cols: D } = points;
  const c = new Float64Array(N * D);
  for (let j = 0; j < D; j++) {
    let mean = 0;
    for (let i = 0; i < N; i++) mean += points.data[i * D + j];
    mean /= N;
    for (let i = 0; i < N; i++) c[i * D + j] = points.data[i * D + j] - mean;
  }
  const s = svd({ rows: N, cols: D, data: c }, { vectors: false }).s;
  const usable = Math.min(N - 1, D);
  for (let d = 1; d < usable; d++) {
    const ratio = s[d] > 0 ? s[d - 1] / s[d] : Infinity;
    if (ratio >= minGap) return { dimension: d, singularValues: s, gapRatio: ratio };
  }
  return { dimension: usable, singularValues: s, gapRatio: null };
}

/**
 * TwoNN intrinsic dimension (Facco, d'Errico, Rodriguez, Laio, Sci. Rep. 7 (2017) 12140): for each point the ratio
 * μᵢ = r₂/r₁ of its second- to first-nearest-neighbour distance is Pareto distributed, F(μ) = 1 − μ^{−d}, when the
 * density is locally constant. As in the paper, the μᵢ are sorted, the empirical F(μ_(i)) = i/N is formed, the
 * largest fraction `discard` (default 0.1) is dropped (they come from boundary points and outliers), and d is the
 * slope of the least-squares line through the origin of −log(1 − F) against log μ:
 * d̂ = Σ log μᵢ·(−log(1 − Fᵢ)) / Σ (log μᵢ)². Points with r₁ = 0 (duplicates) are skipped. Biased low when d is
 * large compared with log N (every nearest-neighbour estimator is): use it for small d.
 * @example
 * twoNnDimension(samples.points) // ≈ 3 on a 3-dimensional patch
 */
export function twoNnDimension(points: Mat, options: { discard?: number } = {}): number {
  const fn = "twoNnDimension";
  checkPoints(fn, points, 3);
  const discard = options.discard ?? 0.1;
  if (!(discard >= 0 && discard < 1)) throw new ValueError(`${fn}: 'discard' must be in [0, 1); found ${discard}`);
  const N = points.rows;
  const d2 = squaredDistances(points);
  const logMu: number[] = [];
  for (let i = 0; i < N; i++) {
    const [r1, r2] = nearest(d2, N, i, 2);
    if (!(r1 > 0)) continue;
    logMu.push(Math.log(r2 / r1));
  }
  logMu.sort((a, b) => a - b);
  const used = logMu.length;
  const keep = Math.floor(used * (1 - discard));
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < keep; i++) {
    const y = -Math.log(1 - (i + 1) / (used + 1));
    sxy += logMu[i] * y;
    sxx += logMu[i] * logMu[i];
  }
  if (keep < 2 || !(sxx > 0)) throw new ValueError(`${fn}: 'points' has too few distinct neighbours (${used} usable points)`);
  return sxy / sxx;
}

/**
 * Levina–Bickel maximum-likelihood intrinsic dimension (Levina & Bickel, NIPS 2004) with k neighbours: at each
 * point m̂ₖ(x) = [ (1/(k − 1)) Σ_{j<k} log(T_k(x)/T_j(x)) ]⁻¹ (T_j the distance to the j-th neighbour), combined
 * as the inverse of the mean of the inverses, m̂ = [ (1/N) Σ m̂ₖ(xᵢ)⁻¹ ]⁻¹ (MacKay & Ghahramani's correction).
 * Default k = 10. Biased low for large d at small N, as every nearest-neighbour estimator.
 * @example
 * levinaBickelDimension(samples.points, { k: 10 }) // ≈ 3 on a 3-dimensional patch
 */
export function levinaBickelDimension(points: Mat, options: { k?: number } = {}): number {
  const fn = "levinaBickelDimension";
  const k = options.k ?? 10;
  checkInt(fn, "k", k, 2);
  checkPoints(fn, points, k + 1);
  const N = points.rows;
  const d2 = squaredDistances(points);
  let invSum = 0;
  let used = 0;
  for (let i = 0; i < N; i++) {
    const T = nearest(d2, N, i, k);
    if (!(T[0] > 0)) continue;
    let s = 0;
    for (let j = 0; j < k - 1; j++) s += Math.log(T[k - 1] / T[j]);
    invSum += s / (k - 1);
    used++;
  }
  if (used === 0 || !(invSum > 0)) throw new ValueError(`${fn}: 'points' has too few distinct neighbours`);
  return used / invSum;
}
