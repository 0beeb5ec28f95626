/**
 * 2ᵏ as two exact factors [2^h, 2^(k−h)], h = trunc(k/2), for the exact rescalings of core (internal): 2ᵏ alone is
 * not representable for k > 1023 or k < −1074, while x·2^h·2^(k−h) is x·2ᵏ to the last bit wherever neither step
 * underflows, for every |k| ≤ 2046. Used as x·f1·f2, in that order, so every rescaling rounds the same way.
 * @example
 * const [f1, f2] = pow2Halves(1074); // 2^537, 2^537: x·f1·f2 scales a subnormal x to [1, 2)
 */
export function pow2Halves(k: number): [number, number] {
  const h = Math.trunc(k / 2);
  return [2 ** h, 2 ** (k - h)];
}

/**
 * v·2⁻ᵏ with max|vᵢ| brought to [1, 2), and k (k = 0 for a zero v), a fresh array (internal): exact, in two halves
 * (`pow2Halves`), for subnormal and huge entries alike. Rank, null spaces and singular vectors do not change under
 * it, and Krylov methods start from it, so that a subnormal vector is normalised without losing digits (its norm is
 * itself subnormal, with fewer than 53 significant bits) and σ_max or a norm cannot overflow.
 * @example
 * unitMaxScaled([1e-310, 3e-310]); // { scaled: [0.575…, 1.725…], k: −1029 }
 */
export function unitMaxScaled(v: ArrayLike<number>): { scaled: Float64Array; k: number } {
  let maxAbs = 0;
  for (let i = 0; i < v.length; i++) maxAbs = Math.max(maxAbs, Math.abs(v[i]));
  const k = maxAbs === 0 ? 0 : Math.floor(Math.log2(maxAbs));
  const [f1, f2] = pow2Halves(-k);
  return { scaled: Float64Array.from(v, (x) => x * f1 * f2), k };
}
