import { describe, expect, it } from "vitest";
import {
  eigh,
  eigvalsh,
  getGemmTile,
  init,
  kernels,
  matmul,
  peakMulAdd,
  relaxedSimdSupported,
  setBackend,
  setGemmTile,
  syrk,
  type GemmTile,
  type Mat,
} from "./index.js";

// The relaxed-SIMD build's tests, wherever the engine validates it without flags: in Chromium (project
// core-browser) and in node ≥ 22 (project core; node 20 skips them, and `npm test` runs the packages' tests under
// node 22 too when LOSSCAPE_NODE22 names one, as in CI: scripts/test-node22.js). Its results may differ from the
// strict build's in the last bits (fused multiply–adds), so it is held to stated error bounds, not to the strict
// build's bits.

/** Frobenius norm of a flat array. */
function frob(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** A test of the relaxed build: skipped where the engine does not run it (node 20). */
const relaxedIt = it.skipIf(!relaxedSimdSupported());

describe("the relaxed-SIMD build", () => {
  it("every register tile gives the same bits on each SIMD build the engine runs (relaxed included): matmul and syrk at tile edges", async () => {
    // Each tile forms every entry as the same sequence of multiply–adds (from 0 over p within each k-block), so on
    // one build the tiles agree bit for bit — on the relaxed build too, where each step is the same fused (or
    // unfused) operation whatever the tile. Shapes leave 1 column past a 2×8, 2×10 or 2×12 tile (13, 21, 25) or
    // none (120), and k spans two k-blocks (300).
    await init();
    const before = getGemmTile().tile;
    for (const build of relaxedSimdSupported() ? (["relaxed", "simd"] as const) : (["simd"] as const)) {
      setBackend(build);
      const products = (tile: GemmTile) => {
        setGemmTile(tile);
        const out: Float64Array[] = [];
        for (const [m, k, n] of [[13, 300, 21], [25, 7, 120], [120, 300, 25], [3, 9, 13]]) {
          const a: Mat = { rows: m, cols: k, data: Float64Array.from({ length: m * k }, (_, i) => Math.sin(i + m)) };
          const b: Mat = { rows: k, cols: n, data: Float64Array.from({ length: k * n }, (_, i) => Math.cos(0.7 * i + n)) };
          out.push(matmul(a, b).data, syrk(a).data, syrk(b, { form: "AAt" }).data);
        }
        return out;
      };
      const want = products("2x8");
      for (const tile of ["2x10", "2x12"] as const) {
        const got = products(tile);
        for (let i = 0; i < want.length; i++) expect(got[i], `${build}, ${tile}, product ${i}`).toEqual(want[i]);
      }
    }
    setGemmTile(before);
  });

  relaxedIt("the relaxed build's matmul and syrk agree with the strict build's within (k + 3)·ε·Σ|a||b| per entry, syrk exactly symmetric", async () => {
    // relaxed_madd fuses the micro-kernel's multiply–add where the CPU has FMA (one rounding instead of two): both
    // builds are within γₖ·Σ|aᵢₚ||bₚⱼ| of the exact inner product (Higham §3.1), so within (k + 3)·ε·Σ of each other.
    await init();
    for (const [m, k, n] of [[255, 513, 257], [64, 20, 20], [130, 300, 9]]) {
      const a: Mat = { rows: m, cols: k, data: Float64Array.from({ length: m * k }, (_, i) => Math.sin(i)) };
      const b: Mat = { rows: k, cols: n, data: Float64Array.from({ length: k * n }, (_, i) => Math.cos(0.7 * i)) };
      setBackend("simd");
      const strict = matmul(a, b).data;
      const strictGram = syrk(a).data;
      setBackend("relaxed");
      const relaxed = matmul(a, b).data;
      const relaxedGram = syrk(a).data;
      // worst |relaxed − strict| / bound over the entries (≤ 1), and the count of asymmetric Gram entries (0)
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let abs = 0;
          for (let p = 0; p < k; p++) abs += Math.abs(a.data[i * k + p] * b.data[p * n + j]);
          worst = Math.max(worst, Math.abs(relaxed[i * n + j] - strict[i * n + j]) / ((k + 3) * 2 ** -52 * abs));
        }
      }
      let asymmetric = 0;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          if (relaxedGram[i * k + j] !== relaxedGram[j * k + i]) asymmetric++;
          let abs = 0;
          for (let p = 0; p < m; p++) abs += Math.abs(a.data[p * k + i] * a.data[p * k + j]);
          worst = Math.max(worst, Math.abs(relaxedGram[i * k + j] - strictGram[i * k + j]) / ((m + 3) * 2 ** -52 * abs));
        }
      }
      expect(worst).toBeLessThanOrEqual(1);
      expect(asymmetric).toBe(0);
    }
  });

  relaxedIt("the relaxed build's eigh is backward stable: ‖AV − VΛ‖_F and ‖VᵀV − I‖_F ≤ 8·n·ε·‖A‖_F at n = 200", async () => {
    await init();
    setBackend("relaxed");
    const n = 200;
    const a: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = Math.sin(i * n + j);
    const { values, vectors } = eigh(a);
    const av = matmul(a, vectors).data;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) av[i * n + j] -= vectors.data[i * n + j] * values[j];
    const tol = 8 * n * 2 ** -52 * frob(a.data);
    expect(frob(av)).toBeLessThanOrEqual(tol);
    const vtv = syrk(vectors).data;
    for (let i = 0; i < n; i++) vtv[i * n + i] -= 1;
    expect(frob(vtv)).toBeLessThanOrEqual(8 * n * 2 ** -52);
  });

  relaxedIt("the relaxed build's eigvalsh is within 16·n·ε·‖A‖_F of the strict build's at n = 201 (Weyl)", async () => {
    // The reduction's fused pass runs on madd/nmadd, which the relaxed build fuses: each build returns the exact
    // spectrum of a matrix within its backward error (≤ 8·n·ε·‖A‖_F, as above) of A, so by Weyl's inequality the
    // sorted spectra differ by at most the sum of the two. n is odd so that the pass's single last row is covered.
    await init();
    const n = 201;
    const a: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = Math.cos(i * n + 3 * j);
    setBackend("simd");
    const strict = eigvalsh(a);
    setBackend("relaxed");
    const relaxed = eigvalsh(a);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(relaxed[i] - strict[i]));
    expect(worst).toBeLessThanOrEqual(16 * n * 2 ** -52 * frob(a.data));
  });

  relaxedIt("the relaxed build's two-stage reduction (dsytrdBand: its GEMMs fused) has the strict build's spectrum within 16·n·ε·‖A‖_F at n = 201", async () => {
    // As above (Weyl): each build's tridiagonal is an exact similarity of a matrix within its backward error of A.
    await init();
    const n = 201;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.cos(i * n + 3 * j);
    const spectrum = (build: "simd" | "relaxed") => {
      setBackend(build);
      const t = kernels.dsytrdBand("test", { n, a: a.slice() });
      return Float64Array.from(kernels.dsterfQL("test", { n, d: t.d, e: t.e }).d).sort();
    };
    const strict = spectrum("simd");
    const relaxed = spectrum("relaxed");
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(relaxed[i] - strict[i]));
    expect(worst).toBeLessThanOrEqual(16 * n * 2 ** -52 * frob(a));
  });

  relaxedIt("the relaxed build's ceiling loop does the flops asked for (48 a step)", async () => {
    await init();
    setBackend("relaxed");
    expect(peakMulAdd(48_000)).toBe(48_000);
    expect(peakMulAdd(1000, { scalar: true })).toBe(24 * 42);
  });
});
