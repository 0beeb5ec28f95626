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
