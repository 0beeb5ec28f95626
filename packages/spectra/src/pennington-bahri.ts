import { ValueError, checkNumber, checkOptions } from "@losscape/core";
import { rationalMeasure, type RationalR } from "./rational.js";
import type { Atom, SpectralMeasure } from "./types.js";

/** The two Pennington–Bahri models: H₁ a semicircle ('wigner') or the free compound Poisson law ('relu'). */
export type PBModel = "wigner" | "relu";

/**
 * Where (φ, ε) sits with respect to the critical energy:
 * - `'eps<epsC'`: φ < 1 and ε < ε_c(φ) — the lower edge is > 0, index 0;
 * - `'eps>=epsC'`: φ < 1 and ε ≥ ε_c(φ) — the lower edge is ≤ 0;
 * - `'phi>=1: epsC=0'`: φ ≥ 1 — α > 0 for every ε > 0, ε_c = 0 and the paper's closed forms do not apply.
 */
export type PBRegime = "eps<epsC" | "eps>=epsC" | "phi>=1: epsC=0";

const FN = "penningtonBahri";

function checkModel(fn: string, model: unknown): asserts model is PBModel {
  if (model !== "wigner" && model !== "relu") {
    throw new ValueError(`${fn}: 'model' must be 'wigner' or 'relu'; found ${String(model)}`);
  }
}

function checkPhi(fn: string, phi: unknown): asserts phi is number {
  checkNumber(fn, "phi", phi, { min: 0, exclusiveMin: true });
}

function checkEps(fn: string, eps: unknown): asserts eps is number {
  checkNumber(fn, "eps", eps, { min: 0 });
}

/**
 * The rational R-transform of H = H₀ + H₁ in the Pennington–Bahri models (docs/conventions.md#spectral-models):
 * R₀(g) = 1/(1 − φg) (Marchenko–Pastur: free Poisson of rate 1/φ, jump φ);
 * Wigner R₁(g) = 2εg (semicircle of variance 2ε); ReLU R₁(g) = εφg/(2 − εφ²g²) (free compound Poisson of rate 1/φ
 * with jumps ±φ√(ε/2), i.e. two free Poisson laws of rate 1/(2φ) and jumps ±φ√(ε/2)).
 * @example
 * penningtonBahriRTransform('wigner', 0.5, 0.1); // { shift: 0, variance: 0.2, poles: [{ rate: 2, jump: 0.5 }] }
 */
export function penningtonBahriRTransform(model: PBModel, phi: number, eps: number): RationalR {
  const fn = "penningtonBahriRTransform";
  checkModel(fn, model);
  checkPhi(fn, phi);
  checkEps(fn, eps);
  // H₀'s rate 1/φ must be a double: φ below ≈ 5.6e-309 (1/MAX_VALUE, subnormal) is refused by name here rather than
  // as an infinite 'rate' by the measure engine.
  if (!Number.isFinite(1 / phi)) {
    throw new ValueError(`${fn}: 'phi' must be at least ≈ 5.6e-309, where H₀'s rate 1/φ is a finite double; found ${phi}`);
  }
  const mp = { rate: 1 / phi, jump: phi };
  if (model === "wigner") return { shift: 0, variance: 2 * eps, poles: [mp] };
  const a = phi * Math.sqrt(eps / 2);
  return {
    shift: 0,
    variance: 0,
    poles: [mp, { rate: 1 / (2 * phi), jump: a }, { rate: 1 / (2 * phi), jump: -a }],
  };
}

/**
 * The spectral measure of H₀ + H₁ in a Pennington–Bahri model, as a SpectralMeasure (G, density, support, atoms,
 * moments, free cumulants, mass below a point). G solves the model's Stieltjes polynomial:
 * Wigner −2εφG³ + (2ε + φz)G² + (1 − φ − z)G + 1 = 0; ReLU −εφ³zG⁴ + (εφ³ + εφ²z − 2εφ²)G³
 * + (εφ − εφ² + 2φz)G² + (2 − 2φ − 2z)G + 2 = 0 (Pennington & Bahri, ICML 2017, eqs. (11)–(12) in this
 * package's normalisation).
 * @example
 * const mu = penningtonBahriMeasure('wigner', 0.25, 0.1);
 * mu.massBelow(0); // the index α ≈ 0.05398
 */
export function penningtonBahriMeasure(model: PBModel, phi: number, eps: number): SpectralMeasure {
  const measure = rationalMeasure(penningtonBahriRTransform(model, phi, eps), `penningtonBahri:${model}`);
  // For φ, ε > 0 the measure always has a continuous part (the semicircle of H₁ and the Marchenko–Pastur part of H₀):
  // an empty support means float64 could not resolve the support edges at these scales, not that there is none.
  // The engine's mass check (every interval's mass ≥ 0, total 1) also catches a part lost to rounding.
  const why = measure.unresolved() ?? (measure.support().intervals.length === 0 ? "the support comes out empty" : null);
  if (why) {
    throw new ValueError(
      `penningtonBahriMeasure: at φ = ${phi}, ε = ${eps} the support edges cannot be resolved in float64 (the ${model} model's equations span too many orders of magnitude there: ${why}); the spectrum exists, but not to be computed at this scale`,
    );
  }
  return measure;
}

/**
 * ε_c(φ) by the paper's closed forms (σ² = 1), valid only for 0 < φ < 1 (returns null otherwise):
 * Wigner ε_c = (1/16)(1 − 20φ − 8φ² + (1 + 8φ)^{3/2});
 * ReLU ε_c = (27 − 18ξ − ξ² + 8ξ^{3/2}) / (32φ(1 − φ)³), ξ = 1 + 16φ − 8φ².
 * (Pennington & Bahri 2017, eqs. (15) and (18).) Relative accuracy ≈ 1e-16 on all of 0 < φ < 1 (against 150-digit
 * mpmath at φ = 1e-300 … 1 − 2⁻⁵³). ReLU's ε_c ≈ 1/(2φ) exceeds the largest double for φ ≲ 5.6e-309: a ValueError.
 * @example
 * criticalEnergyClosedForm('wigner', 0.25); // 0.0435095264191645
 */
export function criticalEnergyClosedForm(model: PBModel, phi: number): number | null {
  const fn = "criticalEnergyClosedForm";
  checkModel(fn, model);
  checkPhi(fn, phi);
  if (phi >= 1) return null;
  // Both numerators vanish like (1 − φ)³ as φ → 1 and lose every digit to cancellation there (a − b = (a² − b²)/(a + b)
  // removes it). Wigner: with u³ = (1 + 8φ)^{3/2}, (u³)² − (1 − 20φ − 8φ²)² = 64φ(1 − φ)³ and
  // u³ − 1 = (24φ + 192φ² + 512φ³)/(u³ + 1), so ε_c = 4(1 − φ)³ / ((24 + 192φ + 512φ²)/(u³ + 1) + 20 + 8φ).
  // ReLU: with ξ = 1 + s, s = 8φ(2 − φ), 64ξ³ − (27 − 18ξ − ξ²)² = (ξ − 1)(9 − ξ)³ = 4096φ(2 − φ)(1 − φ)⁶ and
  // ξ^{3/2} − 1 = (3s + 3s² + s³)/(ξ^{3/2} + 1), so ε_c = 16(1 − φ)³ / (φ·(8(3 + 3s + s²)/(ξ^{3/2} + 1) + 20 + s)).
  // Every term of both denominators is positive: no cancellation anywhere on 0 < φ < 1.
  const t3 = Math.pow(1 - phi, 3);
  if (model === "wigner") return (4 * t3) / ((24 + 192 * phi + 512 * phi * phi) / (Math.pow(1 + 8 * phi, 1.5) + 1) + 20 + 8 * phi);
  const s = 8 * phi * (2 - phi);
  const relu = (16 * t3) / (phi * ((8 * (3 + 3 * s + s * s)) / (Math.pow(1 + s, 1.5) + 1) + 20 + s));
  // ε_c ≈ 1/(2φ) as φ → 0: beyond the largest double below φ ≈ 5.6e-309, refused rather than returned as +∞
  if (!Number.isFinite(relu)) {
    throw new ValueError(`${fn}: the relu model's ε_c ≈ 1/(2φ) is beyond the float64 range at phi = ${phi}`);
  }
  return relu;
}

/** Lower end of the absolutely continuous support (atoms excluded). */
function lowerEdge(model: PBModel, phi: number, eps: number): number {
  const iv = penningtonBahriMeasure(model, phi, eps).support().intervals;
  return iv.length ? iv[0][0] : NaN;
}

/**
 * ε_c(φ) numerically: the ε at which the lower support edge of H₀ + H₁ reaches 0 (Brent's method on the edge,
 * which is a critical value K(g*) and so accurate to rounding). For φ ≥ 1 the answer is 0: α > 0 for every ε > 0.
 * @example
 * criticalEnergy('relu', 0.25); // 0.6274169979695208
 */
export function criticalEnergy(model: PBModel, phi: number): number {
  const fn = "criticalEnergy";
  checkModel(fn, model);
  checkPhi(fn, phi);
  if (phi >= 1) return 0;
  const f = (e: number) => lowerEdge(model, phi, e);
  // Bracket without the closed form: the edge decreases in ε from (1 − √φ)² > 0 at ε = 0.
  let lo = 0;
  let flo = (1 - Math.sqrt(phi)) ** 2;
  let hi = 1e-3;
  let fhi = f(hi);
  let guard = 0;
  while (!(fhi < 0) && guard++ < 100) {
    lo = hi;
    flo = fhi;
    hi *= 4;
    fhi = f(hi);
  }
  if (!(fhi < 0)) throw new ValueError(`${fn}: the lower edge never crossed 0 for phi = ${phi}`);
  // Relative tolerance: ε_c → 0 like (1 − φ)³ as φ → 1 (7.4e-20 at φ = 1 − 1e-6), where an absolute one returns 0.
  return brent(f, lo, hi, flo, fhi, 1e-15);
}

/** Brent's root finder on a bracket [a, b] with f(a)·f(b) < 0 (Brent 1973, ch. 4), to relative tolerance `rtol`. */
function brent(f: (x: number) => number, a: number, b: number, fa: number, fb: number, rtol: number): number {
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let it = 0; it < 200; it++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = (2 * Number.EPSILON + 0.5 * rtol) * Math.abs(b) + Number.MIN_VALUE;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * xm * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * xm * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = xm;
        e = d;
      }
    } else {
      d = xm;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : xm > 0 ? tol1 : -tol1;
    fb = f(b);
  }
  return b;
}

/**
 * α₀(φ) of the small-index law α(ε, φ) ≈ α₀(φ)·|(ε − ε_c)/ε_c|^{3/2} (Pennington & Bahri 2017, eq. (16)), from the
 * local expansion at ε_c: near the lower edge λ₋ the density is ρ ≈ A√(λ − λ₋) with A = (1/π)√(2/|K″(g*)|), and
 * λ₋ ≈ −c·(ε − ε_c) with c = −∂K/∂ε(g*) (envelope theorem, K′(g*) = 0), so α ≈ (2/3)·A·(c·ε_c)^{3/2}·δ^{3/2}.
 * Null for φ ≥ 1 (no critical energy).
 * @example
 * smallIndexCoefficient('wigner', 0.25); // α₀(0.25)
 */
export function smallIndexCoefficient(model: PBModel, phi: number): number | null {
  const fn = "smallIndexCoefficient";
  checkModel(fn, model);
  checkPhi(fn, phi);
  if (phi >= 1) return null;
  return smallIndexCoefficientAt(model, phi, criticalEnergy(model, phi));
}

/** `smallIndexCoefficient` for 0 < φ < 1 with ε_c = criticalEnergy(model, φ) already known (internal). */
function smallIndexCoefficientAt(model: PBModel, phi: number, epsC: number): number | null {
  const desc = penningtonBahriRTransform(model, phi, epsC);
  const mu = rationalMeasure(desc, "pb");
  // At ε_c the lower edge sits at 0, which for the ReLU model is also K(∞) = 0: take the finite critical point there.
  let edge: { lambda: number; g: number } | undefined;
  for (const e of mu.criticalValues()) {
    if (Number.isFinite(e.g) && e.g < 0 && (!edge || Math.abs(e.lambda) < Math.abs(edge.lambda))) edge = e;
  }
  if (!edge) return null;
  const g = edge.g;
  let k2 = 2 / (g * g * g);
  for (const p of desc.poles) k2 += (2 * p.rate * p.jump ** 3) / (1 - p.jump * g) ** 3;
  const dKdEps = model === "wigner" ? 2 * g : (2 * phi * g) / (2 - epsC * phi * phi * g * g) ** 2;
  const A = Math.sqrt(2 / Math.abs(k2)) / Math.PI;
  const c = Math.abs(dKdEps);
  return (2 / 3) * A * Math.pow(c * epsC, 1.5);
}

/** Everything the `losscape spectrum` command prints, for one (model, φ, ε). */
export interface PenningtonBahriResult {
  model: PBModel;
  phi: number;
  eps: number;
  /** Intervals of the absolutely continuous support, sorted. */
  support: [number, number][];
  /** Mass of the atom at 0 (1 − 1/φ… see docs/conventions.md#spectral-models: 0 for Wigner, max(0, 1 − 2/φ) for ReLU). */
  atom: number;
  /** α(ε, φ) = ∫_{λ<0} ρ (the atom at 0 not counted). */
  index: number;
  /** ε_c numerically (0 when φ ≥ 1). */
  epsC: number;
  /** ε_c by the paper's closed form; null when φ ≥ 1 (not applicable). */
  epsCClosedForm: number | null;
  regime: PBRegime;
  /** α₀(φ) of α ≈ α₀|(ε − ε_c)/ε_c|^{3/2}; null when φ ≥ 1. */
  alpha0: number | null;
  /** ρ(λ) of the absolutely continuous part. */
  density(lambda: number): number;
  /** ρ at each point. */
  densityOn(points: ArrayLike<number>): Float64Array;
  /** [[λ, ρ], …] on n equispaced points of [from, to] (default: the support hull widened by 5 %). */
  densityGrid(n: number, from?: number, to?: number): [number, number][];
  /** The underlying measure (G, moments, free cumulants, …). */
  measure: SpectralMeasure;
}

/**
 * The Pennington–Bahri model H = H₀ + H₁ at (φ, ε): support, atom at 0, index α, ε_c (numeric and closed form),
 * regime, α₀ and the density. α is exact to rounding: −(1/π)·Im[λG − Φ(G)] between the edge and 0
 * (see `rationalMeasure`). Throws ValueError for a bad model, φ ≤ 0, ε < 0 or non-finite input.
 * Reference: Pennington & Bahri, Geometry of Neural Network Loss Surfaces via Random Matrix Theory, ICML 2017.
 * @example
 * const r = penningtonBahri({ model: 'wigner', phi: 0.25, eps: 0.1 });
 * r.index;      // 0.05398048078065…
 * r.epsC;       // 0.04350952641916…
 * r.densityGrid(200);
 */
export function penningtonBahri(options: { model: PBModel; phi: number; eps: number }): PenningtonBahriResult {
  if (typeof options !== "object" || options === null) {
    throw new ValueError(`${FN}: argument 'options' must be { model, phi, eps }; found ${String(options)}`);
  }
  checkOptions(FN, options, ["model", "phi", "eps"]);
  const { model, phi, eps } = options;
  checkModel(FN, model);
  checkPhi(FN, phi);
  checkEps(FN, eps);
  const measure = penningtonBahriMeasure(model, phi, eps);
  const sup = measure.support();
  const atom = sup.atoms.filter((a: Atom) => a.at === 0).reduce((s, a) => s + a.mass, 0);
  const index = measure.massBelow(0);
  const epsC = criticalEnergy(model, phi);
  const epsCClosedForm = criticalEnergyClosedForm(model, phi);
  const regime: PBRegime = phi >= 1 ? "phi>=1: epsC=0" : eps < epsC ? "eps<epsC" : "eps>=epsC";
  const alpha0 = phi >= 1 ? null : smallIndexCoefficientAt(model, phi, epsC);
  const density = (lambda: number) => {
    checkNumber("penningtonBahri.density", "lambda", lambda);
    return measure.density(lambda);
  };
  return {
    model,
    phi,
    eps,
    support: sup.intervals,
    atom,
    index,
    epsC,
    epsCClosedForm,
    regime,
    alpha0,
    density,
    densityOn: (points) => densityOnChecked("penningtonBahri.densityOn", measure, points),
    densityGrid: (n, from, to) => {
      const g = "penningtonBahri.densityGrid";
      checkNumber(g, "n", n, { min: 2, integer: true });
      const lo0 = Math.min(sup.intervals[0]?.[0] ?? 0, ...sup.atoms.map((a) => a.at));
      const hi0 = Math.max(sup.intervals[sup.intervals.length - 1]?.[1] ?? 0, ...sup.atoms.map((a) => a.at));
      const pad = 0.05 * (hi0 - lo0 || 1);
      const a = from ?? lo0 - pad;
      const b = to ?? hi0 + pad;
      checkNumber(g, "from", a);
      checkNumber(g, "to", b);
      if (!(b > a)) throw new ValueError(`${g}: 'to' must be > 'from'; found from = ${a}, to = ${b}`);
      const out: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const x = a + ((b - a) * i) / (n - 1);
        out.push([x, measure.density(x)]);
      }
      return out;
    },
    measure,
  };
}

function densityOnChecked(fn: string, mu: SpectralMeasure, points: ArrayLike<number>): Float64Array {
  if (points === null || typeof points !== "object" || typeof points.length !== "number") {
    throw new ValueError(`${fn}: argument 'points' must be an array of real numbers; found ${String(points)}`);
  }
  for (let i = 0; i < points.length; i++) {
    const v = points[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValueError(`${fn}: argument 'points' must hold finite real numbers (a density lives on the real line); found ${String(v)} at [${i}]`);
    }
  }
  return mu.densityOn(points);
}
