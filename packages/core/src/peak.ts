import { activeWasm } from "./backend.js";
import { ValueError } from "./errors.js";
import { kernels } from "./kernel-session.js";
import type { WasmInstance } from "./wasm-instance.js";

type PeakForm = "peakMulAdd" | "peakMulAddConst";
/** Per instance, the coding of the f64x2 loop this engine runs faster (assembly/peak.ts has two). */
const fasterForm = new WeakMap<WasmInstance, PeakForm>();

/** Time spent at least on comparing the two codings (ms), and the rounds in a row without a faster time that end it. */
const PICK_MIN_MS = 20;
const PICK_SETTLED_ROUNDS = 3;
const PICK_MAX_ROUNDS = 64;

/**
 * Time both codings of the f64x2 loop (≈ 5 Mflop each, interleaved) and keep the faster. The engine may still run
 * either in its baseline tier while its optimised code compiles in the background (V8's dynamic tiering; later when
 * other code fills the compile queue, e.g. after a first GEMM): so the rounds go on for at least PICK_MIN_MS and until
 * PICK_SETTLED_ROUNDS rounds in a row improve neither best time by 2 % (at most PICK_MAX_ROUNDS), and the best times
 * are compared then. Comparing after three rounds once picked the slower coding in Chromium after a GEMM, and the
 * ceiling came out 1.5× too low.
 */
function pickForm(fn: string, w: WasmInstance): PeakForm {
  let form = fasterForm.get(w);
  if (form !== undefined) return form;
  const forms: PeakForm[] = ["peakMulAdd", "peakMulAddConst"];
  const best = [Infinity, Infinity];
  const start = performance.now();
  let settled = 0;
  for (let round = 0; round < PICK_MAX_ROUNDS; round++) {
    let improved = false;
    forms.forEach((f, i) => {
      const t0 = performance.now();
      kernels[f](fn, { steps: 100_000 });
      const t = performance.now() - t0;
      if (t < 0.98 * best[i]) improved = true;
      best[i] = Math.min(best[i], t);
    });
    settled = improved ? 0 : settled + 1;
    if (settled >= PICK_SETTLED_ROUNDS && performance.now() - start >= PICK_MIN_MS) break;
  }
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
