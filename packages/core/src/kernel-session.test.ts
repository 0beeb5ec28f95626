import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { init, kernels, loadWasm, setBackend, NotInitializedError, WasmError, withKernels, type WasmBuffer } from "./index.js";
import { randomMat } from "./__tests__/matrices.js";

// The typed door into WASM. Declared `scratch` (uninitialised, not copied in or out) and `written` outputs (not
// zero-filled: the kernel overwrites every entry) must change nothing but the copies: results are compared bit for
// bit with the same kernel called on copied-in / zero-filled buffers. Sessions keep intermediates in the arena.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("typed kernels on the %s build", (build) => {
  beforeEach(() => setBackend(build));

  it("scratch is reserved uninitialised: a NaN-filled workspace gives the same product as a fresh one", () => {
    const a = randomMat(30, 40, 1).data;
    const b = randomMat(30, 40, 2).data;
    const args = { ta: 1, tb: 0, m: 40, n: 40, k: 30, alpha: 0.5, a, lda: 40, b, ldb: 40, beta: 0, ldc: 40 } as const;
    const fresh = kernels.dgemm("test", args).c;
    const viaNaN = withKernels("test", (s) => {
      const work = s.alloc("f64", s.workSizes.dgemmWorkSize({ m: 40, n: 40, k: 30 }));
      s.view(work).fill(NaN);
      return s.read(s.dgemm({ ...args, work }).c);
    });
    expect(viaNaN).toEqual(fresh);
  });

  // d = 300 spans several 128-row blocks; k = 300 > kc = 256, so the second k-block accumulates onto the tiles the
  // first one overwrote (β = 0 never reads C) and only the last one mirrors them; d = 1030 > nc = 1024 crosses
  // a column block.
  it.each([
    [1, 300, 41],
    [1, 41, 300],
    [0, 300, 300],
    [1, 3, 1030],
  ])("dsyrk with β = 0 into a written (not zero-filled) c equals the zero-filled call, exactly symmetric (ata = %i, A %i × %i)", (ata, m, n) => {
    const d = ata ? n : m;
    const a = randomMat(m, n, m + n + ata).data;
    // First fill the arena with NaN so an unwritten entry of a `written` output would show.
    kernels.dsyrk("test", { ata, m, n, alpha: 1, a, lda: n, beta: 1, c: new Float64Array(d * d).fill(NaN), ldc: d });
    const written = kernels.dsyrk("test", { ata, m, n, alpha: -0.75, a, lda: n, beta: 0, ldc: d }).c;
    const zeroed = kernels.dsyrk("test", { ata, m, n, alpha: -0.75, a, lda: n, beta: 0, c: new Float64Array(d * d), ldc: d }).c;
    expect(written.every(Number.isFinite)).toBe(true);
    let differ = 0;
    let asymmetric = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (!Object.is(written[i * d + j], zeroed[i * d + j])) differ++;
        if (written[j * d + i] !== written[i * d + j]) asymmetric++;
      }
    }
    expect(differ).toBe(0);
    expect(asymmetric).toBe(0);
    // Three whole rows (so both triangles) against the definition C[i, j] = α · Σₚ op(A)ᵢₚ op(A)ⱼₚ. Both sum k
    // products of entries in [-1, 1) in different orders: they agree to k·2⁻⁵² (Higham §3.1) times |α|·Σ|…| ≤ |α|·k.
    const k = ata ? m : n;
    let worst = 0;
    for (const i of [0, Math.floor(d / 2), d - 1]) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += ata ? a[p * n + i] * a[p * n + j] : a[i * n + p] * a[j * n + p];
        worst = Math.max(worst, Math.abs(written[i * d + j] - -0.75 * s));
      }
    }
    expect(worst).toBeLessThanOrEqual(0.75 * k * k * 2 ** -52);
  });

  it("a session chains kernels on arena buffers: LU then two triangular solves, bit-identical to one-shot calls", () => {
    const n = 7;
    const a = randomMat(n, n, 3).data;
    const rhs = randomMat(n, 2, 4).data;
    const lu = kernels.luFactor("test", { n, a, lda: n });
    const permuted = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) permuted.set(rhs.subarray(lu.perm[i] * 2, lu.perm[i] * 2 + 2), i * 2);
    const y = kernels.triSolve("test", { n, k: 2, t: lu.a, ldt: n, lower: 1, trans: 0, unit: 1, b: permuted, ldb: 2 }).b;
    const x1 = kernels.triSolve("test", { n, k: 2, t: lu.a, ldt: n, lower: 0, trans: 0, unit: 0, b: y, ldb: 2 }).b;
    const x2 = withKernels("test", (s) => {
      const f = s.luFactor({ n, a, lda: n });
      expect(Array.from(s.view(f.perm))).toEqual(Array.from(lu.perm));
      const b = s.put(permuted);
      s.triSolve({ n, k: 2, t: f.a, ldt: n, lower: 1, trans: 0, unit: 1, b, ldb: 2 });
      s.triSolve({ n, k: 2, t: f.a, ldt: n, lower: 0, trans: 0, unit: 0, b, ldb: 2 });
      return s.read(b);
    });
    expect(x2).toEqual(x1);
  });

  it("kernels return their value as `result` and i32 outputs as Int32Array", () => {
    expect(kernels.dstedcWorkSize("test", { n: 10 }).result).toBe(2 * 100 + 8 * 10);
    const { perm } = kernels.luFactor("test", { n: 2, a: Float64Array.from([1, 2, 3, 4]), lda: 2 });
    expect(perm).toBeInstanceOf(Int32Array);
    expect(Array.from(perm)).toEqual([1, 0]);
  });

  it("an input shorter than its declared size is a WasmError naming the function, kernel and argument", () => {
    expect(() => kernels.cholFactor("myFn", { n: 3, a: new Float64Array(8), lda: 3 })).toThrowError(WasmError);
    expect(() => kernels.cholFactor("myFn", { n: 3, a: new Float64Array(8), lda: 3 })).toThrowError(
      /^myFn: kernel 'cholFactor': argument 'a' must be a Float64Array of ≥ 9 values; found a Float64Array of 8 values/,
    );
  });

  it("an arena buffer used after its session ended, or a nested session, is a WasmError", () => {
    let kept: WasmBuffer<"f64"> | undefined;
    withKernels("test", (s) => {
      kept = s.put([1, 2, 3]);
      expect(() => withKernels("inner", () => 0)).toThrowError(/^inner: a WASM session is already open/);
    });
    expect(() =>
      withKernels("later", (s) => s.scaleAndFlush({ len: 3, x: kept!, f1: 1, f2: 1, floor: 0 })),
    ).toThrowError(/^later: scaleAndFlush: 'x': the arena buffer was used after its session ended/);
  });
});

describe("typed kernels on the ts backend", () => {
  it("need a WASM backend", () => {
    setBackend("ts");
    try {
      expect(() => kernels.dgemmWorkSize("myFn", { m: 1, n: 1, k: 1 })).toThrowError(NotInitializedError);
      expect(() => withKernels("myFn", () => 0)).toThrowError(/^myFn: WASM kernels need a WASM backend/);
    } finally {
      setBackend("simd");
    }
  });
});

// Compile-time checks (`npm run typecheck`): each line must fail tsc.
export function typeErrors(): void {
  // @ts-expect-error a misspelled kernel
  kernels.dgemn("t", {});
  // @ts-expect-error a missing argument (beta)
  kernels.dgemv("t", { trans: 0, m: 1, n: 1, alpha: 1, a: new Float64Array(1), lda: 1, x: new Float64Array(1) });
  // @ts-expect-error an extra argument
  kernels.dstedcWorkSize("t", { n: 1, m: 2 });
  // @ts-expect-error a mistyped argument (an array where a dimension goes)
  kernels.dstedcWorkSize("t", { n: new Float64Array(1) });
  // @ts-expect-error an Int32Array where the kernel reads f64
  kernels.cholFactor("t", { n: 1, a: new Int32Array(1), lda: 1 });
  // @ts-expect-error scratch cannot be passed to a one-shot call
  kernels.dsytrdLower("t", { n: 1, a: new Float64Array(1), work: new Float64Array(4) });
  // @ts-expect-error an output that does not exist
  void kernels.symmetricRange("t", { n: 1, a: new Float64Array(1) }).y;
}
