import { init, OutOfMemoryError } from "@losscape/core";
import type { Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { widenTo } from "./index.js";

beforeAll(async () => {
  await init();
});

const model: Model = { widths: [1, 3, 1], activation: "tanh", params: Float64Array.from([0.3, -0.7, 1.1, 0.2, -0.4, 0.5, 0.9, -1.2, 0.6, 0.1]) };

describe("widenTo sizes the wide network before listing a step", () => {
  it("a hidden width of 4.9e9 is an OutOfMemoryError (it crashed the process out of memory)", () => {
    expect(() => widenTo(model, [1, 70000 * 70000, 1])).toThrow(OutOfMemoryError);
    expect(() => widenTo(model, [1, 70000 * 70000, 1])).toThrow(/^widenTo: the widened network \[1, 4900000000, 1\] would have M = /);
    expect(widenTo(model, [1, 5, 1]).model.widths).toEqual([1, 5, 1]);
  });
});
