import { ValueError } from "@losscape/core";
import type { Activation, ActivationName, OutputActivation } from "./types.js";

/**
 * Activation functions with their first and second derivatives, and the integer codes shared with the WASM
 * kernels (assembly/mlp.ts): the kernels receive an Int32Array of codes and a Float64Array of parameters
 * (the slope of leaky-relu, 0 for the others).
 */
export const ACTIVATION_CODES: Readonly<Record<ActivationName, number>> = {
  linear: 0,
  tanh: 1,
  sigmoid: 2,
  softplus: 3,
  relu: 4,
  "leaky-relu": 5,
  gelu: 6,
  quadratic: 7,
  sin: 8,
};

/** The default slope of leaky-relu (docs/formats.md#models). */
export const DEFAULT_LEAKY_SLOPE = 0.01;

const NAMES = Object.keys(ACTIVATION_CODES) as ActivationName[];

/** Resolve an activation to its kernel code and parameter; `where` names the field for error messages. */
export function activationCode(fn: string, where: string, a: Activation | OutputActivation | unknown): { code: number; param: number } {
  if (typeof a === "string") {
    const code = (ACTIVATION_CODES as Record<string, number>)[a];
    if (code === undefined) {
      throw new ValueError(`${fn}: '${where}' must be one of ${NAMES.join(", ")}; found '${a}'`);
    }
    return { code, param: a === "leaky-relu" ? DEFAULT_LEAKY_SLOPE : 0 };
  }
  if (typeof a === "object" && a !== null && (a as { name?: unknown }).name === "leaky-relu") {
    const slope = (a as { slope?: unknown }).slope ?? DEFAULT_LEAKY_SLOPE;
    if (typeof slope !== "number" || !Number.isFinite(slope)) {
      throw new ValueError(`${fn}: '${where}.slope' must be a finite number; found ${String(slope)}`);
    }
    return { code: ACTIVATION_CODES["leaky-relu"], param: slope };
  }
  const shown = typeof a === "object" && a !== null ? JSON.stringify(a) : String(a);
  throw new ValueError(`${fn}: '${where}' must be one of ${NAMES.join(", ")} or {name: 'leaky-relu', slope}; found ${shown}`);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

/**
 * erf(x) to about 1e-16 absolute: for |x| < 3 the series erf(x) = (2/√π)·e^{−x²}·Σₙ 2ⁿx^{2n+1}/(1·3···(2n+1))
 * (all terms positive, no cancellation); for |x| ≥ 3, 1 − erfc(x) with erfc's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (Abramowitz & Stegun 7.1.6 and 7.1.14).
 * The same algorithm runs in the WASM kernels.
 * @example
 * erf(1) // 0.8427007929497149
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  const c = erfcLarge(ax);
  return x > 0 ? 1 - c : c - 1;
}

/** erfc(x) for x ≥ 3 by the continued fraction, evaluated bottom-up with a fixed depth (60 levels suffice). */
function erfcLarge(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Φ(z) = ½(1 + erf(z/√2)), the standard normal CDF; accurate in the lower tail through erfc. */
export function normalCdf(z: number): number {
  const t = z * SQRT1_2;
  if (t <= -3) return 0.5 * erfcLarge(-t);
  return 0.5 * (1 + erf(t));
}

/** σ(z) for an activation code and parameter. */
export function act(code: number, p: number, z: number): number {
  switch (code) {
    case 0:
      return z;
    case 1:
      return Math.tanh(z);
    case 2:
      return sigmoid(z);
    case 3:
      return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    case 4:
      return z > 0 ? z : 0;
    case 5:
      return z > 0 ? z : p * z;
    case 6:
      return z * normalCdf(z);
    case 7:
      return z * z;
    default:
      return Math.sin(z);
  }
}

/** σ'(z). At the kink z = 0, relu and leaky-relu take the left derivative (0, or the slope). */
export function act1(code: number, p: number, z: number): number {
  switch (code) {
    case 0:
      return 1;
    case 1: {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 2: {
      const s = sigmoid(z);
      return s * (1 - s);
    }
    case 3:
      return sigmoid(z);
    case 4:
      return z > 0 ? 1 : 0;
    case 5:
      return z > 0 ? 1 : p;
    case 6:
      return normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    case 7:
      return 2 * z;
    default:
      return Math.cos(z);
  }
}

/** σ''(z); 0 for linear, relu and leaky-relu (almost everywhere; docs/conventions.md#networks). */
export function act2(code: number, _p: number, z: number): number {
  switch (code) {
    case 1: {
      const t = Math.tanh(z);
      return -2 * t * (1 - t * t);
    }
    case 2: {
      const s = sigmoid(z);
      return s * (1 - s) * (1 - 2 * s);
    }
    case 3: {
      const s = sigmoid(z);
      return s * (1 - s);
    }
    case 6:
      return INV_SQRT_2PI * Math.exp(-0.5 * z * z) * (2 - z * z);
    case 7:
      return 2;
    case 8:
      return -Math.sin(z);
    default:
      return 0;
  }
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * σ(z), σ'(z), σ''(z) of a named activation (a convenience over the kernel codes), e.g. for plots and checks.
 * tanh: σ' = 1 − tanh², σ'' = −2 tanh (1 − tanh²); gelu (erf form): σ = zΦ(z), σ' = Φ + zφ, σ'' = φ(2 − z²).
 * @example
 * activationDerivatives("tanh", 0) // { value: 0, first: 1, second: -0 }
 */
export function activationDerivatives(activation: Activation, z: number): { value: number; first: number; second: number } {
  const { code, param } = activationCode("activationDerivatives", "activation", activation);
  return { value: act(code, param, z), first: act1(code, param, z), second: act2(code, param, z) };
}
