import { init } from "@losscape/core";
import type { Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import {
  certifyEmbedding,
  certifyLift,
  condensationShowcase,
  liftDepth,
  nullEmbedding,
  pruneLayer,
  reduceNetwork,
  strictSaddleEmbedding,
  strictSaddleLift,
  tanhShowcase,
  widenTo,
} from "./index.js";

// Options that are not an object or hold an unknown key are refused by name (null was a TypeError from inside; a
// misspelt key was ignored).
beforeAll(async () => {
  await init();
});

const model: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1]) };
const xs = [-1, -0.5, 0, 0.5, 1];
const data = { x: xs.map((x) => [x]), y: xs.map((x) => [Math.sin(2 * x)]) };

describe("options objects are checked: null and unknown keys are refused by name", () => {
  it("widenTo, certifyEmbedding, reduceNetwork, strictSaddleEmbedding", () => {
    expect(() => widenTo(model, [1, 4, 1], null as never)).toThrow(/^widenTo: argument 'options' must be an object or undefined; found null/);
    expect(() => widenTo(model, [1, 4, 1], { alfa: 0.3 } as never)).toThrow(/^widenTo: unknown option 'alfa'; expected one of 'alpha'/);
    expect(() => certifyEmbedding(model, model, data, null as never)).toThrow(/^certifyEmbedding: argument 'options'/);
    expect(() => certifyEmbedding(model, model, data, { tolerance: 1 } as never)).toThrow(/^certifyEmbedding: unknown option 'tolerance'/);
    expect(() => reduceNetwork(model, null as never)).toThrow(/^reduceNetwork: argument 'options'/);
    expect(() => reduceNetwork(model, { tolerance: 1 } as never)).toThrow(/^reduceNetwork: unknown option 'tolerance'; expected one of 'tol', 'data'/);
    expect(() => strictSaddleEmbedding(model, data, null as never)).toThrow(/^strictSaddleEmbedding: argument 'options'/);
    expect(() => strictSaddleEmbedding(model, data, { tols: 1 } as never)).toThrow(/^strictSaddleEmbedding: unknown option 'tols'/);
    expect(widenTo(model, [1, 4, 1], { alpha: 0.3 }).model.widths).toEqual([1, 4, 1]);
    expect(reduceNetwork(model, { tol: 1e-8 }).widthsBefore).toEqual([1, 3, 1]);
  });
  it("tanhShowcase and condensationShowcase are refused before any work", () => {
    expect(() => tanhShowcase(null as never)).toThrow(/^tanhShowcase: argument 'options' must be an object or undefined; found null/);
    expect(() => tanhShowcase({ start: 2 } as never)).toThrow(/^tanhShowcase: unknown option 'start'; expected one of 'seed', 'starts', 'alphas', 'tol'/);
    expect(() => condensationShowcase(null as never)).toThrow(/^condensationShowcase: argument 'options'/);
    expect(() => condensationShowcase({ epoch: 2 } as never)).toThrow(/^condensationShowcase: unknown option 'epoch'/);
  });
  it("the depth toolbox and nullEmbedding", () => {
    expect(() => liftDepth(model, data, { layer: 1, scal: 2 } as never)).toThrow(/^liftDepth: unknown option 'scal'/);
    expect(() => pruneLayer(model, data, { layer: 1, tol: 1 } as never)).toThrow(/^pruneLayer: unknown option 'tol'; expected one of 'layer'/);
    expect(() => certifyLift(model, model, data, null as never)).toThrow(/^certifyLift: argument 'options'/);
    expect(() => strictSaddleLift(model, data, { layer: 1, start: 2 } as never)).toThrow(/^strictSaddleLift: unknown option 'start'/);
    expect(() => nullEmbedding(model, { layer: 1, neuron: 0 } as never)).toThrow(/^nullEmbedding: unknown option 'neuron'/);
  });
});
