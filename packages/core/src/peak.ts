import { activeWasm } from "./backend.js";
import { ValueError } from "./errors.js";
import { kernels } from "./kernel-session.js";
import { checkBoolean, checkOptions } from "./validate.js";

/** The chains' multiplier and addend: every chain stays at 1 (no overflow, no subnormals). */
const M = 1 - 2 ** -10;
const A = 2 ** -10;

/**
 * Run the arithmetic-ceiling loop of the active WASM build (assembly/peak.ts) for about `flops` flops and return
 * the number done: 12 independent accumulator chains cᵢ ← cᵢ·m + a with no memory traffic, f64x2 lanes (48 flops
 * a step; in the `relaxed` build one relaxed_madd per lane, fused where the hardware fuses), or scalar f64
 * (24 flops a step) with `scalar: true` or on the scalar build. m and a are passed to the kernel as arguments, so
 * the engine keeps them in registers (coded as constants, V8 rematerialised them at each use: assembly/peak.ts).
 * flops / seconds is the GFLOP/s ceiling of WASM on this machine, against which the benchmarks state the GEMM's
 * share. On the `ts` backend nothing runs (returns 0).
 * @throws ValueError when `flops` is not a positive finite number, or `scalar` is given but not a boolean.
 * @example
 * const t0 = performance.now();
 * const done = peakMulAdd(1e9);
 * const gflops = done / (performance.now() - t0) / 1e6;
 */
export function peakMulAdd(flops: number, options: { scalar?: boolean } = {}): number {
  const fn = "peakMulAdd";
  if (typeof flops !== "number" || !Number.isFinite(flops) || flops <= 0) {
    throw new ValueError(`${fn}: argument 'flops' must be a positive finite number; found ${String(flops)}`);
  }
  options = checkOptions(fn, options, ["scalar"]);
  checkBoolean(fn, "scalar", options.scalar);
  const w = activeWasm(fn);
  if (w === null) return 0;
  const scalar = options.scalar === true || w.build === "scalar";
  const perStep = scalar ? 24 : 48;
  const steps = Math.max(1, Math.min(2 ** 31 - 1, Math.round(flops / perStep)));
  if (scalar) kernels.peakMulAddScalar(fn, { steps, m: M, a: A });
  else kernels.peakMulAdd(fn, { steps, m: M, a: A });
  return steps * perStep;
}
