import { ConvergenceError, ValueError, checkAllocation, checkNumber, checkOptions } from "@losscape/core";
import { type Complex, cabs, checkedTransforms, cadd, cdiv, csub } from "./complex.js";
import { MAX_MOMENT_ORDER, momentsFromFreeCumulantsFor } from "./moments.js";
import type { Atom, SpectralMeasure, Support } from "./types.js";

/**
 * Free additive convolution μ ⊞ ν of any two measures given by their Stieltjes transforms (empirical spectra
 * included), by the Belinschi–Bercovici subordination fixed point (Belinschi & Bercovici 2007, Thm 4.1):
 * with F = 1/G and h(w) = F(w) − w, the subordination function ω₁(z) is the attracting fixed point of
 * f_z(w) = z + h_ν(z + h_μ(w)) in ℂ⁺, and G_{μ⊞ν}(z) = G_μ(ω₁(z)).
 * The fixed point is reached by iteration (a contraction for Im z > 0) and polished by Newton's method; on the real
 * axis (η = 0, the default) it is followed from η = scale down to 0, so the density is the boundary value.
 * For a purely discrete result (both inputs discrete) pass `eta > 0`: the density is then the Cauchy-smoothed
 * −Im G(λ + iη)/π.
 * Support: densities on a grid of `gridPoints` over the hull [a_μ + a_ν, b_μ + b_ν], edges refined by bisection;
 * gaps narrower than the grid step can be missed (the algebraic `freeConvolution` finds them exactly).
 * Atoms: μ⊞ν has an atom at a + b iff μ{a} + ν{b} > 1, of that mass minus 1 (Bercovici & Voiculescu 1998).
 * @example
 * const h = freeConvolutionSubordination(empiricalSpectrum(eigs), semicircle({ variance: 0.1 }));
 * h.density(0.5);
 */
export function freeConvolutionSubordination(
  mu: SpectralMeasure,
  nu: SpectralMeasure,
  options: { eta?: number; gridPoints?: number } = {},
): SpectralMeasure {
  const fn = "freeConvolutionSubordination";
  options = checkOptions(fn, options, ["eta", "gridPoints"]);
  for (const [name, m] of [
    ["mu", mu],
    ["nu", nu],
  ] as const) {
    if (typeof m !== "object" || m === null || typeof m.stieltjes !== "function") {
      throw new ValueError(`${fn}: argument '${name}' must be a SpectralMeasure; found ${String(m)}`);
    }
  }
  const eta = options.eta ?? 0;
  checkNumber(fn, "eta", eta, { min: 0 });
  const gridPoints = options.gridPoints ?? 2000;
  checkNumber(fn, "gridPoints", gridPoints, { min: 10, integer: true });

  const supMu = mu.support();
  const supNu = nu.support();
  const hull = (s: Support): [number, number] => {
    const pts = [...s.intervals.flat(), ...s.atoms.map((a) => a.at)];
    return [Math.min(...pts), Math.max(...pts)];
  };
  const [am, bm] = hull(supMu);
  const [an, bn] = hull(supNu);
  const lo = am + an;
  const hi = bm + bn;
  const scale = Math.max(1e-300, hi - lo, Math.abs(lo), Math.abs(hi));

  const F = (m: SpectralMeasure, w: Complex): Complex => cdiv({ re: 1, im: 0 }, m.stieltjes(w));
  const h = (m: SpectralMeasure, w: Complex): Complex => csub(F(m, w), w);
  const f = (z: Complex, w: Complex): Complex => cadd(z, h(nu, cadd(z, h(mu, w))));

  const solve = (z: Complex, w0: Complex): Complex => {
    let w = w0;
    // Fixed-point iteration (stays in ℂ⁺).
    for (let it = 0; it < 50; it++) {
      const wn = f(z, w);
      if (!Number.isFinite(wn.re) || !Number.isFinite(wn.im)) break;
      const done = cabs(csub(wn, w)) <= 1e-15 * (scale + cabs(w));
      w = wn;
      if (done) return w;
    }
    // Newton on f(w) − w = 0 with a central-difference derivative (f is analytic in w).
    for (let it = 0; it < 60; it++) {
      const r = csub(f(z, w), w);
      const hstep = 1e-7 * (scale + cabs(w));
      const fp = f(z, { re: w.re + hstep, im: w.im });
      const fm = f(z, { re: w.re - hstep, im: w.im });
      const deriv = { re: (fp.re - fm.re) / (2 * hstep) - 1, im: (fp.im - fm.im) / (2 * hstep) };
      const step = cdiv(r, deriv);
      let wn = csub(w, step);
      if (wn.im < z.im) wn = { re: wn.re, im: z.im + 0.5 * (w.im - z.im) };
      if (!Number.isFinite(wn.re) || !Number.isFinite(wn.im)) break;
      const small = cabs(step) <= 1e-14 * (scale + cabs(w));
      w = wn;
      if (small) return w;
    }
    // Last resort: plain iteration for longer.
    for (let it = 0; it < 20000; it++) {
      const wn = f(z, w);
      const done = cabs(csub(wn, w)) <= 1e-13 * (scale + cabs(w));
      w = wn;
      if (done) return w;
    }
    throw new ConvergenceError(`${fn}: subordination fixed point did not converge at z = ${z.re} + ${z.im}i`);
  };

  const omega = (z: Complex): Complex => {
    if (z.im >= scale) return solve(z, { re: z.re, im: z.im + scale });
    // Continuation from Im z = scale down to the requested height, by factors of 4 (Newton keeps each step).
    let w: Complex = solve({ re: z.re, im: scale }, { re: z.re, im: 2 * scale });
    for (let k = 1; k <= 20; k++) {
      const e = scale * Math.pow(4, -k);
      if (e <= z.im) break;
      w = solve({ re: z.re, im: e }, w);
    }
    return solve(z, w);
  };

  const G = (z: Complex): Complex => mu.stieltjes(omega(z));
  const densityAt = (x: number): number => {
    const g = G({ re: x, im: eta });
    return g.im < 0 ? -g.im / Math.PI : 0;
  };

  // Atoms by Bercovici–Voiculescu.
  const atoms: Atom[] = [];
  for (const a of supMu.atoms) for (const b of supNu.atoms) if (a.mass + b.mass > 1) atoms.push({ at: a.at + b.at, mass: a.mass + b.mass - 1 });

  let supportCache: [number, number][] | null = null;
  const supportIntervals = (): [number, number][] => {
    if (supportCache) return supportCache;
    const n = gridPoints;
    const pad = 1e-9 * scale;
    const xs = Array.from({ length: n }, (_, i) => lo - pad + ((hi - lo + 2 * pad) * i) / (n - 1));
    // Positive density, relative to the scale (ρ·scale is dimensionless): 1e-12 of a density of order 1/scale.
    const positive = (x: number) => densityAt(x) * scale > 1e-12;
    const pos = xs.map(positive);
    const refine = (a: number, b: number, posAtA: boolean): number => {
      for (let it = 0; it < 60 && b - a > 1e-15 * scale; it++) {
        const m = 0.5 * (a + b);
        if (positive(m) === posAtA) a = m;
        else b = m;
      }
      return 0.5 * (a + b);
    };
    const out: [number, number][] = [];
    let start: number | null = pos[0] ? xs[0] : null;
    for (let i = 1; i < n; i++) {
      if (pos[i] && !pos[i - 1]) start = refine(xs[i - 1], xs[i], false);
      if (!pos[i] && pos[i - 1] && start !== null) {
        out.push([start, refine(xs[i - 1], xs[i], true)]);
        start = null;
      }
    }
    if (start !== null) out.push([start, xs[n - 1]]);
    supportCache = out;
    return out;
  };

  const freeCumulant = (k: number) => mu.freeCumulant(k) + nu.freeCumulant(k);

  /**
   * ∫ρ over [a, b]: λ = a + (b − a)(1 − cos θ)/2 (square-root edges become smooth), composite 24-node
   * Gauss–Legendre in θ with the number of panels doubled (4 → 256) until two successive sums agree to 1e-11.
   */
  const integrate = (a: number, b: number): number => {
    const [nodes, weights] = gaussLegendre(24);
    const sum = (panels: number): number => {
      let s = 0;
      for (let p = 0; p < panels; p++) {
        for (let i = 0; i < nodes.length; i++) {
          const t = (Math.PI * (p + (nodes[i] + 1) / 2)) / panels;
          const x = a + ((b - a) * (1 - Math.cos(t))) / 2;
          s += (weights[i] / 2) * (Math.PI / panels) * densityAt(x) * ((b - a) / 2) * Math.sin(t);
        }
      }
      return s;
    };
    let prev = sum(4);
    for (let panels = 8; panels <= 256; panels *= 2) {
      const cur = sum(panels);
      if (Math.abs(cur - prev) < 1e-11) return cur;
      prev = cur;
    }
    return prev;
  };

  return {
    kind: "subordination",
    ...checkedTransforms(fn, {
      stieltjes: (z) => {
        if (!(z.im >= 0)) throw new ValueError(`${fn}.stieltjes: Im z must be ≥ 0; found ${z.im}`);
        return G(z);
      },
      inverseStieltjes: (g) => csub(cadd(mu.inverseStieltjes(g), nu.inverseStieltjes(g)), cdiv({ re: 1, im: 0 }, g)),
      rTransform: (g) => cadd(mu.rTransform(g), nu.rTransform(g)),
    }),
    density: (x) => {
      checkNumber(`${fn}.density`, "lambda", x);
      return densityAt(x);
    },
    densityOn: (pts) => Float64Array.from(Array.from(pts, (x) => densityAt(x))),
    support: () => ({ intervals: supportIntervals().map((iv) => [iv[0], iv[1]] as [number, number]), atoms: atoms.map((a) => ({ ...a })) }),
    moment: (k) => {
      checkNumber(`${fn}.moment`, "k", k, { min: 0, max: MAX_MOMENT_ORDER, integer: true });
      const kappa = [0];
      for (let i = 1; i <= k; i++) kappa.push(freeCumulant(i));
      return momentsFromFreeCumulantsFor(`${fn}.moment`, kappa, k)[k];
    },
    freeCumulant,
    massBelow: (x) => {
      if (typeof x !== "number" || Number.isNaN(x)) throw new ValueError(`${fn}.massBelow: 'x' must be a number; found ${String(x)}`);
      let m = 0;
      for (const a of atoms) if (a.at < x) m += a.mass;
      for (const [a, b] of supportIntervals()) if (a < x) m += integrate(a, Math.min(b, x));
      return m;
    },
  };
}

const glCache = new Map<number, [Float64Array, Float64Array]>();

/**
 * Gauss–Legendre nodes and weights on [−1, 1]: nodes are the zeros of P_n (Newton from Chebyshev-like guesses),
 * weights 2/((1 − x²)P_n′(x)²) (Abramowitz & Stegun 25.4.29). Cached per n.
 * @example
 * const [x, w] = gaussLegendre(24); // Σ w_i f(x_i) ≈ ∫_{−1}^{1} f
 */
export function gaussLegendre(n: number): [Float64Array, Float64Array] {
  checkNumber("gaussLegendre", "n", n, { min: 1, integer: true });
  checkAllocation("gaussLegendre", `${n} nodes and weights`, 2 * n);
  const hit = glCache.get(n);
  if (hit) return hit;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = t;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (t * p1 - p0)) / (t * t - 1);
      const dt = p1 / dp;
      t -= dt;
      if (Math.abs(dt) < 1e-16) break;
    }
    x[i] = t;
    w[i] = 2 / ((1 - t * t) * dp * dp);
  }
  glCache.set(n, [x, w]);
  return [x, w];
}
