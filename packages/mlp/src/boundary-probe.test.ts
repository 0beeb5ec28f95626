import { init, ShapeError, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createProblem, hessian, hessianVectorProduct, loss } from "./index.js";
import type { Model } from "./types.js";

beforeAll(async () => {
  await init();
});

const model: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1]) };
const xs = [-1, -0.5, 0, 0.5, 1];
const data = { x: xs.map((x) => [x]), y: xs.map((x) => [Math.sin(2 * x)]) };

describe("options that are not an object, or hold an unknown key, are refused by name", () => {
  it("hessian, hessianVectorProduct, Problem.hvp and Problem.hvpBlock (null was a TypeError from inside)", () => {
    const v = new Float64Array(10);
    const p = createProblem(model, data);
    expect(() => hessian(model, data, null as never)).toThrow(/^hessian: argument 'options' must be an object or undefined; found null/);
    expect(() => hessian(model, data, { splt: true } as never)).toThrow(/^hessian: unknown option 'splt'; expected one of 'split'/);
    expect(() => hessianVectorProduct(model, data, v, null as never)).toThrow(ValueError);
    expect(() => hessianVectorProduct(model, data, v, { prt: "full" } as never)).toThrow(/^hessianVectorProduct: unknown option 'prt'/);
    expect(() => p.hvp(v, null as never)).toThrow(/^Problem.hvp: argument 'options'/);
    expect(() => p.hvpBlock(v, 1, null as never)).toThrow(/^Problem.hvpBlock: argument 'options'/);
    expect(hessian(model, data).rows).toBe(10);
    p.dispose();
  });
});

describe("Problem.lossAndGradientInto checks its output array", () => {
  it("a wrong length was a RangeError, a missing array was ignored", () => {
    const p = createProblem(model, data);
    expect(() => p.lossAndGradientInto(new Float64Array(2))).toThrow(ShapeError);
    expect(() => p.lossAndGradientInto(new Float64Array(2))).toThrow(/^Problem.lossAndGradientInto: argument 'gradient' must be a Float64Array of 10 values; found 2/);
    expect(() => p.lossAndGradientInto(null as never)).toThrow(/^Problem.lossAndGradientInto: argument 'gradient'/);
    expect(() => p.lossAndGradientInto(undefined as never)).toThrow(/found undefined/);
    expect(p.lossAndGradientInto(new Float64Array(10))).toBe(loss(model, data));
    p.dispose();
  });
});
