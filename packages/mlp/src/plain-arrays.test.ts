import { init, matFromRows } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  backpropagate,
  createProblem,
  forward,
  gradient,
  hessian,
  hessianVectorProduct,
  hiddenActivations,
  jacobian,
  loss,
  lossAndGradient,
  lossPlane,
  preActivations,
  refineCriticalPoint,
  validateData,
  validateModel,
} from "./index.js";
import type { Model } from "./types.js";
import { refuses } from "./__tests__/helpers.js";

// Models with `params` as a plain array, and data with x and y as rows of numbers (or a plain array of numbers for a
// single column), give the same results as Float64Array/Mat inputs, bit for bit: they are copied into the same
// typed arrays before anything is computed.
const theta = [0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1];
const plainModel = { widths: [1, 3, 1], activation: "tanh" as const, params: theta };
const model: Model = { ...plainModel, params: Float64Array.from(theta) };
const xs = [-1, -0.5, 0, 0.5, 1];
const ys = xs.map((x) => Math.sin(2 * x));
const data = { x: matFromRows(xs.map((x) => [x])), y: matFromRows(ys.map((y) => [y])) };
const asColumns = { x: xs, y: ys };
const asRows = { x: xs.map((x) => [x]), y: ys.map((y) => [y]) };
const v = theta.map((_, i) => Math.cos(i));

beforeAll(async () => {
  await init();
});

describe("plain arrays where a model's params, x or y are expected", () => {
  it("give the same results as typed inputs, bit for bit", () => {
    for (const plain of [asColumns, asRows]) {
      expect(forward(plainModel, plain.x)).toEqual(forward(model, data.x));
      expect(hiddenActivations(plainModel, plain.x)).toEqual(hiddenActivations(model, data.x));
      expect(preActivations(plainModel, plain.x)).toEqual(preActivations(model, data.x));
      expect(jacobian(plainModel, plain.x)).toEqual(jacobian(model, data.x));
      expect(loss(plainModel, plain)).toBe(loss(model, data));
      expect(gradient(plainModel, plain)).toEqual(gradient(model, data));
      expect(lossAndGradient(plainModel, plain)).toEqual(lossAndGradient(model, data));
      expect(hessian(plainModel, plain)).toEqual(hessian(model, data));
      expect(hessian(plainModel, plain, { split: true })).toEqual(hessian(model, data, { split: true }));
      expect(hessianVectorProduct(plainModel, plain, v)).toEqual(hessianVectorProduct(model, data, v));
      expect(backpropagate(plainModel, plain)).toEqual(backpropagate(model, data));
      const plane = { directions: [v], aAxis: [-1, 0, 1] };
      expect(lossPlane(plainModel, plain, plane)).toEqual(lossPlane(model, data, plane));
      using p = createProblem(plainModel, plain);
      expect(p.gradient()).toEqual(gradient(model, data));
    }
    // Mixed: a Mat x with a plain y.
    expect(loss(model, { x: data.x, y: ys })).toBe(loss(model, data));
  });

  it("the critical-point search starts from a plain model on plain data", () => {
    const a = refineCriticalPoint(plainModel, asColumns, { maxIter: 30 });
    const b = refineCriticalPoint(model, data, { maxIter: 30 });
    expect(a.model.params).toEqual(b.model.params);
    expect(a.outcome).toBe(b.outcome);
  });

  it("validateModel and validateData return the typed forms", () => {
    const m = validateModel(plainModel);
    expect(m.params).toBeInstanceOf(Float64Array);
    expect(m.params).toEqual(model.params);
    expect(validateModel(model)).toBe(model); // already typed: the same object
    const d = validateData(model, asColumns);
    expect(d).toEqual(data);
    expect(validateData(model, data)).toBe(data);
  });

  it("malformed plain inputs are refused by name", () => {
    refuses(() => loss({ ...plainModel, params: theta.slice(1) }, data), /^loss: 'params' must have length 10 \(the parameter count of widths \[1, 3, 1\]\); found 9$/);
    refuses(() => loss({ ...plainModel, params: [...theta.slice(1), NaN] }, data), /^loss: argument 'params' must be finite; found NaN at \[9\]$/);
    refuses(() => loss(model, { x: xs, y: ys.slice(1) }), /^loss: 'data.y' must have as many rows as 'data.x' \(5\); found 4$/);
    refuses(() => forward(model, [[1], [2, 3]]), /^forward: argument 'x' row 1 must have length 1 like row 0; found 2$/);
    refuses(() => gradient(model, { x: [[0, 1]], y: [0] }), /^gradient: 'data.x' must have d_in = 1 columns \(widths\[0\]\); found 1×2$/);
  });
});
