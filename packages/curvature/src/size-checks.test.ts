import { init, ShapeError } from "@losscape/core";
import type { Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { curvature, eigenpairs, hutchinsonTrace, hutchPlusPlusTrace, lanczosQuadratures, matrixFreeMemory, type SymmetricOperator } from "./index.js";

// Sizes are checked before the work: a Lanczos basis (eigenpairs' `eigenpairsBasisSize` vectors, at least
// max(2k + 2b, k + 3b), SLQ's `steps` per
// probe, the trace probes) beyond 2^28 values, or the exact path's eigendecomposition beyond 2^29 values, is a
// ShapeError naming the option — it was a RangeError "Invalid typed array length" (or an out-of-memory error) from
// inside, after the data were uploaded. The sizes below exceed 2^32 values, so that without the check the typed
// array fails at once instead of allocating gigabytes.

beforeAll(async () => {
  await init();
});

/** An operator of a large dimension that must never be applied (the size check comes first). */
function untouchable(dim: number): SymmetricOperator & { products: number } {
  const op = {
    dim,
    products: 0,
    apply: async () => {
      op.products++;
      throw new Error("applied");
    },
  };
  return op;
}

describe("lanczosQuadratures draws each batch's start vectors when the batch starts", () => {
  it("at the first product, memory holds one batch of probes, not all of them (1000 probes of 2^16 = 500 MiB)", async () => {
    // The tolerance: 64 vectors of the dimension (32 MiB) above the baseline covers the batch of 16 starts, its
    // bases and the block applied; drawing all 1000 probes first held 1000 vectors (500 MiB) at that point.
    const M = 2 ** 16;
    const before = process.memoryUsage().arrayBuffers;
    let atFirst = Infinity;
    const op: SymmetricOperator = {
      dim: M,
      apply: async (_V, k) => {
        if (atFirst === Infinity) atFirst = process.memoryUsage().arrayBuffers - before;
        throw new Error(`stop after ${k}`);
      },
    };
    await expect(lanczosQuadratures(op, { probes: 1000, steps: 1 })).rejects.toThrow(/^stop after 16$/);
    expect(atFirst).not.toBe(Infinity);
    expect(atFirst).toBeLessThan(64 * M * 8);
  });
});

describe("bases larger than 2^28 values are refused before any product", () => {
  it("eigenpairs: k, or maxBasis, names the size", async () => {
    const op = untouchable(2 ** 24);
    // k = 300: 2k + 2b = 632 vectors of 2^24 = 1.06e10 values.
    await expect(eigenpairs(op, 300)).rejects.toThrow(ShapeError);
    await expect(eigenpairs(op, 300)).rejects.toThrow(/^eigenpairs: k = 300 needs a basis of 632 vectors of dimension 16777216, 1\.060e\+10 values .* at most 2\^28 = 268435456 values/);
    await expect(eigenpairs(op, 2, { maxBasis: 400 })).rejects.toThrow(/^eigenpairs: 'maxBasis' = 400 needs a basis of 400 vectors/);
    expect(op.products).toBe(0);
  });
  it("lanczosQuadratures: steps; the traces: probes and products", async () => {
    const op = untouchable(2 ** 24);
    await expect(lanczosQuadratures(op, { probes: 2, steps: 300 })).rejects.toThrow(/^lanczosQuadratures: 'steps' = 300 needs a basis of 300 vectors of dimension 16777216/);
    await expect(hutchinsonTrace(op, { probes: 300 })).rejects.toThrow(/^hutchinsonTrace: 'probes' = 300 needs a basis of 300 vectors/);
    await expect(hutchPlusPlusTrace(op, { products: 300 })).rejects.toThrow(/^hutchPlusPlusTrace: 'products' = 300 needs a basis of 300 vectors/);
    expect(op.products).toBe(0);
  });
});

describe("curvature checks the sizes its options set, before the operator", () => {
  // M = 3·30000 + 1 = 90001 parameters on 3 rows.
  const model: Model = { widths: [1, 30000, 1], activation: "tanh", params: Float64Array.from({ length: 90001 }, (_, i) => Math.sin(i) * 0.01) };
  const data = { x: [[-1], [0], [1]], y: [[0.5], [0], [-0.5]] };
  it("exactLimit that would eigendecompose a dense Hessian beyond 2^29 values of WASM memory", async () => {
    await expect(curvature(model, data, { top: 1, exactLimit: 100000 })).rejects.toThrow(
      /^curvature: 'exactLimit' = 100000 asks for the eigendecomposition of the dense Hessian at M = 90001 parameters, whose WASM memory holds five M × M matrices .*, 301\.8 GiB; at most M = 10329 \(4 GiB, what wasm32 addresses; core's EIGH_MAX_ORDER\)/,
    );
  });
  it("top, bottom and steps on the matrix-free path", async () => {
    // top 60000: min(M, 2k + 2b) = 90001 vectors of 90001 = 8.1e9 values.
    await expect(curvature(model, data, { top: 60000, exactLimit: 0 })).rejects.toThrow(/^curvature: 'top' = 60000 needs a basis of 90001 vectors of dimension 90001/);
    await expect(curvature(model, data, { bottom: 60000, exactLimit: 0 })).rejects.toThrow(/^curvature: 'bottom' = 60000 needs a basis/);
    await expect(curvature(model, data, { density: true, steps: 50000, exactLimit: 0 })).rejects.toThrow(/^curvature: 'steps' = 50000 needs a basis of 50000 vectors/);
  });
  it("trace on the matrix-free path: Hutch++'s traceProducts vectors of M, and traceProducts itself, before any product", async () => {
    // 3000 vectors of 90001 = 2.7e8 values > 2^28 (2982 would fit); before, hutchPlusPlusTrace refused it after the
    // operator had uploaded the data and the eigenpairs had run
    await expect(curvature(model, data, { trace: true, traceProducts: 3000, exactLimit: 0 })).rejects.toThrow(
      /^curvature: 'trace' with 'traceProducts' = 3000 needs a basis of 3000 vectors of dimension 90001/,
    );
    await expect(curvature(model, data, { trace: true, traceProducts: 5, exactLimit: 0 })).rejects.toThrow(/^curvature: 'traceProducts' must be/);
  });
});

describe("matrixFreeMemory counts what the matrix-free path holds in WASM memory at its largest stage", () => {
  it("the data and θ of each chunk, the stage's basis, and its first block of products with their kernel scratch", () => {
    // 2-4-1: M = 17, T = 5; 8 rows are one chunk. resident = 17 + 8·3 = 41. top 2: block 2, basis min(17, 2 + 30·2) =
    // 17 vectors: 41 + 17·17 + 2·2·17 + (8 + 4·2)·8·5 = 1038. trace: the sketch of min(33, 17) = 17 vectors, a block
    // of 16: 41 + 289 + 2·16·17 + 72·40 = 3754. density: a batch of 10 probes of min(80, 17) = 17 steps: 41 + 170·17 +
    // 2·10·17 + 48·40 = 5191.
    const spec = { widths: [2, 4, 1], activation: "tanh" as const };
    expect(matrixFreeMemory(spec, 8, { top: 2 })).toBe(1038);
    expect(matrixFreeMemory(spec, 8, { top: 2, trace: true })).toBe(3754);
    expect(matrixFreeMemory(spec, 8, { top: 2, trace: true, density: true })).toBe(5191);
    expect(matrixFreeMemory(spec, 8, {})).toBe(41);
    // Above 4 chunks their number is a multiple of 4; each holds its own θ: 784-32-10 (M = 25450, T = 42) on 60000 rows
    // is 8 chunks of 7500 rows (11096 fit 256 MiB of scratch). SLQ's batch of 10 probes of 80 steps is the largest stage.
    const mnist = { widths: [784, 32, 10], activation: "tanh" as const };
    expect(matrixFreeMemory(mnist, 60000, { top: 5, trace: true, density: true })).toBe(8 * 25450 + 60000 * 794 + 800 * 25450 + 2 * 10 * 25450 + 48 * 7500 * 42);
    expect(() => matrixFreeMemory(spec, 0)).toThrow(/^matrixFreeMemory: 'n' must be/);
    expect(() => matrixFreeMemory(spec, 8, { probes: 1 })).toThrow(/^matrixFreeMemory: 'probes' must be/);
    expect(() => matrixFreeMemory(spec, 8, { top: 18 })).toThrow(/^matrixFreeMemory: 'top' must be/);
  });
});
