import { init, ShapeError, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createProblem, gradient, hessian, hessianVectorProduct, initParams, jacobian, loss, lossAndGradient, refineCriticalPoint, train } from "./index.js";
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

describe("derivatives that would hold NaN are refused by name (they were returned while the loss was finite)", () => {
  it("saturated tanh units (σ'(100) = 0 in float64) under outgoing weights ±1e300: ∂R/∂h overflows, ∞·0 = NaN", () => {
    // f(x) = 1e300·tanh(100x) − 1e300·tanh(100x) + 1e9·tanh(100x) = 1e9 at x = 1, 2: R = ½·(1e9)² = 5e17 is finite
    const sat: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([100, 100, 100, 0, 0, 0, 1e300, -1e300, 1e9, 0]) };
    const d = { x: [1, 2], y: [0, 0] };
    expect(loss(sat, d)).toBe(5e17);
    const why = /the (gradient|Hessian|Hessian-vector product) is NaN at these parameters \(entry 0\): a saturated unit/;
    expect(() => gradient(sat, d)).toThrow(new RegExp(`^gradient: ${why.source}`));
    expect(() => lossAndGradient(sat, d)).toThrow(new RegExp(`^lossAndGradient: ${why.source}`));
    expect(() => hessian(sat, d)).toThrow(new RegExp(`^hessian: ${why.source}`));
    expect(() => hessian(sat, d, { split: true })).toThrow(new RegExp(`^hessian: ${why.source}`));
    expect(() => hessianVectorProduct(sat, d, new Float64Array(10).fill(1))).toThrow(new RegExp(`^hessianVectorProduct: ${why.source}`));
    // the Jacobian ∂f/∂θ has no ∞ here (no residual): finite, and returned
    expect(jacobian(sat, d.x).data.every(Number.isFinite)).toBe(true);
  });

  it("train(null) and train(undefined) name 'model' (they were TypeErrors)", () => {
    expect(() => train(null as never, data)).toThrow(/^train: 'model' must be an object; found null/);
    expect(() => train(undefined as never, data)).toThrow(/^train: 'model' must be an object; found undefined/);
  });
});

describe("refineCriticalPoint refuses a start whose loss or gradient overflows", () => {
  it("relu weights ×1e100 (R = ∞: it reported 'critical' with ‖∇R‖ ≈ 2e299) and tanh ×1e200 (it failed inside eigvalsh)", () => {
    const xs = Array.from({ length: 20 }, (_, i) => -2 + (4 * i) / 19);
    const d = { x: xs.map((x) => [x]), y: xs.map((x) => [Math.sin(2 * x)]) };
    for (const [activation, s] of [["relu", 1e100], ["tanh", 1e200]] as const) {
      const spec = { widths: [1, 3, 1], activation };
      const params = initParams(spec, { scheme: "normal", std: 1, seed: 1 }).map((v) => v * s);
      for (const method of ["newton", "gradnorm"] as const) {
        expect(() => refineCriticalPoint({ ...spec, params }, d, { method })).toThrow(/^refineCriticalPoint: the loss or its gradient is not finite at the starting parameters \(R = Infinity\)/);
      }
    }
  });

  it("and one whose H∇R overflows at a finite loss and gradient (tanh ×1e150 on constant targets: newton called it 'critical' at ‖∇R‖ ≈ 1e150 with flatness NaN, gradnorm failed inside axpy)", () => {
    const big = { widths: [1, 3, 1], activation: "tanh" as const, params: [1e150, -1e150, 1e150, 0, 0, 0, 1e150, 1e150, 1e150, 0] };
    const d = { x: [[-1], [0], [1], [2]], y: [[0.5], [0.5], [0.5], [0.5]] };
    expect(Number.isFinite(loss(big, d))).toBe(true);
    expect(gradient(big, d).every(Number.isFinite)).toBe(true);
    for (const method of ["newton", "gradnorm"] as const) {
      expect(() => refineCriticalPoint(big, d, { method })).toThrow(/^refineCriticalPoint: H∇R \(the Hessian times the gradient, which every step takes\) is not finite at the starting parameters \(R = 3\.7\d*e\+299, ‖∇R‖ = 1\.34\d*e\+150\): the network's values overflow float64; scale the parameters down$/);
    }
  });
});
