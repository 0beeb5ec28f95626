import { describe, expect, it } from "vitest";
import { checkOptions, checkSymmetric, ValueError } from "./index.js";

describe("checkSymmetric refuses a tolerance that is not a number ≥ 0", () => {
  it("relTol NaN accepted an asymmetric matrix (maxAsym > NaN·max|a| is false)", () => {
    const asym = [[1, 5], [0, 1]];
    expect(() => checkSymmetric("eigh", "a", asym, NaN)).toThrow(ValueError);
    expect(() => checkSymmetric("eigh", "a", asym, NaN)).toThrow(/^eigh: 'relTol' must be a finite number; found NaN/);
    expect(() => checkSymmetric("eigh", "a", asym, -1)).toThrow(/^eigh: 'relTol' must be ≥ 0; found -1/);
    expect(() => checkSymmetric("eigh", "a", asym, "1" as never)).toThrow(/^eigh: 'relTol' must be a finite number/);
    expect(() => checkSymmetric("eigh", "a", asym)).toThrow(/^eigh: argument 'a' must be symmetric/);
    expect(checkSymmetric("eigh", "a", [[1, 2], [2, 1]], 0).rows).toBe(2);
  });
});

describe("checkOptions with required: undefined is refused too", () => {
  it("names the function; without required, undefined is {}", () => {
    expect(() => checkOptions("f", undefined, ["a"], { required: true })).toThrow(/^f: argument 'options' must be an object; found undefined/);
    expect(() => checkOptions("f", null as never, ["a"], { required: true })).toThrow(/^f: argument 'options' must be an object; found null/);
    expect(checkOptions("f", undefined, ["a"])).toEqual({});
    expect(checkOptions("f", { a: 1 }, ["a"], { required: true })).toEqual({ a: 1 });
  });
});

describe("init checks its options (a rejection, as its other errors)", () => {
  it("null and an unknown key reject with a ValueError naming init", async () => {
    const { init } = await import("./index.js");
    await expect(init(null as never)).rejects.toThrow(/^init: argument 'options' must be an object or undefined; found null/);
    await expect(init({ build: "simd" } as never)).rejects.toThrow(/^init: unknown option 'build'; expected one of 'backend'/);
  });
});
