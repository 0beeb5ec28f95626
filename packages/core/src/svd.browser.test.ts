import { describe, expect, it } from "vitest";
import { cholesky, init, loadWasm, matFromRows, nullspace, qr, rank, setBackend, solve, svd, type Mat } from "./index.js";
import { maxAbs } from "./__tests__/matrices.js";

// The SVD and factorisation kernels in headless Chromium (project core-browser), on both WASM builds: the same
// invariants as svd.test.ts / factor.test.ts, on a few fixed matrices. ε = 2⁻⁵²; bounds as stated there.
const EPS = 2 ** -52;

function sinMat(rows: number, cols: number, phase: number): Mat {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(1.3 * i + phase)) };
}

describe.each(["simd", "scalar"] as const)("SVD and factorisations in a browser page (%s)", (build) => {
  it("svd reconstructs tall and wide matrices with orthonormal factors; rank and nullspace agree", async () => {
    await init();
    await loadWasm(build);
    setBackend(build);
    for (const [m, n] of [[40, 25], [25, 40]]) {
      const a = sinMat(m, n, m);
      const { u, s, vt } = svd(a);
      const k = s.length;
      const d = Math.max(m, n);
      let recon = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let t = 0;
          for (let p = 0; p < k; p++) t += u.data[i * k + p] * s[p] * vt.data[p * n + j];
          recon = Math.max(recon, Math.abs(t - a.data[i * n + j]));
        }
      // Backward stability: max|A − UΣVᵀ| ≤ 10·max(m, n)·ε·σ_max.
      expect(recon).toBeLessThanOrEqual(10 * d * EPS * s[0]);
      let ortho = 0;
      for (let p = 0; p < k; p++)
        for (let q = 0; q < k; q++) {
          let uu = 0;
          let vv = 0;
          for (let i = 0; i < m; i++) uu += u.data[i * k + p] * u.data[i * k + q];
          for (let j = 0; j < n; j++) vv += vt.data[p * n + j] * vt.data[q * n + j];
          ortho = Math.max(ortho, Math.abs(uu - (p === q ? 1 : 0)), Math.abs(vv - (p === q ? 1 : 0)));
        }
      expect(ortho).toBeLessThanOrEqual(10 * d * EPS);
      // Entry (i, j) is sin(1.3·(i·n + j) + φ): every row is a combination of sin and cos of 1.3·j, so rank 2 in
      // exact arithmetic. The rounding of the arguments (up to ε·1.3·m·n ≈ 3e-13) perturbs the entries, so the
      // other σ are ≈ 5e-13 (measured in node), above the default threshold max(m, n)·ε·σ_max ≈ 1.4e-13 but far
      // below tol 1e-10 (threshold ≈ 1.6e-9), which separates them cleanly.
      expect(rank(a, { tol: 1e-10 })).toBe(2);
      expect(nullspace(a, { tol: 1e-10 }).cols).toBe(n - 2);
    }
  });

  it("solve, cholesky and qr satisfy their defining identities", async () => {
    await loadWasm(build);
    setBackend(build);
    const a = matFromRows([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);
    const x = solve(a, Float64Array.from([1, 2, 3]));
    const r = [0, 1, 2].map((i) => a.data[i * 3] * x[0] + a.data[i * 3 + 1] * x[1] + a.data[i * 3 + 2] * x[2] - (i + 1));
    // Residual ≤ 8n·ε·|A||x| (componentwise backward stability), |A||x| ≤ 5·max|x| here.
    expect(maxAbs(r)).toBeLessThanOrEqual(8 * 3 * EPS * 5 * maxAbs(x));
    const l = cholesky(a);
    const llt = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => l.data[i * 3] * l.data[j * 3] + l.data[i * 3 + 1] * l.data[j * 3 + 1] + l.data[i * 3 + 2] * l.data[j * 3 + 2]));
    expect(maxAbs(llt.map((v, i) => v - a.data[i]))).toBeLessThanOrEqual(4 * 3 * EPS * 4);
    const { q, r: R } = qr(sinMat(5, 3, 0.5));
    for (let i = 0; i < 3; i++) expect(R.data[i * 3 + i]).toBeGreaterThanOrEqual(0);
    expect(q.rows).toBe(5);
  });
});
