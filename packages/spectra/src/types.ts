import type { Complex } from "./complex.js";

/** A point mass `mass` at `at`. */
export interface Atom {
  at: number;
  mass: number;
}

/** Support of a measure: the closed intervals of its absolutely continuous part (sorted, disjoint) and its atoms. */
export interface Support {
  intervals: [number, number][];
  atoms: Atom[];
}

/**
 * A probability measure on ℝ given through its Stieltjes transform (docs/conventions.md#stieltjes-and-r-transforms):
 * G(z) = ∫ ρ(x)/(z − x) dx, G ~ 1/z at ∞, Im G < 0 for Im z > 0, ρ(λ) = −Im G(λ + i0)/π;
 * R-transform R(g) = G⁻¹(g) − 1/g.
 */
export interface SpectralMeasure {
  /** What the measure is: 'semicircle', 'marchenkoPastur', 'freePoisson', 'compoundPoisson', 'pointMasses',
   * 'empirical', 'freeSum' (algebraic) or 'subordination' (numeric free convolution). */
  readonly kind: string;
  /** G(z); at a real z the boundary value G(z + i0) from the upper half-plane. */
  stieltjes(z: Complex): Complex;
  /** The functional inverse K = G⁻¹ near g = 0 (K(g) = R(g) + 1/g), for g in the domain where it is defined. */
  inverseStieltjes(g: Complex): Complex;
  /** R(g) = K(g) − 1/g. */
  rTransform(g: Complex): Complex;
  /** Density of the absolutely continuous part at a real λ: −Im G(λ + i0)/π (atoms excluded). */
  density(lambda: number): number;
  /** The density at each point (same conventions as `density`). */
  densityOn(points: ArrayLike<number>): Float64Array;
  /** Support intervals and atoms. */
  support(): Support;
  /** m_k = ∫ x^k dμ (k ≥ 0 integer). */
  moment(k: number): number;
  /** κ_k, the k-th free cumulant (R(g) = Σ κ_{k+1} g^k). */
  freeCumulant(k: number): number;
  /** μ((−∞, x)): the mass strictly below x (atoms at x not counted). */
  massBelow(x: number): number;
}
