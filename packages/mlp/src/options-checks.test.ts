import { init, ShapeError, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  activationDerivatives,
  activationEntry,
  adam,
  affineLossPlane,
  erf,
  findCriticalPoints,
  initParams,
  linearCriticalPoints,
  lossPlane,
  parseCsvData,
  parseData,
  refineCriticalPoint,
  serializeData,
  sgd,
  train,
} from "./index.js";
import type { Model } from "./types.js";

// Options that are not an object, hold an unknown key or a value of the wrong type are refused by name (null was a
// TypeError from inside; a misspelt key such as `epoch` was ignored).
beforeAll(async () => {
  await init();
});

const model: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1]) };
const xs = [-1, -0.5, 0, 0.5, 1];
const data = { x: xs.map((x) => [x]), y: xs.map((x) => [Math.sin(2 * x)]) };
const typed = { x: { rows: 5, cols: 1, data: Float64Array.from(xs) }, y: { rows: 5, cols: 1, data: Float64Array.from(xs, (x) => Math.sin(2 * x)) } };

describe("options objects are checked: null and unknown keys are refused by name", () => {
  it("train (epoch, learningRate were ignored)", () => {
    expect(() => train(model, data, null as never)).toThrow(/^train: argument 'options' must be an object or undefined; found null/);
    expect(() => train(model, data, { epoch: 3 } as never)).toThrow(/^train: unknown option 'epoch'; expected one of 'optimizer', 'epochs'/);
    expect(() => train(model, data, { learningRate: 0.1 } as never)).toThrow(ValueError);
    expect(train(model, data, { epochs: 2, lr: 0.01 }).epochs).toBe(2);
    // a bad init scheme is train's option, named as such (it was reported as initParams' 'scheme')
    const spec = { widths: [1, 3, 1], activation: "tanh" as const };
    expect(() => train(spec, data, { epochs: 1, init: "bogus" as never })).toThrow(/^train: 'init' must be 'xavier', 'he' or 'normal'; found bogus/);
    expect(() => initParams(spec, undefined as never)).toThrow(/^initParams: argument 'options' must be an object; found undefined/);
  });
  it("adam and sgd", () => {
    expect(() => adam(null as never)).toThrow(/^adam: argument 'options' must be an object or undefined; found null/);
    expect(() => adam({ learningRate: 0.1 } as never)).toThrow(/^adam: unknown option 'learningRate'; expected one of 'lr', 'beta1', 'beta2', 'eps'/);
    expect(() => sgd(null as never)).toThrow(/^sgd: argument 'options'/);
    expect(() => sgd({ mom: 0.9 } as never)).toThrow(/^sgd: unknown option 'mom'/);
  });
  it("serializeData refuses an unknown format, naming the accepted ones ('xml' gave JSON)", () => {
    expect(() => serializeData(typed, { format: "xml" } as never)).toThrow(/^serializeData: option 'format' must be 'json' or 'csv'; found "xml"/);
    expect(() => serializeData(typed, null as never)).toThrow(/^serializeData: argument 'options'/);
    expect(() => serializeData(typed, { fmt: "csv" } as never)).toThrow(/^serializeData: unknown option 'fmt'; expected one of 'format'/);
    expect(serializeData(typed, { format: "csv" })).toMatch(/^x0,y0\n/);
  });
  it("parseData, parseCsvData, initParams, refineCriticalPoint, findCriticalPoints, linearCriticalPoints, lossPlane, affineLossPlane", () => {
    expect(() => parseData("x,y\n1,2\n", { seperator: "," } as never)).toThrow(/^parseData: unknown option 'seperator'/);
    expect(() => parseCsvData("x,y\n1,2\n", null as never)).toThrow(/^parseCsvData: argument 'options'/);
    expect(() => initParams(model, { scheme: "he", seed: 1, sd: 1 } as never)).toThrow(/^initParams: unknown option 'sd'/);
    expect(() => refineCriticalPoint(model, data, null as never)).toThrow(/^refineCriticalPoint: argument 'options'/);
    expect(() => refineCriticalPoint(model, data, { maxIters: 3 } as never)).toThrow(/^refineCriticalPoint: unknown option 'maxIters'/);
    expect(() => findCriticalPoints(model, data, { start: 3 } as never)).toThrow(/^findCriticalPoints: unknown option 'start'/);
    expect(() => linearCriticalPoints({ widths: [1, 1, 1], activation: "linear" }, data, { tolerance: 1 } as never)).toThrow(/^linearCriticalPoints: unknown option 'tolerance'/);
    const d = new Float64Array(10);
    expect(() => lossPlane(model, data, { directions: [d], aAxis: [0], bAxes: [0] } as never)).toThrow(/^lossPlane: unknown option 'bAxes'/);
    expect(() => lossPlane(model, data, undefined as never)).toThrow(ValueError);
    expect(() => affineLossPlane(model, data, { directions: [d], aAxis: [0], step: 1 } as never)).toThrow(/^affineLossPlane: unknown option 'step'/);
  });
});

describe("optimiser steps refuse a gradient that is not finite numbers (NaN parameters followed)", () => {
  it("adam().step and sgd().step name the step, the argument and the index; the state is left unchanged", () => {
    const a = adam();
    const p = Float64Array.from([1, 2, 3]);
    expect(() => a.step(p, [0.1, NaN, 0.3])).toThrow(/^adam\.step: argument 'grad' must be finite; found NaN at \[1\]/);
    expect(() => a.step(p, [0.1, Infinity, 0.3])).toThrow(ValueError);
    expect(() => a.step(p, null as never)).toThrow(ShapeError);
    expect(() => a.step(p, null as never)).toThrow(/^adam\.step: argument 'grad' must be an array of numbers; found null/);
    expect(() => a.step(p, ["1", 0, 0] as never)).toThrow(/^adam\.step: argument 'grad' must hold numbers; found a string at \[0\]/);
    expect(a.t).toBe(0);
    expect(Array.from(p)).toEqual([1, 2, 3]);
    const s = sgd({ momentum: 0.9 });
    expect(() => s.step(p, [0, 0, NaN])).toThrow(/^sgd\.step: argument 'grad' must be finite; found NaN at \[2\]/);
    expect(() => s.step(p, undefined as never)).toThrow(/^sgd\.step: argument 'grad'/);
    expect(s.state().velocity).toEqual([]);
    s.step(p, [1, 1, 1]);
    expect(Array.from(p)).toEqual([0.9, 1.9, 2.9]);
  });
  it("train still reports a divergence (diverged: true) rather than throwing", () => {
    const r = train(model, data, { optimizer: "sgd", lr: 1e200, epochs: 5, batchSize: 2 });
    expect(r.diverged).toBe(true);
    expect(r.model.params.every(Number.isFinite)).toBe(true);
  });
});

describe("activation helpers refuse arguments of the wrong type by name", () => {
  it("activationEntry(null) was a TypeError; erf('1') coerced; activationDerivatives with a string z returned NaN", () => {
    expect(() => activationEntry(null as never)).toThrow(/^activationEntry: argument 'a' must be an activation name or \{ name, <param> \}; found null/);
    expect(activationEntry("tanh")?.name).toBe("tanh");
    expect(activationEntry("nope" as never)).toBeUndefined();
    expect(() => erf("1" as never)).toThrow(/^erf: argument 'x' must be a number \(±Infinity gives ±1\); found "1"/);
    expect(() => erf(NaN)).toThrow(ValueError);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(Infinity)).toBe(1);
    expect(() => activationDerivatives("tanh", "1" as never)).toThrow(/^activationDerivatives: argument 'z' must be a finite number; found "1"/);
    expect(() => activationDerivatives("tanh", NaN)).toThrow(ValueError);
    expect(activationDerivatives("tanh", 0).first).toBe(1);
  });
});
