import { ValueError } from "@losscape/core";
import { describe, expect, it } from "vitest";
import { criticalEnergyClosedForm, penningtonBahri, penningtonBahriMeasure, penningtonBahriRTransform } from "./index.js";

// README, Errors: "A result float64 cannot hold or resolve is refused … rather than returned as NaN, ±∞ or a wrong
// number", and bad input is a ValueError naming the function and the argument.
describe("φ at the bottom of the float64 range", () => {
  it("criticalEnergyClosedForm('relu', φ) refuses ε_c ≈ 1/(2φ) beyond the largest double instead of returning +∞", () => {
    for (const phi of [1e-310, 5e-324]) {
      expect(() => criticalEnergyClosedForm("relu", phi)).toThrow(ValueError);
      expect(() => criticalEnergyClosedForm("relu", phi)).toThrow(/^criticalEnergyClosedForm: the relu model's ε_c ≈ 1\/\(2φ\) is beyond the float64 range/);
    }
    // where 1/(2φ) is a double it is returned, to rounding: 16(1 − φ)³/(φ·(8·3/2 + 20)) = 1/(2φ) exactly in
    // real arithmetic at φ → 0; relative 1e-15 covers the handful of roundings of the formula
    const phi = 1e-308;
    expect(Math.abs(criticalEnergyClosedForm("relu", phi)! * 2 * phi - 1)).toBeLessThanOrEqual(1e-15);
    // Wigner's ε_c → 1/8 stays finite at any φ > 0 (the formula's terms are all O(1) there): exactly 0.125
    expect(criticalEnergyClosedForm("wigner", 1e-310)).toBe(0.125);
  });

  it("φ below ≈ 5.6e-309 (1/MAX_VALUE) is refused by name ('phi'), not as an infinite rate inside the measure engine", () => {
    for (const model of ["wigner", "relu"] as const) {
      expect(() => penningtonBahriRTransform(model, 1e-310, 0.1)).toThrow(/^penningtonBahriRTransform: 'phi' must be at least ≈ 5.6e-309/);
      expect(() => penningtonBahriMeasure(model, 1e-310, 0.1)).toThrow(/'phi' must be at least ≈ 5.6e-309.*found 1e-310/);
      expect(() => penningtonBahri({ model, phi: 1e-310, eps: 0.1 })).toThrow(/'phi' must be at least ≈ 5.6e-309.*found 1e-310/);
    }
    // just above that bound, the rate is finite and the transform is returned
    expect(penningtonBahriRTransform("wigner", 5.6e-309, 0.1).poles[0].rate).toBeLessThan(Infinity);
    expect(() => penningtonBahriRTransform("relu", 5.5e-309, 0.1)).toThrow(ValueError);
  });
});
