import { beforeAll, describe, expect, it } from "vitest";
import { eigh, eigvalsh, init, lanczos, minres, nrm2, ritzPairs, type Mat } from "./index.js";

beforeAll(async () => {
  await init();
});

/** A = V diag(λ) Vᵀ with V a seeded orthogonal matrix (from eigh of a random symmetric matrix). */
function withSpectrum(lam: number[], seed: number): Mat {
  const n = lam.length;
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) r[i * n + j] = r[j * n + i] = rnd();
  const V = eigh({ rows: n, cols: n, data: r }).vectors.data;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += V[i * n + k] * lam[k] * V[j * n + k];
  return { rows: n, cols: n, data: a };
}
const mv = (a: Mat) => (v: Float64Array) => {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[i] += a.data[i * a.cols + j] * v[j];
  return out;
};
const residual = (a: Mat, x: Float64Array, b: Float64Array) => nrm2(Float64Array.from(mv(a)(x), (v, i) => b[i] - v));

describe("minres", () => {
  it("solves symmetric indefinite systems to rtol (‖b − Ax‖ ≤ 1e-10·(‖A‖‖x‖ + ‖b‖), checked directly)", () => {
    const lam = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.1 + i / 4));
    const a = withSpectrum(lam, 7);
    const b = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i + 1));
    const r = minres(mv(a), b, { rtol: 1e-10 });
    expect(residual(a, r.x, b)).toBeLessThanOrEqual(1e-10 * (10 * nrm2(r.x) + nrm2(b)));
    expect(Math.abs(r.residualNorm - residual(a, r.x, b))).toBeLessThanOrEqual(1e-9 * nrm2(b));
  });

  it("singular inconsistent systems: a least-squares solution (Aᵀr ≈ 0), r = the part of b outside range(A)", () => {
    const lam = Array.from({ length: 30 }, (_, i) => (i < 4 ? 0 : (i % 2 ? -1 : 1) * (1 + i)));
    const a = withSpectrum(lam, 3);
    const b = Float64Array.from({ length: 30 }, (_, i) => Math.cos(2 * i));
    const r = minres(mv(a), b, { rtol: 1e-12, maxIter: 200 });
    const res = Float64Array.from(mv(a)(r.x), (v, i) => b[i] - v);
    // ‖A r‖ relative to ‖A‖‖r‖ (‖A‖ = 30): the residual is orthogonal to the range
    expect(nrm2(mv(a)(res))).toBeLessThanOrEqual(1e-9 * 30 * nrm2(res));
    // ‖r‖ equals the norm of b's component in the kernel (from the eigenvectors)
    const { values, vectors } = eigh(a);
    let k2 = 0;
    for (let j = 0; j < 30; j++) {
      if (Math.abs(values[j]) > 1e-8) continue;
      let c = 0;
      for (let i = 0; i < 30; i++) c += vectors.data[i * 30 + j] * b[i];
      k2 += c * c;
    }
    expect(Math.abs(nrm2(res) - Math.sqrt(k2))).toBeLessThanOrEqual(1e-9);
  });

  it("b = 0 gives x = 0 in 0 iterations; maxIter bounds the products; bad input is refused by name", () => {
    const a = withSpectrum([1, 2, 3], 1);
    expect(minres(mv(a), new Float64Array(3)).iterations).toBe(0);
    let calls = 0;
    minres((v) => (calls++, mv(a)(v)), Float64Array.from([1, 2, 3]), { maxIter: 2, rtol: 0 });
    expect(calls).toBe(2);
    expect(() => minres(5 as never, [1])).toThrow(/minres: argument 'matvec'/);
    expect(() => minres(mv(a), [1, 2, Number.NaN])).toThrow(/minres: argument 'b'/);
    expect(() => minres(mv(a), [1, 2, 3], { rtol: -1 })).toThrow(/minres.*rtol/);
  });
});

describe("lanczos", () => {
  it("Ritz values lie inside the spectrum and the extreme ones converge; Ritz vectors satisfy yᵀAy = θ", () => {
    const lam = Array.from({ length: 60 }, (_, i) => (i === 0 ? -5 : -1 + (4 * i) / 59));
    const a = withSpectrum(lam, 11);
    const exact = eigvalsh(a);
    const l = lanczos(mv(a), Float64Array.from({ length: 60 }, (_, i) => 1 + Math.sin(i)), 40);
    const rp = ritzPairs(l);
    expect(rp.values[0]).toBeGreaterThanOrEqual(exact[0] - 1e-12);
    expect(rp.values[rp.values.length - 1]).toBeLessThanOrEqual(exact[59] + 1e-12);
    // 40 steps, the bottom eigenvalue −5 isolated from the rest in [−1, 3]: the smallest Ritz value to 1e-8
    expect(Math.abs(rp.values[0] - exact[0])).toBeLessThanOrEqual(1e-8);
    const y = rp.vector(0);
    expect(Math.abs(nrm2(y) - 1)).toBeLessThanOrEqual(1e-12);
    let q = 0;
    const ay = mv(a)(y);
    for (let i = 0; i < 60; i++) q += y[i] * ay[i];
    expect(Math.abs(q - rp.values[0])).toBeLessThanOrEqual(1e-12 * 5);
  });

  it("stops at an invariant subspace (A = 2I: one step)", () => {
    const a = withSpectrum([2, 2, 2, 2], 5);
    expect(lanczos(mv(a), [1, 0, 0, 0], 4).alpha.length).toBe(1);
  });
});
