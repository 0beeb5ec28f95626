import { loadWasm, setBackend } from "../index.js";
import type { WasmInstance } from "../wasm-instance.js";

/** Thrown by `throughReservation`'s `reserve` once the real one succeeded: the call stops before any work. */
export class Reserved extends Error {
  constructor(readonly bytes: number) {
    super("reserved");
  }
}

/**
 * Run `f` with the instance's `reserve` wrapped: the real reservation, then `Reserved` thrown, so that nothing after
 * it runs. `f`'s error propagates: `Reserved` when the reservation held, an OutOfMemoryError when it did not.
 */
export function throughReservation(w: WasmInstance, f: () => unknown): void {
  const reserve = w.reserve.bind(w);
  w.reserve = (fn, bytes, what) => {
    reserve(fn, bytes, what);
    throw new Reserved(bytes);
  };
  try {
    f();
  } finally {
    w.reserve = reserve;
  }
}

/**
 * `f`'s first reservation on `build` (made the active backend): the real one, then `Reserved` thrown, so that nothing
 * after it runs. Returns the error `f` threw (`Reserved`, or an OutOfMemoryError when the reservation did not hold),
 * or undefined when `f` reserved nothing.
 */
export async function reservationOn(build: "simd" | "scalar", f: () => unknown): Promise<unknown> {
  const w = await loadWasm(build);
  setBackend(build);
  try {
    throughReservation(w, f);
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The bytes `f` reserved first (−1: none; kernel calls reserve their own allocations again) and the span of the allocations it made, from its first to the end of its last. */
export function measureReservation(w: WasmInstance, f: () => unknown): { reserved: number; span: number } {
  const alloc = w.alloc.bind(w);
  const reserve = w.reserve.bind(w);
  let reserved = -1;
  let first = -1;
  let end = 0;
  w.reserve = (fn, bytes, what) => {
    if (reserved < 0) reserved = bytes;
    reserve(fn, bytes, what);
  };
  w.alloc = (fn, bytes) => {
    const p = alloc(fn, bytes);
    if (first < 0) first = p;
    end = Math.max(end, p + bytes);
    return p;
  };
  try {
    f();
  } finally {
    w.alloc = alloc;
    w.reserve = reserve;
  }
  return { reserved, span: end - first };
}
