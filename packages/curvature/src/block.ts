import { dot, nrm2 } from "@losscape/core";
import type { Rng } from "@losscape/mlp";

/** k vectors of length M one after another, as `SymmetricOperator.apply` takes them. */
export function pack(vectors: readonly Float64Array[], M: number): Float64Array {
  const V = new Float64Array(vectors.length * M);
  vectors.forEach((v, j) => V.set(v, j * M));
  return V;
}

/** Vector j of a packed block (a view). */
export function vectorOf(V: Float64Array, M: number, j: number): Float64Array {
  return V.subarray(j * M, (j + 1) * M);
}

/** A Rademacher vector: entries ±1 with probability ½ each, from the project's seeded RNG. */
export function rademacher(rng: Rng, M: number): Float64Array {
  const z = new Float64Array(M);
  for (let i = 0; i < M; i++) z[i] = rng.next() < 0.5 ? -1 : 1;
  return z;
}

/**
 * w ← (I − QQᵀ)w by classical Gram–Schmidt applied twice ("twice is enough", Giraud et al. 2005) against the
 * orthonormal vectors of `basis`; returns the summed coefficients Qᵀw of both passes (length basis.length).
 */
export function orthogonalize(w: Float64Array, basis: readonly Float64Array[]): Float64Array {
  const c = new Float64Array(basis.length);
  for (let pass = 0; pass < 2; pass++) {
    const d = basis.map((q) => dot(q, w));
    basis.forEach((q, r) => {
      const a = d[r];
      if (a !== 0) for (let i = 0; i < w.length; i++) w[i] -= a * q[i];
      c[r] += a;
    });
  }
  return c;
}

/** w ← w/‖w‖ (the scaled norm of core's `nrm2`: no overflow or underflow); returns ‖w‖. */
export function normalize(w: Float64Array): number {
  const s = nrm2(w);
  if (s > 0) for (let i = 0; i < w.length; i++) w[i] /= s;
  return s;
}

/** y = Σ_r coefficients[r]·basis[r]. */
export function combine(basis: readonly Float64Array[], coefficients: ArrayLike<number>, M: number): Float64Array {
  const y = new Float64Array(M);
  basis.forEach((q, r) => {
    const a = coefficients[r];
    if (a !== 0) for (let i = 0; i < M; i++) y[i] += a * q[i];
  });
  return y;
}

/** Mean and the standard error of the mean (sample standard deviation/√m) of m ≥ 1 samples (SE 0 for m = 1). */
export function meanAndStandardError(x: ArrayLike<number>): { mean: number; standardError: number } {
  const m = x.length;
  let s = 0;
  for (let i = 0; i < m; i++) s += x[i];
  const mean = s / m;
  if (m < 2) return { mean, standardError: 0 };
  let v = 0;
  for (let i = 0; i < m; i++) v += (x[i] - mean) ** 2;
  return { mean, standardError: Math.sqrt(v / (m - 1) / m) };
}
