import { init } from "@losscape/core";
import type { Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { denseOperator } from "./__tests__/helpers.js";
import { broadenedDensity, curvature, eigenpairs, hessianOperator, hutchinsonTrace, hutchPlusPlusTrace, lanczosQuadratures } from "./index.js";

// Options that are not an object or hold an unknown key are refused by name (null was a TypeError from inside; a
// misspelt key was ignored), and flag options of another type are refused.
beforeAll(async () => {
  await init();
});

const model: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1]) };
const xs = [-1, -0.5, 0, 0.5, 1];
const data = { x: xs.map((x) => [x]), y: xs.map((x) => [Math.sin(2 * x)]) };
const op = () => denseOperator(Float64Array.from([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3);

describe("options objects are checked: null and unknown keys are refused by name", () => {
  it("curvature", async () => {
    await expect(curvature(model, data, null as never)).rejects.toThrow(/^curvature: argument 'options' must be an object or undefined; found null/);
    await expect(curvature(model, data, { traces: true } as never)).rejects.toThrow(/^curvature: unknown option 'traces'/);
    await expect(curvature(model, data, { trace: "yes" } as never)).rejects.toThrow(/^curvature: 'trace' must be true or false; found "yes"/);
    await expect(curvature(model, data, { density: 1 } as never)).rejects.toThrow(/^curvature: 'density' must be true or false; found 1/);
    expect((await curvature(model, data, { top: 1 })).top?.values.length).toBe(1);
  });
  it("eigenpairs, traces, densities and the operator", async () => {
    await expect(eigenpairs(op(), 1, null as never)).rejects.toThrow(/^eigenpairs: argument 'options'/);
    await expect(eigenpairs(op(), 1, { maxIter: 3 } as never)).rejects.toThrow(/^eigenpairs: unknown option 'maxIter'/);
    await expect(hutchinsonTrace(op(), { samples: 3 } as never)).rejects.toThrow(/^hutchinsonTrace: unknown option 'samples'; expected one of 'probes', 'seed', 'onProgress'/);
    await expect(hutchPlusPlusTrace(op(), null as never)).rejects.toThrow(/^hutchPlusPlusTrace: argument 'options'/);
    await expect(lanczosQuadratures(op(), { step: 3 } as never)).rejects.toThrow(/^lanczosQuadratures: unknown option 'step'/);
    expect(() => broadenedDensity([], { sigma: 1 } as never)).toThrow(/^broadenedDensity: unknown option 'sigma'/);
    await expect(hessianOperator(model, data, { thread: 2 } as never)).rejects.toThrow(/^hessianOperator: unknown option 'thread'/);
    expect((await hutchinsonTrace(op(), { probes: 4 })).value).toBeGreaterThan(0);
  });
});
