import { beforeAll, describe, expect, it } from "vitest";
import { EIGH_MAX_ORDER, eigh, eigvalsh, init, loadWasm, OutOfMemoryError, setBackend } from "./index.js";
import { randomMat } from "./__tests__/matrices.js";
import { measureReservation } from "./__tests__/arena.js";

// eigh allocates as it goes: the matrix, then (after the tridiagonal reduction, O(n³)) the divide-and-conquer
// eigenvectors and their workspace, then the row-major copy it returns: five n × n matrices in all. It reserves that
// need before any work, so a matrix whose eigenvectors cannot fit in wasm32's 4 GiB is refused at once (before, at
// n = 10400, the reduction ran for about two minutes, and then the allocation failed).

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("eigh's WASM memory on the %s build", (build) => {
  it("n = EIGH_MAX_ORDER + 1 is an OutOfMemoryError naming eigh and 'a' before any work; n = EIGH_MAX_ORDER gets past the reservation", () => {
    setBackend(build);
    const over = EIGH_MAX_ORDER + 1;
    let data = new Float64Array(over * over);
    for (let i = 0; i < over; i++) for (let j = 0; j < over; j++) data[i * over + j] = ((i + j) % 7) - 3; // symmetric, nonzero
    let error: unknown;
    try {
      eigh({ rows: over, cols: over, data });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(/^eigh: argument 'a' \(10330 × 10330, with its eigenvectors\) needs 4\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$/);
    // n = EIGH_MAX_ORDER: the reservation holds, the matrix is copied in, and its NaN is then found (without the NaN
    // the decomposition would run for minutes)
    const n = EIGH_MAX_ORDER;
    data = new Float64Array(n * n);
    data[1] = NaN;
    expect(() => eigh({ rows: n, cols: n, data })).toThrow(/^eigh: argument 'a' .*NaN/);
    // the instance stays usable
    expect(Array.from(eigh({ rows: 2, cols: 2, data: Float64Array.of(2, 1, 1, 2) }).values)).toEqual([1, 3]);
  }, 60_000);

  it("what it reserves bounds what it allocates: every allocation of eigh and eigvalsh ends within the reservation", async () => {
    setBackend(build);
    const w = await loadWasm(build);
    for (const n of [1, 2, 17, 100, 257, 600]) {
      for (const f of [eigh, eigvalsh]) {
        const r = randomMat(n, n, n);
        const a = { rows: n, cols: n, data: r.data.map((x, i) => x + r.data[(i % n) * n + Math.floor(i / n)]) }; // A + Aᵀ
        const { reserved, span } = measureReservation(w, () => f(a));
        expect(reserved, `${f.name} n = ${n}`).toBeGreaterThan(0);
        expect(span, `${f.name} n = ${n}: bytes allocated`).toBeLessThanOrEqual(reserved);
      }
    }
  });

  it("and for eigvalsh's two-stage reduction (n ≥ 2048: the band workspace and the GEMM's)", async () => {
    setBackend(build);
    const w = await loadWasm(build);
    const n = 2048;
    const r = randomMat(n, n, 5);
    const a = { rows: n, cols: n, data: r.data.map((x, i) => x + r.data[(i % n) * n + Math.floor(i / n)]) };
    const { reserved, span } = measureReservation(w, () => eigvalsh(a));
    expect(span).toBeGreaterThan(8 * n * n); // A and the workspace besides it
    expect(span).toBeLessThanOrEqual(reserved);
  }, 60_000);
});
