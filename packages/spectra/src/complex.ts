import { checkNumber, ValueError } from "@losscape/core";

/**
 * Minimal complex arithmetic for Stieltjes transforms. A complex number is a plain `{ re, im }` record.
 *
 * Branch conventions that the rest of the package relies on:
 * - `csqrt` is the principal square root, and a number with `im === 0` (either sign of zero) is treated as lying
 *   just *above* the real axis, so `csqrt(−x) = +i√x`. Stieltjes transforms evaluated at a real point therefore
 *   give the boundary value G(λ + i0) from the upper half-plane.
 * - `clogLower` is the logarithm of a number approached from the closed lower half-plane (arg ∈ [−π, 0]).
 */
export interface Complex {
  re: number;
  im: number;
}

/**
 * The complex number re + i·im.
 * @example
 * const z = complex(0.5, 1e-3); // z = 0.5 + 0.001i
 */
export function complex(re: number, im = 0): Complex {
  checkNumber("complex", "re", re);
  checkNumber("complex", "im", im);
  return { re, im };
}

export function cadd(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

export function csub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

export function cmul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

export function cscale(a: Complex, s: number): Complex {
  return { re: a.re * s, im: a.im * s };
}

/** a / b by Smith's algorithm (no overflow for large |b|). */
export function cdiv(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

/** 1 / b. */
export function cinv(b: Complex): Complex {
  return cdiv({ re: 1, im: 0 }, b);
}

export function cabs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}

/**
 * Principal square root; `im === 0` counts as +0 (the point is taken just above the real axis), so a negative real
 * number gives +i√|x|.
 */
export function csqrt(a: Complex): Complex {
  const { re, im } = a;
  if (re === 0 && im === 0) return { re: 0, im: 0 };
  const m = Math.hypot(re, im);
  if (re >= 0) {
    const t = Math.sqrt((m + re) / 2);
    return { re: t, im: im / (2 * t) };
  }
  const t = Math.sqrt((m - re) / 2);
  return { re: Math.abs(im) / (2 * t), im: im < 0 ? -t : t };
}

/**
 * Principal logarithm with the argument taken from the signed zero of `im` (Math.atan2): a negative real with
 * `im = −0` has arg −π, with `im = +0` arg +π.
 */
export function clog(a: Complex): Complex {
  return { re: Math.log(Math.hypot(a.re, a.im)), im: Math.atan2(a.im, a.re) };
}

/**
 * `z` is a complex number { re, im } with finite parts: transforms evaluated at NaN would return NaN silently.
 * @example
 * checkComplex("measure.inverseStieltjes", "g", g);
 */
export function checkComplex(fn: string, arg: string, z: Complex): void {
  if (typeof z !== "object" || z === null || !Number.isFinite(z.re) || !Number.isFinite(z.im)) {
    throw new ValueError(`${fn}: argument '${arg}' must be a finite complex number { re, im }; found ${typeof z === "object" && z !== null ? `{ re: ${z.re}, im: ${z.im} }` : String(z)}`);
  }
}

type Transform = (w: Complex) => Complex;

/**
 * A measure's three transforms, each refusing a non-finite argument by name (`<kind>.stieltjes`, …) before it runs:
 * one place for the check every measure needs.
 * @example
 * const t = checkedTransforms("semicircle", { stieltjes: G, inverseStieltjes: K, rTransform: R });
 */
export function checkedTransforms(kind: string, t: { stieltjes: Transform; inverseStieltjes: Transform; rTransform: Transform }) {
  return {
    stieltjes: (z: Complex) => {
      checkComplex(`${kind}.stieltjes`, "z", z);
      return t.stieltjes(z);
    },
    inverseStieltjes: (g: Complex) => {
      checkComplex(`${kind}.inverseStieltjes`, "g", g);
      return t.inverseStieltjes(g);
    },
    rTransform: (g: Complex) => {
      checkComplex(`${kind}.rTransform`, "g", g);
      return t.rTransform(g);
    },
  };
}
