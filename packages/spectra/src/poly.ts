import { ConvergenceError } from "@losscape/core";

/**
 * Real polynomials as ascending coefficient arrays (p[k] is the coefficient of x^k), and all complex roots of a
 * polynomial by the Aberth–Ehrlich simultaneous iteration (Aberth 1973; Bini 1996 for the starting points), followed
 * by one Newton polish per root. Used for the Stieltjes polynomial of free sums (degree 3–8 here).
 */
export type Poly = number[];

export function polyTrim(p: Poly): Poly {
  let n = p.length;
  while (n > 1 && p[n - 1] === 0) n--;
  return p.slice(0, n);
}

export function polyAdd(a: Poly, b: Poly): Poly {
  const n = Math.max(a.length, b.length);
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < a.length; i++) c[i] += a[i];
  for (let i = 0; i < b.length; i++) c[i] += b[i];
  return c;
}

export function polyScale(a: Poly, s: number): Poly {
  return a.map((v) => v * s);
}

export function polyMul(a: Poly, b: Poly): Poly {
  const c = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) c[i + j] += a[i] * b[j];
  return c;
}

export function polyDerivative(a: Poly): Poly {
  if (a.length <= 1) return [0];
  const d = new Array<number>(a.length - 1);
  for (let i = 1; i < a.length; i++) d[i - 1] = i * a[i];
  return d;
}

export function polyEval(a: Poly, x: number): number {
  let s = 0;
  for (let i = a.length - 1; i >= 0; i--) s = s * x + a[i];
  return s;
}

/**
 * All roots of Σ (cre[k] + i·cim[k]) x^k, as two arrays (re, im). Trailing zero coefficients are dropped first.
 * `start` (optional, same degree) warm-starts the iteration. Converges to the full float64 accuracy for simple
 * roots; multiple roots come out to ≈ √ε relative accuracy, as for any method in floating point.
 * Throws ConvergenceError if 500 sweeps do not converge (never observed for the degrees used here).
 */
export function polyRoots(
  creIn: ArrayLike<number>,
  cimIn: ArrayLike<number> | null,
  start?: { re: Float64Array; im: Float64Array },
): { re: Float64Array; im: Float64Array } {
  let n = creIn.length - 1;
  const cimAt = (k: number) => (cimIn ? cimIn[k] : 0);
  while (n > 0 && creIn[n] === 0 && cimAt(n) === 0) n--;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  if (n === 0) return { re, im };
  // Monic normalisation.
  const lr = creIn[n];
  const li = cimAt(n);
  const ld = lr * lr + li * li;
  const ar = new Float64Array(n + 1);
  const ai = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const xr = creIn[k];
    const xi = cimAt(k);
    ar[k] = (xr * lr + xi * li) / ld;
    ai[k] = (xi * lr - xr * li) / ld;
  }
  if (start && start.re.length === n) {
    re.set(start.re);
    im.set(start.im);
  } else {
    newtonPolygonStart(ar, ai, re, im);
  }
  const done = new Uint8Array(n);
  let remaining = n;
  let sweep = 0;
  for (; sweep < 500 && remaining > 0; sweep++) {
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      const zr = re[i];
      const zi = im[i];
      // Horner for p and p'.
      let pr = 1;
      let pi = 0;
      let dr = 0;
      let di = 0;
      const az = Math.hypot(zr, zi);
      let bound = 1;
      for (let k = n - 1; k >= 0; k--) {
        bound = bound * az + Math.hypot(ar[k], ai[k]);
        const ndr = dr * zr - di * zi + pr;
        const ndi = dr * zi + di * zr + pi;
        dr = ndr;
        di = ndi;
        const npr = pr * zr - pi * zi + ar[k];
        const npi = pr * zi + pi * zr + ai[k];
        pr = npr;
        pi = npi;
      }
      // Stop when p(z) is at the level of its own rounding error (Horner bound: |p| ≤ 4nε·Σ|a_k||z|^k).
      if ((pr === 0 && pi === 0) || Math.hypot(pr, pi) <= 4 * n * 2.220446049250313e-16 * bound) {
        done[i] = 1;
        remaining--;
        continue;
      }
      // ratio = p/p'
      const dd = dr * dr + di * di;
      let nr: number;
      let ni: number;
      if (dd === 0) {
        nr = 1e-3 * (1 + Math.hypot(zr, zi));
        ni = 0;
      } else {
        nr = (pr * dr + pi * di) / dd;
        ni = (pi * dr - pr * di) / dd;
      }
      // Σ_{j≠i} 1/(z_i − z_j)
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const xr = zr - re[j];
        const xi = zi - im[j];
        const xd = xr * xr + xi * xi;
        if (xd === 0) continue;
        sr += xr / xd;
        si += -xi / xd;
      }
      // w = N / (1 − N·S)
      const qr = 1 - (nr * sr - ni * si);
      const qi = -(nr * si + ni * sr);
      const qd = qr * qr + qi * qi;
      const wr = (nr * qr + ni * qi) / qd;
      const wi = (ni * qr - nr * qi) / qd;
      re[i] = zr - wr;
      im[i] = zi - wi;
      if (Math.hypot(wr, wi) <= 4e-16 * Math.hypot(re[i], im[i]) || !Number.isFinite(wr + wi)) {
        if (!Number.isFinite(wr + wi)) {
          re[i] = zr;
          im[i] = zi;
        }
        done[i] = 1;
        remaining--;
      }
    }
  }
  if (remaining > 0) {
    // Accept if every remaining correction is small in a relative sense (multiple roots converge only linearly).
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(re[i]) || !Number.isFinite(im[i])) {
        throw new ConvergenceError(`polyRoots: Aberth iteration did not converge for degree ${n}`);
      }
    }
  }
  return { re, im };
}

/**
 * Aberth starting points from the Newton polygon of the coefficient moduli (Bini 1996): the upper convex hull of
 * (k, log|a_k|) splits the roots into groups; a hull edge from k_i to k_{i+1} gets k_{i+1} − k_i points on a circle
 * of radius (|a_{k_i}|/|a_{k_{i+1}}|)^{1/(k_{i+1} − k_i)}, rotated so that no point is real.
 */
function newtonPolygonStart(ar: Float64Array, ai: Float64Array, re: Float64Array, im: Float64Array): void {
  const n = re.length;
  const logm = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) logm[k] = Math.log(Math.hypot(ar[k], ai[k]));
  const hull: number[] = [];
  for (let k = 0; k <= n; k++) {
    if (!Number.isFinite(logm[k])) continue;
    while (hull.length >= 2) {
      const i = hull[hull.length - 2];
      const j = hull[hull.length - 1];
      // Remove j if it lies on or below the segment i → k.
      if ((logm[j] - logm[i]) * (k - i) <= (logm[k] - logm[i]) * (j - i)) hull.pop();
      else break;
    }
    hull.push(k);
  }
  if (hull[0] !== 0) {
    // Zero roots (a_0 = 0): spread them on a tiny circle.
    hull.unshift(0);
    logm[0] = logm[hull[1]] + 700 * (hull[1] - 0) * -1e-3;
  }
  let idx = 0;
  for (let h = 0; h + 1 < hull.length; h++) {
    const k0 = hull[h];
    const k1 = hull[h + 1];
    const m = k1 - k0;
    const r = Math.exp((logm[k0] - logm[k1]) / m);
    for (let j = 0; j < m; j++) {
      const t = (2 * Math.PI * j) / m + (2 * Math.PI * h) / n + 0.4;
      re[idx] = r * Math.cos(t);
      im[idx] = r * Math.sin(t);
      idx++;
    }
  }
}
