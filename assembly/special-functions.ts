// The special functions of the activation formulas (packages/mlp/src/activation-table.ts), with the algorithms of
// packages/mlp/src/special-functions.ts (see its comments). Not exported from the WASM module.

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;
const INV_SQRT_PI: f64 = 0.5641895835477563;

/** 1/√(2π). */
export const INV_SQRT_2PI: f64 = 0.3989422804014327;

function erfcLarge(x: f64): f64 {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + <f64>k / 2 / f;
  return Math.exp(-x * x) * INV_SQRT_PI / f;
}

/** erf by the positive series (|x| < 3) or 1 − erfc by its continued fraction. */
export function erf(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / <f64>(2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  const c = erfcLarge(ax);
  return x > 0 ? 1 - c : c - 1;
}

/** Φ(z) = ½(1 + erf(z/√2)). */
export function normalCdf(z: f64): f64 {
  const t = z * Math.SQRT1_2;
  if (t <= -3) return 0.5 * erfcLarge(-t);
  return 0.5 * (1 + erf(t));
}

/** 1/(1 + e^{−z}) without overflow. */
@inline export function sigmoid(z: f64): f64 {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
