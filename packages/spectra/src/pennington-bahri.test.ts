import { readFileSync } from "node:fs";
import { ValueError, isLosscapeError } from "@losscape/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cabs, cadd, cmul, type Complex } from "./complex.js";
import {
  criticalEnergy,
  criticalEnergyClosedForm,
  penningtonBahri,
  penningtonBahriMeasure,
  smallIndexCoefficient,
  type PBModel,
} from "./pennington-bahri.js";
import { gaussLegendre } from "./subordination.js";
import { hessianSpectrumSLQ } from "./slq.js";
import type { SpectralMeasure } from "./types.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), "utf8"));
const pub = fixture("spectra-public.json");
const gen = fixture("pb-generated.json");
const nearEdges = fixture("pb-near-edges.json");
const modelOf = (m: string): PBModel => (m === "wishart_wigner" || m === "wigner" ? "wigner" : "relu");

/**
 * Independent quadrature of ∫ f·ρ over the support: each interval in θ with λ = a + (b − a)(1 − cos θ)/2 (square-root
 * edges become smooth), split into `panels` (256) Gauss–Legendre panels of 24 nodes (64 panels leave 1.5e-9 on the
 * ReLU φ = 3.5 bulk, whose left end sits next to a narrow gap; 256 give 1e-13). Used to check the exact
 * antiderivative-based mass and the moments against a method that shares nothing with it but the density.
 */
function integrate(mu: SpectralMeasure, f: (x: number) => number, lo = -Infinity, hi = Infinity, panels = 256): number {
  const [xs, ws] = gaussLegendre(24);
  let s = 0;
  for (const [a0, b0] of mu.support().intervals) {
    const a = Math.max(a0, lo);
    const b = Math.min(b0, hi);
    if (!(b > a)) continue;
    // cos substitution on the full interval when both ends are edges; u² substitution when only the left is.
    const bothEdges = a === a0 && b === b0;
    for (let p = 0; p < panels; p++) {
      for (let i = 0; i < xs.length; i++) {
        const t = (p + (xs[i] + 1) / 2) / panels; // t ∈ (0, 1)
        let x: number;
        let jac: number;
        if (bothEdges) {
          const th = Math.PI * t;
          x = a + ((b - a) * (1 - Math.cos(th))) / 2;
          jac = ((b - a) / 2) * Math.sin(th) * Math.PI;
        } else if (a === a0) {
          x = a + (b - a) * t * t;
          jac = 2 * (b - a) * t;
        } else {
          x = b - (b - a) * (1 - t) * (1 - t);
          jac = 2 * (b - a) * (1 - t);
        }
        s += (ws[i] / 2 / panels) * jac * mu.density(x) * f(x);
      }
    }
  }
  return s;
}

describe("Pennington–Bahri: public reference values", () => {
  // Tolerances from the issue: densities, support edges and α to 1e-9; ε_c to 1e-10.
  for (const c of pub.cases) {
    const model = modelOf(c.model);
    it(`${model} φ=${c.phi} ε=${c.eps}`, () => {
      const r = penningtonBahri({ model, phi: c.phi, eps: c.eps });
      expect(r.support.length).toBe(c.support_intervals.length);
      c.support_intervals.forEach((iv: number[], i: number) => {
        expect(Math.abs(r.support[i][0] - iv[0])).toBeLessThan(1e-9);
        expect(Math.abs(r.support[i][1] - iv[1])).toBeLessThan(1e-9);
      });
      expect(Math.abs(r.atom - c.atom_at_zero)).toBeLessThan(1e-12);
      expect(Math.abs(r.index - c.alpha_a)).toBeLessThan(1e-9);
      for (const p of c.density) expect(Math.abs(r.density(p.lambda) - p.rho)).toBeLessThan(1e-9);
      if (c.phi >= 1) {
        expect(r.regime).toBe("phi>=1: epsC=0");
        expect(r.epsC).toBe(0);
        expect(r.epsCClosedForm).toBeNull();
      } else {
        expect(r.regime).toBe(c.regime === "eps < eps_c" ? "eps<epsC" : "eps>=epsC");
        expect(Math.abs((r.epsCClosedForm ?? NaN) - c.eps_c_closed_form)).toBeLessThan(1e-10);
      }
    });
  }
  for (const e of pub.eps_c) {
    const model = modelOf(e.model);
    it(`ε_c ${model} φ=${e.phi}`, () => {
      if (e.applicable) {
        expect(Math.abs(criticalEnergy(model, e.phi) - e.eps_c_numeric)).toBeLessThan(1e-10);
        expect(Math.abs((criticalEnergyClosedForm(model, e.phi) ?? NaN) - e.eps_c_closed_form)).toBeLessThan(1e-10);
      } else {
        expect(criticalEnergy(model, e.phi)).toBe(0);
        expect(criticalEnergyClosedForm(model, e.phi)).toBeNull();
        expect(Math.abs(penningtonBahri({ model, phi: e.phi, eps: 1e-4 }).index - e["alpha_at_eps_1e-4"])).toBeLessThan(1e-9);
      }
    });
  }
});

describe("Pennington–Bahri: own mpmath reference (test/gen/pennington_bahri.py, 40 digits)", () => {
  // Same tolerances as the public file (1e-9 for ρ, edges, α; 1e-10 for ε_c). The generator picks roots by
  // continuation from i∞ and integrates with tanh-sinh, so it shares no method with the engine.
  for (const c of gen.cases) {
    it(`${c.model} φ=${c.phi} ε=${c.eps}`, () => {
      const r = penningtonBahri({ model: c.model, phi: c.phi, eps: c.eps });
      expect(r.support.length).toBe(c.support.length);
      c.support.forEach((iv: number[], i: number) => {
        expect(Math.abs(r.support[i][0] - iv[0])).toBeLessThan(1e-9);
        expect(Math.abs(r.support[i][1] - iv[1])).toBeLessThan(1e-9);
      });
      expect(Math.abs(r.atom - c.atom)).toBeLessThan(1e-9);
      expect(Math.abs(r.index - c.alpha)).toBeLessThan(1e-9);
      for (const p of c.density) expect(Math.abs(r.density(p.lambda) - p.rho)).toBeLessThan(1e-9);
    });
  }
  for (const e of gen.eps_c) {
    it(`ε_c ${e.model} φ=${e.phi}`, () => {
      expect(Math.abs(criticalEnergy(e.model, e.phi) - e.eps_c)).toBeLessThan(1e-10);
      expect(Math.abs((criticalEnergyClosedForm(e.model, e.phi) ?? NaN) - e.eps_c)).toBeLessThan(1e-10);
    });
  }
});

describe("Pennington–Bahri: densities next to edges (test/gen/near_edges.py, 40 digits)", () => {
  it("ρ at 1e-12, 1e-9, 1e-6 inside every edge, hard edge included, to 1e-9 absolute and 1e-7 relative", () => {
    // Next to an edge the root is nearly double, so plain float64 root finding loses accuracy like ε/√d (1.3e-9 seen
    // at d = 1e-12); the edge-local solve for g − g* brings it to the floor set by the edge's own rounding
    // (observed worst 3.6e-10, at the edge of the narrow gap next to the φ = 2 hard edge; ≤ 6e-11 elsewhere).
    // At the hard edge itself ρ ~ 1.6e5, so the bound is relative there.
    for (const p of nearEdges.points) {
      const rho = penningtonBahriMeasure(p.model, p.phi, p.eps).density(p.lambda);
      expect(Math.abs(rho - p.rho)).toBeLessThan(Math.max(1e-9, 1e-7 * p.rho));
    }
  });
});

/** The explicit Stieltjes polynomials of docs/conventions.md#spectral-models, written out independently of the engine. */
function stieltjesPolynomial(model: PBModel, phi: number, eps: number, z: Complex, g: Complex): Complex {
  const c = (re: number, im = 0): Complex => ({ re, im });
  const zc = (a: number, b: number): Complex => ({ re: a + b * z.re, im: b * z.im }); // a + b z
  const coeffs: Complex[] =
    model === "wigner"
      ? [c(1), zc(1 - phi, -1), zc(2 * eps, phi), c(-2 * eps * phi)]
      : [
          c(2),
          zc(2 - 2 * phi, -2),
          zc(eps * phi - eps * phi * phi, 2 * phi),
          zc(eps * phi ** 3 - 2 * eps * phi * phi, eps * phi * phi),
          zc(0, -eps * phi ** 3),
        ];
  let s: Complex = c(0);
  for (let k = coeffs.length - 1; k >= 0; k--) s = cadd(cmul(s, g), coeffs[k]);
  return s;
}

const REGIMES: [string, number][] = [
  ["φ ∈ (0,1)", 0.4],
  ["φ = 1", 1],
  ["1 < φ < 2", 1.5],
  ["φ = 2", 2],
  ["φ > 2", 3.5],
];

describe.each(["wigner", "relu"] as PBModel[])("Pennington–Bahri %s: invariants in every regime", (model) => {
  describe.each(REGIMES)("%s", (_name, phi) => {
    for (const eps of [0.002, 0.1, 0.7]) {
      it(`ε = ${eps}: total mass 1, first two moments exact, mass by antiderivative = quadrature`, () => {
        const r = penningtonBahri({ model, phi, eps });
        const mu = r.measure;
        const atom = r.atom;
        // Quadrature with 256×24 nodes per interval: agreement to 1e-9 is what the smooth-in-θ integrand gives.
        const m0 = integrate(mu, () => 1) + atom;
        const m1 = integrate(mu, (x) => x);
        const m2 = integrate(mu, (x) => x * x);
        const var1 = model === "wigner" ? 2 * eps : (eps * phi) / 2;
        expect(Math.abs(m0 - 1)).toBeLessThan(1e-9);
        expect(Math.abs(m1 - 1)).toBeLessThan(1e-9); // mean of MP is 1, H₁ has mean 0
        expect(Math.abs(m2 - (1 + phi + var1))).toBeLessThan(1e-9 * (2 + phi)); // E λ² = mean² + variance = 1 + (φ + var₁)
        // The exact mass (antiderivative) and the quadrature of the negative part agree.
        expect(Math.abs(mu.massBelow(Infinity) - 1)).toBeLessThan(1e-12);
        expect(Math.abs(r.index - integrate(mu, () => 1, -Infinity, 0))).toBeLessThan(1e-9);
        // Closed-form moments from free cumulants.
        expect(Math.abs(mu.moment(1) - 1)).toBeLessThan(1e-14);
        expect(Math.abs(mu.moment(2) - (1 + phi + var1))).toBeLessThan(1e-13);
      });
    }
    it("the density comes from a root of the paper's Stieltjes polynomial with Im G ≤ 0", () => {
      const mu = penningtonBahriMeasure(model, phi, 0.1);
      for (const [a, b] of mu.support().intervals) {
        for (const t of [0.1, 0.5, 0.9]) {
          const x = a + (b - a) * t;
          const g = mu.stieltjes({ re: x, im: 0 });
          expect(g.im).toBeLessThanOrEqual(0);
          // Residual relative to the size of the terms (rounding level ≈ 1e-15).
          const res = cabs(stieltjesPolynomial(model, phi, 0.1, { re: x, im: 0 }, g));
          expect(res).toBeLessThan(1e-10 * (1 + cabs(g)) ** 4);
          expect(Math.abs(mu.density(x) + g.im / Math.PI)).toBeLessThan(1e-15);
        }
      }
    });
  });
});

describe("Pennington–Bahri: special structure", () => {
  it("ReLU at φ = 2: no atom, a hard edge at 0⁺ (ρ ~ 1/(2π√λ)) and a narrow gap just below 0", () => {
    const r = penningtonBahri({ model: "relu", phi: 2, eps: 0.01 });
    expect(r.atom).toBe(0);
    const iv = r.support;
    const k = iv.findIndex(([a]) => a === 0);
    expect(k).toBeGreaterThan(0);
    const gapBelow = iv[k - 1][1];
    expect(gapBelow).toBeLessThan(0);
    expect(gapBelow).toBeGreaterThan(-1e-3); // a very narrow gap
    expect(r.density(gapBelow / 2)).toBe(0);
    // ρ(λ)·2π√λ → 1 as λ → 0⁺; at λ = 1e-12 the correction is O(√λ) relative.
    const lam = 1e-12;
    expect(Math.abs(r.density(lam) * 2 * Math.PI * Math.sqrt(lam) - 1)).toBeLessThan(1e-3);
  });

  it("ReLU at φ > 2 has an atom 1 − 2/φ at 0, not counted in the index", () => {
    for (const phi of [2.5, 3, 6]) {
      const r = penningtonBahri({ model: "relu", phi, eps: 0.05 });
      expect(Math.abs(r.atom - (1 - 2 / phi))).toBeLessThan(1e-15);
      expect(r.index).toBeLessThan(0.5);
      expect(Math.abs(r.measure.massBelow(1e-300) - r.index - r.atom)).toBeLessThan(1e-12);
    }
  });

  it("Wigner at φ > 1 spreads the Marchenko–Pastur atom into a band around 0 (no atom for ε > 0)", () => {
    const r = penningtonBahri({ model: "wigner", phi: 3, eps: 0.01 });
    expect(r.atom).toBe(0);
    const band = r.support[0];
    expect(band[0]).toBeLessThan(0);
    expect(band[1]).toBeGreaterThan(0);
  });

  it("α ≈ α₀|(ε − ε_c)/ε_c|^{3/2} near ε_c (ratio → 1 linearly in δ)", () => {
    for (const model of ["wigner", "relu"] as PBModel[]) {
      for (const phi of [0.2, 0.6]) {
        const ec = criticalEnergy(model, phi);
        const a0 = smallIndexCoefficient(model, phi) as number;
        const ratio = (d: number) => penningtonBahri({ model, phi, eps: ec * (1 + d) }).index / d ** 1.5 / a0;
        // The next term of the expansion is O(δ): at δ = 1e-5 the ratio is within 1e-4 of 1.
        expect(Math.abs(ratio(1e-5) - 1)).toBeLessThan(1e-4);
        expect(Math.abs(ratio(1e-3) - 1)).toBeGreaterThan(Math.abs(ratio(1e-5) - 1));
        expect(penningtonBahri({ model, phi, eps: ec * (1 - 1e-6) }).index).toBe(0);
      }
    }
  });

  it("φ ≥ 1: α > 0 for every ε > 0 and no closed form", () => {
    for (const model of ["wigner", "relu"] as PBModel[]) {
      for (const phi of [1, 1.3, 4]) {
        for (const eps of [1e-6, 1e-3]) expect(penningtonBahri({ model, phi, eps }).index).toBeGreaterThan(0);
        expect(smallIndexCoefficient(model, phi)).toBeNull();
      }
    }
  });

  it("densityGrid and densityOn return the density on the requested points", () => {
    const r = penningtonBahri({ model: "wigner", phi: 0.5, eps: 0.1 });
    const grid = r.densityGrid(11, -1, 4);
    expect(grid.length).toBe(11);
    expect(grid[0][0]).toBe(-1);
    expect(grid[10][0]).toBe(4);
    const on = r.densityOn(grid.map((p) => p[0]));
    grid.forEach(([x, y], i) => {
      expect(on[i]).toBe(y);
      expect(r.density(x)).toBe(y);
    });
  });
});

describe("Pennington–Bahri: property tests (fast-check, seeded)", () => {
  const arb = fc.record({
    model: fc.constantFrom<PBModel>("wigner", "relu"),
    phi: fc.double({ min: 0.05, max: 4, noNaN: true }),
    eps: fc.double({ min: 1e-4, max: 1, noNaN: true }),
  });
  it("α from the exact antiderivative equals quadrature of ρ, lies in [0, 1/2+…], and the total mass is 1", () => {
    fc.assert(
      fc.property(arb, ({ model, phi, eps }) => {
        const r = penningtonBahri({ model, phi, eps });
        const q = integrate(r.measure, () => 1, -Infinity, 0);
        // 1e-9: the quadrature's accuracy with square-root edges resolved (see integrate()).
        expect(Math.abs(r.index - q)).toBeLessThan(1e-9);
        expect(r.index).toBeGreaterThanOrEqual(0);
        expect(r.index).toBeLessThan(1);
        expect(Math.abs(r.measure.massBelow(Infinity) - 1)).toBeLessThan(1e-12);
        if (phi >= 1) expect(r.index).toBeGreaterThan(0);
      }),
      { seed: 20261124, numRuns: 40 },
    );
  });
  it("massBelow on a fresh measure (support scanned only up to x) equals the full-support value", () => {
    // massBelow(x) scans gaps only up to x; an interval that ends at a candidate (e.g. K(∞) = 0 for ReLU, not an
    // edge there) must still be extended past it. Regression: ReLU φ ≈ 0.2, ε ≈ 1 once gave α > 1.
    fc.assert(
      fc.property(arb, fc.double({ min: -0.5, max: 0.5, noNaN: true }), ({ model, phi, eps }, x) => {
        const fresh = penningtonBahriMeasure(model, phi, eps).massBelow(x);
        const full = penningtonBahriMeasure(model, phi, eps);
        full.support();
        expect(Math.abs(fresh - full.massBelow(x))).toBeLessThan(1e-14);
      }),
      { seed: 5, numRuns: 200 },
    );
    for (const [phi, eps] of [
      [0.2006060606060606, 0.989909090909091],
      [0.2307070707070707, 0.767909090909091],
    ]) {
      const fresh = penningtonBahriMeasure("relu", phi, eps).massBelow(0);
      const r = penningtonBahri({ model: "relu", phi, eps });
      expect(Math.abs(fresh - r.index)).toBeLessThan(1e-14);
      expect(Math.abs(fresh - integrate(r.measure, () => 1, -Infinity, 0))).toBeLessThan(1e-9);
    }
  });
  it("ρ ≥ 0 everywhere, 0 outside the support; α non-decreasing in ε", () => {
    fc.assert(
      fc.property(arb, fc.double({ min: 0, max: 1, noNaN: true }), ({ model, phi, eps }, t) => {
        const r = penningtonBahri({ model, phi, eps });
        const iv = r.support;
        const lo = iv[0][0] - 1;
        const hi = iv[iv.length - 1][1] + 1;
        const x = lo + (hi - lo) * t;
        const rho = r.density(x);
        expect(rho).toBeGreaterThanOrEqual(0);
        if (!iv.some(([a, b]) => x > a && x < b)) expect(rho).toBe(0);
        const r2 = penningtonBahri({ model, phi, eps: eps * 1.5 });
        expect(r2.index).toBeGreaterThanOrEqual(r.index - 1e-12);
      }),
      { seed: 7, numRuns: 60 },
    );
  });
  it("G(z) of the model is the Stieltjes transform: Im G < 0 in ℂ⁺ and z·G(z) → 1", () => {
    fc.assert(
      fc.property(arb, fc.double({ min: -5, max: 8, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true }), ({ model, phi, eps }, x, y) => {
        const mu = penningtonBahriMeasure(model, phi, eps);
        const g = mu.stieltjes({ re: x, im: y });
        expect(g.im).toBeLessThan(0);
        const res = cabs(stieltjesPolynomial(model, phi, eps, { re: x, im: y }, g));
        expect(res).toBeLessThan(1e-9);
        const big = mu.stieltjes({ re: x, im: 1e6 });
        expect(cabs(cmul(big, { re: x, im: 1e6 })) - 1).toBeLessThan(1e-5);
      }),
      { seed: 11, numRuns: 40 },
    );
  });
});

describe("Pennington–Bahri: errors", () => {
  const bad: [string, unknown][] = [
    ["φ = 0", { model: "wigner", phi: 0, eps: 0.1 }],
    ["φ < 0", { model: "relu", phi: -1, eps: 0.1 }],
    ["ε < 0", { model: "wigner", phi: 0.5, eps: -0.01 }],
    ["φ NaN", { model: "wigner", phi: NaN, eps: 0.1 }],
    ["ε Infinity", { model: "relu", phi: 0.5, eps: Infinity }],
    ["unknown model", { model: "tanh", phi: 0.5, eps: 0.1 }],
    ["not an object", null],
  ];
  for (const [name, opts] of bad) {
    it(`${name} → ValueError`, () => {
      try {
        penningtonBahri(opts as never);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ValueError);
        expect(isLosscapeError(e)).toBe(true);
        expect((e as Error).message).toMatch(/^penningtonBahri: /);
      }
    });
  }
  it("a density is asked only on the real line", () => {
    const r = penningtonBahri({ model: "wigner", phi: 0.5, eps: 0.1 });
    expect(() => r.density(NaN)).toThrow(ValueError);
    expect(() => r.density({ re: 1, im: 0.1 } as never)).toThrow(/lambda/);
    expect(() => r.densityOn([0, Infinity])).toThrow(ValueError);
    expect(() => r.densityGrid(1)).toThrow(ValueError);
    expect(() => criticalEnergy("wigner", 0)).toThrow(ValueError);
    expect(() => criticalEnergyClosedForm("relu", -2)).toThrow(ValueError);
  });
});

describe("gaussLegendre at the boundary", () => {
  it("refuses a node count that is not an integer ≥ 1, by name; n = 1 is the midpoint rule", () => {
    expect(() => gaussLegendre(-1)).toThrow(/^gaussLegendre: 'n' must be ≥ 1; found -1/);
    expect(() => gaussLegendre(2.5)).toThrow(/^gaussLegendre: 'n' must be an integer/);
    const [x, w] = gaussLegendre(1);
    expect(Array.from(x)).toEqual([0]);
    expect(w[0]).toBeCloseTo(2, 14);
  });
});

describe("Pennington–Bahri measures at scales float64 cannot resolve", () => {
  it("refuse with a typed error naming the function and the parameters (an empty support would say 'no spectrum')", () => {
    for (const [law, phi, eps] of [["wigner", 1e-100, 0.1], ["wigner", 0.5, 1e-200], ["relu", 0.5, 1e200]] as const) {
      let message = "";
      try {
        penningtonBahriMeasure(law, phi, eps);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message.startsWith(`penningtonBahriMeasure: at φ = ${phi}, ε = ${eps} the support edges cannot be resolved`), message).toBe(true);
    }
    // the range the paper uses resolves, with a non-empty support
    expect(penningtonBahriMeasure("wigner", 0.5, 0.1).support().intervals.length).toBeGreaterThan(0);
  });
});

describe("transforms and SLQ options at the boundary", () => {
  it("a transform evaluated at a non-finite point is refused by name (it returned NaN); SLQ options name hessianSpectrumSLQ", () => {
    const mu = penningtonBahriMeasure("wigner", 0.5, 0.1);
    expect(() => mu.inverseStieltjes(Number.NaN as never)).toThrow(/^penningtonBahri:wigner\.inverseStieltjes: argument 'g' must be a finite complex number \{ re, im \}; found NaN/);
    expect(() => mu.rTransform({ re: Number.NaN, im: 0 })).toThrow(/^penningtonBahri:wigner\.rTransform: argument 'g'.*found \{ re: NaN, im: 0 \}/);
    expect(() => mu.stieltjes({ re: Infinity, im: 1 })).toThrow(/^penningtonBahri:wigner\.stieltjes: argument 'z'/);
    const model = { widths: [1, 2, 1], activation: "tanh" as const, params: new Float64Array(7).fill(0.3) };
    const data = { x: { rows: 2, cols: 1, data: Float64Array.from([1, 2]) }, y: { rows: 2, cols: 1, data: Float64Array.from([0, 1]) } };
    expect(() => hessianSpectrumSLQ(model, data, { steps: -1, seed: 0 })).toThrow(/^hessianSpectrumSLQ: 'steps' must be ≥ 1; found -1/);
    expect(() => hessianSpectrumSLQ(model, data, { probes: 0, seed: 0 })).toThrow(/^hessianSpectrumSLQ: 'probes' must be ≥ 1; found 0/);
  });
});
