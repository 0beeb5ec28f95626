import { init, ValueError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  compoundPoisson,
  criticalEnergy,
  criticalEnergyClosedForm,
  freeConvolution,
  freeConvolutionSubordination,
  freePoisson,
  histogram,
  marchenkoPastur,
  momentsFromFreeCumulants,
  penningtonBahri,
  penningtonBahriMeasure,
  pointMass,
  pointMasses,
  semicircle,
  stochasticLanczosQuadrature,
} from "./index.js";

// Measures at extreme scales and parameters: each answer is right, or refused by a ValueError naming the public
// function or method, never a silently wrong number (a mass ≠ 1, NaN, ±∞).
beforeAll(async () => {
  await init();
});

/** The ValueError message `f` throws (fails the test if it returns or throws anything else). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValueError);
    return (e as Error).message;
  }
  throw new Error("expected a ValueError; the call returned");
}

describe("Pennington–Bahri at extreme ε: right, or refused as unresolvable (mass check)", () => {
  it("Wigner φ = 2, 10 at ε ≈ 1e-28…1e-30: the broadened atom at 0 gives α = (1 − 1/φ)/2, total mass 1", () => {
    // H₁ of variance 2ε spreads the atom 1 − 1/φ of H₀ at 0 symmetrically: α = (1 − 1/φ)/2 up to O(√ε) ≈ 1e-14.
    // Tolerance 1e-12: that correction plus the antiderivative's rounding (≈ 1e-15).
    for (const [phi, eps] of [
      [2, 1e-28],
      [10, 1e-30],
    ]) {
      const r = penningtonBahri({ model: "wigner", phi, eps });
      expect(Math.abs(r.index - (1 - 1 / phi) / 2)).toBeLessThan(1e-12);
      expect(Math.abs(r.measure.massBelow(1e300) - 1)).toBeLessThan(1e-12);
    }
  });
  it("ReLU φ = 2, ε = 1e30: the bulk near [0, 4] is found, total mass 1", () => {
    // The jumps ±φ√(ε/2) ≈ ±1.4e15 carry rate 1/(2φ) = 1/4 each; the rest (1/2) stays at the scale of H₀. The
    // totals are exact to the antiderivative's rounding (≈ 1e-15); tolerance 1e-12.
    const r = penningtonBahri({ model: "relu", phi: 2, eps: 1e30 });
    expect(Math.abs(r.measure.massBelow(1e300) - 1)).toBeLessThan(1e-12);
    expect(r.support.some(([a, b]) => a >= -1e-9 && b <= 10)).toBe(true);
    expect(Math.abs(r.measure.massBelow(1e3) - r.measure.massBelow(-1e3) - 0.5)).toBeLessThan(1e-12);
  });
  it("ReLU φ = 0.25, ε = 1e-100 (a mass of −1 before) is refused by penningtonBahriMeasure's float64 error", () => {
    const msg = refusal(() => penningtonBahri({ model: "relu", phi: 0.25, eps: 1e-100 }));
    expect(msg.startsWith("penningtonBahriMeasure: at φ = 0.25, ε = 1e-100 the support edges cannot be resolved in float64"), msg).toBe(true);
  });
});

describe("the rational engine works in units of the measure's scale (an exact power of two)", () => {
  it("compoundPoisson at jumps ~1e-41 and ~1e-27: total mass 1, the mass below 0 as at unit scale", () => {
    // Scaling by a power of two is exact, so the unit-scale and tiny-scale answers agree to rounding of the
    // antiderivative (≈ 1e-15); tolerance 1e-12.
    const tiny = compoundPoisson({ rate: 2, jumps: [3e-41, -3e-41] });
    const unit = compoundPoisson({ rate: 2, jumps: [0.3, -0.3] });
    expect(Math.abs(tiny.massBelow(1) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(tiny.massBelow(0) - unit.massBelow(0))).toBeLessThan(1e-12);
    const w = compoundPoisson({ rate: 0.7, jumps: [1e-27, -0.5e-27, 2e-27], weights: [1, 2, 3] });
    const w1 = compoundPoisson({ rate: 0.7, jumps: [1, -0.5, 2], weights: [1, 2, 3] });
    expect(Math.abs(w.massBelow(1) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(w.massBelow(0.7e-27) - w1.massBelow(0.7))).toBeLessThan(1e-12);
  });
  it("Marchenko–Pastur(0.25, scale 1e40) ⊞ semicircle(0.2e80) is the Pennington–Bahri Wigner law ×1e40", () => {
    // α(φ = 0.25, ε = 0.1) = 0.0539804807806514 (README; 40-digit reference agreement ≈ 1e-15); tolerance 1e-12.
    const h = freeConvolution(marchenkoPastur({ ratio: 0.25, scale: 1e40 }), semicircle({ variance: 0.2e80 }));
    expect(Math.abs(h.massBelow(1e50) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(h.massBelow(0) - 0.0539804807806514)).toBeLessThan(1e-12);
  });
  it("freePoisson with a subnormal jump: mass 1 above the support (was −1)", () => {
    expect(freePoisson({ rate: 2, jump: 5e-324 }).massBelow(1e-322)).toBeCloseTo(1, 12); // rounding ≈ 1e-15
  });
  it("freePoisson of rate 1e300 (mean 1e300, width 4e150: edges below one ulp of the mean) is refused by name", () => {
    const msg = refusal(() => freePoisson({ rate: 1e300, jump: 1 }).massBelow(1e301));
    expect(msg.startsWith("freePoisson.massBelow: the measure cannot be resolved in float64"), msg).toBe(true);
  });
  it("cumulants and moments at 1e149–1e150 are computed in units of the scale: exact 0, not NaN", () => {
    expect(compoundPoisson({ rate: 2, jumps: [3e149, -3e149] }).freeCumulant(3)).toBe(0);
    expect(pointMasses([1e150, -1e150]).moment(3)).toBe(0);
    // m₂ = 1e300 exactly representable up to rounding of the weights (1/2 each): relative 1e-15.
    expect(Math.abs(pointMasses([1e150, -1e150]).moment(2) / 1e300 - 1)).toBeLessThan(1e-15);
  });
});

describe("subordination: tolerances relative to the measures' scale", () => {
  it("semicircle(c²) ⊞ semicircle(c²) = semicircle(2c²) at c = 1e20 and 1e-20", () => {
    // Edges ±2√2·c by bisection to 1e-15 of the scale; tolerance 1e-12 relative. Mass by quadrature to 1e-11.
    for (const c of [1e20, 1e-20]) {
      const s = semicircle({ variance: c * c });
      const h = freeConvolutionSubordination(s, s);
      const { intervals } = h.support();
      expect(intervals.length).toBe(1);
      const r = 2 * Math.SQRT2 * c;
      expect(Math.abs(intervals[0][0] / -r - 1)).toBeLessThan(1e-12);
      expect(Math.abs(intervals[0][1] / r - 1)).toBeLessThan(1e-12);
      expect(Math.abs(h.massBelow(0) - 0.5)).toBeLessThan(1e-10);
    }
  });
});

describe("weights near the float64 maximum are normalised without overflow", () => {
  it("pointMasses and compoundPoisson with weights 1e308", () => {
    expect(pointMasses([0, 1], [1e308, 1e308]).moment(0)).toBe(1);
    expect(pointMasses([0, 1], [1e308, 1e308]).moment(1)).toBe(0.5);
    // κ₂ = r·Σ w x² = 2·(½ + ½) = 2 and m₂ = κ₂ + κ₁² = 2 exactly.
    expect(compoundPoisson({ rate: 2, jumps: [1, -1], weights: [1e308, 1e308] }).moment(2)).toBe(2);
  });
});

describe("no silent NaN or ∞: the right finite value or a refusal naming the function", () => {
  it("G at an atom is a pole: refused", () => {
    expect(refusal(() => pointMass(1).stieltjes({ re: 1, im: 0 }))).toMatch(/^pointMass\.stieltjes: argument 'z'/);
    expect(refusal(() => marchenkoPastur({ ratio: 2 }).stieltjes({ re: 0, im: 0 }))).toMatch(/^marchenkoPastur\.stieltjes:/);
    expect(refusal(() => pointMasses([0, 1]).stieltjes({ re: 1, im: 0 }))).toMatch(/^pointMasses\.stieltjes:/);
    expect(pointMass(1).stieltjes({ re: 1, im: 1 })).toEqual({ re: 0, im: -1 }); // off the atom: 1/(z − 1) = −i
  });
  it("histogram over a range wider than the float64 maximum keeps every value", () => {
    const h = histogram([-1.7e308, 1.7e308], { bins: 2 });
    expect(Array.from(h.edges)).toEqual([-1.7e308, 0, 1.7e308]);
    expect(Array.from(h.counts)).toEqual([1, 1]);
    for (const d of h.density) expect(d).toBe(0.5 / 1.7e308); // counts/(n·width), exact to rounding
  });
  it("histogram with a subnormal bin width is refused", () => {
    expect(refusal(() => histogram([5e-324, 1e-323], { bins: 2 }))).toMatch(/^histogram: the bin width/);
  });
  it("massBelow(NaN) is refused by discrete, SLQ and subordination measures (as by rational ones)", () => {
    expect(refusal(() => pointMasses([1, 2]).massBelow(NaN))).toMatch(/^pointMasses\.massBelow: 'x'/);
    const slq = stochasticLanczosQuadrature((v) => v, 4, { steps: 2, probes: 1, seed: 1 });
    expect(refusal(() => slq.massBelow(NaN))).toMatch(/^SlqResult\.massBelow: 'x'/);
    const s = semicircle({ variance: 1 });
    expect(refusal(() => freeConvolutionSubordination(s, s).massBelow(NaN))).toMatch(/^freeConvolutionSubordination\.massBelow: 'x'/);
  });
  it("momentsFromFreeCumulants refuses a moment beyond float64 (a NaN entry before)", () => {
    expect(refusal(() => momentsFromFreeCumulants([0, 1e200, 1e200, 0], 3))).toMatch(/^momentsFromFreeCumulants: moment m_2/);
  });
});

describe("errors of a measure's methods name the method, not an inner helper", () => {
  it("moment and freeCumulant beyond float64", () => {
    expect(refusal(() => semicircle({ variance: 1e200 }).moment(4))).toMatch(/^semicircle\.moment: m_4/);
    expect(refusal(() => pointMasses([1e300, -1e300]).freeCumulant(2))).toMatch(/^pointMasses\.freeCumulant: κ_2/);
    expect(refusal(() => pointMasses([1e300, -1e300]).moment(2))).toMatch(/^pointMasses\.moment: m_2/);
    expect(refusal(() => compoundPoisson({ rate: 2, jumps: [1e300] }).freeCumulant(2))).toMatch(/^compoundPoisson\.freeCumulant: κ_2/);
    const s = semicircle({ variance: 1e200 });
    expect(refusal(() => freeConvolutionSubordination(s, s).moment(4))).toMatch(/^freeConvolutionSubordination\.moment: moment m_4/);
  });
  it("penningtonBahriMeasure keeps its own refusal", () => {
    expect(refusal(() => penningtonBahriMeasure("relu", 0.25, 1e-100))).toMatch(/^penningtonBahriMeasure: at φ = 0\.25/);
  });
});

describe("ε_c as φ → 1 (the closed forms' (1 − φ)³ cancellation; Brent's tolerance relative)", async () => {
  // 80-digit values of the paper's closed forms at the float64 φ (test/gen/critical_energy_near_one.py).
  const { readFileSync } = await import("node:fs");
  const fixture = JSON.parse(readFileSync(new URL("../test/fixtures/critical-energy-near-one.json", import.meta.url), "utf8")) as {
    cases: { model: "wigner" | "relu"; phi: number; epsC: string }[];
  };
  it.each(fixture.cases)("$model φ = $phi", ({ model, phi, epsC }) => {
    const want = Number(epsC);
    // The stable forms have no cancellation: a few roundings, observed ≤ 4.4e-16 relative; tolerance 2e-15.
    expect(Math.abs(criticalEnergyClosedForm(model, phi)! / want - 1)).toBeLessThan(2e-15);
    // Numerically the lower edge is a critical value K(g*) rounded to ≈ 1e-16 at unit scale, while it moves by only
    // ~(1 − φ)·ε_c-relative amounts near the root: observed error ≈ 1e-16/(1 − φ) relative (1e-10 at 1 − φ = 1e-6),
    // and ≤ 3.1e-15 away from φ = 1 (Brent's relative tolerance 1e-15 plus the edge's rounding); tolerance
    // 5e-15 + 4e-16/(1 − φ).
    expect(Math.abs(criticalEnergy(model, phi) / want - 1)).toBeLessThan(5e-15 + 4e-16 / (1 - phi));
  });
});
