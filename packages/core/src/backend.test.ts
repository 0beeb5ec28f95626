import { describe, expect, it } from "vitest";
import { getBackend, init, isLosscapeError, loadWasm, matFromRows, matmul, setBackend } from "./index.js";

describe("loader", () => {
  it("throws a typed error before init", async () => {
    // A fresh module graph: nothing has been initialised yet in this file.
    expect(getBackend()).toBeUndefined();
    let err: unknown;
    try {
      matmul(matFromRows([[1]]), matFromRows([[1]]));
    } catch (e) {
      err = e;
    }
    expect(isLosscapeError(err)).toBe(true);
    expect((err as { code: string }).code).toBe("E_NOT_INITIALIZED");
  });

  it("init is memoised and picks the SIMD build on node 20", async () => {
    const [a, b] = await Promise.all([init(), init()]);
    expect(a).toBe("simd");
    expect(b).toBe("simd");
    expect(getBackend()).toBe("simd");
  });

  it("loads the scalar build on request and switches backends", async () => {
    const scalar = await loadWasm("scalar");
    expect(scalar.build).toBe("scalar");
    setBackend("scalar");
    expect(getBackend()).toBe("scalar");
    setBackend("ts");
    expect(getBackend()).toBe("ts");
    setBackend("simd");
  });

  it("rejects unknown backend names with a typed error", () => {
    expect(() => setBackend("gpu" as never)).toThrowError(/setBackend: 'name' must be one of simd, scalar, ts; found gpu/);
  });
});
