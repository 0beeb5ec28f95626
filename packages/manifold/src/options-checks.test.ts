import { init, ShapeError, ValueError } from "@losscape/core";
import type { Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import {
  connectMinima,
  cooperShowcase,
  degeneracyOfSpectrum,
  embeddingLine,
  embeddingLowerBound,
  globalMinimumDimension,
  hessianDegeneracy,
  jacobianRank,
  landscapeSlice,
  lossSlice,
  matrixRank,
  projectToZeroLoss,
  sampleMinimumManifold,
} from "./index.js";

// Options that are not an object or hold an unknown key are refused by name (null was a TypeError from inside; a
// misspelt key was ignored), and bad models and data are refused in the name of the function called.
beforeAll(async () => {
  await init();
});

const model: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1]) };
const xs = [-1, -0.5, 0, 0.5, 1];
const data = { x: { rows: 5, cols: 1, data: Float64Array.from(xs) }, y: { rows: 5, cols: 1, data: Float64Array.from(xs, (x) => Math.sin(2 * x)) } };
const a = { rows: 1, cols: 3, data: Float64Array.from([1, 1, 0]) };

describe("options objects are checked: null and unknown keys are refused by name", () => {
  it("degeneracy and rank", () => {
    expect(() => degeneracyOfSpectrum([1, 0], null as never)).toThrow(/^degeneracyOfSpectrum: argument 'options' must be an object or undefined; found null/);
    expect(() => degeneracyOfSpectrum([1, 0], { tolerance: 1 } as never)).toThrow(/^degeneracyOfSpectrum: unknown option 'tolerance'; expected one of 'tol'/);
    expect(() => hessianDegeneracy(model, data, { rankTol: 1 } as never)).toThrow(/^hessianDegeneracy: unknown option 'rankTol'/);
    expect(() => matrixRank(a, null as never)).toThrow(/^matrixRank: argument 'options'/);
    expect(() => matrixRank(a, { tol: 1e-3 } as never)).toThrow(/^matrixRank: unknown option 'tol'; expected one of 'rankTol', 'nullspace'/);
    expect(() => matrixRank(a, { nullspace: 1 } as never)).toThrow(/^matrixRank: 'nullspace' must be true or false; found 1/);
    expect(() => jacobianRank(model, data.x, { nullspace: "no" } as never)).toThrow(/^jacobianRank: 'nullspace' must be true or false/);
    expect(matrixRank(a, { nullspace: false })).toMatchObject({ rank: 1, nullspace: null });
  });
  it("slices, projection, sampling, dimension, connection and the showcase", () => {
    const d = new Float64Array(10);
    d[0] = 1;
    expect(() => embeddingLine(model, null as never)).toThrow(/^embeddingLine: argument 'options' must be an object; found null/);
    expect(() => embeddingLine(model, { layer: 1, neuron: 0, alfa: 1 } as never)).toThrow(/^embeddingLine: unknown option 'alfa'/);
    expect(() => landscapeSlice(model, data, null as never)).toThrow(/^landscapeSlice: argument 'options'/);
    expect(() => landscapeSlice(model, data, { direction: "random" } as never)).toThrow(/^landscapeSlice: unknown option 'direction'/);
    expect(() => lossSlice(model, data, { directions: [d], point: 3 } as never)).toThrow(/^lossSlice: unknown option 'point'/);
    expect(() => projectToZeroLoss(model, data, null as never)).toThrow(/^projectToZeroLoss: argument 'options'/);
    expect(() => projectToZeroLoss(model, data, { losstol: 1 } as never)).toThrow(/^projectToZeroLoss: unknown option 'losstol'/);
    expect(() => sampleMinimumManifold(model, data, { samples: 3 } as never)).toThrow(/^sampleMinimumManifold: unknown option 'samples'/);
    expect(() => globalMinimumDimension(model, data, null as never)).toThrow(/^globalMinimumDimension: argument 'options'/);
    expect(() => globalMinimumDimension(model, data, { reduceTol: 1 } as never)).toThrow(/^globalMinimumDimension: unknown option 'reduceTol'/);
    expect(() => connectMinima(model, model, data, { learningRate: 0.1, lr: 0.1 } as never)).toThrow(/^connectMinima: unknown option 'lr'/);
    expect(() => cooperShowcase(null as never)).toThrow(/^cooperShowcase: argument 'options'/);
    expect(() => cooperShowcase({ sed: 1 } as never)).toThrow(/^cooperShowcase: unknown option 'sed'; expected one of 'seed'/);
    expect(lossSlice(model, data, { directions: [d], points: 3 }).grid[0].length).toBe(3);
  });
});

describe("bad models and data are refused in the name of the function called (they named jacobian, hessian, reduceNetwork, affineLossPlane)", () => {
  it("jacobianRank, hessianDegeneracy, embeddingLowerBound", () => {
    expect(() => jacobianRank(null as never, data.x)).toThrow(/^jacobianRank: 'model' must be an object; found null/);
    expect(() => jacobianRank(model, null as never)).toThrow(ShapeError);
    expect(() => jacobianRank(model, null as never)).toThrow(/^jacobianRank: argument 'x'/);
    expect(() => jacobianRank(model, [[1, 2]] as never)).toThrow(/^jacobianRank: 'x' must have d_in = 1 columns \(widths\[0\]\); found 1×2/);
    expect(() => jacobianRank(model, [[NaN]] as never)).toThrow(/^jacobianRank: argument 'x' must be finite/);
    expect(jacobianRank(model, [1, 2, 3] as never).rank).toBe(3); // a flat array is a column when d_in = 1, as mlp takes it
    expect(() => hessianDegeneracy(null as never, data)).toThrow(/^hessianDegeneracy: 'model'/);
    expect(() => hessianDegeneracy(model, null as never)).toThrow(/^hessianDegeneracy: 'data' must be \{x, y\}; found null/);
    expect(() => embeddingLowerBound(null as never)).toThrow(/^embeddingLowerBound: 'model'/);
    expect(() => embeddingLowerBound({ ...model, params: [1, 2] } as never)).toThrow(/^embeddingLowerBound: 'params' must have length 10/);
    expect(embeddingLowerBound(model).bound).toBe(0);
  });
  it("lossSlice refuses a range whose grid overflows float64 (affineLossPlane named a NaN 'aAxis')", () => {
    const d = new Float64Array(10);
    d[0] = 1;
    expect(() => lossSlice(model, data, { directions: [d], range: 1e308 })).toThrow(ValueError);
    expect(() => lossSlice(model, data, { directions: [d], range: 1e308 })).toThrow(/^lossSlice: 'range' is too large for a grid of 51 points/);
    expect(() => lossSlice({ ...model, params: null } as never, data, { directions: [d] })).toThrow(/^lossSlice: 'params'/);
  });
});
