import { BACKENDS, init, loadWasm, setBackend, type BackendName } from "@losscape/core";
import { hessian } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { hessianOperator, setThreads, getThreads } from "./index.js";
import { ALL_ACTIVATIONS, maxAbs, randomProblem } from "./__tests__/helpers.js";

// The matrix-free operators against the dense Hessian and its split (mlp's `hessian`), every activation of the
// table, both losses, chunked data; and the same bits whatever the thread count.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

const parts = [
  ["full", "h"],
  ["gauss-newton", "h0"],
  ["residual", "h1"],
] as const;

describe.each(BACKENDS)("hessianOperator on the %s backend", (backend: BackendName) => {
  it.each(ALL_ACTIVATIONS.flatMap((activation, i) => [
    { activation, loss: "mse" as const, widths: [3, 4, 3, 2], l2: 0.05 * (i % 2), seed: i + 1 },
    { activation, loss: "cross-entropy" as const, widths: [2, 5, 3], l2: 0, seed: i + 101 },
  ]))("H, H₀, H₁ times a block equal the dense split to 1e-12 relative ($activation, $loss)", async (c) => {
    setBackend(backend);
    const { model, data } = randomProblem({ ...c, n: 11 });
    const split = hessian(model, data, { split: true });
    const M = model.params.length;
    const k = 3;
    const V = Float64Array.from({ length: k * M }, (_, i) => Math.sin(1.3 * i + 0.4));
    for (const [part, key] of parts) {
      using op = await hessianOperator(model, data, { part, chunkRows: 4 });
      expect(op.chunks).toEqual([[0, 3], [3, 7], [7, 11]]);
      const HV = await op.apply(V, k);
      const H = split[key].data;
      for (let j = 0; j < k; j++) {
        const want = new Float64Array(M);
        for (let r = 0; r < M; r++) for (let q = 0; q < M; q++) want[r] += H[r * M + q] * V[j * M + q];
        const scale = maxAbs(want);
        expect(scale).toBeGreaterThan(0);
        for (let r = 0; r < M; r++) expect(Math.abs(HV[j * M + r] - want[r])).toBeLessThanOrEqual(1e-12 * scale);
      }
    }
  });
});

describe("hessianOperator on worker threads", () => {
  it("2 and 3 threads give the same bits as 1 (chunks summed in a fixed order), blocks wider than one kernel call", async () => {
    setBackend("simd");
    const { model, data } = randomProblem({ widths: [4, 6, 5, 3], activation: "tanh", loss: "cross-entropy", n: 37, seed: 7 });
    const M = model.params.length;
    const k = 19;
    const V = Float64Array.from({ length: k * M }, (_, i) => Math.cos(0.37 * i));
    using one = await hessianOperator(model, data, { threads: 1, chunkRows: 5 });
    const want = await one.apply(V, k);
    for (const threads of [2, 3]) {
      using op = await hessianOperator(model, data, { threads, chunkRows: 5 });
      expect(op.threads).toBe(threads);
      expect(await op.apply(V, k)).toEqual(want);
      expect(await op.apply(V.subarray(0, 2 * M), 2)).toEqual(await one.apply(V.subarray(0, 2 * M), 2));
    }
  });

  it("setThreads sets the default; the default chunks do not depend on it", async () => {
    setBackend("simd");
    const { model, data } = randomProblem({ widths: [3, 4, 2], activation: "tanh", n: 1200, seed: 3 });
    expect(getThreads()).toBe(1);
    using a = await hessianOperator(model, data);
    expect(a.chunks).toEqual([[0, 600], [600, 1200]]);
    setThreads(2);
    try {
      using b = await hessianOperator(model, data);
      expect(b.threads).toBe(2);
      expect(b.chunks).toEqual(a.chunks);
      const V = Float64Array.from({ length: 2 * a.dim }, (_, i) => i % 3);
      expect(await b.apply(V, 2)).toEqual(await a.apply(V, 2));
    } finally {
      setThreads(1);
    }
    expect(() => setThreads(0)).toThrowError(/^setThreads: 'n' must be ≥ 1/);
  });

  it("bad input is refused by name", async () => {
    setBackend("simd");
    const { model, data } = randomProblem({ widths: [3, 4, 2], activation: "tanh", n: 6, seed: 3 });
    await expect(hessianOperator(model, data, { part: "half" as "full" })).rejects.toThrowError(/^hessianOperator: 'part' must be/);
    await expect(hessianOperator(model, data, { threads: 0 })).rejects.toThrowError(/^hessianOperator: 'threads' must be ≥ 1/);
    using op = await hessianOperator(model, data);
    await expect(op.apply(new Float64Array(3), 1)).rejects.toThrowError(/^HessianOperator.apply: argument 'V'/);
  });
});
