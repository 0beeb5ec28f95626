import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  gemv,
  getBackend,
  init,
  initSync,
  isLosscapeError,
  loadWasm,
  matFromRows,
  matmul,
  relaxedSimdSupported,
  residentBuffer,
  setBackend,
} from "./index.js";

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

  it("init is memoised and picks the relaxed build on node ≥ 22, the SIMD build on node 20", async () => {
    // node 22's V8 validates relaxed SIMD without flags, node 20's does not
    const relaxed = Number(process.versions.node.split(".")[0]) >= 22;
    expect(relaxedSimdSupported()).toBe(relaxed);
    const best = relaxed ? "relaxed" : "simd";
    const [a, b] = await Promise.all([init(), init()]);
    expect(a).toBe(best);
    expect(b).toBe(best);
    expect(getBackend()).toBe(best);
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

  it("initSync of a build already loaded keeps that instance: its resident buffers stay valid", async () => {
    await init();
    setBackend("simd");
    const kept = residentBuffer("test", "f64", [1, 2, 3]);
    const bytes = readFileSync(new URL("../wasm/losscape-simd.wasm", import.meta.url));
    expect(initSync(bytes)).toBe("simd");
    expect(getBackend()).toBe("simd");
    expect(Array.from(kept.read("test"))).toEqual([1, 2, 3]);
    kept.dispose();
  });

  it("rejects unknown backend names with a typed error", () => {
    expect(() => setBackend("gpu" as never)).toThrowError(/setBackend: 'name' must be one of simd, relaxed, scalar, ts; found gpu/);
  });
});

describe("options and sources of the wrong kind are refused, not ignored", () => {
  it("loadWasm of an unknown build, initSync of bytes that are not a losscape build, boolean options that are not booleans", async () => {
    await expect(loadWasm("gpu" as never)).rejects.toThrow(/^loadWasm: argument 'build' must be "simd", "relaxed" or "scalar"; found "gpu"/);
    let error: unknown;
    try {
      initSync(new Uint8Array([1, 2, 3]));
    } catch (e) {
      error = e;
    }
    expect(isLosscapeError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("E_WASM");
    expect((error as Error).message).toMatch(/^initSync: argument 'source' must be a losscape WASM build/);
    await init();
    const a = matFromRows([[1, 2], [3, 4]]);
    expect(() => matmul(a, a, { transA: "yes" as never })).toThrow(/^matmul: 'transA' must be true or false; found "yes"/);
    expect(() => matmul(a, a, { transB: 1 as never })).toThrow(/^matmul: 'transB' must be true or false; found 1/);
    expect(() => gemv(a, [1, 1], { trans: "no" as never })).toThrow(/^gemv: 'trans' must be true or false/);
  });
});
