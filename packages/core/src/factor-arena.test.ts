import { beforeAll, describe, expect, it } from "vitest";
import { cholesky, init, loadWasm, OutOfMemoryError, setBackend, solve } from "./index.js";
import type { Mat } from "./mat.js";
import { randomMat } from "./__tests__/matrices.js";
import { measureReservation, Reserved, reservationOn } from "./__tests__/arena.js";

// solve allocates P·B only after the O(n³) LU of A, and cholesky its factorisation's workspace after copying A in and
// checking it in a pass: both reserve their whole WASM need first, so a system that cannot fit in wasm32's 4 GiB is
// refused at once, by name (before, solve with a 8192 × 8192 A and an 8192 × 57344 B ran its LU for 37 s and then
// failed with "solve: needs 4.00 GiB of WASM memory"; cholesky at n = 23167 copied and checked A for 11 s first).
// The large inputs here are zero-filled Float64Arrays that nothing reads (the refusal comes first): lazily committed.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** An SPD n×n matrix: RᵀR + n·I. */
function spd(n: number, seed: number): Mat {
  const r = randomMat(n, n, seed);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let p = 0; p < n; p++) s += r.data[p * n + i] * r.data[p * n + j];
      data[i * n + j] = s;
    }
  }
  return { rows: n, cols: n, data };
}

describe.each(["simd", "scalar"] as const)("WASM memory of cholesky and solve on the %s build", (build) => {
  const reservation = (f: () => unknown) => reservationOn(build, f);

  it("solve: B that cannot fit beside A's LU is an OutOfMemoryError naming solve, 'a' and 'b' before any work; one column less gets past the reservation", async () => {
    // n = 8192: 8(n² + nk) + LU workspace fits for k ≤ 57322
    const n = 8192;
    const a = { rows: n, cols: n, data: new Float64Array(n * n) };
    const over = 57323;
    const error = await reservation(() => solve(a, { rows: n, cols: over, data: new Float64Array(n * over) }));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(
      /^solve: argument 'a' \(8192 × 8192\) with 'b' \(8192 × 57323\) needs 4\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$/,
    );
    expect(await reservation(() => solve(a, { rows: n, cols: over - 1, data: new Float64Array(n * (over - 1)) }))).toBeInstanceOf(Reserved);
    // square systems: n ≤ 16381 for an n × n B, n ≤ 23166 for a vector b
    for (const [m, k, fits] of [[16381, 16381, true], [16382, 16382, false], [23166, 1, true], [23167, 1, false]] as const) {
      const a = { rows: m, cols: m, data: new Float64Array(m * m) };
      const e = await reservation(() => (k === 1 ? solve(a, new Float64Array(m)) : solve(a, { rows: m, cols: k, data: new Float64Array(m * k) })));
      if (fits) expect(e, `n = ${m}, k = ${k}`).toBeInstanceOf(Reserved);
      else {
        expect(e, `n = ${m}, k = ${k}`).toBeInstanceOf(OutOfMemoryError);
        expect((e as Error).message).toMatch(new RegExp(`^solve: argument 'a' \\(${m} × ${m}\\) with 'b' \\(${m} × ${k}\\) needs 4\\.00 GiB of WASM memory`));
      }
    }
    // the instance stays usable
    setBackend(build);
    expect(Array.from(solve([[2, 0], [0, 4]], [2, 2]))).toEqual([1, 0.5]);
  }, 60_000);

  it("cholesky: n = 23167 is an OutOfMemoryError naming cholesky and 'a' before any work; n = 23166 gets past the reservation", async () => {
    const error = await reservation(() => cholesky({ rows: 23167, cols: 23167, data: new Float64Array(23167 * 23167) }));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(/^cholesky: argument 'a' \(23167 × 23167\) needs 4\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$/);
    expect(await reservation(() => cholesky({ rows: 23166, cols: 23166, data: new Float64Array(23166 * 23166) }))).toBeInstanceOf(Reserved);
    setBackend(build);
    expect(Array.from(cholesky([[4, 2], [2, 5]]).data)).toEqual([2, 0, 1, 2]);
  }, 60_000);

  it("what they reserve bounds what they allocate: every allocation of cholesky and solve ends within the reservation", async () => {
    setBackend(build);
    const w = await loadWasm(build);
    const measure = (f: () => unknown) => measureReservation(w, f);
    for (const n of [1, 2, 63, 64, 65, 130, 300]) {
      const a = spd(n, n);
      const c = measure(() => cholesky(a));
      expect(c.reserved, `cholesky n = ${n}`).toBeGreaterThan(0);
      expect(c.span, `cholesky n = ${n}: bytes allocated`).toBeLessThanOrEqual(c.reserved);
      for (const k of [0, 1, 3, 64, n + 7]) {
        // k = 0: a vector b
        const s = measure(() => (k === 0 ? solve(a, randomMat(n, 1, 7 * n).data) : solve(a, randomMat(n, k, 7 * n + k))));
        expect(s.reserved, `solve n = ${n}, k = ${k}`).toBeGreaterThan(0);
        expect(s.span, `solve n = ${n}, k = ${k}: bytes allocated`).toBeLessThanOrEqual(s.reserved);
      }
    }
  });
});
