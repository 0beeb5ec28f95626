import { OutOfMemoryError, StaleHandleError, WasmError } from "./errors.js";
import { KERNELS, type ElemType, type KernelName } from "./kernels.js";

/**
 * The builds of the WASM core (one AssemblyScript source, compiled with f64x2 SIMD, with SIMD and relaxed SIMD —
 * f64x2.relaxed_madd in the GEMM micro-kernel — and without SIMD).
 */
export type WasmBuild = "simd" | "relaxed" | "scalar";

const PAGE = 65536;
const ALIGN = 64;
/** wasm32 addresses 4 GiB (65536 pages); the arena never asks for more. */
const MAX_BYTES = 65536 * PAGE;

/** A kernel as the module exports it: numbers (i32, f64, addresses) in, a number (or nothing) out. */
export type RawKernel = (...args: number[]) => number | undefined;

/** Element views of the two array types. */
type ViewOf<T extends ElemType> = T extends "i32" ? Int32Array : Float64Array;

/**
 * One instantiated WASM core and the arena core keeps in its memory.
 *
 * Every session (`run`) begins and ends with `reset()`: the arena's bump pointer goes back to the start, so
 * repeated calls reuse the same bytes and the memory size stays constant. Memory only grows when a call needs
 * more than any before it. `memory.grow` detaches old views, so views are taken after the last allocation.
 * Kernels are reached only through kernel-session.ts (`kernels`, `withKernels`), by the declarations of kernels.ts.
 */
export class WasmInstance {
  readonly build: WasmBuild;
  readonly memory: WebAssembly.Memory;
  /** Increases at every reset: an arena buffer is valid while the epoch it was made in lasts. */
  epoch = 0;
  private readonly kernelFns: ReadonlyMap<string, RawKernel>;
  /** Start of core's memory: the resident region [base, residentTop), then the arena from arenaBase. */
  private readonly base: number;
  private residentTop: number;
  private arenaBase: number;
  private top: number;
  private running = false;
  /** Freed resident blocks, by address, never adjacent to one another (coalesced) nor to residentTop. */
  private readonly free: { ptr: number; bytes: number }[] = [];
  /**
   * Views of the whole memory (taken again when growth detached them: a detached view has length 0), and a lower
   * bound of its size: element copies, fills and views use them instead of the `memory.buffer` getter each time.
   */
  private f64All: Float64Array;
  private i32All: Int32Array;
  private knownBytes: number;

  constructor(instance: WebAssembly.Instance) {
    const exports = instance.exports as Record<string, unknown>;
    this.memory = exports.memory as WebAssembly.Memory;
    const init = exports._initialize as (() => void) | undefined;
    if (init) init();
    const relaxed = (exports.relaxedSimdEnabled as (() => number) | undefined)?.() === 1;
    this.build = relaxed ? "relaxed" : (exports.simdEnabled as () => number)() === 1 ? "simd" : "scalar";
    const heapBase = (exports.heapBase as () => number)() >>> 0;
    this.base = alignUp(heapBase, ALIGN);
    this.residentTop = this.base;
    this.arenaBase = this.base;
    this.top = this.base;
    const fns = new Map<string, RawKernel>();
    for (const name of Object.keys(KERNELS)) {
      const f = exports[name];
      if (typeof f !== "function") throw new WasmError(`losscape core: the WASM module has no kernel '${name}' (rebuild core)`);
      fns.set(name, f as RawKernel);
    }
    this.kernelFns = fns;
    this.f64All = new Float64Array(this.memory.buffer);
    this.i32All = new Int32Array(this.memory.buffer);
    this.knownBytes = this.memory.buffer.byteLength;
  }

  /** Forget every allocation of the previous call. */
  reset(): void {
    this.top = this.arenaBase;
    this.epoch++;
  }

  /**
   * Reserve `bytes` in the resident region (first fit among freed blocks, else at its end, which moves the arena
   * up); it stays until `freeResident`. Not while a session is open (the arena lies right above the region).
   */
  allocResident(fn: string, bytes: number): number {
    if (this.running) throw new WasmError(`${fn}: resident data cannot be created while a WASM session is open; a bug in losscape`);
    const size = alignUp(Math.max(bytes, 1), ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.bytes < size) continue;
      if (b.bytes === size) this.free.splice(i, 1);
      else this.free[i] = { ptr: b.ptr + size, bytes: b.bytes - size };
      return b.ptr;
    }
    const p = this.residentTop;
    this.ensure(fn, p + size);
    this.residentTop = p + size;
    this.arenaBase = this.residentTop;
    this.top = this.arenaBase;
    return p;
  }

  /** Return a resident block of `bytes` at `ptr` (as `allocResident` gave it). */
  freeResident(ptr: number, bytes: number): void {
    let block = { ptr, bytes: alignUp(Math.max(bytes, 1), ALIGN) };
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    const next = this.free[i];
    if (next && block.ptr + block.bytes === next.ptr) {
      block = { ptr: block.ptr, bytes: block.bytes + next.bytes };
      this.free.splice(i, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.bytes === block.ptr) {
      block = { ptr: prev.ptr, bytes: prev.bytes + block.bytes };
      this.free.splice(i - 1, 1);
      i--;
    }
    if (block.ptr + block.bytes === this.residentTop && !this.running) {
      this.residentTop = block.ptr;
      this.arenaBase = this.residentTop;
      this.top = this.arenaBase;
    } else {
      this.free.splice(i, 0, block);
    }
  }

  /** Bytes in the resident region (live and freed blocks; for tests of boundedness). */
  get residentBytes(): number {
    return this.residentTop - this.base;
  }

  /** The exported function of a declared kernel (for kernel-session.ts). */
  kernel(name: KernelName): RawKernel {
    return this.kernelFns.get(name)!;
  }

  /** A view of `length` elements of `type` at `ptr` (aligned to its element size); valid until the next allocation. */
  view<T extends ElemType>(type: T, ptr: number, length: number): ViewOf<T> {
    const buffer = this.f64().buffer;
    return (type === "i32" ? new Int32Array(buffer, ptr, length) : new Float64Array(buffer, ptr, length)) as ViewOf<T>;
  }

  /**
   * Copy `x` to `ptr` (elements of `type`). Element indices are ptr >>> 2 and ptr >>> 3, unsigned: the arena reaches
   * past 2 GiB (wasm32 addresses up to 4 GiB), where a signed shift gives a negative index.
   */
  write(type: ElemType, ptr: number, x: ArrayLike<number>): void {
    if (type === "i32") this.i32().set(x, ptr >>> 2);
    else this.f64().set(x, ptr >>> 3);
  }

  /** A copy of `length` elements of `type` at `ptr`. */
  copy<T extends ElemType>(type: T, ptr: number, length: number): ViewOf<T> {
    return (type === "i32" ? this.i32().slice(ptr >>> 2, (ptr >>> 2) + length) : this.f64().slice(ptr >>> 3, (ptr >>> 3) + length)) as ViewOf<T>;
  }

  /** Zero `length` elements of `type` at `ptr`. */
  zero(type: ElemType, ptr: number, length: number): void {
    if (type === "i32") this.i32().fill(0, ptr >>> 2, (ptr >>> 2) + length);
    else this.f64().fill(0, ptr >>> 3, (ptr >>> 3) + length);
  }

  private f64(): Float64Array {
    if (this.f64All.length === 0) this.f64All = new Float64Array(this.memory.buffer);
    return this.f64All;
  }

  private i32(): Int32Array {
    if (this.i32All.length === 0) this.i32All = new Int32Array(this.memory.buffer);
    return this.i32All;
  }

  /** Throws a WasmError naming `fn` unless a buffer made in epoch `epoch` is still valid. */
  checkLive(fn: string, b: { readonly epoch: number; readonly resident: { readonly live: boolean } | null }, what: string): void {
    if (b.resident !== null) {
      if (!b.resident.live) throw new StaleHandleError(`${fn}: ${what}: the resident data was used after dispose()`);
      return;
    }
    if (b.epoch !== this.epoch) {
      throw new WasmError(`${fn}: ${what}: the arena buffer was used after its session ended (a bug in losscape)`);
    }
  }

  /** Bytes currently reserved by WASM memory (for tests of boundedness). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserve `bytes` (64-byte aligned) in the arena and return the pointer; grows memory when needed. */
  alloc(fn: string, bytes: number): number {
    const p = alignUp(this.top, ALIGN);
    const end = p + bytes;
    this.ensure(fn, end);
    this.top = end;
    return p;
  }

  /**
   * Grow memory now so that `bytes` more fit in the arena (the call's later allocations then find it grown): a call
   * whose stages allocate as they go is refused before its first stage, with an OutOfMemoryError naming `fn` and
   * `what` asked for it, instead of at the allocation that does not fit, after the work before it.
   */
  reserve(fn: string, bytes: number, what: string): void {
    this.ensure(fn, alignUp(this.top, ALIGN) + bytes, what);
  }

  /** Grow memory so that it holds the bytes below `end`. */
  private ensure(fn: string, end: number, what = ""): void {
    if (!Number.isSafeInteger(end) || end > MAX_BYTES) {
      throw new OutOfMemoryError(
        `${fn}: ${what ? `${what} ` : ""}needs ${formatBytes(end - this.base)} of WASM memory; wasm32 can address at most 4 GiB`,
      );
    }
    if (end <= this.knownBytes) return;
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
    this.knownBytes = this.memory.buffer.byteLength;
  }

  /**
   * Run `body` with a fresh arena. A trap inside a kernel becomes a `WasmError` naming `fn`;
   * the arena is reset either way, so the instance stays usable.
   */
  run<T>(fn: string, body: (w: WasmInstance) => T): T {
    if (this.running) {
      throw new WasmError(`${fn}: a WASM session is already open on this instance (a nested one would reuse its arena); a bug in losscape`);
    }
    this.running = true;
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
      this.running = false;
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

/** The arena bytes an allocation of `bytes` takes at most: allocations start 64-byte aligned. */
export function arenaBytes(bytes: number): number {
  return alignUp(bytes, ALIGN);
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

function formatBytes(b: number): string {
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`;
}
