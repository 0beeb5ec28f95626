import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BACKENDS,
  OutOfMemoryError,
  ShapeError,
  ValueError,
  gemv,
  init,
  loadWasm,
  mat,
  matFromRows,
  kernels,
  matmul,
  setBackend,
  setGemmBlocking,
  setGemmTile,
  withKernels,
  syrk,
  transpose,
  type BackendName,
  type Mat,
} from "./index.js";
import { randomMat } from "./__tests__/matrices.js";

// Tolerance used throughout. Each entry of a product is an inner product of length k; computed in any order its
// rounding error is at most γₖ·Σ|aᵢₚ||bₚⱼ| with γₖ ≈ k·u, u = 2⁻⁵³ (Higham, Accuracy and Stability of Numerical
// Algorithms, 2nd ed., §3.1). The kernel and the naive reference below sum in different orders (packed k-blocks,
// SIMD lanes), so they may differ by twice that, k·ε with ε = 2⁻⁵²; two more roundings come from the α and β
// multiplications and the final addition. Hence per entry:
//   |C − C_ref| ≤ (k + 3)·ε·(|α|·Σₚ|aᵢₚ||bₚⱼ| + |β|·|cᵢⱼ|).
const EPS = 2 ** -52;

/** Sizes that hit every edge of the 2×8 register tile and the kc = 256 / mc = 128 cache blocks. */
const SIZES = [1, 2, 3, 7, 8, 9, 15, 17, 33, 129, 257];

function get(a: Mat, i: number, j: number, trans: boolean): number {
  return trans ? a.data[j * a.cols + i] : a.data[i * a.cols + j];
}

/** Naive triple loop C = α·op(A)·op(B) + β·C0, and the per-entry error bound above. */
function reference(a: Mat, b: Mat, ta: boolean, tb: boolean, alpha: number, beta = 0, c0?: Mat) {
  const m = ta ? a.cols : a.rows;
  const k = ta ? a.rows : a.cols;
  const n = tb ? b.rows : b.cols;
  const c = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const x = get(a, i, p, ta) * get(b, p, j, tb);
        s += x;
        abs += Math.abs(x);
      }
      const cij = c0 ? c0.data[i * n + j] : 0;
      c[i * n + j] = alpha * s + beta * cij;
      bound[i * n + j] = (k + 3) * EPS * (Math.abs(alpha) * abs + Math.abs(beta * cij));
    }
  }
  return { c, bound, m, n, k };
}

/** Largest |got − want| / bound over all entries (≤ 1 passes); reports the worst entry on failure. */
function expectWithin(got: ArrayLike<number>, want: Float64Array, bound: Float64Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= bound[i])) {
      expect.fail(`entry ${i}: got ${got[i]}, want ${want[i]}, |diff| = ${err} > bound ${bound[i]}`);
    }
  }
}

const size = fc.constantFrom(...SIZES);
const shapeArb = fc.record({
  m: size,
  n: size,
  k: size,
  ta: fc.boolean(),
  tb: fc.boolean(),
  alpha: fc.constantFrom(1, -1, 0.5, 2.75, -3.1),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("BLAS on the %s backend", (backend: BackendName) => {
  beforeEach(() => setBackend(backend));

  it("matmul of a hand-computed 2×2 product is exact", () => {
    const c = matmul(matFromRows([[1, 2], [3, 4]]), matFromRows([[5, 6], [7, 8]]));
    expect(Array.from(c.data)).toEqual([19, 22, 43, 50]);
    const ct = matmul(matFromRows([[1, 2], [3, 4]]), matFromRows([[5, 6], [7, 8]]), { transA: true, transB: true });
    // AᵀBᵀ = (BA)ᵀ: BA = [[23, 34], [31, 46]].
    expect(Array.from(ct.data)).toEqual([23, 31, 34, 46]);
  });

  it("matmul matches the naive product for random shapes, all transposes and α (fast-check)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, k, ta, tb, alpha, seed }) => {
        const a = ta ? randomMat(k, m, seed) : randomMat(m, k, seed);
        const b = tb ? randomMat(n, k, seed + 1) : randomMat(k, n, seed + 1);
        const got = matmul(a, b, { transA: ta, transB: tb, alpha });
        const ref = reference(a, b, ta, tb, alpha);
        expect([got.rows, got.cols]).toEqual([m, n]);
        expectWithin(got.data, ref.c, ref.bound);
      }),
      { seed: 20261124, numRuns: 40 },
    );
  });

  it("matmul crosses the nc = 1024 column block (n = 1030) in every transpose combination", () => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = ta ? randomMat(5, 3, 11) : randomMat(3, 5, 11);
        const b = tb ? randomMat(1030, 5, 12) : randomMat(5, 1030, 12);
        const ref = reference(a, b, ta, tb, 1);
        expectWithin(matmul(a, b, { transA: ta, transB: tb }).data, ref.c, ref.bound);
      }
    }
  });

  it("syrk AᵀA and AAᵀ match the naive products and are exactly symmetric (fast-check)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, alpha, seed }) => {
        const a = randomMat(m, n, seed);
        for (const form of ["AtA", "AAt"] as const) {
          const got = syrk(a, { form, alpha });
          const ref = form === "AtA" ? reference(a, a, true, false, alpha) : reference(a, a, false, true, alpha);
          expect([got.rows, got.cols]).toEqual([ref.m, ref.n]);
          expectWithin(got.data, ref.c, ref.bound);
          const d = got.rows;
          for (let i = 0; i < d; i++) {
            for (let j = 0; j < i; j++) {
              // Exact symmetry: the same double on both sides of the diagonal.
              if (!Object.is(got.data[i * d + j], got.data[j * d + i])) {
                expect.fail(`${form} not symmetric at (${i}, ${j}): ${got.data[i * d + j]} vs ${got.data[j * d + i]}`);
              }
            }
          }
        }
      }),
      { seed: 424242, numRuns: 30 },
    );
  });

  it("gemv matches the naive product in both orientations (fast-check)", () => {
    fc.assert(
      fc.property(shapeArb, ({ m, n, ta, alpha, seed }) => {
        const a = randomMat(m, n, seed);
        const x = randomMat(ta ? m : n, 1, seed + 7);
        const got = gemv(a, x.data, { trans: ta, alpha });
        const ref = reference(a, x, ta, false, alpha);
        expectWithin(got, ref.c, ref.bound);
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it("gemv accepts a plain array for x", () => {
    expect(Array.from(gemv(matFromRows([[1, 2], [3, 4]]), [1, 1]))).toEqual([3, 7]);
    expect(Array.from(gemv(matFromRows([[1, 2], [3, 4]]), [1, 1], { trans: true }))).toEqual([4, 6]);
  });

  it("with `out`, write the allocating call's bits into it and return it (every entry overwritten)", () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 7, 9], [17, 33, 8], [129, 40, 257]]) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = ta ? randomMat(k, m, m + n) : randomMat(m, k, m + n);
        const b = tb ? randomMat(n, k, m + n + 1) : randomMat(k, n, m + n + 1);
        const options = { transA: ta, transB: tb, alpha: -1.75 };
        const out = mat(m, n, new Float64Array(m * n).fill(NaN));
        expect(matmul(a, b, { ...options, out })).toBe(out);
        expect(out.data).toEqual(matmul(a, b, options).data);
      }
      const a = randomMat(m, n, k);
      for (const form of ["AtA", "AAt"] as const) {
        const d = form === "AtA" ? n : m;
        const out = mat(d, d, new Float64Array(d * d).fill(NaN));
        expect(syrk(a, { form, alpha: 0.5, out })).toBe(out);
        expect(out.data).toEqual(syrk(a, { form, alpha: 0.5 }).data);
      }
      for (const trans of [false, true]) {
        const x = randomMat(trans ? m : n, 1, k + 1).data;
        const out = new Float64Array(trans ? n : m).fill(NaN);
        expect(gemv(a, x, { trans, alpha: 3, out })).toBe(out);
        expect(out).toEqual(gemv(a, x, { trans, alpha: 3 }));
      }
    }
  });

  it("with `out` aliasing an input, give the same bits as without (inputs are copied before the product)", () => {
    const n = 37;
    const fresh = (): [Mat, Mat] => [randomMat(n, n, 61), randomMat(n, n, 62)];
    let [a, b] = fresh();
    const ab = matmul(a, b, { transA: true }).data;
    expect(matmul(a, b, { transA: true, out: a })).toBe(a);
    expect(a.data).toEqual(ab);
    [a, b] = fresh();
    expect(matmul(a, b, { transB: true, out: b }).data).toEqual(matmul(...fresh(), { transB: true }).data);
    [a] = fresh();
    const a2 = matmul(a, a).data;
    expect(matmul(a, a, { out: a }).data).toEqual(a2); // both operands and the result share one array
    [a] = fresh();
    const aat = syrk(a, { form: "AAt" }).data;
    expect(syrk(a, { form: "AAt", out: a }).data).toEqual(aat);
    [a] = fresh();
    const x = randomMat(n, 1, 63).data;
    const ax = gemv(a, x, { trans: true });
    expect(gemv(a, x, { trans: true, out: x })).toBe(x);
    expect(x).toEqual(ax);
  });

  it("refuse an `out` of the wrong shape or type with a ShapeError naming it, before any work, leaving it untouched", () => {
    const a = randomMat(2, 3, 71);
    const b = randomMat(3, 4, 72);
    const want = (fn: string, r: number, c: number) => `^${fn}: argument 'out' must be a ${r}×${c} Mat \\{rows, cols, data: Float64Array of ${r * c}\\}; found `;
    const bad: [unknown, string][] = [
      [mat(4, 2, new Float64Array(8).fill(5)), "4×2 with data of 8"],
      [mat(2, 5, new Float64Array(10).fill(5)), "2×5 with data of 10"],
      [{ rows: 2, cols: 4, data: new Float64Array(9).fill(5) }, "2×4 with data of 9"],
      [{ rows: 2, cols: 4, data: new Float32Array(8).fill(5) }, "data of type Float32Array"],
      [[[5, 5, 5, 5], [5, 5, 5, 5]], "an array of length 2"],
      [new Float64Array(8).fill(5), "Float64Array"],
      [null, "null"],
      ["c", "string"],
    ];
    for (const [out, found] of bad) {
      const before = JSON.stringify(out);
      expect(() => matmul(a, b, { out: out as Mat })).toThrowError(ShapeError);
      expect(() => matmul(a, b, { out: out as Mat })).toThrowError(new RegExp(want("matmul", 2, 4) + found + "$"));
      expect(() => syrk(b, { form: "AAt", out: out as Mat })).toThrowError(new RegExp(want("syrk", 3, 3)));
      expect(JSON.stringify(out)).toBe(before);
    }
    expect(() => syrk(b, { out: mat(3, 3) })).toThrowError(new RegExp(want("syrk", 4, 4) + "3×3 with data of 9"));
    // a bad input with a good `out`: the error comes before anything is written
    const out = mat(2, 4, new Float64Array(8).fill(5));
    expect(() => matmul(matFromRows([[1, 2, NaN], [4, 5, 6]]), b, { out })).toThrowError(ValueError);
    expect(() => matmul(a, b, { alpha: Infinity, out })).toThrowError(ValueError);
    expect(() => matmul(a, mat(4, 4), { out })).toThrowError(/^matmul: inner dimensions differ/);
    expect(Array.from(out.data)).toEqual(new Array(8).fill(5));
    const y = new Float64Array(2).fill(5);
    expect(() => gemv(a, [1, 2, 3], { out: new Float64Array(3) })).toThrowError(/^gemv: argument 'out' must be a Float64Array of 2 values; found 3$/);
    expect(() => gemv(a, [1, 2, 3], { out: new Float32Array(2) as never })).toThrowError(/^gemv: argument 'out' must be a Float64Array of 2 values; found Float32Array$/);
    expect(() => gemv(a, [1, 2, 3], { out: [0, 0] as never })).toThrowError(ShapeError);
    expect(() => gemv(a, [1, NaN, 3], { out: y })).toThrowError(ValueError);
    expect(Array.from(y)).toEqual([5, 5]);
  });

  it("rejects mismatched shapes with a ShapeError naming the function and both shapes", () => {
    const a = mat(2, 3);
    const b = mat(4, 5);
    expect(() => matmul(a, b)).toThrowError(ShapeError);
    expect(() => matmul(a, b)).toThrowError(/^matmul: inner dimensions differ: op\(a\) is 2×3 .*op\(b\) is 4×5/);
    expect(() => matmul(a, mat(2, 5), { transA: true })).not.toThrow();
    expect(() => gemv(a, [1, 2])).toThrowError(/^gemv: argument 'x' must have length 3; found 2/);
    expect(() => gemv(a, [1, 2, 3], { trans: true })).toThrowError(ShapeError);
  });

  it("rejects NaN and ±∞ entries with a ValueError giving the position", () => {
    const a = matFromRows([[1, 2], [3, NaN]]);
    expect(() => matmul(a, mat(2, 2))).toThrowError(ValueError);
    expect(() => matmul(a, mat(2, 2))).toThrowError(/^matmul: argument 'a' must be finite; found NaN at \(1, 1\)/);
    expect(() => syrk(matFromRows([[Infinity]]))).toThrowError(/^syrk: argument 'a' must be finite; found Infinity/);
    expect(() => gemv(mat(1, 2), [1, NaN])).toThrowError(/^gemv: argument 'x' must be finite; found NaN at \[1\]/);
    expect(() => matmul(mat(1, 1), mat(1, 1), { alpha: NaN })).toThrowError(/^matmul: 'alpha' must be a finite number/);
  });

  it("finds the first NaN or ±∞ wherever it lies (the scan's 256-entry blocks, their SIMD pairs, the tail)", () => {
    // 37×29 = 1073 entries: four full blocks of 256 and a tail of 49 (odd, so the last pair is incomplete)
    const clean = randomMat(37, 29, 3);
    const b = randomMat(29, 5, 4);
    for (const k of [0, 1, 254, 255, 256, 700, 1023, 1024, 1071, 1072]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const a = { rows: 37, cols: 29, data: clean.data.slice() };
        a.data[k] = bad;
        if (k + 3 < a.data.length) a.data[k + 3] = NaN; // a later one is not the one reported
        const at = `\\(${Math.floor(k / 29)}, ${k % 29}\\)`;
        expect(() => matmul(a, b)).toThrowError(new RegExp(`^matmul: argument 'a' must be finite; found ${bad} at ${at}`));
        expect(() => matmul(b, a, { transA: true, transB: true })).toThrowError(new RegExp(`^matmul: argument 'b' must be finite; found ${bad} at ${at}`));
        expect(() => syrk(a, { form: "AAt" })).toThrowError(new RegExp(`^syrk: argument 'a' must be finite; found ${bad} at ${at}`));
        expect(() => gemv(a, b.data.subarray(0, 29))).toThrowError(new RegExp(`^gemv: argument 'a' must be finite; found ${bad} at ${at}`));
      }
    }
    expect(matmul(clean, b).data.every(Number.isFinite)).toBe(true);
  });

  it("syrk finds a NaN or ±∞ at every position of A, with either form and α = 1, −1, 0, and leaves `out` untouched", () => {
    // The WASM syrk decides A's finiteness from C's diagonal (cⱼⱼ = α·Σₚ aₚⱼ², or Σₚ aⱼₚ²): every entry must reach it.
    const clean = randomMat(13, 11, 9);
    const bads = [NaN, Infinity, -Infinity];
    for (const form of ["AtA", "AAt"] as const) {
      const n = form === "AtA" ? 11 : 13;
      for (const alpha of [1, -1, 0]) {
        for (let k = 0; k < clean.data.length; k++) {
          const bad = bads[k % 3];
          const a = { rows: 13, cols: 11, data: clean.data.slice() };
          a.data[k] = bad;
          const out = mat(n, n);
          out.data.fill(7);
          expect(() => syrk(a, { form, alpha, out })).toThrowError(
            new RegExp(`^syrk: argument 'a' must be finite; found ${bad} at \\(${Math.floor(k / 11)}, ${k % 11}\\)`),
          );
          expect(out.data.every((x) => x === 7)).toBe(true);
        }
      }
    }
  });

  it("matmul finds a NaN or ±∞ at every position of A and of B, transposed or not, with α = 1, −1, 0, and leaves `out` untouched", () => {
    // C 9×8 has fewer entries than A and B (finiteness read off C), C 9×9 from a 9×2 by 2×9 has more (A and B scanned
    // first). Row 3 of B and column 1 of A are zero, so an ∞ there meets 0 (∞·0 = NaN).
    const bads = [NaN, Infinity, -Infinity];
    for (const [m, k, n] of [[9, 7, 8], [9, 2, 9]]) {
      const cleanA = randomMat(m, k, 5);
      const cleanB = randomMat(k, n, 6);
      for (let i = 0; i < m; i++) cleanA.data[i * k + (1 % k)] = 0;
      cleanB.data.fill(0, (k - 1) * n, k * n);
      for (const alpha of [1, -1, 0]) {
        for (const [which, clean] of [["a", cleanA], ["b", cleanB]] as const) {
          for (let e = 0; e < clean.data.length; e++) {
            const bad = bads[e % 3];
            const x = { rows: clean.rows, cols: clean.cols, data: clean.data.slice() };
            x.data[e] = bad;
            const [a, b] = which === "a" ? [x, cleanB] : [cleanA, x];
            const message = new RegExp(`^matmul: argument '${which}' must be finite; found ${bad} at \\(${Math.floor(e / clean.cols)}, ${e % clean.cols}\\)`);
            const out = mat(m, n);
            out.data.fill(7);
            expect(() => matmul(a, b, { alpha, out })).toThrowError(message);
            expect(out.data.every((v) => v === 7)).toBe(true);
            // the same operands transposed: op(A) = (Aᵀ)ᵀ
            const t = (y: Mat) => transpose(y);
            const message2 = new RegExp(`^matmul: argument '${which}' must be finite; found ${bad} at \\(${e % clean.cols}, ${Math.floor(e / clean.cols)}\\)`);
            expect(() => matmul(t(a), t(b), { alpha, transA: true, transB: true })).toThrowError(message2);
          }
        }
      }
    }
  });

  it("gemv finds a NaN or ±∞ at every position of A, with and without trans, α = 1, −1, 0, and leaves `out` untouched", () => {
    // The WASM gemv reads A's finiteness off y; x has zeros so that an ∞ meets 0 (∞·0 = NaN).
    const clean = randomMat(7, 5, 8);
    const bads = [NaN, Infinity, -Infinity];
    for (const trans of [false, true]) {
      const x = Float64Array.from({ length: trans ? 7 : 5 }, (_, i) => (i % 2 === 0 ? 0 : i - 2.5));
      for (const alpha of [1, -1, 0]) {
        for (let e = 0; e < clean.data.length; e++) {
          const bad = bads[e % 3];
          const a = { rows: 7, cols: 5, data: clean.data.slice() };
          a.data[e] = bad;
          const out = new Float64Array(trans ? 5 : 7).fill(7);
          expect(() => gemv(a, x, { trans, alpha, out })).toThrowError(
            new RegExp(`^gemv: argument 'a' must be finite; found ${bad} at \\(${Math.floor(e / 5)}, ${e % 5}\\)`),
          );
          expect(out.every((v) => v === 7)).toBe(true);
        }
      }
    }
    // finite entries whose products overflow give ∞ without an error
    expect(Array.from(gemv(matFromRows([[1e200, 1], [2, 3]]), [1e200, 1]))).toEqual([Infinity, 2e200 + 3]);
  });

  it("matmul of finite entries whose products overflow gives ∞ without an error", () => {
    const c = matmul(matFromRows([[1e200, 1], [2, 3]]), matFromRows([[1e200, 0], [0, 1]])).data;
    expect([c[0], c[1], c[2], c[3]]).toEqual([Infinity, 1, 2e200, 3]);
  });

  it("syrk of finite entries whose squares overflow gives ∞ without an error, as matmul does", () => {
    const a = matFromRows([[1e200, 1], [2, 3]]);
    const c = syrk(a).data; // c₀₀ = 1e400 + 4 overflows; c₀₁ = 1e200 + 6
    expect(c[0]).toBe(Infinity);
    expect([c[1], c[2], c[3]]).toEqual([1e200, 1e200, 10]);
    expect(syrk(a, { form: "AAt" }).data[0]).toBe(Infinity);
  });

  it("rejects empty matrices and non-Mat arguments with a ShapeError", () => {
    expect(() => matmul(mat(0, 3), mat(3, 2))).toThrowError(/^matmul: argument 'a' must have integer dimensions ≥ 1; found 0×3/);
    expect(() => syrk(mat(2, 0))).toThrowError(ShapeError);
    expect(() => matmul("[[1]]" as never, mat(1, 1))).toThrowError(/^matmul: argument 'a' must be a Mat \{rows, cols, data: Float64Array\} or an array of rows of numbers; found string/);
    expect(matmul([[2]], mat(1, 1, [3])).data).toEqual(Float64Array.from([6])); // rows are a matrix too (plain-arrays.test.ts)
    expect(() => gemv({ rows: 1, cols: 2, data: new Float64Array(3) }, [1, 2])).toThrowError(
      /^gemv: argument 'a' \(1×2\) needs data of length 2; found 3/,
    );
    expect(() => syrk(mat(2, 2), { form: "AB" as never })).toThrowError(/^syrk: 'form' must be 'AtA' or 'AAt'; found AB/);
  });
});

describe.each(["simd", "scalar"] as const)("BLAS kernels with β on the %s build", (build) => {
  beforeEach(() => setBackend(build));

  it("dgemm computes α·op(A)·op(B) + β·C (fast-check)", async () => {
    const cases = fc.sample(fc.tuple(shapeArb, fc.constantFrom(0.5, -2, 1)), { seed: 99, numRuns: 25 });
    for (const [{ m, n, k, ta, tb, alpha, seed }, beta] of cases) {
      const a = ta ? randomMat(k, m, seed) : randomMat(m, k, seed);
      const b = tb ? randomMat(n, k, seed + 1) : randomMat(k, n, seed + 1);
      const c0 = randomMat(m, n, seed + 2);
      const { c } = kernels.dgemm("test", {
        ta: ta ? 1 : 0, tb: tb ? 1 : 0, m, n, k, alpha, a: a.data, lda: a.cols, b: b.data, ldb: b.cols, beta, c: c0.data, ldc: n,
      });
      const ref = reference(a, b, ta, tb, alpha, beta, c0);
      expectWithin(c, ref.c, ref.bound);
    }
  });

  it("dgemm honours leading dimensions larger than the row length and leaves the padding untouched", async () => {
    // Submatrix calls (as eigen.ts and mlp.ts make): every operand lives in a wider buffer.
    const cases = fc.sample(shapeArb, { seed: 5150, numRuns: 12 });
    for (const { m, n, k, ta, tb, alpha, seed } of cases) {
      const [ar, ac] = ta ? [k, m] : [m, k];
      const [br, bc] = tb ? [n, k] : [k, n];
      const lda = ac + 3;
      const ldb = bc + 1;
      const ldc = n + 2;
      const a = randomMat(ar, ac, seed);
      const b = randomMat(br, bc, seed + 1);
      const c0 = randomMat(m, n, seed + 2);
      const pad = (x: Mat, ld: number) => {
        const d = new Float64Array(x.rows * ld).fill(-777);
        for (let i = 0; i < x.rows; i++) d.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * ld);
        return d;
      };
      // C's whole padded buffer (m·ldc values, the last row's padding included) stays in the session to be read back.
      const c = withKernels("test", (s) => {
        const cb = s.put(pad(c0, ldc));
        s.dgemm({ ta: ta ? 1 : 0, tb: tb ? 1 : 0, m, n, k, alpha, a: pad(a, lda), lda, b: pad(b, ldb), ldb, beta: 0.5, c: cb, ldc });
        return s.read(cb);
      });
      const got = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        got.set(c.subarray(i * ldc, i * ldc + n), i * n);
        for (let j = n; j < ldc; j++) expect(c[i * ldc + j]).toBe(-777);
      }
      const ref = reference(a, b, ta, tb, alpha, 0.5, c0);
      expectWithin(got, ref.c, ref.bound);
    }
  });

  it("β = 0 never reads C: NaN already in C does not leak into the result", async () => {
    const a = randomMat(9, 17, 3);
    const b = randomMat(17, 10, 4);
    const { c } = kernels.dgemm("test", {
      ta: 0, tb: 0, m: 9, n: 10, k: 17, alpha: 1, a: a.data, lda: 17, b: b.data, ldb: 10, beta: 0, c: new Float64Array(90).fill(NaN), ldc: 10,
    });
    expect(c.every(Number.isFinite)).toBe(true);
    const { y } = kernels.dgemv("test", {
      trans: 1, m: 9, n: 17, alpha: 1, a: a.data, lda: 17, x: randomMat(9, 1, 5).data, beta: 0, y: new Float64Array(17).fill(NaN),
    });
    expect(y.every(Number.isFinite)).toBe(true);
  });

  it("dgemm's small-product path (SIMD build: A·Bᵀ with n, k ≤ 64) gives the scalar build's bits, with strides, α and β", async () => {
    // The same sums in the same order as the blocked path; shapes hit every panel width (8, 4, 2, 1 and their
    // remainders), odd m (the last single row), n and k at and beyond 64 (65 takes the blocked path).
    const dims = [1, 2, 3, 7, 9, 13, 20, 31, 64, 65];
    let seed = 400;
    for (const m of [1, 2, 5, 33]) {
      for (const n of dims) {
        const k = dims[seed % dims.length];
        const t = (seed - 400) / 3;
        const alpha = [1, 0.7, -2][t % 3];
        const beta = [0, 1, 0.5][Math.floor(t / 3) % 3];
        const [lda, ldb, ldc] = [k + (seed % 2), k + (seed % 3), n + (seed % 4 === 0 ? 1 : 0)];
        const a = randomMat(m, lda, seed);
        const b = randomMat(n, ldb, seed + 1);
        const c0 = randomMat(m, ldc, seed + 2);
        if (beta === 0) c0.data.fill(NaN); // β = 0 never reads C
        const results = [];
        for (const backend of ["simd", "scalar"] as const) {
          setBackend(backend);
          const { c } = kernels.dgemm("test", { ta: 0, tb: 1, m, n, k, alpha, a: a.data, lda, b: b.data, ldb, beta, c: c0.data, ldc });
          results.push(Array.from(c));
        }
        expect(results[0], `m ${m}, n ${n}, k ${k}, α ${alpha}, β ${beta}`).toEqual(results[1]);
        if (beta === 0) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(Number.isFinite(results[0][i * ldc + j])).toBe(true);
        seed += 3;
      }
    }
    setBackend(build);
  });

  it("dsyrk computes α·AᵀA + β·C from C's lower triangle and stays exactly symmetric", async () => {
    for (const [m, n] of [[7, 9], [33, 17], [129, 8]]) {
      for (const ata of [1, 0]) {
        const a = randomMat(m, n, m * n + ata);
        const d = ata ? n : m;
        const c0 = syrk(randomMat(d, 3, 77), { form: "AAt" }); // a symmetric d×d C
        const alpha = -1.5;
        const beta = 0.25;
        const { c } = kernels.dsyrk("test", { ata, m, n, alpha, a: a.data, lda: n, beta, c: c0.data, ldc: d });
        const ref = ata ? reference(a, a, true, false, alpha, beta, c0) : reference(a, a, false, true, alpha, beta, c0);
        expectWithin(c, ref.c, ref.bound);
        for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(c[i * d + j]).toBe(c[j * d + i]);
      }
    }
  });

  it("dsyrk mirrors the lower triangle exactly for every order around the tiles, diagonal blocks and row pairs, with ldc > d", () => {
    // β ≠ 0 with a C whose strict upper triangle is garbage: only the mirror makes the result symmetric (with β = 0
    // the diagonal tiles' own entries above the diagonal are already the mirrored sums: aₚᵢaₚⱼ = aₚⱼaₚᵢ, same order).
    // Orders odd and even, below, at and past one and two 8- and 16-row blocks; the padding past column d stays
    // untouched.
    for (const d of [1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 50]) {
      for (const ata of [1, 0]) {
        const k = 11;
        const a = ata ? randomMat(k, d, d) : randomMat(d, k, d);
        const [m, n] = ata ? [k, d] : [d, k];
        const lower = randomMat(d, d, d + 1);
        const cIn = (ldc: number) => {
          const c = new Float64Array(d * ldc).fill(-777);
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * ldc + j] = j <= i ? lower.data[i * d + j] : 1e300;
          return c;
        };
        const args = { ata, m, n, alpha: 0.75, a: a.data, lda: n, beta: -0.5 };
        const dense = kernels.dsyrk("test", { ...args, c: cIn(d), ldc: d }).c;
        const ldc = d + 3;
        const padded = kernels.dsyrk("test", { ...args, c: cIn(ldc), ldc }).c;
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            expect(Object.is(dense[i * d + j], dense[j * d + i]), `d ${d}, (${i}, ${j})`).toBe(true);
            expect(padded[i * ldc + j]).toBe(dense[i * d + j]);
          }
          if (i < d - 1) for (let j = d; j < ldc; j++) expect(padded[i * ldc + j]).toBe(-777); // C ends at (d − 1, d − 1)
        }
      }
    }
  });

  it("syrk's lower triangle holds the bits of matmul(a, a, { transA: true }) (AᵀA) and matmul(a, a, { transB: true }) (AAᵀ)", () => {
    for (const [m, n] of [[300, 21], [9, 70], [40, 40], [513, 19]]) {
      const a = randomMat(m, n, m + n);
      for (const alpha of [1, -0.75]) {
        for (const [form, d, product] of [
          ["AtA", n, matmul(a, a, { transA: true, alpha }).data],
          ["AAt", m, matmul(a, a, { transB: true, alpha }).data],
        ] as const) {
          const c = syrk(a, { form, alpha }).data;
          for (let i = 0; i < d; i++) {
            for (let j = 0; j <= i; j++) if (!Object.is(c[i * d + j], product[i * d + j])) expect.fail(`${form} ${m}×${n}, α ${alpha}: C[${i}, ${j}]`);
          }
        }
      }
    }
  });

  it("dsyrk with k = 0 gives β·C mirrored from its lower triangle (zeros for β = 0, even over NaN)", () => {
    const c = new Float64Array([1, 2, 3, 4]);
    expect(Array.from(kernels.dsyrk("test", { ata: 1, m: 0, n: 2, alpha: 1, a: new Float64Array(0), lda: 2, beta: 2, c, ldc: 2 }).c)).toEqual([2, 6, 6, 8]);
    const nan = new Float64Array(4).fill(NaN);
    expect(Array.from(kernels.dsyrk("test", { ata: 0, m: 2, n: 0, alpha: 1, a: new Float64Array(0), lda: 0, beta: 0, c: nan, ldc: 2 }).c)).toEqual([0, 0, 0, 0]);
  });

  it("dsyrk's lower triangle holds dgemm's bits for op(A)·op(B) = AᵀA or AAᵀ: every tile, block and diagonal edge", () => {
    // The same sums in the same order as the general product (from 0 over p within each kc = 256 block, then
    // C + α·sum): orders around the 2×8, 2×10 and 2×12 tiles and their diagonal blocks (odd, below, at and past 8,
    // 10 and 12, not multiples of any), k over one and two k-blocks, β = 0 and β ≠ 0, AᵀA and AAᵀ, nc < d (the packed
    // column block does not hold every row) and mc not a multiple of the tile.
    const orders = [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 19, 20, 21, 22, 23, 25, 29, 31, 37, 40, 41, 63, 70];
    for (const tile of ["2x8", "2x10", "2x12"] as const) {
      setGemmTile(tile);
      for (const blocking of [{ mc: 128, nc: 1024 }, { mc: 6, nc: 16 }, { mc: 14, nc: 40 }, { mc: 2, nc: 8 }]) {
        setGemmBlocking(blocking);
        for (const d of orders) {
          for (const k of [1, 7, 300]) {
            for (const ata of [1, 0]) {
              for (const beta of [0, -0.5]) {
                const a = ata ? randomMat(k, d, d * k + ata) : randomMat(d, k, d * k + ata);
                const [m, n] = ata ? [k, d] : [d, k];
                const c0 = randomMat(d, d, d + 2 * k).data;
                const alpha = 1.25;
                const syr = kernels.dsyrk("test", { ata, m, n, alpha, a: a.data, lda: n, beta, c: c0, ldc: d }).c;
                const gen = kernels.dgemm("test", {
                  ta: ata, tb: 1 - ata, m: d, n: d, k, alpha, a: a.data, lda: n, b: a.data, ldb: n, beta, c: c0, ldc: d,
                }).c;
                const at = `${tile}, mc ${blocking.mc}, nc ${blocking.nc}, d ${d}, k ${k}, ata ${ata}, β ${beta}`;
                for (let i = 0; i < d; i++) {
                  for (let j = 0; j <= i; j++) {
                    if (!Object.is(syr[i * d + j], gen[i * d + j])) expect.fail(`${at}: C[${i}, ${j}] = ${syr[i * d + j]}, dgemm ${gen[i * d + j]}`);
                    if (!Object.is(syr[j * d + i], syr[i * d + j])) expect.fail(`${at}: C[${j}, ${i}] is not C[${i}, ${j}]`);
                  }
                }
              }
            }
          }
        }
      }
    }
    setGemmTile("2x8");
    setGemmBlocking({ mc: 128, nc: 1024 });
  });

  it("dgemv computes α·op(A)·x + β·y", () => {
    for (const trans of [0, 1]) {
      const a = randomMat(13, 11, 5);
      const x = randomMat(trans ? 13 : 11, 1, 6);
      const y0 = randomMat(trans ? 11 : 13, 1, 7);
      const { y } = kernels.dgemv("test", { trans, m: 13, n: 11, alpha: 2.5, a: a.data, lda: 11, x: x.data, beta: -0.75, y: y0.data });
      const ref = reference(a, x, trans === 1, false, 2.5, -0.75, y0);
      expectWithin(y, ref.c, ref.bound);
    }
  });

  it("keeps WASM memory constant over repeated same-size calls", async () => {
    const inst = await loadWasm(build);
    const a = randomMat(150, 90, 1);
    const b = randomMat(90, 130, 2);
    matmul(a, b);
    syrk(a);
    gemv(a, b.data.subarray(0, 90));
    const bytes = inst.memoryBytes;
    for (let r = 0; r < 10; r++) {
      matmul(a, b);
      syrk(a, { form: "AAt" });
      gemv(a, b.data.subarray(0, 150), { trans: true });
      expect(inst.memoryBytes).toBe(bytes);
    }
  });

  it("keeps WASM memory constant over repeated calls into the same `out`", async () => {
    const inst = await loadWasm(build);
    const a = randomMat(150, 90, 1);
    const b = randomMat(90, 130, 2);
    const c = mat(150, 130);
    const g = mat(90, 90);
    const y = new Float64Array(150);
    matmul(a, b, { out: c });
    syrk(a, { out: g });
    gemv(a, b.data.subarray(0, 90), { out: y });
    const bytes = inst.memoryBytes;
    const want = [matmul(a, b).data, syrk(a).data, gemv(a, b.data.subarray(0, 90))];
    for (let r = 0; r < 20; r++) {
      expect(matmul(a, b, { out: c })).toBe(c);
      expect(syrk(a, { out: g })).toBe(g);
      expect(gemv(a, b.data.subarray(0, 90), { out: y })).toBe(y);
      expect(inst.memoryBytes).toBe(bytes);
    }
    expect([c.data, g.data, y]).toEqual(want);
  });

  it("an allocation beyond 4 GiB gives an OutOfMemoryError and the instance keeps working", async () => {
    const inst = await loadWasm(build);
    // 30000×1 times 1×30000 is 9·10⁸ doubles = 7.2 GB of output: more than wasm32 can address.
    const col = mat(30000, 1, new Float64Array(30000).fill(1));
    const row = mat(1, 30000, new Float64Array(30000).fill(1));
    expect(() => matmul(col, row)).toThrowError(OutOfMemoryError);
    expect(() => matmul(col, row)).toThrowError(/^matmul: arguments 'a' \(30000 × 1\) and 'b' \(1 × 30000\) with their product \(30000 × 30000\) needs .* of WASM memory/);
    expect(inst.memoryBytes).toBeLessThan(64 * 2 ** 20); // the failed call reserved nothing big
    expect(Array.from(matmul(matFromRows([[1, 2]]), matFromRows([[3], [4]])).data)).toEqual([11]);
  });
});
