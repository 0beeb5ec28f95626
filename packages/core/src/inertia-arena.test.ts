import { beforeAll, describe, expect, it } from "vitest";
import { eigvalsh, inertia, init, loadWasm, OutOfMemoryError, setBackend } from "./index.js";
import { Reserved, throughReservation } from "./__tests__/arena.js";

// inertia computes eigvalsh's eigenvalues, so it shares its reservation (one n × n matrix and O(n) vectors, made
// before any work): n ≤ 23164 fit in wasm32's 4 GiB (the README's limit; n² alone would allow 23170). The matrices
// are zero-filled Float64Arrays that nothing reads (the reservation comes first): lazily committed.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("the largest input of eigvalsh and inertia on the %s build", (build) => {
  it("n = 23165 is an OutOfMemoryError naming the function and 'a' before any work; n = 23164 gets past the reservation", async () => {
    const w = await loadWasm(build);
    setBackend(build);
    for (const f of [eigvalsh, inertia]) {
      expect(() => throughReservation(w, () => f({ rows: 23165, cols: 23165, data: new Float64Array(23165 * 23165) }))).toThrow(
        new RegExp(`^${f.name}: argument 'a' \\(23165 × 23165\\) needs 4\\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$`),
      );
      expect(() => throughReservation(w, () => f({ rows: 23165, cols: 23165, data: new Float64Array(23165 * 23165) }))).toThrow(OutOfMemoryError);
      expect(() => throughReservation(w, () => f({ rows: 23164, cols: 23164, data: new Float64Array(23164 * 23164) }))).toThrow(Reserved);
    }
    expect(inertia([[1, 0], [0, -1]])).toMatchObject({ negative: 1, zero: 0, positive: 1 });
  }, 60_000);
});
