// The kernel-only GEMM of the gemm and gemm-tiles suites: core's dgemm on A and B already resident in WASM memory,
// C left there — matmul less its copies of 3n² doubles in and out.
import { residentBuffer, withKernels } from "@losscape/core";
import { relaxedResident } from "./ceiling.js";
import { randomMat } from "./data.js";

/**
 * A and B (n×n, uniform in [-1, 1), seeds 1 and 2) and their resident copies: ra, rb in the SIMD build's memory and
 * relaxed.ra, relaxed.rb in the relaxed build's where it runs (a resident buffer belongs to one WASM instance).
 * Call it in a case's setup; `fn` names the suite in errors.
 */
export function residentGemmOperands(fn, n) {
  const a = randomMat(n, n, 1);
  const b = randomMat(n, n, 2);
  const [rra, rrb] = relaxedResident(fn, a.data, b.data);
  return { a, b, ra: residentBuffer(fn, "f64", a.data), rb: residentBuffer(fn, "f64", b.data), relaxed: { ra: rra, rb: rrb } };
}

/**
 * An impl's run: C = A·B by dgemm on the resident operands it is given ({ ra, rb } in the memory of the build that
 * runs it), C left in WASM memory. With `nr` (8, 10 or 12) the register tile of nr columns is forced for this call
 * and the tile in force restored after it, so other rows and suites are unaffected.
 */
export const residentGemm = (fn, n, nr) => ({ ra, rb }) =>
  withKernels(fn, (k) => {
    const product = () => k.dgemm({ ta: 0, tb: 0, m: n, n, k: n, alpha: 1, a: ra, lda: n, b: rb, ldb: n, beta: 0, ldc: n });
    if (nr === undefined) return product();
    const before = k.gemmTileCols({}).result;
    k.setGemmTile({ nr });
    try {
      return product();
    } finally {
      k.setGemmTile({ nr: before });
    }
  });
