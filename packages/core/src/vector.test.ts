import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "./errors.js";
import { axpy, dot, nrm2, scal } from "./vector.js";

const finiteVec = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 40 });
/** Entries 0 or of magnitude in [2⁻⁵¹¹, 2⁴⁸⁶]: the mid range of `nrm2`. */
const midRangeVec = finiteVec.map((x) => x.map((v) => (Math.abs(v) < 2 ** -511 ? 0 : v)));
const relErr = (got: number, ref: number) => Math.abs(got - ref) / ref;

describe("dot", () => {
  it("is Σᵢ xᵢyᵢ in index order", () => {
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(dot([], [])).toBe(0);
    // Index order: (1e16 + 1) − 1e16 = 0 in f64, whereas 1 + (1e16 − 1e16) would be 1.
    expect(dot([1e16, 1, -1e16], [1, 1, 1])).toBe(0);
  });
  it("refuses vectors of different lengths with a ShapeError naming both lengths", () => {
    expect(() => dot([1, 2], [1])).toThrow(ShapeError);
    expect(() => dot([1, 2], [1])).toThrow(/dot: .*same length; found 2 and 1/);
  });
});

describe("nrm2", () => {
  it("is exactly √(xᵀx) when every entry is 0 or mid-range (property)", () => {
    fc.assert(
      fc.property(midRangeVec, (x) => {
        const plain = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
        expect(nrm2(x)).toBe(plain);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
  it("neither overflows nor underflows where the norm is representable", () => {
    // 3e±300 and 4e±300 are not exact in binary: the results are within two ulps of 5e±300.
    expect(relErr(nrm2([3e300, 4e300]), 5e300)).toBeLessThanOrEqual(2 * Number.EPSILON);
    expect(relErr(nrm2([-3e300, 4e300, 0]), 5e300)).toBeLessThanOrEqual(2 * Number.EPSILON);
    expect(relErr(nrm2([3e-300, 4e-300]), 5e-300)).toBeLessThanOrEqual(2 * Number.EPSILON);
    // Exactly representable: 3·2⁹⁰⁰, 4·2⁹⁰⁰ → 5·2⁹⁰⁰, and likewise at 2⁻⁹⁰⁰.
    expect(nrm2([3 * 2 ** 900, 4 * 2 ** 900])).toBe(5 * 2 ** 900);
    expect(nrm2([3 * 2 ** -900, 4 * 2 ** -900])).toBe(5 * 2 ** -900);
    // Denormal entries: 3·2⁻¹⁰⁷⁴ and 4·2⁻¹⁰⁷⁴ give exactly 5·2⁻¹⁰⁷⁴.
    expect(nrm2([3 * 2 ** -1074, 4 * 2 ** -1074])).toBe(5 * 2 ** -1074);
    expect(nrm2([Number.MAX_VALUE])).toBe(Number.MAX_VALUE);
    expect(relErr(nrm2([Number.MAX_VALUE / 2, Number.MAX_VALUE / 2]), Number.MAX_VALUE / Math.SQRT2)).toBeLessThanOrEqual(2 * Number.EPSILON);
    // The plain sum of squares fails on these.
    expect(Math.sqrt(dot([3e300, 4e300], [3e300, 4e300]))).toBe(Infinity);
    expect(Math.sqrt(dot([3e-300, 4e-300], [3e-300, 4e-300]))).toBe(0);
  });
  it("is scale-equivariant for power-of-two scalings across the whole exponent range (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: -1000, max: 1000 }),
        (x, k) => {
          // ‖2ᵏx‖ = 2ᵏ‖x‖ (the entries stay normal numbers); the combination of accumulators rounds a few ulps.
          const s = 2 ** k;
          const ref = nrm2(x) * s;
          expect(Math.abs(nrm2(x.map((v) => v * s)) - ref)).toBeLessThanOrEqual(4 * Number.EPSILON * ref);
        },
      ),
      { seed: 12, numRuns: 300 },
    );
  });
  it("mixes small, mid-range and big entries: big ones dominate, small ones add to mid-range ones", () => {
    expect(nrm2([1e300, 1, 1e-300])).toBe(1e300);
    expect(nrm2([1e-160, 3, 4])).toBe(5);
    expect(relErr(nrm2([3e-160, 4e-160]), 5e-160)).toBeLessThanOrEqual(2 * Number.EPSILON);
    // A small entry next to a mid-range one: 2⁻⁵⁰⁰·√(1 + 2⁻⁴⁰), although (2⁻⁵²⁰)² underflows to 0.
    expect(relErr(nrm2([2 ** -500, 2 ** -520]), 2 ** -500 * Math.sqrt(1 + 2 ** -40))).toBeLessThanOrEqual(2 * Number.EPSILON);
    expect(relErr(nrm2([2 ** -520, 2 ** -500, 2 ** -520]), 2 ** -500 * Math.sqrt(1 + 2 ** -39))).toBeLessThanOrEqual(2 * Number.EPSILON);
  });
  it("propagates NaN and ∞; the empty vector has norm 0", () => {
    expect(nrm2([])).toBe(0);
    expect(nrm2([0, 0])).toBe(0);
    expect(nrm2([1, NaN])).toBeNaN();
    expect(nrm2([1e300, NaN])).toBeNaN();
    expect(nrm2([1e-300, NaN])).toBeNaN();
    expect(nrm2([1, -Infinity])).toBe(Infinity);
  });
});

describe("axpy and scal", () => {
  it("axpy: y ← αx + y in place, returning y", () => {
    const y = new Float64Array([1, 2]);
    const r = axpy(2, [1, 1], y);
    expect(r).toBe(y);
    expect(Array.from(y)).toEqual([3, 4]);
    expect(() => axpy(1, [1], new Float64Array(2))).toThrow(/axpy: .*found 1 and 2/);
  });
  it("axpy rounds each entry once: yᵢ + α·xᵢ (property)", () => {
    fc.assert(
      fc.property(finiteVec, fc.double({ min: -10, max: 10, noNaN: true }), (x, a) => {
        const y = x.map((v) => v / 3 + 1);
        const got = axpy(a, x, Float64Array.from(y));
        for (let i = 0; i < x.length; i++) expect(got[i]).toBe(y[i] + a * x[i]);
      }),
      { seed: 13, numRuns: 200 },
    );
  });
  it("scal: x ← αx in place, returning x", () => {
    const x = new Float64Array([2, -4]);
    expect(scal(0.5, x)).toBe(x);
    expect(Array.from(x)).toEqual([1, -2]);
  });
});
