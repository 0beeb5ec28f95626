// The special functions of the activation formulas (packages/mlp/src/activation-table.ts), with the algorithms and
// constants of packages/mlp/src/special-functions.ts (see its comments). Not exported from the WASM module.

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

/** 1/√(2π). */
export const INV_SQRT_2PI: f64 = 0.3989422804014327;

/** |z| above which normalCdf takes the tail φ·R, below which ½(1 + erf(z/√2)) by erf's series. */
const NORMAL_TAIL: f64 = 0.75;

/** R(a) = Q(a)/φ(a) at a = 1, 1.5, …, 6 (R(j/2) at [j − 2]): mpmath, 50 digits, rounded to double. */
const MILLS_AT_KNOTS: usize = memory.data<f64>([
  0.6556795424187984, 0.5158156382179634, 0.4213692292880545, 0.35426511132979366, 0.3045902987101033, 0.26656776896822376,
  0.23665238291356067, 0.21257058044203178, 0.19280810471531576, 0.1763229857571027, 0.16237766089686745,
]);

/** 1/n, n < RECIPROCAL_COUNT, for millsRatio's and erfSeries' terms (folded by the compiler: the doubles of 1 / n). */
const RECIPROCAL_COUNT: i32 = 28;
const RECIPROCALS: usize = memory.data<f64>([
  0.0, 1.0, 1.0 / 2.0, 1.0 / 3.0, 1.0 / 4.0, 1.0 / 5.0, 1.0 / 6.0, 1.0 / 7.0, 1.0 / 8.0, 1.0 / 9.0, 1.0 / 10.0, 1.0 / 11.0,
  1.0 / 12.0, 1.0 / 13.0, 1.0 / 14.0, 1.0 / 15.0, 1.0 / 16.0, 1.0 / 17.0, 1.0 / 18.0, 1.0 / 19.0, 1.0 / 20.0, 1.0 / 21.0,
  1.0 / 22.0, 1.0 / 23.0, 1.0 / 24.0, 1.0 / 25.0, 1.0 / 26.0, 1.0 / 27.0,
]);

/** erf by its Maclaurin series (2/√π)·Σₙ (−1)ⁿx^{2n+1}/(n!·(2n + 1)), |x| ≤ 0.54, the terms after x summed apart. */
function erfSeries(x: f64): f64 {
  const x2 = x * x;
  let p = x;
  let tail: f64 = 0;
  for (let n = 1; n < 14; n++) {
    p *= -x2 * load<f64>(RECIPROCALS + (<usize>n << 3));
    const term = p * load<f64>(RECIPROCALS + (<usize>(2 * n + 1) << 3));
    tail += term;
    if (!(Math.abs(term) > 1e-17 * Math.abs(x))) break;
  }
  return TWO_OVER_SQRT_PI * (x + tail);
}

/**
 * R(x) = Q(x)/φ(x), x > 0.5: x ≤ 6, the Taylor series about the knot a = ⌈2x⌉/2 ≥ x with the terms
 * uₙ = (ah·uₙ₋₁ + h²·uₙ₋₂)/n (from R′ = xR − 1), those after the first two summed apart; else the continued fraction
 * 1/(x + 1/(x + 2/(x + …))) from depth 8 + ⌈500/x²⌉.
 */
function millsRatio(x: f64): f64 {
  if (x <= 6) {
    const j = <i32>Math.ceil(2 * x);
    const a = 0.5 * <f64>j;
    const h = x - a;
    const ah = a * h;
    const hh = h * h;
    const r = load<f64>(MILLS_AT_KNOTS + (<usize>(j - 2) << 3));
    const first = (a * r - 1) * h;
    let u0 = r;
    let u1 = first;
    let tail: f64 = 0;
    for (let n = 2; n < RECIPROCAL_COUNT; n++) {
      const u = (ah * u1 + hh * u0) * load<f64>(RECIPROCALS + (<usize>n << 3));
      tail += u;
      if (!(u > 1.4e-17 * r)) break;
      u0 = u1;
      u1 = u;
    }
    return r + (first + tail);
  }
  let f = x;
  for (let k = 8 + <i32>Math.ceil(500 / (x * x)); k >= 1; k--) f = x + <f64>k / f;
  return 1 / f;
}

/** scale·e^{−x²/2}, x ≥ 0, from Veltkamp's split of x (no rounding of x²), e^{−xh²/2} multiplied last. */
function scaledGaussian(x: f64, scale: f64): f64 {
  if (x > 40) return 0;
  const t = 134217729 * x;
  const xh = t - (t - x);
  const xl = x - xh;
  const d = 0.5 * xl * (xh + x);
  const expMinusD = 1 - d * (1 - 0.5 * d * (1 - d / 3));
  return scale * expMinusD * Math.exp(-0.5 * xh * xh);
}

/** Q(x) = 1 − Φ(x) = φ(x)·R(x), x > 0.5. */
function normalTail(x: f64): f64 {
  return scaledGaussian(x, INV_SQRT_2PI * millsRatio(x));
}

/** φ(z) = e^{−z²/2}/√(2π) without the rounding of z². */
export function normalPdf(z: f64): f64 {
  return scaledGaussian(Math.abs(z), INV_SQRT_2PI);
}

/** erf: the series for |x|·√2 ≤ 0.75, else ±(1 − 2Q(|x|·√2)). */
export function erf(x: f64): f64 {
  const y = Math.abs(x) * Math.SQRT2;
  if (y <= NORMAL_TAIL) return erfSeries(x);
  const c = 2 * normalTail(y);
  return x > 0 ? 1 - c : c - 1;
}

/** Φ(z): Q(−z) below −0.75, 1 − Q(z) above 0.75, ½(1 + erf(z/√2)) by the series between. */
export function normalCdf(z: f64): f64 {
  if (z < -NORMAL_TAIL) return normalTail(-z);
  if (z > NORMAL_TAIL) return 1 - normalTail(z);
  return 0.5 * (1 + erfSeries(z * Math.SQRT1_2));
}

/** 1/(1 + e^{−z}) without overflow. */
@inline export function sigmoid(z: f64): f64 {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
