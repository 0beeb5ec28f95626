import { activeWasm } from "./backend.js";
import { ValueError } from "./errors.js";
import { kernels } from "./kernel-session.js";
import { settledBestTimes } from "./settled-timing.js";
import type { WasmInstance } from "./wasm-instance.js";

type PeakForm = "peakMulAdd" | "peakMulAddConst";
/** Per instance, the coding of the f64x2 loop this engine runs faster (assembly/peak.ts has two). */
const fasterForm = new WeakMap<WasmInstance, PeakForm>();

/**
 * Time both codings of the f64x2 loop (≈ 5 Mflop a call, interleaved) until both have settled in the engine's
 * optimising tier (settledBestTimes: at least 20 ms) and keep the faster.
 */
function pickForm(fn: string, w: WasmInstance): PeakForm {
  let form = fasterForm.get(w);
  if (form !== undefined) return form;
  const forms: PeakForm[] = ["peakMulAdd", "peakMulAddConst"];
  const best = settledBestTimes(
    forms.map((f) => () => kernels[f](fn, { steps: 100_000 })),
    { minMs: 20, maxRounds: 64 },
  );
  form = best[1] < best[0] ? forms[1] : forms[0];
  fasterForm.set(w, form);
  return form;
}

/**
 * Run the arithmetic-ceiling loop of the active WASM build (assembly/peak.ts) for about `flops` flops and return
 * the number done: 12 independent accumulator chains cᵢ ← cᵢ·m + a with no memory traffic, f64x2 lanes (48 flops
 * a step; in the `relaxed` build one relaxed_madd per lane, fused where the hardware fuses), or scalar f64
 * (24 flops a step) with `scalar: true` or on the scalar build. The f64x2 loop comes in two codings that engines
 * compile differently; the first call times both (≈ 20 ms, until the engine's optimised code for both has settled) and keeps the faster for the instance. flops / seconds is the GFLOP/s ceiling of WASM on
 * this machine, against which the benchmarks state the GEMM's share. On the `ts` backend nothing runs (returns 0).
 * @throws ValueError when `flops` is not a positive finite number.
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
  const w = activeWasm(fn);
  if (w === null) return 0;
  const scalar = options.scalar === true || w.build === "scalar";
  const perStep = scalar ? 24 : 48;
  const steps = Math.max(1, Math.min(2 ** 31 - 1, Math.round(flops / perStep)));
  if (scalar) kernels.peakMulAddScalar(fn, { steps });
  else kernels[pickForm(fn, w)](fn, { steps });
  return steps * perStep;
}
