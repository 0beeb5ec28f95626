import { OutOfMemoryError, WasmError } from "./errors.js";

/** The two builds of the WASM core (one AssemblyScript source, compiled with and without f64x2 SIMD). */
export type WasmBuild = "simd" | "scalar";

const PAGE = 65536;
const ALIGN = 64;
/** wasm32 addresses 4 GiB (65536 pages); the arena never asks for more. */
const MAX_BYTES = 65536 * PAGE;

/**
 * One instantiated WASM core and the arena core keeps in its memory.
 *
 * Every call begins with `reset()`: the arena's bump pointer goes back to the start, so repeated calls reuse the
 * same bytes and the memory size stays constant. Memory only grows when a call needs more than any before it.
 * `memory.grow` detaches old `Float64Array` views, so views are taken with `f64()` after the last allocation.
 */
export class WasmInstance {
  readonly build: WasmBuild;
  readonly exports: Record<string, unknown>;
  readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top: number;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as Record<string, unknown>;
    this.memory = this.exports.memory as WebAssembly.Memory;
    const init = this.exports._initialize as (() => void) | undefined;
    if (init) init();
    this.build = (this.exports.simdEnabled as () => number)() === 1 ? "simd" : "scalar";
    const heapBase = (this.exports.heapBase as () => number)() >>> 0;
    this.base = alignUp(heapBase, ALIGN);
    this.top = this.base;
  }

  /** Forget every allocation of the previous call. */
  reset(): void {
    this.top = this.base;
  }

  /** Bytes currently reserved by WASM memory (for tests of boundedness). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserve `bytes` (64-byte aligned) and return the pointer; grows memory when needed. */
  alloc(fn: string, bytes: number): number {
    const p = alignUp(this.top, ALIGN);
    const end = p + bytes;
    if (!Number.isSafeInteger(end) || end > MAX_BYTES) {
      throw new OutOfMemoryError(
        `${fn}: needs ${formatBytes(end - this.base)} of WASM memory; wasm32 can address at most 4 GiB`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (cause) {
        throw new OutOfMemoryError(
          `${fn}: the engine refused to grow WASM memory from ${formatBytes(have)} to ${formatBytes(have + pages * PAGE)}`,
        );
      }
    }
    this.top = end;
    return p;
  }

  /** Reserve room for `n` doubles; zero-filled unless `zero` is false. */
  allocF64(fn: string, n: number, zero = true): number {
    const p = this.alloc(fn, n * 8);
    if (zero) new Float64Array(this.memory.buffer, p, n).fill(0);
    return p;
  }

  /** Copy `x` into the arena and return its pointer. */
  putF64(fn: string, x: ArrayLike<number>): number {
    const p = this.alloc(fn, x.length * 8);
    new Float64Array(this.memory.buffer, p, x.length).set(x);
    return p;
  }

  /** Copy `x` (32-bit integers) into the arena and return its pointer. */
  putI32(fn: string, x: ArrayLike<number>): number {
    const p = this.alloc(fn, x.length * 4);
    new Int32Array(this.memory.buffer, p, x.length).set(x);
    return p;
  }

  /** A copy of `n` doubles at `ptr`. */
  readF64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n).slice();
  }

  /** A view over `n` doubles at `ptr`; valid only until the next allocation. */
  viewF64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }

  /** An exported kernel by name. */
  fn<F extends (...args: never[]) => unknown>(name: string): F {
    const f = this.exports[name];
    if (typeof f !== "function") throw new WasmError(`losscape core: the WASM module has no kernel '${name}'`);
    return f as F;
  }

  /**
   * Run `body` with a fresh arena. A trap inside a kernel becomes a `WasmError` naming `fn`;
   * the arena is reset either way, so the instance stays usable.
   */
  run<T>(fn: string, body: (w: WasmInstance) => T): T {
    this.reset();
    try {
      return body(this);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        throw new WasmError(`${fn}: the WASM kernel trapped (${e.message}); this is a bug in losscape`, { cause: e });
      }
      throw e;
    } finally {
      this.reset();
    }
  }
}

/** The imports every build expects: AssemblyScript's `abort`, turned into an Error with file and line. */
export function wasmImports(getMemory: () => WebAssembly.Memory | undefined): WebAssembly.Imports {
  return {
    env: {
      abort(msgPtr: number, filePtr: number, line: number, col: number): never {
        const mem = getMemory();
        const msg = mem ? readAsString(mem, msgPtr) : "";
        const file = mem ? readAsString(mem, filePtr) : "";
        throw new WasmError(`WASM abort: ${msg || "(no message)"} at ${file || "?"}:${line}:${col}`);
      },
    },
  };
}

function readAsString(mem: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const len = new Uint32Array(mem.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(mem.buffer, ptr, len));
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

function formatBytes(b: number): string {
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`;
}
