import { ValueError, checkNumber, checkVector } from "@losscape/core";
import { type Complex, cabs, checkedTransforms, cadd, cdiv, clog, cmul, csqrt, csub } from "./complex.js";
import { freePoissonGRaw as freePoissonG, semicircleGRaw as semicircleG } from "./closed-forms.js";
import { MAX_MOMENT_ORDER, momentsFromFreeCumulantsFor } from "./moments.js";
import { type Poly, polyAdd, polyDerivative, polyEval, polyMul, polyRoots, polyScale, polyTrim } from "./poly.js";
import type { Atom, SpectralMeasure, Support } from "./types.js";

/**
 * A rational R-transform R(g) = shift + variance·g + Σ_j rate_j·jump_j / (1 − jump_j·g):
 * a point mass at `shift` ⊞ a semicircle of that variance ⊞ free Poisson laws (rate_j, jump_j).
 * Marchenko–Pastur(φ, s) is the free Poisson law of rate 1/φ and jump s·φ; a free compound Poisson law of rate r
 * with jump law Σ p_j δ_{x_j} is ⊞_j freePoisson(r·p_j, x_j). The free sum of such measures adds the descriptors.
 */
export interface RationalR {
  shift: number;
  variance: number;
  poles: { rate: number; jump: number }[];
}

/** Merge poles with equal jumps, drop zero jumps and zero rates (those components are δ₀). */
export function normaliseRational(r: RationalR): RationalR {
  const map = new Map<number, number>();
  for (const p of r.poles) {
    if (p.jump === 0 || p.rate === 0) continue;
    map.set(p.jump, (map.get(p.jump) ?? 0) + p.rate);
  }
  const poles = [...map.entries()].sort((a, b) => a[0] - b[0]).map(([jump, rate]) => ({ rate, jump }));
  return { shift: r.shift, variance: r.variance, poles };
}

/**
 * Add the descriptors: R_{μ⊞ν} = R_μ + R_ν (Voiculescu 1986).
 * @example
 * addRational({ shift: 0, variance: 1, poles: [] }, { shift: 0, variance: 0, poles: [{ rate: 2, jump: 0.5 }] });
 */
export function addRational(a: RationalR, b: RationalR): RationalR {
  checkRational("addRational", "a", a);
  checkRational("addRational", "b", b);
  return normaliseRational({
    shift: a.shift + b.shift,
    variance: a.variance + b.variance,
    poles: [...a.poles, ...b.poles],
  });
}

/**
 * `r` is a `RationalR`: finite `shift`, finite `variance` ≥ 0, `poles` an array of { rate ≥ 0, jump } with finite
 * numbers (a free Poisson component of negative rate is no measure). Anything else is a ValueError naming `fn`.
 */
export function checkRational(fn: string, arg: string, r: unknown): asserts r is RationalR {
  if (typeof r !== "object" || r === null || Array.isArray(r)) {
    throw new ValueError(`${fn}: argument '${arg}' must be a rational R-transform { shift, variance, poles }; found ${r === null ? "null" : Array.isArray(r) ? "an array" : typeof r}`);
  }
  const o = r as Record<string, unknown>;
  checkNumber(fn, `${arg}.shift`, o.shift);
  checkNumber(fn, `${arg}.variance`, o.variance, { min: 0 });
  if (!Array.isArray(o.poles)) throw new ValueError(`${fn}: '${arg}.poles' must be an array of { rate, jump }; found ${o.poles === null ? "null" : typeof o.poles}`);
  o.poles.forEach((p: unknown, j: number) => {
    if (typeof p !== "object" || p === null) throw new ValueError(`${fn}: '${arg}.poles[${j}]' must be { rate, jump }; found ${p === null ? "null" : typeof p}`);
    checkNumber(fn, `${arg}.poles[${j}].rate`, (p as Record<string, unknown>).rate, { min: 0 });
    checkNumber(fn, `${arg}.poles[${j}].jump`, (p as Record<string, unknown>).jump);
  });
}

export interface Edge {
  lambda: number;
  /** G at the edge (real), or ±Infinity for the point K(∞) = shift. */
  g: number;
}

/**
 * The engine behind every measure with a rational R-transform (issue 5, deliverable 2a).
 *
 * With K(g) = R(g) + 1/g = N(g)/D(g), D(g) = g·Π_j(1 − a_j g), G(z) is a root of the Stieltjes polynomial
 * N(g) − z·D(g) = 0 (degree J + 1, or J + 2 with a semicircle part). The physical root is chosen by a rule that is
 * right everywhere: it is the root g for which every subordination equation holds, g = G_i(ω_i) with
 * ω_i = z − Σ_{k≠i} R_k(g), G_i the closed-form transform of component i (semicircle or free Poisson, whose branch
 * is unambiguous). For Im z > 0 exactly one root satisfies these (Belinschi & Bercovici 2007: the subordination
 * functions are unique), and it has Im g < 0; on the real axis the same test picks the boundary value. When two
 * roots pass (only at component edges) or none does to 1e-7, the root is followed by continuation from
 * z = λ + i·Y (where G ≈ 1/z) down to the real axis.
 *
 * Support edges are critical values K(g*) at real zeros of K′ (the numerator N′D − ND′: the discriminant of the
 * Stieltjes polynomial in z vanishes exactly there), plus K(∞) = shift when there is no semicircle part (atoms and
 * hard edges sit there). Between consecutive candidates the physical density is tested once; narrow gaps and
 * hard edges are therefore found exactly, not smoothed over. Atoms: at `shift`, of mass 1 − Σ rate_j when positive
 * and there is no semicircle part (Bercovici & Voiculescu 1998: μ⊞ν has an atom at a + b iff μ{a} + ν{b} > 1).
 *
 * Mass below x: since dλ = K′(g)dg, ∫ G dλ = λ·g − Φ(g) with Φ(g) = shift·g + variance·g²/2 − Σ r_j log(1 − a_j g)
 * + log g; each logarithm's argument stays in one open half-plane while Im g < 0, so
 * ∫_a^b ρ = −(1/π)·Im[λg − Φ(g)]_a^b exactly, with the edge values g* and signed-zero arguments (no quadrature).
 * @example
 * const mu = rationalMeasure({ shift: 0, variance: 0.2, poles: [{ rate: 4, jump: 0.25 }] }, 'freeSum');
 * mu.massBelow(0); // 0.0539804807806514 (Pennington–Bahri Wigner, φ = 0.25, ε = 0.1)
 */
export function rationalMeasure(desc: RationalR, kind: string): SpectralMeasure & {
  readonly rational: RationalR;
  /** G at real or complex z and the index of the chosen root (for tests). */
  physicalRoot(z: Complex): Complex;
  /** Candidate edges (critical values K(g*) at real zeros of K′) with their G, sorted. */
  criticalValues(): Edge[];
  /** The support intervals as pairs of edges, each with its λ and the (real or infinite) G there. */
  supportEdges(): [Edge, Edge][];
  /** Why float64 did not resolve this measure (mass check, see MASS_TOL), or null when it did. */
  unresolved(): string | null;
} {
  checkRational("rationalMeasure", "desc", desc);
  if (typeof kind !== "string") throw new ValueError(`rationalMeasure: argument 'kind' must be a string; found ${kind === null ? "null" : typeof kind}`);
  const d = normaliseRational(desc);
  // The engine works in units of the measure's scale p (an exact power of two, so the rescaling loses nothing):
  // the measure of x/p has R-transform shift/p + (variance/p²)·g + Σ r_j (a_j/p)/(1 − (a_j/p) g), and its
  // tolerances (root tests, edge polishing, continuation heights) are then tolerances relative to the scale.
  // G(z) = G₁(z/p)/p, K(g) = p·K₁(p·g), ρ(x) = ρ₁(x/p)/p, edges and atoms ×p, mass below x = mass₁ below x/p.
  const p = unitScale(d);
  const c0 = d.shift / p;
  const c1 = d.variance / p / p;
  const poles = d.poles.map((q) => ({ rate: q.rate, jump: q.jump / p }));
  const J = poles.length;

  // Π_j (1 − a_j g) and products leaving one out.
  let prod: Poly = [1];
  for (const p of poles) prod = polyMul(prod, [1, -p.jump]);
  const leaveOut = (j: number): Poly => {
    let q: Poly = [1];
    for (let k = 0; k < J; k++) if (k !== j) q = polyMul(q, [1, -poles[k].jump]);
    return q;
  };
  // N(g) = g(c0 + c1 g)Π + g Σ r_j a_j Π_{k≠j} + Π ;  D(g) = g Π
  let N: Poly = polyMul(polyMul([0, 1], [c0, c1]), prod);
  for (let j = 0; j < J; j++) N = polyAdd(N, polyMul([0, poles[j].rate * poles[j].jump], leaveOut(j)));
  N = polyAdd(N, prod);
  const D: Poly = polyMul([0, 1], prod);
  const deg = Math.max(N.length, D.length);
  const Nc = new Float64Array(deg);
  const Dc = new Float64Array(deg);
  Nc.set(N);
  Dc.set(D);
  // Critical polynomial N′D − ND′.
  const crit = polyTrim(polyAdd(polyMul(polyDerivative(N), D), polyScale(polyMul(N, polyDerivative(D)), -1)));

  const single = (c1 > 0 ? 1 : 0) + J === 1;
  const rOf = (g: Complex): Complex => {
    let s: Complex = { re: c0 + c1 * g.re, im: c1 * g.im };
    for (const p of poles) s = cadd(s, cdiv({ re: p.rate * p.jump, im: 0 }, { re: 1 - p.jump * g.re, im: -p.jump * g.im }));
    return s;
  };
  const kOf = (g: Complex): Complex => cadd(rOf(g), cdiv({ re: 1, im: 0 }, g));

  /** Largest relative violation of the subordination equations g = G_i(z − Σ_{k≠i} R_k(g)). */
  const subordinationScore = (g: Complex, z: Complex): number => {
    const total = rOf(g);
    let worst = 0;
    const scale = cabs(g);
    if (!(scale > 0) || !Number.isFinite(scale)) return Infinity;
    if (c1 > 0) {
      const ri = { re: c1 * g.re, im: c1 * g.im };
      const w = csub(z, csub(total, ri));
      worst = Math.max(worst, cabs(csub(semicircleG(c1, w), g)) / scale);
    }
    for (const p of poles) {
      const ri = cdiv({ re: p.rate * p.jump, im: 0 }, { re: 1 - p.jump * g.re, im: -p.jump * g.im });
      const w = csub(z, csub(total, ri));
      worst = Math.max(worst, cabs(csub(freePoissonG(p.rate, p.jump, w), g)) / scale);
    }
    return worst;
  };

  const rootsAt = (z: Complex, start?: { re: Float64Array; im: Float64Array }) => {
    const cre = new Float64Array(deg);
    const cim = new Float64Array(deg);
    for (let k = 0; k < deg; k++) {
      cre[k] = Nc[k] - z.re * Dc[k];
      cim[k] = -z.im * Dc[k];
    }
    return polyRoots(cre, cim, start);
  };

  const continuation = (z: Complex): Complex => {
    const Y = 10 * (1 + Math.abs(z.re) + Math.abs(c0) + Math.sqrt(c1) + poles.reduce((s, p) => s + Math.abs(p.jump) * (1 + p.rate), 0));
    let zk: Complex = { re: z.re, im: Math.max(z.im, Y) };
    let roots = rootsAt(zk);
    const inv = cdiv({ re: 1, im: 0 }, zk);
    let best = nearest(roots, inv);
    let g: Complex = { re: roots.re[best], im: roots.im[best] };
    const steps = 80;
    const target = z.im;
    const low = target > 0 ? target : 1e-15 * Y;
    for (let k = 1; k <= steps; k++) {
      const eta = k === steps ? target : Y * Math.pow(low / Y, k / (steps - 1));
      if (k < steps && eta <= target) continue;
      zk = { re: z.re, im: k === steps ? target : eta };
      roots = rootsAt(zk, roots);
      best = nearest(roots, g);
      g = { re: roots.re[best], im: roots.im[best] };
    }
    return g;
  };

  const PASS = 1e-7; // relative subordination residual of the physical root (≈1e-14 in practice; impostors O(1))
  const REAL = 1e-10; // |Im g| ≤ REAL·|g|: the root is real (rounding leaves ≈1e-17)

  /** Roots with Im g ≤ 0 that satisfy every subordination equation to PASS. */
  const candidatesAt = (z: Complex): Complex[] => {
    const roots = rootsAt(z);
    const out: Complex[] = [];
    for (let i = 0; i < roots.re.length; i++) {
      const g = { re: roots.re[i], im: roots.im[i] };
      if (g.im > REAL * cabs(g)) continue; // physical G has Im ≤ 0 for Im z ≥ 0
      // On the real axis a root with |Im g| at rounding level is real; off the axis Im g is kept as computed.
      if (subordinationScore(g, z) < PASS) out.push(z.im === 0 && Math.abs(g.im) <= REAL * cabs(g) ? { re: g.re, im: 0 } : g);
    }
    return out;
  };

  const physicalRoot = (z: Complex): Complex => {
    if (single) {
      if (c1 > 0) return semicircleG(c1, { re: z.re - c0, im: z.im });
      return freePoissonG(poles[0].rate, poles[0].jump, { re: z.re - c0, im: z.im });
    }
    if (J === 0) return cdiv({ re: 1, im: 0 }, { re: z.re - c0, im: z.im });
    const c = candidatesAt(z);
    if (c.length === 1) return c[0];
    if (z.im === 0 && c.length > 1) {
      // On the real axis the boundary values of several roots can satisfy the subordination equations (e.g. the
      // huge real root next to K(∞) = shift). Inside the support the physical root is the complex one; on a gap it
      // is the real root in G's range there (G decreases from G(left edge) to G(right edge)).
      const range = gapRange(z.re);
      if (range) {
        const inside = c.filter((g) => g.im === 0 && g.re > range[0] && g.re < range[1]);
        if (inside.length === 1) return inside[0];
      } else {
        const complexOnes = c.filter((g) => g.im < 0);
        if (complexOnes.length === 1) return complexOnes[0];
      }
    }
    const g = continuation(z);
    return g.im > 0 ? { re: g.re, im: 0 } : g;
  };

  /** Whether the density is positive at x (a support test that never needs to disambiguate real roots). */
  const densityPositive = (x: number): boolean => {
    const c = candidatesAt({ re: x, im: 0 });
    if (c.length > 0 && c.every((g) => g.im === 0)) return false;
    if (c.length === 1) return c[0].im < 0;
    return continuation({ re: x, im: 0 }).im < -REAL;
  };

  /** The range (gLo, gHi) of G on the gap of the support that contains x, or null if x is in the support. */
  const gapRange = (x: number): [number, number] | null => {
    const { edges } = supportIntervals();
    let left: number = 0; // G → 0⁻ at −∞
    let right: number = 0; // G → 0⁺ at +∞
    // Boundaries: support edges, and the atom at c0 (G has a pole there).
    let lo = -Infinity;
    let hi = Infinity;
    let gAtLo = 0; // G(lo⁺)
    let gAtHi = 0; // G(hi⁻)
    for (const [a, b] of edges) {
      if (x > a.lambda && x < b.lambda) return null;
      if (b.lambda <= x && b.lambda > lo) {
        lo = b.lambda;
        gAtLo = Number.isFinite(b.g) ? b.g : Infinity;
      }
      if (a.lambda >= x && a.lambda < hi) {
        hi = a.lambda;
        gAtHi = Number.isFinite(a.g) ? a.g : -Infinity;
      }
    }
    if (atomMass > 0) {
      if (c0 <= x && c0 > lo) {
        lo = c0;
        gAtLo = Infinity;
      }
      if (c0 >= x && c0 < hi) {
        hi = c0;
        gAtHi = -Infinity;
      }
    }
    left = gAtLo;
    right = gAtHi;
    // Outside the hull: G(−∞) = 0⁻, G(+∞) = 0⁺.
    if (lo === -Infinity) left = 0;
    if (hi === Infinity) right = 0;
    const a = Math.min(left, right);
    const b = Math.max(left, right);
    const tol = 1e-12 * (1 + Math.abs(a) + Math.abs(b));
    return [a - tol, b + tol];
  };

  // Candidate edges.
  let edgesCache: Edge[] | null = null;
  const criticalValues = (): Edge[] => {
    if (edgesCache) return edgesCache;
    const out: Edge[] = [];
    if (crit.length > 1) {
      const rts = polyRoots(crit, null);
      for (let i = 0; i < rts.re.length; i++) {
        let x = rts.re[i];
        if (Math.abs(rts.im[i]) > 1e-6 * (1 + Math.abs(x))) continue;
        x = polishReal(crit, x);
        if (x === 0) continue;
        let nearPole = false;
        for (const p of poles) if (Math.abs(1 - p.jump * x) < 1e-14) nearPole = true;
        if (nearPole) continue;
        const lam = kOf({ re: x, im: 0 }).re;
        if (Number.isFinite(lam)) out.push({ lambda: lam, g: x });
      }
    }
    // K(∞) = shift, unless a finite critical value K(g*) lies within its own rounding of it (8 ulps of the sum of
    // |terms| of K(g*); e.g. the ReLU lower edge at ε = ε_c): the density cannot be tested between the two, the
    // square-root edge is where G stays finite, and the antiderivative must be taken at its g*, not at g = ∞.
    const rounding = (g: number): number => {
      let t = Math.abs(c0) + Math.abs(c1 * g) + Math.abs(1 / g);
      for (const q of poles) t += Math.abs((q.rate * q.jump) / (1 - q.jump * g));
      return 8 * Number.EPSILON * t;
    };
    if (c1 === 0 && J > 0 && !out.some((e) => Math.abs(e.lambda - c0) <= rounding(e.g))) out.push({ lambda: c0, g: Infinity });
    out.sort((a, b) => a.lambda - b.lambda);
    edgesCache = out;
    return out;
  };

  /**
   * Next to a square-root edge (λ_e, g*) the root is nearly double and float64 root finding loses accuracy like
   * ε/√d. There we solve for w = g − g* instead: since K′(g*) = 0,
   * K(g* + w) − K(g*) = w²·E(w) with E(w) = Σ r_j a_j³/((1 − a_j g)(1 − a_j g*)²) + 1/(g·g*²) (no cancellation),
   * so w = √((λ − λ_e)/E(w)) on the branch of the polynomial root, by fixed-point iteration.
   */
  let finiteEdges: Edge[] | null = null;
  const refineNearEdge = (x: number, g: Complex): Complex => {
    if (single || J === 0) return g;
    if (!finiteEdges) {
      finiteEdges = [];
      for (const [ea, eb] of supportIntervals().edges) {
        if (Number.isFinite(ea.g)) finiteEdges.push(ea);
        if (Number.isFinite(eb.g)) finiteEdges.push(eb);
      }
    }
    let best: Edge | null = null;
    for (const e of finiteEdges) if (!best || Math.abs(x - e.lambda) < Math.abs(x - best.lambda)) best = e;
    if (!best) return g;
    const d = x - best.lambda;
    const gs = best.g;
    if (!(Math.abs(d) < 1e-4 * (1 + Math.abs(best.lambda)))) return g;
    let w: Complex = { re: g.re - gs, im: g.im };
    if (!(cabs(w) < 0.1 * (1 + Math.abs(gs)))) return g;
    for (let it = 0; it < 30; it++) {
      const gg = { re: gs + w.re, im: w.im };
      let e: Complex = cdiv({ re: 1, im: 0 }, cmul(gg, { re: gs * gs, im: 0 }));
      for (const p of poles) {
        const den = cmul({ re: 1 - p.jump * gg.re, im: -p.jump * gg.im }, { re: (1 - p.jump * gs) ** 2, im: 0 });
        e = cadd(e, cdiv({ re: p.rate * p.jump ** 3, im: 0 }, den));
      }
      let next = csqrt(cdiv({ re: d, im: 0 }, e));
      if (next.re * w.re + next.im * w.im < 0) next = { re: -next.re, im: -next.im }; // the branch of w
      const step = cabs(csub(next, w));
      w = next;
      if (step <= 1e-15 * cabs(w)) break;
    }
    return w.im < 0 ? { re: gs + w.re, im: w.im } : g;
  };

  const rhoAt = (x: number): number => {
    let g = physicalRoot({ re: x, im: 0 });
    if (!(g.im < 0)) return 0;
    g = refineNearEdge(x, g);
    return -g.im / Math.PI;
  };

  // Support intervals, built gap by gap from the left (massBelow(x) only needs the gaps that start at or below x:
  // the gap starting at x decides whether an interval ending at a candidate x really ends there).
  const partial: { intervals: [number, number][]; edges: [Edge, Edge][] } = { intervals: [], edges: [] };
  let scanned = 0;
  const scanUpTo = (limit: number) => {
    const cands = criticalValues();
    for (; scanned + 1 < cands.length && cands[scanned].lambda <= limit; scanned++) {
      const a = cands[scanned];
      const b = cands[scanned + 1];
      if (!(b.lambda > a.lambda)) continue;
      if (!densityPositive(0.5 * (a.lambda + b.lambda))) continue;
      const { edges, intervals } = partial;
      const last = edges.length - 1;
      if (last >= 0 && edges[last][1] === a) {
        edges[last][1] = b;
        intervals[last][1] = b.lambda;
      } else {
        edges.push([a, b]);
        intervals.push([a.lambda, b.lambda]);
      }
    }
    return partial;
  };
  const supportIntervals = () => scanUpTo(Infinity);

  const atomMass = c1 === 0 && J > 0 ? Math.max(0, 1 - poles.reduce((s, p) => s + p.rate, 0)) : J === 0 && c1 === 0 ? 1 : 0;
  const atoms: Atom[] = atomMass > 0 ? [{ at: c0, mass: atomMass }] : [];

  const density = (x: number): number => {
    if (single || J === 0) return rhoAt(x);
    const { intervals } = supportIntervals();
    for (const [a, b] of intervals) if (x > a && x < b) return rhoAt(x);
    return 0;
  };

  /** Im of λg − Φ(g) at a point of the real axis where G = g (complex, or a real edge approached from below). */
  const imAntiderivative = (lambda: number, g: Complex): number => {
    // Φ(g) = c0 g + c1 g²/2 − Σ r_j log(1 − a_j g) + log g; Im(λ g) − Im Φ(g).
    const gim = g.im === 0 ? -0 : g.im;
    const gg = { re: g.re, im: gim };
    let imPhi = c0 * gim + c1 * g.re * gim + clog(gg).im;
    for (const p of poles) {
      imPhi -= p.rate * clog({ re: 1 - p.jump * g.re, im: -p.jump * gim }).im;
    }
    return lambda * gim - imPhi;
  };

  /**
   * Im of λg − Φ(g) as λ → edge.lambda from inside the support while g → ∞ (an edge at K(∞) = shift: a hard edge
   * or the side of an atom). There λg − shift·g → 1 − Σ r_j is real, so the limit is −θ + Σ r_j·lim arg(1 − a_j g)
   * with θ = lim arg g; lim arg(1 − a_j g) = θ + π for a_j > 0 (upper half-plane) and θ for a_j < 0. θ is read off
   * the physical root next to the edge and snapped to −π, −π/2 or 0 (pole from a gap, inverse-square-root hard edge).
   */
  const imAntiderivativeAtInfinity = (edge: Edge, inside: number): number => {
    const side = Math.sign(inside - edge.lambda);
    const x = edge.lambda + side * Math.abs(inside - edge.lambda) * 1e-12;
    const g = physicalRoot({ re: x, im: 0 });
    let theta = Math.atan2(g.im === 0 ? -0 : g.im, g.re);
    for (const snap of [-Math.PI, -Math.PI / 2, 0]) if (Math.abs(theta - snap) < 1e-3) theta = snap;
    let v = -theta;
    for (const p of poles) v += p.rate * (p.jump > 0 ? theta + Math.PI : theta);
    return v;
  };

  const imAntiAtEdge = (edge: Edge, inside: number): number =>
    Number.isFinite(edge.g) ? imAntiderivative(edge.lambda, { re: edge.g, im: 0 }) : imAntiderivativeAtInfinity(edge, inside);

  const edgePairs = (limit = Infinity): [Edge, Edge][] => {
    if (single || J === 0) {
      return singleSupport().map(([a, b]) => {
        const ga = physicalRoot({ re: a, im: 0 }).re;
        const gb = physicalRoot({ re: b, im: 0 }).re;
        return [
          { lambda: a, g: Number.isFinite(ga) ? ga : Infinity },
          { lambda: b, g: Number.isFinite(gb) ? gb : Infinity },
        ] as [Edge, Edge];
      });
    }
    return scanUpTo(limit).edges;
  };

  const massBelow = (x: number): number => {
    let mass = 0;
    for (const at of atoms) if (at.at < x) mass += at.mass;
    for (const [ea, eb] of edgePairs(x)) {
      if (!(ea.lambda < x)) continue;
      const mid = 0.5 * (ea.lambda + eb.lambda);
      const lower = imAntiAtEdge(ea, mid);
      const upper = x >= eb.lambda ? imAntiAtEdge(eb, mid) : imAntiderivative(x, physicalRoot({ re: x, im: 0 }));
      mass += -(upper - lower) / Math.PI;
    }
    return mass;
  };

  // Single components: edges in closed form.
  const singleSupport = (): [number, number][] => {
    if (J === 0 && c1 === 0) return [];
    if (c1 > 0) {
      const s = 2 * Math.sqrt(c1);
      return [[c0 - s, c0 + s]];
    }
    const { rate, jump } = poles[0];
    const lo = jump * (1 - Math.sqrt(rate)) ** 2 + c0;
    const hi = jump * (1 + Math.sqrt(rate)) ** 2 + c0;
    return [[Math.min(lo, hi), Math.max(lo, hi)]];
  };

  const support = (): Support => {
    if (single || J === 0) return { intervals: singleSupport(), atoms: atoms.map((a) => ({ ...a })) };
    return { intervals: supportIntervals().intervals.map((iv) => [iv[0], iv[1]] as [number, number]), atoms: atoms.map((a) => ({ ...a })) };
  };

  /** κ_k of the unit-scale measure (κ_k of the measure itself is p^k times this). */
  const unitCumulant = (k: number): number => {
    let s = k === 1 ? c0 : k === 2 ? c1 : 0;
    for (const q of poles) s += q.rate * Math.pow(q.jump, k);
    return s;
  };
  const freeCumulant = (k: number): number => {
    const fn = `${kind}.freeCumulant`;
    checkNumber(fn, "k", k, { min: 1, integer: true });
    return checkResult(fn, `κ_${k}`, timesPower(unitCumulant(k), p, k));
  };

  /**
   * Whether float64 resolved the measure: the mass of every support interval (by the exact antiderivative) is ≥ 0
   * and the total mass, atoms included, is 1, each to MASS_TOL. A component lost to rounding (jumps or variances
   * many orders of magnitude apart, e.g. a Pennington–Bahri ε of 1e-30 beside φ = 10) shows as missing or negative
   * mass. Needs the whole support; computed once.
   */
  let reason: string | null | undefined;
  const unresolved = (): string | null => {
    if (reason !== undefined) return reason;
    reason = null;
    let total = 0;
    for (const at of atoms) total += at.mass;
    for (const [ea, eb] of edgePairs()) {
      const mid = 0.5 * (ea.lambda + eb.lambda);
      const m = -(imAntiAtEdge(eb, mid) - imAntiAtEdge(ea, mid)) / Math.PI;
      if (!(m >= -MASS_TOL)) {
        reason = `the support interval [${ea.lambda * p}, ${eb.lambda * p}] comes out with mass ${m} < 0`;
        return reason;
      }
      total += m;
    }
    if (!(Math.abs(total - 1) <= MASS_TOL)) reason = `its total mass comes out as ${total} instead of 1`;
    return reason;
  };
  /** Refuse, naming `<kind>.<method>`, a measure float64 did not resolve (checked once the support is complete). */
  const guard = (method: string, complete = true): void => {
    if (!complete) return;
    const why = unresolved();
    if (why) {
      throw new ValueError(
        `${kind}.${method}: the measure cannot be resolved in float64 (its components span too many orders of magnitude): ${why}`,
      );
    }
  };
  const supportComplete = () => single || J === 0 || scanned + 1 >= criticalValues().length;

  return {
    kind,
    rational: d,
    ...checkedTransforms(kind, {
      stieltjes: (z) => {
        const w = { re: z.re / p, im: z.im / p };
        if (w.im === 0 && atoms.some((a) => a.at === w.re)) {
          throw new ValueError(`${kind}.stieltjes: argument 'z' = ${z.re} is an atom of the measure, a pole of G; found z on it`);
        }
        const g = w.im < 0 ? conj(physicalRoot(conj(w))) : physicalRoot(w); // G(z̄) = conj G(z)
        return { re: g.re / p, im: g.im / p };
      },
      inverseStieltjes: (g) => scaleUp(kOf(scaleUp(g, p)), p),
      rTransform: (g) => scaleUp(rOf(scaleUp(g, p)), p),
    }),
    density: (x) => {
      checkNumber(`${kind}.density`, "lambda", x);
      const r = density(x / p) / p;
      guard("density");
      return r;
    },
    densityOn: (pts) => {
      checkVector(`${kind}.densityOn`, "points", pts);
      const out = new Float64Array(pts.length);
      for (let i = 0; i < pts.length; i++) out[i] = density(pts[i] / p) / p;
      guard("densityOn");
      return out;
    },
    support: () => {
      const s = support();
      guard("support");
      return {
        intervals: s.intervals.map(([a, b]) => [a * p, b * p] as [number, number]),
        atoms: s.atoms.map((a) => ({ at: a.at * p, mass: a.mass })),
      };
    },
    moment: (k) => {
      const fn = `${kind}.moment`;
      checkNumber(fn, "k", k, { min: 0, max: MAX_MOMENT_ORDER, integer: true });
      const kappa = [0];
      for (let i = 1; i <= k; i++) kappa.push(unitCumulant(i));
      return checkResult(fn, `m_${k}`, timesPower(momentsFromFreeCumulantsFor(fn, kappa, k)[k], p, k));
    },
    freeCumulant,
    massBelow: (x) => {
      if (!(typeof x === "number") || Number.isNaN(x)) throw new ValueError(`${kind}.massBelow: 'x' must be a number; found ${String(x)}`);
      const m = massBelow(x / p);
      guard("massBelow", supportComplete());
      if (!(m >= -MASS_TOL && m <= 1 + MASS_TOL)) guard("massBelow"); // a mass outside [0, 1]: check the whole measure
      return m;
    },
    physicalRoot: (z) => {
      const g = physicalRoot({ re: z.re / p, im: z.im / p });
      return { re: g.re / p, im: g.im / p };
    },
    criticalValues: () => criticalValues().map((e) => ({ lambda: e.lambda * p, g: e.g / p })),
    supportEdges: () => {
      const pairs = edgePairs();
      guard("supportEdges");
      return pairs.map(([a, b]) => [{ lambda: a.lambda * p, g: a.g / p }, { lambda: b.lambda * p, g: b.g / p }] as [Edge, Edge]);
    },
    unresolved: () => {
      if (!single && J > 0) supportIntervals();
      return unresolved();
    },
  };
}

/**
 * Tolerance of the mass check: every support interval's mass ≥ −MASS_TOL and |total mass − 1| ≤ MASS_TOL. A resolved
 * measure's total is 1 to ≈ 1e-13 (the antiderivative's rounding at the edges); a component lost to rounding takes
 * its whole mass (≥ 1e-6 for any rate the engine is given in practice) with it.
 */
const MASS_TOL = 1e-9;

/**
 * The scale of a rational R-transform as an exact power of two p = 2^e, e = round(log₂ max(√variance, max_j |a_j|))
 * (1 for a point mass): dividing by it is exact, and the unit-scale measure has jumps and variance of order 1.
 */
export function unitScale(d: RationalR): number {
  let m = Math.sqrt(d.variance);
  for (const q of d.poles) m = Math.max(m, Math.abs(q.jump));
  if (!(m > 0) || !Number.isFinite(m)) return 1;
  const e = Math.min(1023, Math.max(-1074, Math.round(Math.log2(m))));
  return Math.pow(2, e);
}

/** x·p^k for a power of two p, multiplied one factor at a time (exact, and no spurious 0·∞ when x = 0). */
export function timesPower(x: number, p: number, k: number): number {
  for (let i = 0; i < k && x !== 0 && Number.isFinite(x); i++) x *= p;
  return x;
}

/** A moment or cumulant float64 cannot hold is refused, naming the method. */
export function checkResult(fn: string, what: string, v: number): number {
  if (!Number.isFinite(v)) throw new ValueError(`${fn}: ${what} is beyond the float64 range (found ${v}); the measure's scale is too large for this order`);
  return v;
}

function conj(z: Complex): Complex {
  return { re: z.re, im: -z.im };
}

function scaleUp(z: Complex, p: number): Complex {
  return { re: z.re * p, im: z.im * p };
}

function nearest(roots: { re: Float64Array; im: Float64Array }, g: Complex): number {
  let best = 0;
  let bd = Infinity;
  for (let i = 0; i < roots.re.length; i++) {
    const dd = Math.hypot(roots.re[i] - g.re, roots.im[i] - g.im);
    if (dd < bd) {
      bd = dd;
      best = i;
    }
  }
  return best;
}

/** Newton polish of a real root of a real polynomial (a few steps; keeps x if Newton does not improve |p|). */
function polishReal(p: Poly, x: number): number {
  const dp = polyDerivative(p);
  let best = x;
  let bestVal = Math.abs(polyEval(p, x));
  let cur = x;
  for (let it = 0; it < 6; it++) {
    const d = polyEval(dp, cur);
    if (d === 0) break;
    cur = cur - polyEval(p, cur) / d;
    const v = Math.abs(polyEval(p, cur));
    if (v < bestVal) {
      bestVal = v;
      best = cur;
    } else break;
  }
  return best;
}
