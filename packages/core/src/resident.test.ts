import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { init, kernels, loadWasm, matmul, residentBuffer, setBackend, StaleHandleError, withKernels } from "./index.js";
import { randomMat } from "./__tests__/matrices.js";

// Resident data: buffers in WASM memory that outlive kernel calls until disposed, beside the per-call arena.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("resident buffers on the %s build", (build) => {
  beforeEach(() => setBackend(build));

  it("feed kernels like arena buffers, with the same results bit for bit, across sessions", () => {
    const a = randomMat(20, 30, 1);
    const b = randomMat(30, 25, 2);
    const args = { ta: 0, tb: 0, m: 20, n: 25, k: 30, alpha: 1, lda: 30, ldb: 25, beta: 0, ldc: 25 } as const;
    const oneShot = kernels.dgemm("test", { ...args, a: a.data, b: b.data }).c;
    using ra = residentBuffer("test", "f64", a.data);
    using rb = residentBuffer("test", "f64", b.data);
    for (let r = 0; r < 3; r++) {
      const c = withKernels("test", (k) => k.read(k.dgemm({ ...args, a: ra, b: rb }).c));
      expect(c).toEqual(oneShot);
    }
    expect(matmul(a, b).data).toEqual(oneShot); // arena calls between them see the same memory
    ra.write("test", new Float64Array(600).fill(0));
    expect(withKernels("test", (k) => k.read(k.dgemm({ ...args, a: ra, b: rb }).c)).every((x) => x === 0)).toBe(true);
  });

  it("keep WASM memory bounded over 1000 create/dispose cycles (and free their region)", async () => {
    const inst = await loadWasm(build);
    const x = randomMat(50, 50, 3).data;
    const warm = residentBuffer("test", "f64", x);
    warm.dispose();
    matmul(randomMat(50, 50, 4), randomMat(50, 50, 5));
    const bytes = inst.memoryBytes;
    const region = inst.residentBytes;
    for (let r = 0; r < 1000; r++) {
      const p = residentBuffer("test", "f64", x);
      const q = residentBuffer("test", "i32", 17);
      const s = residentBuffer("test", "f64", 2500 + (r % 7));
      // free in a different order from allocation: the free list must coalesce
      q.dispose();
      p.dispose();
      if (r % 2 === 0) matmul(randomMat(50, 50, 4), randomMat(50, 50, 5));
      s.dispose();
    }
    expect(inst.memoryBytes).toBe(bytes);
    expect(inst.residentBytes).toBe(region);
  });

  it("use after dispose, or after setBackend switched the instance, is a StaleHandleError", () => {
    const r = residentBuffer("test", "f64", [1, 2, 3]);
    expect(Array.from(r.read("test"))).toEqual([1, 2, 3]);
    const other = build === "simd" ? "scalar" : "simd";
    setBackend(other);
    expect(() => r.read("myFn")).toThrowError(StaleHandleError);
    expect(() => withKernels("myFn", (k) => k.scaleAndFlush({ len: 3, x: r, f1: 1, f2: 1, floor: 0 }))).toThrowError(
      new RegExp(`^myFn: scaleAndFlush: 'x': the buffer lives in the '${build}' WASM instance, not the active '${other}' one`),
    );
    setBackend("ts");
    expect(() => r.write("myFn", [0])).toThrowError(/^myFn: write: the resident data lives in the '\w+' WASM instance, but the active backend is 'ts'/);
    setBackend(build);
    r.dispose();
    r.dispose(); // idempotent
    expect(() => r.read("myFn")).toThrowError(/^myFn: read: the resident data was used after dispose\(\)/);
    expect(() => withKernels("myFn", (k) => k.scaleAndFlush({ len: 3, x: r, f1: 1, f2: 1, floor: 0 }))).toThrowError(StaleHandleError);
  });
});
