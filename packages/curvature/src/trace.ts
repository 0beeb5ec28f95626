import { checkNumber, dot, checkOptions } from "@losscape/core";
import { createRng } from "@losscape/mlp";
import { Basis, checkBasisSize, meanAndStandardError, normalize, pack, rademacher, vectorOf } from "./block.js";
import type { SymmetricOperator } from "./operator.js";

/** A stochastic trace estimate with its standard error. */
export interface TraceEstimate {
  /** The estimate of tr(A). */
  value: number;
  /**
   * The standard error of `value`: the sample standard deviation of the per-probe values over √(probes). The
   * estimators are unbiased, so value ± 1.96·standardError covers tr(A) about 95% of the time (the sample mean of a
   * few dozen probes is close to normal).
   */
  standardError: number;
  method: "hutchinson" | "hutch++";
  /** Operator products (vectors) used. */
  products: number;
}

/** Probes applied per block. */
export const PROBE_BLOCK = 16;

/**
 * The default products of `hutchPlusPlusTrace` (and `curvature`'s `traceProducts`): 99, i.e. s = 33 to sketch the range,
 * 33 for its exact part and 33 deflated probes; all 99 vectors of the dimension are held together.
 */
export const DEFAULT_TRACE_PRODUCTS = 99;

/** zᵢᵀA zᵢ of each of the given probes, applied in blocks. */
async function quadraticForms(op: SymmetricOperator, probes: Float64Array[], onProduct?: (done: number) => void): Promise<Float64Array> {
  const M = op.dim;
  const out = new Float64Array(probes.length);
  for (let s = 0; s < probes.length; s += PROBE_BLOCK) {
    const block = probes.slice(s, s + PROBE_BLOCK);
    const AZ = await op.apply(pack(block, M), block.length);
    block.forEach((z, i) => (out[s + i] = dot(z, vectorOf(AZ, M, i))));
    onProduct?.(s + block.length);
  }
  return out;
}

/**
 * Hutchinson's estimate tr(A) ≈ (1/m) Σᵢ zᵢᵀAzᵢ with m Rademacher probes zᵢ (Hutchinson 1990; PyHessian's trace,
 * Yao et al. 2020): unbiased, variance 2(‖A‖_F² − Σᵢ Aᵢᵢ²)/m; the standard error is the sample one.
 * @example
 * const { value, standardError } = await hutchinsonTrace(op, { probes: 100, seed: 1 });
 */
export async function hutchinsonTrace(op: SymmetricOperator, options: { probes?: number; seed?: number; onProgress?: (done: number) => void } = {}): Promise<TraceEstimate> {
  const fn = "hutchinsonTrace";
  options = checkOptions(fn, options, ["probes", "seed", "onProgress"]);
  const m = options.probes ?? 100;
  checkNumber(fn, "probes", m, { min: 2, integer: true });
  // The m probes are drawn first and held together: m vectors of the dimension.
  checkBasisSize(fn, `'probes' = ${m}`, m, op.dim);
  const rng = createRng(options.seed ?? 0);
  const probes = Array.from({ length: m }, () => rademacher(rng, op.dim));
  const { mean, standardError } = meanAndStandardError(await quadraticForms(op, probes, options.onProgress));
  return { value: mean, standardError, method: "hutchinson", products: m };
}

/**
 * Hutch++ (Meyer, Musco, Musco & Woodruff 2021): with m products, s = ⌊m/3⌋ of them sketch the range of A
 * (Q = orth(A·S), S Rademacher), s give tr(QᵀAQ) exactly, and the other m − 2s are Hutchinson probes of the
 * deflated (I − QQᵀ)A(I − QQᵀ): tr(A) ≈ tr(QᵀAQ) + (1/l)Σ gᵢᵀ(I − QQᵀ)A(I − QQᵀ)gᵢ. Its error is O(1/m) instead of
 * Hutchinson's O(1/√m) when A has a few dominant eigenvalues (Hessians do). The standard error is that of the
 * deflated Hutchinson part, given Q.
 * @example
 * const { value, standardError } = await hutchPlusPlusTrace(op, { products: 99, seed: 1 });
 */
export async function hutchPlusPlusTrace(op: SymmetricOperator, options: { products?: number; seed?: number; onProgress?: (done: number) => void } = {}): Promise<TraceEstimate> {
  const fn = "hutchPlusPlusTrace";
  options = checkOptions(fn, options, ["products", "seed", "onProgress"]);
  const m = options.products ?? DEFAULT_TRACE_PRODUCTS;
  checkNumber(fn, "products", m, { min: 6, integer: true });
  const M = op.dim;
  const rng = createRng(options.seed ?? 0);
  const s = Math.min(Math.floor(m / 3), M);
  const l = m - 2 * s;
  // The sketch S, its basis Q and the l deflated probes are held together: s + s + l = m vectors of the dimension.
  checkBasisSize(fn, `'products' = ${m}`, 2 * s + l, M);
  const S = Array.from({ length: s }, () => rademacher(rng, M));
  using Q = new Basis(M, s);
  for (let b = 0; b < s; b += PROBE_BLOCK) {
    const block = S.slice(b, b + PROBE_BLOCK);
    const AS = await op.apply(pack(block, M), block.length);
    for (let i = 0; i < block.length; i++) {
      const w = Float64Array.from(vectorOf(AS, M, i));
      const scale = Math.sqrt(dot(w, w));
      Q.orthogonalize(w, 1);
      if (normalize(w) > 1e-12 * scale) Q.append(w, 1);
    }
  }
  options.onProgress?.(s);
  const exact = await quadraticForms(op, Array.from({ length: Q.count }, (_, i) => Q.row(i)));
  let t1 = 0;
  for (const x of exact) t1 += x;
  options.onProgress?.(2 * s);
  const G = Array.from({ length: l }, () => {
    const g = rademacher(rng, M);
    Q.orthogonalize(g, 1);
    return g;
  });
  const { mean, standardError } = meanAndStandardError(await quadraticForms(op, G, (d) => options.onProgress?.(2 * s + d)));
  return { value: t1 + mean, standardError, method: "hutch++", products: s + Q.count + l };
}
