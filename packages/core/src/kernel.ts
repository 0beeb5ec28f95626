import { NotInitializedError } from "./errors.js";
import { activeWasm } from "./backend.js";

/**
 * The one door from domain packages (mlp, spectra, …) to WASM kernels: they pass arrays and numbers, core copies
 * arrays into its arena, passes pointers, runs the kernel and copies the outputs back. Domain packages never see
 * a pointer. Validation is the caller's job (done once at its TS boundary).
 */
export interface KernelOut {
  /** Number of f64 values of this output buffer. */
  readonly out: number;
  /** Initial contents (length `out`); zeros when omitted. */
  readonly init?: ArrayLike<number>;
  /** True: the kernel writes every entry, so the buffer starts uninitialised (no zero-fill). */
  readonly written?: boolean;
}
/** Uninitialised f64 scratch of `scratch` values in the arena: neither copied in nor returned. */
export interface KernelScratch {
  readonly scratch: number;
}
export type KernelArg = number | Float64Array | Int32Array | KernelOut | KernelScratch;

/** An f64 output buffer of `length` values for `runKernel`. */
export function out(length: number, init?: ArrayLike<number>): KernelOut {
  return init === undefined ? { out: length } : { out: length, init };
}

/**
 * An f64 output buffer of `length` values that the kernel overwrites entirely (it must write every entry, since
 * the buffer is not zero-filled first). Saves one pass over large outputs.
 */
export function outWritten(length: number): KernelOut {
  return { out: length, written: true };
}

/**
 * `length` doubles of kernel scratch: reserved in the arena uninitialised, never copied in or out. Use it
 * instead of passing a throw-away Float64Array (which would be copied into WASM memory).
 */
export function scratch(length: number): KernelScratch {
  return { scratch: length };
}

/** True when the active backend is a WASM build (false for `ts`); throws before `init()`. */
export function wasmActive(fn: string): boolean {
  return activeWasm(fn) !== null;
}

/**
 * Call the exported kernel `kernel` of the active WASM build. Arrays become pointers (copied in), numbers are
 * passed as they are, `out(n)` reserves an output buffer whose contents are returned in `outputs`, in order.
 * `fn` names the public function for error messages.
 */
export function runKernel(fn: string, kernel: string, args: readonly KernelArg[]): { result: number; outputs: Float64Array[] } {
  const w = activeWasm(fn);
  if (w === null) throw new NotInitializedError(`${fn}: runKernel needs a WASM backend; the active backend is 'ts'`);
  return w.run(fn, (w) => {
    const k = w.fn<(...a: number[]) => number>(kernel);
    const outs: { ptr: number; n: number }[] = [];
    const raw: number[] = args.map((a) => {
      if (typeof a === "number") return a;
      if (a instanceof Float64Array) return w.putF64(fn, a);
      if (a instanceof Int32Array) return w.putI32(fn, a);
      if ("scratch" in a) return w.allocF64(fn, a.scratch, false);
      const ptr = a.init === undefined ? w.allocF64(fn, a.out, a.written !== true) : w.putF64(fn, a.init);
      outs.push({ ptr, n: a.out });
      return ptr;
    });
    const result = Number(k(...raw) ?? 0);
    return { result, outputs: outs.map((o) => w.readF64(o.ptr, o.n)) };
  });
}
