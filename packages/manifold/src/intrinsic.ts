import { checkMat, ShapeError, svd, ValueError, type Mat, checkOptions } from "@losscape/core";
import { checkInt } from "./internal.js";

/**
 * Options shared by the nearest-neighbour estimators. `queries` (Q × D, same D as `points`): the rows at which the
 * estimator is evaluated, their neighbours taken among all rows of `points` (a query's zero distances — itself, if
 * it is also a row of `points`, or a duplicate — are skipped). Default: every row of `points` is a query. Use it to
 * evaluate away from the boundary of a sampled patch: in dimension d almost all of a ball's volume is near its
 * sphere (a fraction 1 − 2⁻ᵈ outside half the radius), so most samples see their neighbours on one side only and
 * every nearest-neighbour estimator is biased low there; queries near the centre whose k-th neighbour lies inside
 * the patch see an exactly uniform neighbourhood (but share neighbours). `sampleNeighbourhoods` gives each query a
 * neighbourhood of its own, uniform around it, with `queries` to pass here.
 */
export interface NeighbourOptions {
  queries?: Mat;
}

/**
 * For each query row, the k smallest non-zero distances to the rows of `points`, ascending (Q × k, row-major).
 * Queries default to the points themselves (then the zero self-distance is the one skipped).
 */
function neighbourDistances(fn: string, points: Mat, queries: Mat | undefined, k: number): { Q: number; T: Float64Array } {
  const { rows: N, cols: D, data: P } = points;
  const Qm = queries ?? points;
  if (queries !== undefined) {
    checkMat(fn, "queries", queries);
    if (queries.cols !== D) throw new ShapeError(`${fn}: 'queries' must have ${D} columns (as 'points'); found ${queries.cols}`);
    if (queries.rows < 1) throw new ValueError(`${fn}: 'queries' needs at least 1 row; found 0`);
  }
  const Q = Qm.rows;
  const T = new Float64Array(Q * k);
  const best = new Float64Array(k); // the k smallest squared distances so far, ascending (insertion: O(N + k·#inserts))
  for (let q = 0; q < Q; q++) {
    const o = q * D;
    let m = 0;
    for (let i = 0; i < N; i++) {
      // Partial sums only grow: stop summing once s exceeds the current k-th smallest (checked every 8 terms).
      const bound = m === k ? best[k - 1] : Infinity;
      let s = 0;
      for (let c = 0; c < D; c++) {
        const t = P[i * D + c] - Qm.data[o + c];
        s += t * t;
        if ((c & 7) === 7 && s >= bound) break;
      }
      if (!(s > 0) || s >= bound) continue;
      let j = m < k ? m++ : k - 1;
      for (; j > 0 && best[j - 1] > s; j--) best[j] = best[j - 1];
      best[j] = s;
    }
    if (m < k) throw new ValueError(`${fn}: query row ${q} has ${m} points at non-zero distance; ${k} neighbours are needed`);
    for (let j = 0; j < k; j++) T[q * k + j] = Math.sqrt(best[j]);
  }
  return { Q, T };
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
  /** s_d / s_{d+1} at the chosen split (Infinity when s_{d+1} = 0; null when d is the full rank or 0). */
  gapRatio: number | null;
}

/**
 * Intrinsic dimension by local PCA: the singular values sᵢ of the centred cloud (rows of `points`, a patch of
 * radius h of a smooth d-manifold) are O(h) along the d tangent directions and O(h²·curvature) across (then
 * O(h³), … — a cascade of further gaps), so the dimension is the first split whose ratio s_d/s_{d+1} is ≥ `minGap`
 * (default 10) among the first min(N − 1, D) values (Fukunaga & Olsen, IEEE Trans. Comput. 20 (1971); the ratio
 * makes the choice scale-free). The patch must be small enough that h·curvature ≪ 1/minGap. A cloud with no such
 * gap is reported as full dimension min(N − 1, D); identical points (every sᵢ = 0) have dimension 0. The mean is
 * taken as x₀ + Σᵢ(xᵢ − x₀)/N (x₀ the first row), so that equal rows centre to exactly 0.
 * @example
 * localPcaDimension(samples.points).dimension // 21 for the width-10 net on 10 points
 */
export function localPcaDimension(points: Mat, options: { minGap?: number } = {}): PcaDimension {
  const fn = "localPcaDimension";
  options = checkOptions(fn, options, ["minGap"]);
  checkPoints(fn, points, 2);
  const minGap = options.minGap ?? 10;
  if (!(minGap > 1) || !Number.isFinite(minGap)) throw new ValueError(`${fn}: 'minGap' must be a finite number > 1; found ${minGap}`);
  const { rows: N, cols: D } = points;
  const c = new Float64Array(N * D);
  for (let j = 0; j < D; j++) {
    // Shifted by the first row: Σxᵢ/N rounds (0.1 + 0.1 + 0.1 ≠ 3·0.1), and equal rows would centre to ±1 ulp.
    const x0 = points.data[j];
    let shift = 0;
    for (let i = 0; i < N; i++) shift += points.data[i * D + j] - x0;
    shift /= N;
    for (let i = 0; i < N; i++) c[i * D + j] = points.data[i * D + j] - x0 - shift;
  }
  const s = svd({ rows: N, cols: D, data: c }, { vectors: false }).s;
  // Every sᵢ = 0: the points coincide (the ratio s₁/s₂ = 0/0 below was taken as ∞, dimension 1).
  if (!(s[0] > 0)) return { dimension: 0, singularValues: s, gapRatio: null };
  const usable = Math.min(N - 1, D);
  for (let d = 1; d < usable; d++) {
    const ratio = s[d] > 0 ? s[d - 1] / s[d] : Infinity;
    if (ratio >= minGap) return { dimension: d, singularValues: s, gapRatio: ratio };
  }
  return { dimension: usable, singularValues: s, gapRatio: null };
}

/**
 * TwoNN intrinsic dimension (Facco, d'Errico, Rodriguez, Laio, Sci. Rep. 7 (2017) 12140): at a query with a
 * locally uniform neighbourhood (constant density out to its second neighbour) the ratio μ = r₂/r₁ of second- to
 * first-nearest-neighbour distance is Pareto distributed, P(μ > t) = t^{−d}, i.e. log μ ~ Exponential(rate d), for
 * any density level. Maximum likelihood over the Q queries (Facco et al., eq. 5): d̂ = (Q − 1)/Σ log μᵢ, unbiased
 * when the μᵢ are independent (2d·Σ log μᵢ ~ χ²(2Q)), relative standard error 1/√(Q − 2). With `discard` = f > 0 the
 * largest ⌊fQ⌋ ratios (outliers, boundary points) are censored, not dropped — the type-II-censored exponential MLE
 * d̂ = (m − 1)/(Σ_{i≤m} log μ₍ᵢ₎ + (Q − m)·log μ₍ₘ₎) with m = Q − ⌊fQ⌋, also unbiased. Default `discard` 0.
 * Queries: `NeighbourOptions`. Queries at the edge of a sampled patch bias it low (all rows of a 21-dimensional
 * ball: ≈ 16 instead of 21); queries near the centre remove the bias, but in high dimension they share
 * neighbours, so the μᵢ are correlated and the spread is much larger than 1/√Q. On `sampleNeighbourhoods`'s
 * design the μᵢ are independent and exactly Pareto(d): 20.8 ± 0.4 for d = 21 at Q = 2000 (see the README).
 * @example
 * twoNnDimension(samples.points) // ≈ 3 on a 3-dimensional patch
 * const nb = sampleNeighbourhoods(model, data, centres.points, { neighbours: 2 });
 * twoNnDimension(nb.points, { queries: nb.queries }) // ≈ M − n·r
 */
export function twoNnDimension(points: Mat, options: NeighbourOptions & { discard?: number } = {}): number {
  const fn = "twoNnDimension";
  options = checkOptions(fn, options, ["queries", "discard"]);
  checkPoints(fn, points, 3);
  const discard = options.discard ?? 0;
  if (!(discard >= 0 && discard < 1)) throw new ValueError(`${fn}: 'discard' must be in [0, 1); found ${discard}`);
  const { Q, T } = neighbourDistances(fn, points, options.queries, 2);
  const logMu = new Float64Array(Q);
  for (let q = 0; q < Q; q++) logMu[q] = Math.log(T[2 * q + 1] / T[2 * q]);
  logMu.sort();
  const m = Q - Math.floor(discard * Q);
  let total = 0;
  for (let i = 0; i < m; i++) total += logMu[i];
  total += (Q - m) * logMu[m - 1];
  if (m < 2 || !(total > 0)) throw new ValueError(`${fn}: 'points' has too few distinct neighbour ratios (${m} kept of ${Q} queries)`);
  return (m - 1) / total;
}

/**
 * Levina–Bickel maximum-likelihood intrinsic dimension (Levina & Bickel, NIPS 17 (2005) 777) with k neighbours:
 * at a query x with a locally uniform neighbourhood, the distances T₁ < … < T_k to its neighbours satisfy
 * d·S(x) ~ Gamma(k − 1, 1) with S(x) = Σ_{j<k} log(T_k(x)/T_j(x)), so S(x)/(k − 1) is an unbiased estimate of
 * 1/d. The per-query estimates are combined as MacKay & Ghahramani (2005, "Comments on 'Maximum likelihood
 * estimation of intrinsic dimension' by E. Levina and P. Bickel") propose, by averaging these inverses:
 * d̂ = [ (1/Q) Σ_x S(x)/(k − 1) ]⁻¹ (the average is unbiased for 1/d; d̂'s bias is O(d/(Q(k − 1)))). Averaging the
 * per-point estimates (k − 2)/S(x) instead — each unbiased for d — has a far larger variance. Default k = 10.
 * Queries: `NeighbourOptions`; evaluating near the centre of a sampled patch with a large k (whose k-th
 * neighbour still lies inside the patch) removes the boundary bias (see the README).
 * @example
 * levinaBickelDimension(samples.points, { k: 10 }) // ≈ 3 on a 3-dimensional patch
 */
export function levinaBickelDimension(points: Mat, options: NeighbourOptions & { k?: number } = {}): number {
  const fn = "levinaBickelDimension";
  options = checkOptions(fn, options, ["queries", "k"]);
  const k = options.k ?? 10;
  checkInt(fn, "k", k, 2);
  checkPoints(fn, points, k + 1);
  const { Q, T } = neighbourDistances(fn, points, options.queries, k);
  let invSum = 0;
  for (let q = 0; q < Q; q++) {
    const o = q * k;
    let s = 0;
    for (let j = 0; j < k - 1; j++) s += Math.log(T[o + k - 1] / T[o + j]);
    invSum += s / (k - 1);
  }
  if (!(invSum > 0)) throw new ValueError(`${fn}: 'points' has too few distinct neighbours`);
  return Q / invSum;
}
