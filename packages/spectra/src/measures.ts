import { ConvergenceError, ValueError, checkNumber, checkOptions } from "@losscape/core";
import { type Complex, cabs, checkedTransforms, cdiv, csub } from "./complex.js";
import { MAX_MOMENT_ORDER, freeCumulantsFromMomentsFor } from "./moments.js";
import { addRational, checkResult, rationalMeasure, timesPower, unitScale, type RationalR } from "./rational.js";
import type { SpectralMeasure, Support } from "./types.js";

/**
 * Semicircle law of the given variance v and mean m: density √(4v − (x − m)²)/(2πv) on [m − 2√v, m + 2√v];
 * G(z) = (z − m − √((z − m)² − 4v))/(2v); R(g) = m + v·g; free cumulants κ₁ = m, κ₂ = v, κ_k = 0 for k ≥ 3.
 * (Wigner 1958; Voiculescu 1986.)
 * @example
 * const sc = semicircle({ variance: 1 });
 * sc.density(0); // 1/π
 * sc.moment(4); // 2 (Catalan)
 */
export function semicircle(options: { variance: number; mean?: number }): SpectralMeasure & { rational: RationalR } {
  const fn = "semicircle";
  checkOptions(fn, options, ["variance", "mean"], { required: true });
  const { variance, mean = 0 } = options;
  checkNumber(fn, "variance", variance, { min: 0, exclusiveMin: true });
  checkNumber(fn, "mean", mean);
  return rationalMeasure({ shift: mean, variance, poles: [] }, "semicircle");
}

/**
 * Marchenko–Pastur law of ratio φ and scale s: the spectrum of (s/m)·XXᵀ for X an N × m standard Gaussian matrix
 * with N/m → φ. R(g) = s/(1 − sφg) (free Poisson of rate 1/φ and jump sφ); mean s, variance φs²; support
 * [s(1 − √φ)², s(1 + √φ)²] and an atom of mass 1 − 1/φ at 0 when φ > 1; κ_k = s^k φ^{k−1}.
 * With s = 1 this is H₀ of Pennington–Bahri (R₀(g) = 1/(1 − φg)). (Marchenko & Pastur 1967.)
 * @example
 * const mp = marchenkoPastur({ ratio: 2 });
 * mp.support(); // { intervals: [[0.1716, 5.8284]], atoms: [{ at: 0, mass: 0.5 }] }
 */
export function marchenkoPastur(options: { ratio: number; scale?: number }): SpectralMeasure & { rational: RationalR } {
  const fn = "marchenkoPastur";
  checkOptions(fn, options, ["ratio", "scale"], { required: true });
  const { ratio, scale = 1 } = options;
  checkNumber(fn, "ratio", ratio, { min: 0, exclusiveMin: true });
  checkNumber(fn, "scale", scale, { min: 0, exclusiveMin: true });
  return rationalMeasure({ shift: 0, variance: 0, poles: [{ rate: 1 / ratio, jump: scale * ratio }] }, "marchenkoPastur");
}

/**
 * Free Poisson law of rate r and jump size a: R(g) = r·a/(1 − a·g), κ_k = r·a^k; support between a(1 − √r)² and
 * a(1 + √r)², atom 1 − r at 0 when r < 1. (Voiculescu, Dykema & Nica 1992, Nica & Speicher Lecture 12.)
 * @example
 * freePoisson({ rate: 0.5, jump: 2 }).moment(1); // r·a = 1
 */
export function freePoisson(options: { rate: number; jump: number }): SpectralMeasure & { rational: RationalR } {
  const fn = "freePoisson";
  checkOptions(fn, options, ["rate", "jump"], { required: true });
  const { rate, jump } = options;
  checkNumber(fn, "rate", rate, { min: 0, exclusiveMin: true });
  checkNumber(fn, "jump", jump);
  if (jump === 0) throw new ValueError(`${fn}: 'jump' must be non-zero (jump 0 is δ₀: use pointMass(0)); found 0`);
  return rationalMeasure({ shift: 0, variance: 0, poles: [{ rate, jump }] }, "freePoisson");
}

/**
 * Free compound Poisson law of rate r with jump law Σ_j w_j δ_{x_j} (weights normalised to 1):
 * R(g) = r·Σ_j w_j x_j/(1 − x_j g), κ_k = r·Σ_j w_j x_j^k. It is ⊞_j freePoisson(r·w_j, x_j), solved by the
 * algebraic engine (a polynomial of degree J + 1 in G). The ReLU law of Pennington–Bahri is rate 1/φ with jumps
 * ±φ√(ε/2). (Nica & Speicher, Lecture 12.)
 * @example
 * const relu = compoundPoisson({ rate: 2, jumps: [0.3, -0.3] });
 * relu.moment(2); // r·Σ w x² = 0.18
 */
export function compoundPoisson(options: {
  rate: number;
  jumps: ArrayLike<number>;
  weights?: ArrayLike<number>;
}): SpectralMeasure & { rational: RationalR } {
  const fn = "compoundPoisson";
  checkOptions(fn, options, ["rate", "jumps", "weights"], { required: true });
  const { rate, jumps } = options;
  checkNumber(fn, "rate", rate, { min: 0, exclusiveMin: true });
  const w = normalisedWeights(fn, jumps, options.weights);
  const poles = Array.from(jumps, (x, j) => ({ rate: rate * w[j], jump: x }));
  return rationalMeasure({ shift: 0, variance: 0, poles }, "compoundPoisson");
}

/**
 * The point mass δ_a: G(z) = 1/(z − a), R(g) = a.
 * @example
 * pointMass(2).moment(3); // 8
 */
export function pointMass(at: number): SpectralMeasure & { rational: RationalR } {
  checkNumber("pointMass", "at", at);
  return rationalMeasure({ shift: at, variance: 0, poles: [] }, "pointMass");
}

/**
 * Free additive convolution μ₁ ⊞ μ₂ ⊞ … of measures with rational R-transforms (semicircle, marchenkoPastur,
 * freePoisson, compoundPoisson, pointMass, and earlier results of this function), by the algebraic method:
 * the R-transforms add, R(G) + 1/G = z becomes a polynomial in G, the physical root is chosen by the subordination
 * equations, edges come from the discriminant (see `rationalMeasure`). Exact density, support, atoms, mass.
 * (Voiculescu 1986; Belinschi & Bercovici 2007; Bercovici & Voiculescu 1998 for atoms.)
 * @example
 * const h = freeConvolution(marchenkoPastur({ ratio: 0.25 }), semicircle({ variance: 0.2 }));
 * h.massBelow(0); // the Pennington–Bahri Wigner index at φ = 0.25, ε = 0.1: 0.0539804…
 */
export function freeConvolution(...measures: SpectralMeasure[]): SpectralMeasure & { rational: RationalR } {
  const fn = "freeConvolution";
  if (measures.length === 0) throw new ValueError(`${fn}: needs at least one measure; found none`);
  let acc: RationalR = { shift: 0, variance: 0, poles: [] };
  measures.forEach((m, i) => {
    if (typeof m !== "object" || m === null || typeof (m as SpectralMeasure).stieltjes !== "function") {
      throw new ValueError(`${fn}: argument ${i} must be a SpectralMeasure; found ${m === null ? "null" : Array.isArray(m) ? "an array" : typeof m}`);
    }
    const r = (m as { rational?: RationalR }).rational;
    if (!r) {
      throw new ValueError(
        `${fn}: argument ${i} (${m?.kind ?? typeof m}) has no rational R-transform; use freeConvolutionSubordination for it`,
      );
    }
    acc = addRational(acc, r);
  });
  return rationalMeasure(acc, "freeSum");
}

/**
 * A discrete measure Σ_j w_j δ_{x_j} (weights normalised to 1): G(z) = Σ w_j/(z − x_j); density of the absolutely
 * continuous part 0; support = the atoms; moments Σ w_j x_j^k; free cumulants from the moments; the inverse K of G
 * near g = 0 by Newton's method from z = mean + 1/g. A real z on an atom is a pole of G: `stieltjes` refuses it.
 * @example
 * const mu = pointMasses([-1, 1]);
 * mu.freeCumulant(2); // 1
 */
export function pointMasses(points: ArrayLike<number>, weights?: ArrayLike<number>): SpectralMeasure {
  const fn = "pointMasses";
  const w = normalisedWeights(fn, points, weights);
  return discreteMeasure(Float64Array.from(points), w, "pointMasses");
}

/**
 * The empirical spectral measure (1/N) Σ δ_{λ_i} of eigenvalues λ₁…λ_N (e.g. from `eigvalsh`), as a
 * SpectralMeasure (see `pointMasses`). Use it in `freeConvolutionSubordination`, or with `histogram`.
 * @example
 * const emp = empiricalSpectrum(eigvalsh(h));
 * emp.massBelow(0); // empirical index
 */
export function empiricalSpectrum(eigenvalues: ArrayLike<number>): SpectralMeasure {
  const fn = "empiricalSpectrum";
  if (eigenvalues === null || typeof eigenvalues !== "object" || typeof eigenvalues.length !== "number" || eigenvalues.length === 0) {
    throw new ValueError(`${fn}: argument 'eigenvalues' must be a non-empty array of finite numbers; found ${String(eigenvalues)}`);
  }
  const x = Float64Array.from(eigenvalues);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new ValueError(`${fn}: argument 'eigenvalues' must be finite; found ${x[i]} at [${i}]`);
  }
  const w = new Float64Array(x.length).fill(1 / x.length);
  return discreteMeasure(x, w, "empirical");
}

function discreteMeasure(x: Float64Array, w: Float64Array, kind: string): SpectralMeasure {
  const n = x.length;
  const G = (z: Complex): Complex => {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const dr = z.re - x[j];
      const di = z.im;
      const d = dr * dr + di * di;
      if (d === 0) throw new ValueError(`${kind}.stieltjes: argument 'z' = ${z.re} is an atom of the measure, a pole of G; found z on it`);
      re += (w[j] * dr) / d;
      im -= (w[j] * di) / d;
    }
    return { re, im };
  };
  const dG = (z: Complex): Complex => {
    // G′(z) = −Σ w/(z − x)²
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const q = cdiv({ re: w[j], im: 0 }, sq({ re: z.re - x[j], im: z.im }));
      re -= q.re;
      im -= q.im;
    }
    return { re, im };
  };
  let mean = 0;
  for (let j = 0; j < n; j++) mean += w[j] * x[j];
  // Moments in units of the largest |x_j| (an exact power of two p): Σ w_j (x_j/p)^k cannot overflow, and is
  // scaled back by p^k only at the end (a result beyond float64 is refused rather than returned as ±∞ or NaN).
  const p = unitScale({ shift: 0, variance: 0, poles: Array.from(x, (jump) => ({ rate: 1, jump })) });
  const unitMoment = (k: number): number => {
    let s = 0;
    for (let j = 0; j < n; j++) s += w[j] * Math.pow(x[j] / p, k);
    return s;
  };
  const moment = (k: number): number => {
    const fn = `${kind}.moment`;
    checkNumber(fn, "k", k, { min: 0, integer: true });
    return checkResult(fn, `m_${k}`, timesPower(unitMoment(k), p, k));
  };
  const K = (g: Complex): Complex => {
    // Newton on G(z) = g from z = mean + 1/g (the branch of G⁻¹ with K(g) ~ 1/g at 0).
    let z = { re: mean + cdiv({ re: 1, im: 0 }, g).re, im: cdiv({ re: 1, im: 0 }, g).im };
    for (let it = 0; it < 100; it++) {
      const r = csub(G(z), g);
      const step = cdiv(r, dG(z));
      z = csub(z, step);
      if (cabs(step) <= 1e-15 * (1 + cabs(z))) return z;
    }
    throw new ConvergenceError(`${kind}.inverseStieltjes: Newton did not converge at g = ${g.re} + ${g.im}i`);
  };
  // Merge equal points for the atom list.
  const atomsMap = new Map<number, number>();
  for (let j = 0; j < n; j++) atomsMap.set(x[j], (atomsMap.get(x[j]) ?? 0) + w[j]);
  const atoms = [...atomsMap.entries()].sort((a, b) => a[0] - b[0]).map(([at, mass]) => ({ at, mass }));
  return {
    kind,
    ...checkedTransforms(kind, { stieltjes: G, inverseStieltjes: K, rTransform: (g) => csub(K(g), cdiv({ re: 1, im: 0 }, g)) }),
    density: (lambda) => {
      checkNumber(`${kind}.density`, "lambda", lambda);
      return 0;
    },
    densityOn: (pts) => new Float64Array(pts.length),
    support: (): Support => ({ intervals: [], atoms: atoms.map((a) => ({ ...a })) }),
    moment,
    freeCumulant: (k) => {
      const fn = `${kind}.freeCumulant`;
      checkNumber(fn, "k", k, { min: 1, max: MAX_MOMENT_ORDER, integer: true });
      const m = [1];
      for (let i = 1; i <= k; i++) m.push(unitMoment(i));
      return checkResult(fn, `κ_${k}`, timesPower(freeCumulantsFromMomentsFor(fn, m, k)[k], p, k));
    },
    massBelow: (t) => {
      if (typeof t !== "number" || Number.isNaN(t)) throw new ValueError(`${kind}.massBelow: 'x' must be a number; found ${String(t)}`);
      let s = 0;
      for (let j = 0; j < n; j++) if (x[j] < t) s += w[j];
      return s;
    },
  };
}

function sq(a: Complex): Complex {
  return { re: a.re * a.re - a.im * a.im, im: 2 * a.re * a.im };
}

function normalisedWeights(fn: string, points: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  if (points === null || typeof points !== "object" || typeof points.length !== "number" || points.length === 0) {
    throw new ValueError(`${fn}: the points must be a non-empty array of finite numbers; found ${String(points)}`);
  }
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) throw new ValueError(`${fn}: points must be finite; found ${points[i]} at [${i}]`);
  }
  const n = points.length;
  const w = new Float64Array(n);
  if (weights === undefined) {
    w.fill(1 / n);
    return w;
  }
  if (weights.length !== n) throw new ValueError(`${fn}: 'weights' must have length ${n}; found ${weights.length}`);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = weights[i];
    if (!Number.isFinite(v) || v < 0) throw new ValueError(`${fn}: 'weights' must be finite and ≥ 0; found ${v} at [${i}]`);
    max = Math.max(max, v);
  }
  if (!(max > 0)) throw new ValueError(`${fn}: 'weights' must have a positive sum; found 0`);
  // Divide by the largest weight first: the sum of weights near the float64 maximum would overflow.
  let s = 0;
  for (let i = 0; i < n; i++) s += weights[i] / max;
  for (let i = 0; i < n; i++) w[i] = weights[i] / max / s;
  return w;
}
