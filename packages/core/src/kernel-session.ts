import { activeWasm, getBackend } from "./backend.js";
import { NotInitializedError, ShapeError, StaleHandleError, ValueError, WasmError } from "./errors.js";
import {
  KERNELS,
  type ArgsDecl,
  type ArrayArg,
  type ArrayRole,
  type Dims,
  type ElemType,
  type KernelDecl,
  type KernelName,
  type Kernels,
  type WorkSizes,
} from "./kernels.js";
import { DEFAULT_SYMMETRY_TOL } from "./defaults.js";
import { checkFinite, checkSymmetric } from "./validate.js";
import { arenaBytes, type WasmInstance } from "./wasm-instance.js";
import type { Mat } from "./mat.js";

/**
 * The one door into WASM: typed calls of the kernels declared in kernels.ts, for core's linear algebra and the
 * domain packages alike. Two forms:
 *  - `kernels.mlpHessian(fn, { … })`: one kernel, one fresh arena; arrays are copied in, outputs copied out;
 *  - `withKernels(fn, (k) => …)`: a session of several kernels on one arena, e.g. `k.dsytrdLower({ … })` then
 *    `k.dsterfQL({ … })`, where any array argument may be a `WasmBuffer` (an intermediate left by an earlier
 *    call, or `k.put(x)`, `k.alloc(…)`) and outputs come back as `WasmBuffer`s (`k.read(b)` copies one out).
 * Arguments are named as in the declaration; a misspelled kernel, a missing, extra or mistyped field fails `tsc`.
 * Scratch and outputs are sized by the declaration; inputs shorter than it is declared are rejected (WasmError).
 * `fn` names the public function for error messages. Validation of user input stays with the public functions.
 */

/** A typed array of an element type. */
export type TypedArrayOf<T extends ElemType> = T extends "i32" ? Int32Array : Float64Array;

/**
 * An array in WASM memory: in a session's arena (valid until the session ends), or resident (`residentBuffer`,
 * valid until `dispose()`, or the end of a `using` block). A domain package holds one as an opaque handle; it never
 * sees the address.
 */
export class WasmBuffer<T extends ElemType = ElemType> {
  /** @internal */
  constructor(
    readonly type: T,
    readonly length: number,
    /** @internal */ readonly instance: WasmInstance,
    /** @internal */ readonly ptr: number,
    /** @internal Arena epoch of the session that made it (−1 for a resident buffer). */
    readonly epoch: number,
    /** @internal Resident buffers: whether it is still allocated. */
    readonly resident: { live: boolean } | null = null,
  ) {}

  /** Copy `x` (at most `length` values) into this resident buffer, from index `offset` (default 0). */
  write(fn: string, x: ArrayLike<number>, offset = 0): void {
    this.checkResident(fn, "write");
    this.instance.view(this.type, this.ptr, this.length).set(x, offset);
  }

  /** A copy of this resident buffer's contents. */
  read(fn: string): TypedArrayOf<T> {
    this.checkResident(fn, "read");
    return this.instance.view(this.type, this.ptr, this.length).slice() as TypedArrayOf<T>;
  }

  /** Free a resident buffer (idempotent). Its memory is reused by later resident data. */
  dispose(): void {
    if (this.resident === null || !this.resident.live) return;
    this.resident.live = false;
    this.instance.freeResident(this.ptr, this.length * (this.type === "i32" ? 4 : 8));
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Throws StaleHandleError unless this is a live resident buffer of the active WASM instance. */
  checkResident(fn: string, what: string): void {
    if (this.resident === null) throw new WasmError(`${fn}: ${what}: not a resident buffer (a bug in losscape)`);
    this.instance.checkLive(fn, this, what);
    if (activeWasm(fn) !== this.instance) {
      throw new StaleHandleError(
        `${fn}: ${what}: the resident data lives in the '${this.instance.build}' WASM instance, but the active backend is '${getBackend()}' (setBackend changed it); create it again`,
      );
    }
  }
}

/**
 * A resident array in the active WASM instance's memory: `contents` copied in, or `length` zeros. It survives
 * kernel calls and sessions until `dispose()`; pass it to `withKernels` kernels like an arena buffer.
 * @example
 * using x = residentBuffer("myFn", "f64", data); // freed at the end of the block
 */
export function residentBuffer<T extends ElemType>(fn: string, type: T, contents: ArrayLike<number> | number): WasmBuffer<T> {
  const w = requireWasm(fn);
  if (type !== "f64" && type !== "i32") throw new ValueError(`${fn}: argument 'type' must be "f64" or "i32"; found ${String(type)}`);
  const length = typeof contents === "number" ? contents : contents?.length;
  if (!Number.isInteger(length) || length < 0) {
    throw new ShapeError(`${fn}: argument 'contents' must be a length (an integer ≥ 0) or an array of numbers; found ${String(contents)}`);
  }
  const ptr = w.allocResident(fn, length * (type === "i32" ? 4 : 8));
  const view = w.view(type, ptr, length);
  if (typeof contents === "number") view.fill(0);
  else view.set(contents);
  return new WasmBuffer(type, length, w, ptr, -1, { live: true });
}

type KeysWhere<A, K> = { [P in keyof A]: A[P] extends { readonly kind: K } ? P : never }[keyof A];
type ArrayOf<A, P extends keyof A, B> = A[P] extends { readonly type: infer T extends ElemType } ? TypedArrayOf<T> | (B extends never ? never : WasmBuffer<T>) : never;

/**
 * The named arguments of a kernel: numbers for the scalars, typed arrays for the inputs, optional initial contents
 * for the outputs. In a session (`B` = WasmBuffer) arrays may be buffers and scratch may be given.
 */
export type KernelArgs<A extends ArgsDecl, B = never> = { readonly [P in KeysWhere<A, "i32" | "f64">]: number } & {
  readonly [P in KeysWhere<A, "in" | "inout">]: ArrayOf<A, P, B>;
} & { readonly [P in KeysWhere<A, "out">]?: ArrayOf<A, P, B> } & ([B] extends [never]
    ? unknown
    : { readonly [P in KeysWhere<A, "scratch">]?: A[P] extends { readonly type: infer T extends ElemType } ? WasmBuffer<T> : never });

/** What a kernel call gives back: its outputs and in-place arrays by name (typed arrays or, in a session, buffers), and its return value. */
export type KernelResult<D extends KernelDecl, Session extends boolean> = {
  readonly [P in KeysWhere<D["args"], "out" | "inout">]: D["args"][P] extends { readonly type: infer T extends ElemType }
    ? Session extends true
      ? WasmBuffer<T>
      : TypedArrayOf<T>
    : never;
} & (D["returns"] extends "void" ? unknown : { readonly result: number });

/** The typed kernels of a session. */
export type SessionKernels = {
  readonly [K in KernelName]: (args: KernelArgs<Kernels[K]["args"], WasmBuffer>) => KernelResult<Kernels[K], true>;
};

/** The one-shot kernels: `kernels.name(fn, args)`. */
export type OneShotKernels = {
  readonly [K in KernelName]: (fn: string, args: KernelArgs<Kernels[K]["args"]>) => KernelResult<Kernels[K], false>;
};

/** One argument of a kernel as the call loop walks it. */
interface ArgPlan {
  readonly name: string;
  readonly kind: ElemType | ArrayRole;
  readonly decl: ArrayArg<ArrayRole, ElemType> | null;
}
/**
 * A kernel's declaration as `call` walks it, with the arrays a call fills in (reused: a call runs to completion —
 * no kernel call happens inside another — so one set per kernel suffices, and a call allocates none of them).
 */
/** @internal */
export interface KernelPlan {
  readonly name: KernelName;
  readonly args: readonly ArgPlan[];
  readonly returns: KernelDecl["returns"];
  readonly derive: KernelDecl["derive"];
  /** Names of the scalar arguments (what a size formula reads besides the derived dimensions). */
  readonly scalars: readonly string[];
  /** Indices (in `args`) of the outputs and in-place arrays, returned by name. */
  readonly outs: readonly number[];
  /**
   * The result's fields (outputs, in-place arrays, `result`) set to null: a call copies it and fills it in, so
   * every result of a kernel has one shape from the start (no property added per call).
   */
  readonly resultShape: Readonly<Record<string, unknown>>;
  /** Per call: the scalar arguments and derived dimensions (kernels with `derive`). */
  readonly dims: { [name: string]: number };
  /** Per call: the raw arguments (numbers and addresses), and each array argument's declared length and the buffer passed (if any). */
  readonly raw: number[];
  readonly sizes: number[];
  readonly given: (WasmBuffer | null)[];
}

const PLANS = new Map<string, KernelPlan>();
for (const [name, d] of Object.entries(KERNELS) as [KernelName, KernelDecl][]) {
  const args = Object.entries(d.args).map(([n, a]) => ({
    name: n,
    kind: a.kind,
    decl: a.kind === "i32" || a.kind === "f64" ? null : (a as ArrayArg<ArrayRole, ElemType>),
  }));
  PLANS.set(name, {
    name,
    returns: d.returns,
    derive: d.derive,
    scalars: args.filter((a) => a.decl === null).map((a) => a.name),
    outs: args.flatMap((a, i) => (a.kind === "out" || a.kind === "inout" ? [i] : [])),
    resultShape: Object.fromEntries([
      ...args.filter((a) => a.kind === "out" || a.kind === "inout").map((a) => [a.name, null]),
      ...(d.returns === "void" ? [] : [["result", null]]),
    ]),
    args,
    dims: {},
    raw: new Array<number>(args.length).fill(0),
    sizes: new Array<number>(args.length).fill(0),
    given: new Array<WasmBuffer | null>(args.length).fill(null),
  });
}

const workSizesCache = new WeakMap<WasmInstance, WorkSizes>();
/** The last instance asked for (the active one, almost always) and its queries: no map lookup per kernel call. */
let lastWorkSizes: { readonly w: WasmInstance; readonly q: WorkSizes } | undefined;
function workSizes(w: WasmInstance): WorkSizes {
  if (lastWorkSizes?.w === w) return lastWorkSizes.q;
  let q = workSizesCache.get(w);
  if (!q) {
    const [gemm, factor, dstedc, dormtr, band, svd, qr, householder] = (
      [
        "dgemmWorkSize", "factorWorkSize", "dstedcWorkSize", "dormtrWorkSize", "dsytrdBandWorkSize", "svdWorkSize",
        "qrWorkSize", "householderQrWorkSize",
      ] as const
    ).map((k) => w.kernel(k));
    // dgemm's answer for the last dimensions asked is kept: a loop calls its kernels with the same ones every time.
    let lastGemm = { m: -1, n: -1, k: -1, size: 0 };
    q = {
      dgemmWorkSize: ({ m, n, k }) => {
        if (m !== lastGemm.m || n !== lastGemm.n || k !== lastGemm.k) lastGemm = { m, n, k, size: Number(gemm(m, n, k)) };
        return lastGemm.size;
      },
      factorWorkSize: ({ n }) => Number(factor(n)),
      dstedcWorkSize: ({ n }) => Number(dstedc(n)),
      dormtrWorkSize: ({ n }) => Number(dormtr(n)),
      dsytrdBandWorkSize: ({ n }) => Number(band(n)),
      svdWorkSize: ({ m, n, uc }) => Number(svd(m, n, uc)),
      qrWorkSize: ({ m, n }) => Number(qr(m, n)),
      householderQrWorkSize: ({ m, n, pivot }) => Number(householder(m, n, pivot)),
    };
    workSizesCache.set(w, q);
  }
  lastWorkSizes = { w, q };
  return q;
}

/** Methods every session has besides its kernels. */
export class KernelSessionBase {
  /** @internal */
  constructor(
    /** @internal */ readonly wasm: WasmInstance,
    /** The public function this session serves (named in errors). */
    readonly fn: string,
  ) {}

  /** The kernels' work-size queries (to size a workspace several kernels share). */
  get workSizes(): WorkSizes {
    return workSizes(this.wasm);
  }

  /** `length` elements in the arena, zero-filled when `zero` (default: uninitialised). */
  alloc<T extends ElemType>(type: T, length: number, zero = false): WasmBuffer<T> {
    const w = this.wasm;
    const ptr = w.alloc(this.fn, length * (type === "i32" ? 4 : 8));
    if (zero) w.zero(type, ptr, length);
    return new WasmBuffer(type, length, w, ptr, w.epoch);
  }

  /**
   * Grow the arena now so that `bytes` more fit: a call whose stages allocate as they go reserves its whole need
   * first, so that too large an input is an OutOfMemoryError ("`fn`: `what` needs … of WASM memory") before any work.
   */
  reserve(bytes: number, what: string): void {
    this.wasm.reserve(this.fn, bytes, what);
  }

  /** A copy of `x` in the arena. */
  put(x: ArrayLike<number>): WasmBuffer<"f64"> {
    const b = this.alloc("f64", x.length);
    this.wasm.write("f64", b.ptr, x);
    return b;
  }

  /** A copy of `x` (32-bit integers) in the arena. */
  putI32(x: ArrayLike<number>): WasmBuffer<"i32"> {
    const b = this.alloc("i32", x.length);
    this.wasm.write("i32", b.ptr, x);
    return b;
  }

  /** A view of a buffer; valid until the next allocation (memory growth detaches it). */
  view<T extends ElemType>(b: WasmBuffer<T>, length = b.length): TypedArrayOf<T> {
    this.check(b, "view");
    return this.wasm.view(b.type, b.ptr, length);
  }

  /** A copy of a buffer's first `length` elements (all by default). */
  read<T extends ElemType>(b: WasmBuffer<T>, length = b.length): TypedArrayOf<T> {
    this.check(b, "read");
    return this.wasm.copy(b.type, b.ptr, length) as TypedArrayOf<T>;
  }

  /** Throws unless `b` lives in this session's instance and is still valid. */
  check(b: WasmBuffer, what: string): void {
    if (b.instance !== this.wasm) {
      throw new StaleHandleError(`${this.fn}: ${what}: the buffer lives in the '${b.instance.build}' WASM instance, not the active '${this.wasm.build}' one (setBackend changed it)`);
    }
    this.wasm.checkLive(this.fn, b, what);
  }

  /** @internal Run a kernel: copy in, call, and return outputs (copies when `copyOut`, else buffers). */
  call(plan: KernelPlan, args: Readonly<Record<string, unknown>>, copyOut: boolean): Record<string, unknown> {
    const name = plan.name;
    const w = this.wasm;
    const q = workSizes(w);
    let dims = args as Dims;
    if (plan.derive) {
      const d = plan.dims;
      for (const s of plan.scalars) d[s] = args[s] as number;
      plan.derive(args, (this.valuesOf ??= (v) => this.values(v)), d);
      dims = d;
    }
    const { raw, sizes, given } = plan;
    // The scalars, then the arrays' sizes; the arrays the call allocates (copies in, outputs and workspace not passed
    // as buffers) are reserved together before the first: a call too large for the arena is refused before any copy.
    for (let i = 0; i < plan.args.length; i++) {
      const a = plan.args[i];
      if (a.decl !== null) continue;
      const v = args[a.name];
      if (typeof v !== "number") throw this.bad(name, a.name, "a number", v);
      raw[i] = v;
    }
    let need = 0;
    for (let i = 0; i < plan.args.length; i++) {
      const a = plan.args[i];
      if (a.decl === null) continue;
      const v = args[a.name];
      sizes[i] = a.decl.size(dims, q);
      if (v instanceof WasmBuffer) continue;
      const length = ArrayBuffer.isView(v) ? (v as unknown as ArrayLike<number>).length : sizes[i];
      need += arenaBytes(length * (a.decl.type === "i32" ? 4 : 8));
    }
    if (need > 0) w.reserve(this.fn, need, "");
    for (let i = 0; i < plan.args.length; i++) {
      const a = plan.args[i];
      if (a.decl === null) continue;
      const v = args[a.name];
      const decl = a.decl;
      const size = sizes[i];
      const bytes = decl.type === "i32" ? 4 : 8;
      let ptr: number;
      given[i] = null;
      if (v instanceof WasmBuffer) {
        // The checks of `check` inline; its message is only built when one fails.
        if (v.instance !== w || (v.resident === null ? v.epoch !== w.epoch : !v.resident.live)) this.check(v, `${name}: '${a.name}'`);
        if (v.type !== decl.type || v.length < size) throw this.bad(name, a.name, `${size} ${decl.type} values`, v);
        ptr = v.ptr;
        given[i] = v;
      } else if (v === undefined && (decl.kind === "out" || decl.kind === "scratch")) {
        ptr = w.alloc(this.fn, size * bytes);
        if (decl.zero) w.zero(decl.type, ptr, size);
      } else if (v instanceof (decl.type === "i32" ? Int32Array : Float64Array) && v.length >= size) {
        const x = v as Float64Array | Int32Array;
        ptr = w.alloc(this.fn, x.length * bytes);
        w.write(decl.type, ptr, x);
      } else {
        throw this.bad(name, a.name, `a ${decl.type === "i32" ? "Int32Array" : "Float64Array"} of ≥ ${size} values`, v);
      }
      raw[i] = ptr;
    }
    const r = w.kernel(name).apply(null, raw);
    const result: Record<string, unknown> = { ...plan.resultShape };
    for (const i of plan.outs) {
      const type = plan.args[i].decl!.type;
      const b = given[i];
      given[i] = null;
      if (copyOut) result[plan.args[i].name] = w.copy(type, raw[i], sizes[i]);
      else if (b !== null && b.length === sizes[i]) result[plan.args[i].name] = b;
      else result[plan.args[i].name] = new WasmBuffer(type, sizes[i], w, raw[i], b?.epoch ?? w.epoch, b?.resident ?? null);
    }
    if (plan.returns !== "void") result.result = Number(r);
    return result;
  }

  /** `values` bound to this session, for a kernel's `derive` (made at its first use). */
  private valuesOf: ((v: unknown) => ArrayLike<number>) | undefined;

  /** An array argument's values (a view when it is a buffer), for a kernel's `derive`. */
  private values(v: unknown): ArrayLike<number> {
    return v instanceof WasmBuffer ? this.view(v) : (v as ArrayLike<number>);
  }

  private bad(kernel: string, arg: string, expected: string, found: unknown): WasmError {
    const what =
      found instanceof WasmBuffer
        ? `a buffer of ${found.length} ${found.type} values`
        : ArrayBuffer.isView(found)
          ? `a ${found.constructor.name} of ${(found as unknown as ArrayLike<number>).length} values`
          : String(found);
    return new WasmError(`${this.fn}: kernel '${kernel}': argument '${arg}' must be ${expected}; found ${what} (a bug in losscape)`);
  }
}

for (const plan of PLANS.values()) {
  Object.defineProperty(KernelSessionBase.prototype, plan.name, {
    value(this: KernelSessionBase, args: Readonly<Record<string, unknown>>) {
      return this.call(plan, args, false);
    },
  });
}

/** A session: the arena helpers and every declared kernel as a typed method. */
export type KernelSession = KernelSessionBase & SessionKernels;

function requireWasm(fn: string): WasmInstance {
  const w = activeWasm(fn);
  if (w === null) throw new NotInitializedError(`${fn}: WASM kernels need a WASM backend; the active backend is 'ts'`);
  return w;
}

/**
 * Run `body` with a kernel session on the active WASM instance: one arena for the whole body (reset before and
 * after), so intermediates stay in WASM between kernels. A trap becomes a `WasmError` naming `fn`. Throws
 * `NotInitializedError` on the `ts` backend (check `wasmActive(fn)` first).
 * @example
 * const values = withKernels("myFn", (k) => {
 *   const { d, e } = k.dsytrdLower({ n, a: aColumnMajor });
 *   k.dsterfQL({ n, d, e });
 *   return k.read(d);
 * });
 */
export function withKernels<T>(fn: string, body: (k: KernelSession) => T): T {
  const w = requireWasm(fn);
  return w.run(fn, () => body(new KernelSessionBase(w, fn) as KernelSession));
}

/**
 * Every declared kernel as a typed one-shot call: `kernels.name(fn, args)` copies the arrays in, runs the kernel
 * on a fresh arena and returns its outputs (and `result`, when it returns a value) as typed arrays.
 * @example
 * const { h0 } = kernels.mlpHessian("hessian", { L, widths, codes, cparams, bias, lossCode, n, p, x, y, chunk, split: 0, factored: 0 });
 */
export const kernels = Object.fromEntries(
  [...PLANS.values()].map((plan) => [
    plan.name,
    (fn: string, args: Readonly<Record<string, unknown>>) => {
      const w = requireWasm(fn);
      return w.run(fn, () => new KernelSessionBase(w, fn).call(plan, args, true));
    },
  ]),
) as unknown as OneShotKernels;

/** True when the active backend is a WASM build (false for `ts`); throws before `init()`. */
export function wasmActive(fn: string): boolean {
  return activeWasm(fn) !== null;
}

/**
 * max|aᵢⱼ| and the least nonzero |aᵢⱼ| of the n×n matrix `a` in the session's arena, by one WASM pass
 * (symmetricRange, its three results in `out`). With `input`, the caller's matrix that `a` is a copy of, that pass
 * also checks it as `checkSymmetric` does: a NaN or ±∞, or max|aᵢⱼ − aⱼᵢ| > DEFAULT_SYMMETRY_TOL·max|aᵢⱼ|, raises the
 * error `checkFinite` or `checkSymmetric` builds from `input`. (Core's own: not re-exported by the package.)
 */
export function checkedSymmetricRange(
  k: KernelSession,
  a: WasmBuffer<"f64">,
  n: number,
  out: WasmBuffer<"f64">,
  input?: Mat,
): [maxAbs: number, minAbs: number] {
  k.symmetricRange({ n, a, out });
  const [maxAbs, minAbs, maxAsym] = k.view(out, 3);
  if (input !== undefined) {
    // a NaN or ±∞ makes maxAbs NaN or +∞
    if (!Number.isFinite(maxAbs)) checkFinite(k.fn, "a", input.data, n);
    if (maxAsym > DEFAULT_SYMMETRY_TOL * maxAbs) checkSymmetric(k.fn, "a", input);
  }
  return [maxAbs, minAbs];
}
