import { ValueError } from "@losscape/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cabs, cmul, csub } from "./complex.js";
import {
  compoundPoisson,
  empiricalSpectrum,
  freeConvolution,
  freePoisson,
  marchenkoPastur,
  pointMass,
  pointMasses,
  semicircle,
} from "./measures.js";
import { freeCumulantsFromMoments, momentsFromFreeCumulants } from "./moments.js";
import { penningtonBahri } from "./pennington-bahri.js";
import { freeConvolutionSubordination } from "./subordination.js";

const catalan = [1, 1, 2, 5, 14, 42];

describe("free moment–cumulant relations", () => {
  it("semicircle: κ₂ = 1 only ⇒ even moments are Catalan numbers", () => {
    const m = momentsFromFreeCumulants([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 10);
    for (let k = 0; k <= 5; k++) {
      expect(m[2 * k]).toBe(catalan[k]);
      if (k < 5) expect(m[2 * k + 1]).toBe(0);
    }
  });
  it("free Poisson of rate 1, jump 1: all cumulants 1 ⇒ moments are Catalan numbers", () => {
    const m = momentsFromFreeCumulants([0, 1, 1, 1, 1, 1], 5);
    expect(m.slice(1)).toEqual(catalan.slice(1));
  });
  it("round trip moments ↔ cumulants (random, seeded)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }), (k) => {
        const kappa = [0, ...k];
        const back = freeCumulantsFromMoments(momentsFromFreeCumulants(kappa, 6), 6);
        // The recursions are exact polynomials; rounding with entries ≤ 2 and order 6 stays below 1e-9.
        for (let i = 1; i <= 6; i++) expect(Math.abs(back[i] - kappa[i])).toBeLessThan(1e-9);
      }),
      { seed: 3, numRuns: 50 },
    );
  });
});

describe("semicircle", () => {
  const sc = semicircle({ variance: 2, mean: 0.5 });
  it("density, support, moments and cumulants in closed form", () => {
    const r = 2 * Math.sqrt(2);
    expect(sc.support()).toEqual({ intervals: [[0.5 - r, 0.5 + r]], atoms: [] });
    for (const x of [-1, 0, 0.5, 2]) {
      const want = Math.sqrt(Math.max(0, 8 - (x - 0.5) ** 2)) / (2 * Math.PI * 2);
      expect(Math.abs(sc.density(x) - want)).toBeLessThan(1e-15);
    }
    expect(sc.density(10)).toBe(0);
    expect(sc.freeCumulant(1)).toBe(0.5);
    expect(sc.freeCumulant(2)).toBe(2);
    expect(sc.freeCumulant(3)).toBe(0);
    // E(x − m)⁴ = 2v² for the semicircle: m₄ from cumulants vs. the binomial expansion of the centred moments.
    const m = 0.5;
    const v = 2;
    expect(Math.abs(sc.moment(4) - (2 * v * v + 6 * m * m * v + m ** 4))).toBeLessThan(1e-12);
    expect(Math.abs(sc.massBelow(Infinity) - 1)).toBeLessThan(1e-14);
    expect(Math.abs(sc.massBelow(0.5) - 0.5)).toBeLessThan(1e-14);
  });
  it("G ∘ K = identity near 0 and K ∘ G = identity away from the support", () => {
    for (const g of [{ re: 0.05, im: -0.02 }, { re: -0.1, im: -0.01 }]) {
      const back = sc.stieltjes(sc.inverseStieltjes(g));
      expect(cabs(csub(back, g))).toBeLessThan(1e-14);
    }
    const z = { re: 1, im: 3 };
    expect(cabs(csub(sc.inverseStieltjes(sc.stieltjes(z)), z))).toBeLessThan(1e-13);
  });
});

describe("Marchenko–Pastur and free Poisson", () => {
  it("support, atom 1 − 1/φ, moments (Narayana: m₂ = s²(1 + φ))", () => {
    const mp = marchenkoPastur({ ratio: 3, scale: 0.5 });
    const s = mp.support();
    expect(s.atoms).toEqual([{ at: 0, mass: 1 - 1 / 3 }]);
    expect(Math.abs(s.intervals[0][0] - 0.5 * (1 - Math.sqrt(3)) ** 2)).toBeLessThan(1e-15);
    expect(Math.abs(s.intervals[0][1] - 0.5 * (1 + Math.sqrt(3)) ** 2)).toBeLessThan(1e-15);
    expect(Math.abs(mp.moment(1) - 0.5)).toBeLessThan(1e-15);
    expect(Math.abs(mp.moment(2) - 0.25 * 4)).toBeLessThan(1e-14);
    // m₃ = s³(1 + 3φ + φ²)
    expect(Math.abs(mp.moment(3) - 0.125 * (1 + 9 + 9))).toBeLessThan(1e-13);
    expect(Math.abs(mp.freeCumulant(4) - 0.5 ** 4 * 3 ** 3)).toBeLessThan(1e-13);
    // Mass of the a.c. part below ∞ plus the atom is 1 (the antiderivative is exact).
    expect(Math.abs(mp.massBelow(Infinity) - 1)).toBeLessThan(1e-13);
  });
  it("density is the Marchenko–Pastur formula √((b − x)(x − a))/(2πφsx)", () => {
    const phi = 0.4;
    const mp = marchenkoPastur({ ratio: phi });
    const a = (1 - Math.sqrt(phi)) ** 2;
    const b = (1 + Math.sqrt(phi)) ** 2;
    for (const x of [0.2, 0.5, 1, 2, 2.5]) {
      const want = x > a && x < b ? Math.sqrt((b - x) * (x - a)) / (2 * Math.PI * phi * x) : 0;
      expect(Math.abs(mp.density(x) - want)).toBeLessThan(1e-14);
    }
  });
  it("φ = 1: hard edge at 0, mass 1", () => {
    const mp = marchenkoPastur({ ratio: 1 });
    expect(mp.support()).toEqual({ intervals: [[0, 4]], atoms: [] });
    expect(Math.abs(mp.massBelow(Infinity) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(mp.massBelow(1) - (1 / 3 + Math.sqrt(3) / (2 * Math.PI)))).toBeLessThan(1e-12);
  });
  it("free Poisson with a negative jump is the mirror image", () => {
    const p = freePoisson({ rate: 0.7, jump: 1.3 });
    const n = freePoisson({ rate: 0.7, jump: -1.3 });
    for (const x of [0.2, 0.9, 2.2]) expect(Math.abs(p.density(x) - n.density(-x))).toBeLessThan(1e-14);
    expect(n.support().atoms).toEqual([{ at: 0, mass: 1 - 0.7 }]);
  });
});

describe("free additive convolution: algebraic vs subordination (numeric)", () => {
  it("MP ⊞ semicircle = the Pennington–Bahri Wigner model, both ways", () => {
    const mp = marchenkoPastur({ ratio: 0.25 });
    const sc = semicircle({ variance: 0.2 });
    const alg = freeConvolution(mp, sc);
    const num = freeConvolutionSubordination(mp, sc);
    const pb = penningtonBahri({ model: "wigner", phi: 0.25, eps: 0.1 });
    for (const x of [-0.2, 0, 0.4, 1.3, 2.4]) {
      expect(Math.abs(alg.density(x) - pb.density(x))).toBeLessThan(1e-15);
      // Newton on the subordination fixed point converges to rounding: 1e-12 allows for the ill-conditioning near edges.
      expect(Math.abs(num.density(x) - alg.density(x))).toBeLessThan(1e-12);
    }
    expect(Math.abs(alg.massBelow(0) - pb.index)).toBeLessThan(1e-15);
  });
  it("MP ⊞ compound Poisson = the ReLU model; numeric subordination agrees", () => {
    const phi = 1.5;
    const eps = 0.1;
    const a = phi * Math.sqrt(eps / 2);
    const h1 = compoundPoisson({ rate: 1 / phi, jumps: [a, -a] });
    const mp = marchenkoPastur({ ratio: phi });
    const alg = freeConvolution(mp, h1);
    const pb = penningtonBahri({ model: "relu", phi, eps });
    const num = freeConvolutionSubordination(mp, h1);
    for (const x of [-0.3, 0.1, 1, 3]) {
      expect(Math.abs(alg.density(x) - pb.density(x))).toBeLessThan(1e-15);
      expect(Math.abs(num.density(x) - alg.density(x))).toBeLessThan(1e-10);
    }
  });
  it("property: algebraic Pennington–Bahri densities = numeric subordination at random (model, φ, ε, λ)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("wigner" as const, "relu" as const),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (model, phi, eps, ts) => {
          const pb = penningtonBahri({ model, phi, eps });
          const a = phi * Math.sqrt(eps / 2);
          const h1 = model === "wigner" ? semicircle({ variance: 2 * eps }) : compoundPoisson({ rate: 1 / phi, jumps: [a, -a] });
          const num = freeConvolutionSubordination(marchenkoPastur({ ratio: phi }), h1, { gridPoints: 20 });
          const iv = pb.support;
          const lo = iv[0][0] - 0.3;
          const hi = iv[iv.length - 1][1] + 0.3;
          for (const t of ts) {
            const x = lo + (hi - lo) * t;
            // Away from edges (1e-6) both methods are at rounding level; observed worst 1.4e-14 over 1200 points.
            if (iv.some(([p, q]) => Math.min(Math.abs(x - p), Math.abs(x - q)) < 1e-6)) continue;
            expect(Math.abs(pb.density(x) - num.density(x))).toBeLessThan(1e-11);
          }
        },
      ),
      { seed: 99, numRuns: 25 },
    );
  });
  it("atoms by Bercovici–Voiculescu: MP(3) ⊞ MP(3) has an atom 1/3 at 0", () => {
    const mp = marchenkoPastur({ ratio: 3 });
    const alg = freeConvolution(mp, mp);
    expect(alg.support().atoms.length).toBe(1);
    expect(Math.abs(alg.support().atoms[0].mass - 1 / 3)).toBeLessThan(1e-15);
    const num = freeConvolutionSubordination(mp, mp, { gridPoints: 200 });
    expect(Math.abs(num.support().atoms[0].mass - 1 / 3)).toBeLessThan(1e-15);
    expect(Math.abs(alg.massBelow(Infinity) - 1)).toBeLessThan(1e-12);
  });
  it("Bernoulli ⊞ Bernoulli is the arcsine law on [−2, 2] (numeric method on discrete inputs)", () => {
    const b = pointMasses([-1, 1]);
    const arc = freeConvolutionSubordination(b, b, { gridPoints: 400 });
    for (const x of [-1.5, 0, 0.7]) {
      expect(Math.abs(arc.density(x) - 1 / (Math.PI * Math.sqrt(4 - x * x)))).toBeLessThan(1e-10);
    }
    const [iv] = arc.support().intervals;
    // Edges from a 400-point grid refined by bisection; the inverse-square-root edge makes ρ > 1e-12 right up to ±2.
    expect(Math.abs(iv[0] + 2)).toBeLessThan(1e-6);
    expect(Math.abs(iv[1] - 2)).toBeLessThan(1e-6);
  });
  it("empirical spectrum ⊞ semicircle: mass 1, moments add through cumulants", () => {
    const emp = empiricalSpectrum([0, 1, 2, 3]);
    const sc = semicircle({ variance: 0.5 });
    const h = freeConvolutionSubordination(emp, sc, { gridPoints: 400 });
    // Adaptive composite quadrature in θ to 1e-11 per interval: total below 1e-9.
    expect(Math.abs(h.massBelow(100) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(h.moment(2) - (emp.moment(2) + 0.5))).toBeLessThan(1e-12);
    expect(Math.abs(h.moment(1) - 1.5)).toBeLessThan(1e-14);
  });
  it("shift by a point mass", () => {
    const h = freeConvolution(semicircle({ variance: 1 }), pointMass(3));
    expect(h.support().intervals).toEqual([[1, 5]]);
    expect(Math.abs(h.density(3) - 1 / Math.PI)).toBeLessThan(1e-15);
  });
});

describe("discrete measures", () => {
  it("point masses: G, inverse, free cumulants of the symmetric Bernoulli law (κ₂ = 1, κ₄ = −1)", () => {
    const b = pointMasses([-1, 1]);
    expect(Math.abs(b.freeCumulant(2) - 1)).toBeLessThan(1e-15);
    expect(Math.abs(b.freeCumulant(4) + 1)).toBeLessThan(1e-14);
    const g = { re: 0.1, im: -0.05 };
    expect(cabs(csub(b.stieltjes(b.inverseStieltjes(g)), g))).toBeLessThan(1e-14);
    // R(g) = (√(1 + 4g²) − 1)/(2g) for the Bernoulli law (principal branch near 0).
    const r = b.rTransform(g);
    const fourG2 = cmul({ re: 4, im: 0 }, cmul(g, g));
    const x = fourG2.re + 1;
    const y = fourG2.im;
    const m = Math.hypot(x, y);
    const sq = { re: Math.sqrt((m + x) / 2), im: y / (2 * Math.sqrt((m + x) / 2)) };
    const want = { re: sq.re - 1, im: sq.im };
    const d = 2 * (g.re * g.re + g.im * g.im);
    const wantR = { re: (want.re * g.re + want.im * g.im) / d, im: (want.im * g.re - want.re * g.im) / d };
    expect(cabs(csub(r, wantR))).toBeLessThan(1e-13);
  });
  it("empirical spectrum: atoms, index, moments", () => {
    const e = empiricalSpectrum([-1, 0, 0, 2]);
    expect(e.support().atoms).toEqual([
      { at: -1, mass: 0.25 },
      { at: 0, mass: 0.5 },
      { at: 2, mass: 0.25 },
    ]);
    expect(e.massBelow(0)).toBe(0.25);
    expect(e.moment(2)).toBe(1.25);
    expect(e.density(0.3)).toBe(0);
  });
});

describe("measure errors", () => {
  it("bad parameters and off-line densities → ValueError", () => {
    expect(() => semicircle({ variance: 0 })).toThrow(ValueError);
    expect(() => semicircle({ variance: NaN })).toThrow(ValueError);
    expect(() => marchenkoPastur({ ratio: -1 })).toThrow(/ratio/);
    expect(() => marchenkoPastur({ ratio: 0 })).toThrow(ValueError);
    expect(() => freePoisson({ rate: 1, jump: 0 })).toThrow(ValueError);
    expect(() => compoundPoisson({ rate: 1, jumps: [1, 2], weights: [1] })).toThrow(ValueError);
    expect(() => pointMasses([])).toThrow(ValueError);
    expect(() => empiricalSpectrum([1, NaN])).toThrow(ValueError);
    expect(() => marchenkoPastur({ ratio: 0.5 }).density(Infinity)).toThrow(ValueError);
    expect(() => semicircle({ variance: 1 }).stieltjes({ re: NaN, im: 1 })).toThrow(ValueError);
    expect(() => freeConvolution(marchenkoPastur({ ratio: 1 }), empiricalSpectrum([1]))).toThrow(/freeConvolutionSubordination/);
    expect(() => freeConvolutionSubordination(semicircle({ variance: 1 }), null as never)).toThrow(ValueError);
  });
});
