import { checkNumber } from "@losscape/core";
import { type Complex, cdiv, checkComplex, cmul, csqrt } from "./complex.js";

/**
 * Closed-form Stieltjes transforms of the two building blocks of every rational R-transform in this package.
 * Both use √((z − a)(z − b)) = √(z − a)·√(z − b) (principal roots), which is analytic off [a, b], ~ z at ∞, and
 * gives the boundary value from above on the cut — the physical branch everywhere in ℂ.
 */

/**
 * Semicircle of variance v centred at 0: G(z) = (z − √(z − 2√v)·√(z + 2√v)) / (2v); R(g) = v·g.
 * (Wigner 1958; Voiculescu 1986.)
 * @example
 * semicircleG(1, { re: 0, im: 0 }); // { re: 0, im: -1 }: ρ(0) = 1/π
 */
export function semicircleG(v: number, z: Complex): Complex {
  checkNumber("semicircleG", "v", v, { min: 0 });
  checkComplex("semicircleG", "z", z);
  return semicircleGRaw(v, z);
}

/** `semicircleG` without the argument checks (the measures' root selection, on values they computed). */
export function semicircleGRaw(v: number, z: Complex): Complex {
  const s = 2 * Math.sqrt(v);
  const root = cmul(csqrt({ re: z.re - s, im: z.im }), csqrt({ re: z.re + s, im: z.im }));
  // (z − root)/(2v) = 2/(z + root): the second form has no cancellation for large |z|.
  return cdiv({ re: 2, im: 0 }, { re: z.re + root.re, im: z.im + root.im });
}

/**
 * Free Poisson law of rate r and jump size a (Marchenko–Pastur with ratio 1/r scaled by a):
 * R(g) = r·a/(1 − a·g); G solves a·z·G² − (z + a − r·a)·G + 1 = 0, so
 * G(z) = 2 / ((z + a − r·a) + √(z − λ₊)·√(z − λ₋)), λ± = a(1 ± √r)². Atom 1 − r at 0 when r < 1.
 * (Voiculescu, Dykema, Nica 1992; Marchenko & Pastur 1967.)
 * @example
 * freePoissonG(1, 1, { re: 2, im: 0 }); // Marchenko–Pastur φ = 1 at λ = 2: { re: 0.5, im: −0.5 }
 */
export function freePoissonG(r: number, a: number, z: Complex): Complex {
  checkNumber("freePoissonG", "r", r, { min: 0 });
  checkNumber("freePoissonG", "a", a);
  checkComplex("freePoissonG", "z", z);
  return freePoissonGRaw(r, a, z);
}

/** `freePoissonG` without the argument checks (the measures' root selection, on values they computed). */
export function freePoissonGRaw(r: number, a: number, z: Complex): Complex {
  const sr = Math.sqrt(r);
  const lp = a * (1 + sr) * (1 + sr);
  const lm = a * (1 - sr) * (1 - sr);
  const root = cmul(csqrt({ re: z.re - lp, im: z.im }), csqrt({ re: z.re - lm, im: z.im }));
  const b = z.re + a - r * a;
  const plus = { re: b + root.re, im: z.im + root.im };
  const minus = { re: b - root.re, im: z.im - root.im };
  // The same root as (b − √…)/(2az) (the roots' product is 1/(az)); that form instead of 2/(b + √…) when b + √…
  // cancels, next to the atom at 0 (rate < 1), where 2/(b + √…) loses every digit as z → 0.
  if (Math.hypot(plus.re, plus.im) >= Math.hypot(minus.re, minus.im)) return cdiv({ re: 2, im: 0 }, plus);
  return cdiv(minus, cmul({ re: 2 * a, im: 0 }, z));
}
