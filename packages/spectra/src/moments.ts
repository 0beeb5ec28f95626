/**
 * Free moment–cumulant relations (Speicher 1994; Nica & Speicher, Lectures on the Combinatorics of Free
 * Probability, Lecture 11). With M(z) = 1 + Σ m_n zⁿ and C(z) = 1 + Σ κ_n zⁿ, the free cumulants satisfy
 * M(z) = C(z·M(z)), equivalently R(g) = Σ κ_{n+1} gⁿ and G⁻¹(g) = R(g) + 1/g.
 */

import { ValueError, checkNumber, checkVector } from "@losscape/core";

/**
 * The highest order the moment–cumulant conversions accept: their cost grows like n⁵/120 operations (≈ 10⁸ at
 * n = 128, seconds at 256), and a request beyond it would run for hours or exhaust memory.
 */
export const MAX_MOMENT_ORDER = 256;

/** The arguments of a moment–cumulant conversion: a finite array `arg` and an order n ∈ [0, MAX_MOMENT_ORDER]. */
function checkSeries(fn: string, arg: string, x: ArrayLike<number>, n: number): void {
  checkVector(fn, arg, x);
  checkNumber(fn, "n", n, { min: 0, max: MAX_MOMENT_ORDER, integer: true });
}

/** [z^j] M(z)^s for j = 0..n, with M(z) = 1 + Σ_{k≥1} m[k] z^k (m[0] = 1). */
function powerSeriesPowers(m: number[], n: number, s: number): number[] {
  let acc = new Array<number>(n + 1).fill(0);
  acc[0] = 1;
  for (let t = 0; t < s; t++) {
    const next = new Array<number>(n + 1).fill(0);
    for (let i = 0; i <= n; i++) {
      if (acc[i] === 0) continue;
      for (let j = 0; i + j <= n; j++) next[i + j] += acc[i] * (j === 0 ? 1 : m[j] ?? 0);
    }
    acc = next;
  }
  return acc;
}

/**
 * Moments m_1..m_n (returned with m_0 = 1 at index 0) from the free cumulants κ_1..κ_n (κ[0] unused), by
 * m_n = Σ_{s=1}^{n} κ_s [z^{n−s}] M(z)^s.
 * @example
 * momentsFromFreeCumulants([0, 0, 1, 0, 0], 4); // semicircle of variance 1: [1, 0, 1, 0, 2]
 */
export function momentsFromFreeCumulants(kappa: ArrayLike<number>, n: number): number[] {
  checkSeries("momentsFromFreeCumulants", "kappa", kappa, n);
  return momentsFromFreeCumulantsFor("momentsFromFreeCumulants", kappa, n);
}

/**
 * `momentsFromFreeCumulants` on checked arguments, its errors naming `fn` (a measure's `<kind>.moment`): a moment
 * beyond the float64 range is refused (it would come out ±∞, or NaN once ∞ − ∞ appears).
 */
export function momentsFromFreeCumulantsFor(fn: string, kappa: ArrayLike<number>, n: number): number[] {
  const m = new Array<number>(n + 1).fill(0);
  m[0] = 1;
  for (let k = 1; k <= n; k++) {
    let sum = 0;
    for (let s = 1; s <= k; s++) {
      const ks = kappa[s] ?? 0;
      if (ks === 0) continue;
      sum += ks * powerSeriesPowers(m, k - s, s)[k - s];
    }
    if (!Number.isFinite(sum)) throw new ValueError(`${fn}: moment m_${k} is beyond the float64 range (found ${sum}); the cumulants are too large for order ${n}`);
    m[k] = sum;
  }
  return m;
}

/**
 * Free cumulants κ_1..κ_n (index 0 unused, set to 0) from moments m_1..m_n (m[0] = 1), inverting
 * m_n = Σ_{s=1}^{n} κ_s [z^{n−s}] M(z)^s (the s = n term is κ_n itself).
 * @example
 * freeCumulantsFromMoments([1, 0, 1, 0, 2], 4); // [0, 0, 1, 0, 0]
 */
export function freeCumulantsFromMoments(m: ArrayLike<number>, n: number): number[] {
  checkSeries("freeCumulantsFromMoments", "m", m, n);
  return freeCumulantsFromMomentsFor("freeCumulantsFromMoments", m, n);
}

/** `freeCumulantsFromMoments` on checked arguments, its errors naming `fn` (a measure's `<kind>.freeCumulant`). */
export function freeCumulantsFromMomentsFor(fn: string, m: ArrayLike<number>, n: number): number[] {
  const mm = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? 1 : m[i]));
  const kappa = new Array<number>(n + 1).fill(0);
  for (let k = 1; k <= n; k++) {
    let sum = 0;
    for (let s = 1; s < k; s++) sum += kappa[s] * powerSeriesPowers(mm, k - s, s)[k - s];
    const v = mm[k] - sum;
    if (!Number.isFinite(v)) throw new ValueError(`${fn}: free cumulant κ_${k} is beyond the float64 range (found ${v}); the moments are too large for order ${n}`);
    kappa[k] = v;
  }
  return kappa;
}
