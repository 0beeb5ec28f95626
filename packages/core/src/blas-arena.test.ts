import { beforeAll, describe, expect, it } from "vitest";
import { gemv, init, loadWasm, matmul, OutOfMemoryError, qr, setBackend, syrk } from "./index.js";
import { randomMat } from "./__tests__/matrices.js";
import { measureReservation, Reserved, reservationOn } from "./__tests__/arena.js";

// matmul, syrk and gemv copy their operands into WASM and then run one kernel whose output and workspace come after
// the copies; every kernel call allocates its copies, outputs and workspace after the operands it is given. Each
// reserves what it will allocate before the first copy, so that an input too large for wasm32's 4 GiB is refused at
// once, by name (before, matmul of two 14000 × 14000 matrices copied both in for 7.3 s and then failed with
// "matmul: needs 4.38 GiB of WASM memory", syrk at n = 17000 after 3.8 s).
// The large inputs are zero-filled Float64Arrays that nothing reads (the refusal comes first): lazily committed.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(["simd", "scalar"] as const)("WASM memory of matmul, syrk, gemv and one-shot kernels on the %s build", (build) => {
  const reservation = (f: () => unknown) => reservationOn(build, f);

  const square = (n: number) => ({ rows: n, cols: n, data: new Float64Array(n * n) });

  it("matmul: n = 13370 is an OutOfMemoryError naming matmul, 'a' and 'b' before any copy; n = 13369 gets past the reservation", async () => {
    const big = square(13370);
    const error = await reservation(() => matmul(big, big));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(
      /^matmul: arguments 'a' \(13370 × 13370\) and 'b' \(13370 × 13370\) with their product \(13370 × 13370\) needs 4\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$/,
    );
    const fits = square(13369);
    expect(await reservation(() => matmul(fits, fits))).toBeInstanceOf(Reserved);
  });

  it("syrk: n = 16374 is an OutOfMemoryError naming syrk and 'a' before any copy; n = 16373 gets past the reservation", async () => {
    const error = await reservation(() => syrk(square(16374)));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(
      /^syrk: argument 'a' \(16374 × 16374\) with its 16374 × 16374 product needs 4\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$/,
    );
    expect(await reservation(() => syrk(square(16373)))).toBeInstanceOf(Reserved);
  });

  it("gemv: a matrix beyond the arena is an OutOfMemoryError naming gemv and 'a' before its copy", async () => {
    const error = await reservation(() => gemv({ rows: 23170, cols: 23170, data: new Float64Array(23170 * 23170) }, new Float64Array(23170)));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(/^gemv: argument 'a' \(23170 × 23170\) needs 4\.00 GiB of WASM memory/);
    expect(await reservation(() => gemv(square(23169), new Float64Array(23169)))).toBeInstanceOf(Reserved);
  });

  it("a one-shot kernel reserves its copies, outputs and workspace before its first copy: qr at n = 10346 is refused there, n = 10345 gets past it", async () => {
    const error = await reservation(() => qr(square(10346)));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(/^qr: needs 4\.00 GiB of WASM memory; wasm32 can address at most 4 GiB$/);
    expect(await reservation(() => qr(square(10345)))).toBeInstanceOf(Reserved);
  });

  it("what each reserves first bounds what it allocates, over shapes, transposes and forms", async () => {
    const w = await loadWasm(build);
    setBackend(build);
    let seed = 1;
    for (const [m, k, n] of [[1, 1, 1], [7, 3, 5], [64, 64, 64], [130, 257, 9], [300, 40, 513]]) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = randomMat(transA ? k : m, transA ? m : k, seed++);
        const b = randomMat(transB ? n : k, transB ? k : n, seed++);
        const { reserved, span } = measureReservation(w, () => matmul(a, b, { transA, transB }));
        expect(reserved, `matmul ${m}×${k}×${n} ${transA} ${transB}`).toBeGreaterThanOrEqual(span);
      }
      const a = randomMat(m, n, seed++);
      for (const form of ["AtA", "AAt"] as const) {
        const { reserved, span } = measureReservation(w, () => syrk(a, { form }));
        expect(reserved, `syrk ${m}×${n} ${form}`).toBeGreaterThanOrEqual(span);
      }
      for (const trans of [false, true]) {
        const { reserved, span } = measureReservation(w, () => gemv(a, new Float64Array(trans ? m : n).fill(0.5), { trans }));
        expect(reserved, `gemv ${m}×${n} ${trans}`).toBeGreaterThanOrEqual(span);
      }
      if (m >= n) {
        const { reserved, span } = measureReservation(w, () => qr(a));
        expect(reserved, `qr ${m}×${n}`).toBeGreaterThanOrEqual(span);
      }
    }
  });
});
