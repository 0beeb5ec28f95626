import { init, OutOfMemoryError, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { freeCumulantsFromMoments, gaussianDataset, gaussLegendre, histogram, momentsFromFreeCumulants, sampleReluLaw, sampleWigner, sampleWishart } from "./index.js";

// Bad input found by probing every export: a typed error naming the function and the argument, before any allocation.
beforeAll(async () => {
  await init();
});

describe("sizes beyond the 4 GiB of wasm32 are an OutOfMemoryError before anything is allocated (a RangeError before)", () => {
  it("samplers, histogram, gaussLegendre and gaussianDataset", () => {
    expect(() => sampleWishart(70000, 0.5, { seed: 1 })).toThrow(/^sampleWishart: an 70000×140000 Gaussian matrix needs/);
    expect(() => sampleWigner(70000, 1, { seed: 1 })).toThrow(OutOfMemoryError);
    expect(() => sampleWigner(70000, 1, { seed: 1 })).toThrow(/^sampleWigner: /);
    expect(() => sampleReluLaw(70000, 0.5, 0.1, { seed: 1 })).toThrow(/^sampleReluLaw: /);
    expect(() => histogram([1, 2], { bins: 70000 * 70000 })).toThrow(/^histogram: 4900000000 bins needs/);
    expect(() => gaussLegendre(70000 * 70000)).toThrow(/^gaussLegendre: /);
    expect(() => gaussianDataset(70000, 70000, 70000, 1)).toThrow(/^gaussianDataset: 70000 samples/);
    expect(sampleWigner(3, 1, { seed: 1 }).data.length).toBe(9);
    expect(Array.from(histogram([0, 1], { bins: 2 }).counts)).toEqual([1, 1]);
  });
});

describe("moment–cumulant conversions check their arguments", () => {
  it("an order beyond MAX_MOMENT_ORDER is refused (1e9 crashed the process out of memory)", () => {
    expect(() => momentsFromFreeCumulants([1], 1e9)).toThrow(/^momentsFromFreeCumulants: 'n' must be ≤ 256; found 1000000000/);
    expect(() => freeCumulantsFromMoments([1], 1e9)).toThrow(ValueError);
  });
  it("NaN, negative or fractional orders and non-finite or missing series are refused", () => {
    expect(() => momentsFromFreeCumulants([1], NaN)).toThrow(/^momentsFromFreeCumulants: 'n' must be a finite number/);
    expect(() => freeCumulantsFromMoments([1], -1)).toThrow(/^freeCumulantsFromMoments: 'n' must be ≥ 0; found -1/);
    expect(() => momentsFromFreeCumulants([1], 1.5)).toThrow(/'n' must be an integer/);
    expect(() => momentsFromFreeCumulants([0, NaN], 2)).toThrow(/^momentsFromFreeCumulants: argument 'kappa' must be finite; found NaN at \[1\]/);
    expect(() => freeCumulantsFromMoments(null as never, 2)).toThrow(/^freeCumulantsFromMoments: argument 'm' must be an array of numbers; found null/);
    // Catalan numbers from the semicircle's cumulants
    expect(momentsFromFreeCumulants([0, 0, 1], 6)).toEqual([1, 0, 1, 0, 2, 0, 5]);
  });
});
