import { describe, expect, it } from "vitest";
import { eigh, getBackend, init, loadWasm, matFromRows, matmul, relaxedSimdSupported, setBackend, syrk, type Mat } from "./index.js";

// Runs in headless Chromium (vitest browser mode, project core-browser): the loader fetches the .wasm over HTTP.
// The relaxed build's own tests are in relaxed-build.test.ts, which runs here and in node ≥ 22.

/** Frobenius norm of a flat array. */
function frob(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

describe("@losscape/core in a browser page", () => {
  it("runs in a browser, and init() picks the relaxed-SIMD build (Chromium validates it) with the strict SIMD build loaded beside it", async () => {
    expect(typeof window).toBe("object");
    expect(typeof process === "undefined" || !process.versions?.node).toBe(true);
    expect(relaxedSimdSupported()).toBe(true);
    expect(await init()).toBe("relaxed");
    expect(getBackend()).toBe("relaxed");
    expect((await loadWasm("relaxed")).build).toBe("relaxed");
    expect((await loadWasm("simd")).build).toBe("simd");
    setBackend("simd");
    expect(getBackend()).toBe("simd");
    setBackend("relaxed");
  });

  it("eigh of the 1-D Laplacian tridiag(−1, 2, −1) gives 2 − 2cos(kπ/(n+1)) with orthonormal eigenvectors", async () => {
    await init();
    const n = 6;
    const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0)));
    const a = matFromRows(rows);
    const { values, vectors } = eigh(a);
    // Closed form (ascending): λ_k = 2 − 2cos(kπ/(n+1)), k = 1…n. Tolerance 1e-13: a backward-stable
    // eigensolver gives |λ̂ − λ| ≤ c·n·ε·‖A‖₂ with ‖A‖₂ < 4, ε = 2.2e-16.
    for (let k = 1; k <= n; k++) expect(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(1e-13);
    // ‖AV − VΛ‖_F ≤ 1e-13 and ‖VᵀV − I‖_F ≤ 1e-13 (same backward-error bound, n = 6).
    const av = matmul(a, vectors).data;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) av[i * n + j] -= vectors.data[i * n + j] * values[j];
    expect(frob(av)).toBeLessThan(1e-13);
    const vtv = syrk(vectors).data;
    for (let i = 0; i < n; i++) vtv[i * n + i] -= 1;
    expect(frob(vtv)).toBeLessThan(1e-13);
  });

  it("matmul matches a hand-computed product and a naive loop on ragged sizes", async () => {
    await init();
    expect(Array.from(matmul(matFromRows([[1, 2], [3, 4]]), matFromRows([[5, 6], [7, 8]])).data)).toEqual([19, 22, 43, 50]);
    const m = 33;
    const k = 17;
    const n = 9;
    const a: Mat = { rows: m, cols: k, data: Float64Array.from({ length: m * k }, (_, i) => Math.sin(i)) };
    const b: Mat = { rows: k, cols: n, data: Float64Array.from({ length: k * n }, (_, i) => Math.cos(i)) };
    const c = matmul(a, b);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          s += a.data[i * k + p] * b.data[p * n + j];
          abs += Math.abs(a.data[i * k + p] * b.data[p * n + j]);
        }
        // Two summation orders of a length-k inner product differ by at most k·ε·Σ|aᵢₚbₚⱼ| (Higham §3.1).
        expect(Math.abs(c.data[i * n + j] - s)).toBeLessThanOrEqual((k + 1) * 2 ** -52 * abs);
      }
    }
  });
});
