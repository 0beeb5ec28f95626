import { checkNumber, checkOptions, ValueError } from "@losscape/core";
import { createRng } from "./rng.js";
import { compileSpec } from "./spec.js";
import type { MlpSpec } from "./types.js";

/**
 * Seeded initial parameters in the flat order of docs/conventions.md#flat-parameter-order.
 * - `normal`: every parameter (weights and biases) ~ N(0, std²), std required.
 * - `xavier` (Glorot normal): Wˡ ~ N(0, 2/(mₗ₋₁ + mₗ)), biases 0 (Glorot & Bengio 2010).
 * - `he` (Kaiming normal): Wˡ ~ N(0, 2/mₗ₋₁), biases 0 (He et al. 2015).
 * Draws come from `createRng(seed)` in parameter order.
 * @example
 * initParams({ widths: [1, 3, 1], activation: "tanh" }, { scheme: "xavier", seed: 1 })
 */
export function initParams(spec: MlpSpec, options: { scheme: "normal" | "xavier" | "he"; std?: number; seed: number }): Float64Array {
  const fn = "initParams";
  const net = compileSpec(fn, spec);
  checkOptions(fn, options, ["scheme", "std", "seed"], { required: true });
  const { scheme, seed } = options;
  checkNumber(fn, "seed", seed);
  if (scheme !== "normal" && scheme !== "xavier" && scheme !== "he") {
    throw new ValueError(`${fn}: 'scheme' must be 'normal', 'xavier' or 'he'; found ${String(scheme)}`);
  }
  if (scheme === "normal") checkNumber(fn, "std", options.std, { min: 0 });
  const rng = createRng(seed);
  const p = new Float64Array(net.M);
  for (let l = 1; l <= net.L; l++) {
    const fanIn = net.widths[l - 1];
    const fanOut = net.widths[l];
    const std = scheme === "normal" ? options.std! : scheme === "xavier" ? Math.sqrt(2 / (fanIn + fanOut)) : Math.sqrt(2 / fanIn);
    const oW = net.offW[l - 1];
    for (let q = 0; q < fanIn * fanOut; q++) p[oW + q] = std * rng.normal();
    if (net.bias && scheme === "normal") {
      const oB = net.offB[l - 1];
      for (let q = 0; q < fanOut; q++) p[oB + q] = std * rng.normal();
    }
  }
  return p;
}
