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
 * radius h of a smooth d-manifold) are O(h) along the d tangent directions and O(h²·curvature) across, so the
 * dimension is the split with the widest ratio s_d/s_{d+1} among the first min(N − 1, D) values (Fukunaga & Olsen,
 * IEEE Trans. Comput. 20 (1971); the gap makes the choice scale-free). A cloud with no ratio ≥ `minGap`
 * (default 10) is reported as full dimension min(N − 1, D).
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
  let best = usable;
  let bestRatio = 0;
  for (let d = 1; d < usable; d++) {
    const ratio = s[d] > 0 ? s[d - 1] / s[d] : Infinity;
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = d;
    }
  }
  if (bestRatio < minGap) return { dimension: usable, singularValues: s, gapRatio: null };
  return { dimension: best, singularValues: s, gapRatio: bestRatio };
}

/**
 * TwoNN intrinsic dimension (Facco, d'Errico, Rodriguez, Laio, Sci. Rep. 7 (2017) 12140): for each point the ratio
 * μᵢ = r₂/r₁ of its second- to first-nearest-neighbour distance is Pareto distributed, P(μ > t) = t^{−d}, when the
 * density is locally constant; the maximum-likelihood estimate is d̂ = (N − 1)/Σᵢ log μᵢ (unbiased form).
 * Points with r₁ = 0 (duplicates) are skipped. Biased low when d is large compared with log N (boundary and
 * sparse-sampling effects): use it for small d.
 * @example
 * twoNnDimension(samples.points) // ≈ 3 on a 3-dimensional patch
 */
export function twoNnDimension(points: Mat): number {
  const fn = "twoNnDimension";
  checkPoints(fn, points, 3);
  const N = points.rows;
  const d2 = squaredDistances(points);
  let sum = 0;
  let used = 0;
  for (let i = 0; i < N; i++) {
    const [r1, r2] = nearest(d2, N, i, 2);
    if (!(r1 > 0)) continue;
    sum += Math.log(r2 / r1);
    used++;
  }
  if (used < 2 || !(sum > 0)) throw new ValueError(`${fn}: 'points' has too few distinct neighbours (${used} usable points)`);
  return (used - 1) / sum;
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
