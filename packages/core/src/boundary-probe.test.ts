import { beforeAll, describe, expect, it } from "vitest";
import {
  axpy,
  dot,
  gemv,
  identity,
  init,
  lanczos,
  mat,
  matmul,
  minres,
  nrm2,
  nullspace,
  OutOfMemoryError,
  peakMulAdd,
  rank,
  rankDetails,
  residentBuffer,
  ritzPairs,
  scal,
  ShapeError,
  svd,
  syrk,
  triangularSolve,
  ValueError,
} from "./index.js";

// Bad input found by probing every export: each is a typed error naming the function and the argument, and a valid
// call afterwards still gives the right answer.
beforeAll(async () => {
  await init();
});

const A = [[1, 2], [3, 4]];
const stillRight = () => expect(Array.from(matmul(A, [[5, 6], [7, 8]]).data)).toEqual([19, 22, 43, 50]);

describe("options that are not an object, or hold an unknown key, are refused by name", () => {
  const cases: [string, (o: never) => unknown, string][] = [
    ["matmul", (o) => matmul(A, A, o), "transA"],
    ["syrk", (o) => syrk(A, o), "form"],
    ["gemv", (o) => gemv(A, [1, 1], o), "trans"],
    ["svd", (o) => svd(A, o), "vectors"],
    ["rank", (o) => rank(A, o), "tol"],
    ["rankDetails", (o) => rankDetails(A, o), "tol"],
    ["nullspace", (o) => nullspace(A, o), "tol"],
    ["triangularSolve", (o) => triangularSolve([[1, 0], [1, 1]], [1, 1], o), "unitDiagonal"],
    ["minres", (o) => minres((v) => v, [1], o), "rtol"],
    ["peakMulAdd", (o) => peakMulAdd(1000, o), "scalar"],
  ];
  it.each(cases)("%s", (fn, f, known) => {
    for (const bad of [null, "x", [1]]) {
      expect(() => f(bad as never)).toThrow(ValueError);
      expect(() => f(bad as never)).toThrow(new RegExp(`^${fn}: argument 'options' must be an object`));
    }
    // a misspelt option (rankTol for tol, unit for unitDiagonal) was ignored
    expect(() => f({ misspelt: 1 } as never)).toThrow(new RegExp(`^${fn}: unknown option 'misspelt'; expected one of .*'${known}'`));
    stillRight();
  });
});

describe("sizes beyond the 4 GiB of wasm32 are an OutOfMemoryError before anything is allocated", () => {
  it("mat and identity of 70000 × 70000", () => {
    expect(() => mat(70000, 70000)).toThrow(OutOfMemoryError);
    expect(() => mat(70000, 70000)).toThrow(/^mat: a 70000×70000 matrix needs 4900000000 float64 values/);
    expect(() => identity(70000)).toThrow(/^identity: a 70000×70000 matrix/);
    expect(Array.from(identity(2).data)).toEqual([1, 0, 0, 1]);
  });
});

describe("mat refuses entries that are not numbers (they became NaN)", () => {
  it("names the entry", () => {
    expect(() => mat(1, 2, ["a", "b"] as never)).toThrow(ShapeError);
    expect(() => mat(1, 2, [1, "b"] as never)).toThrow(/^mat: argument 'data' entry \[1\] must be a number; found string/);
    expect(Array.from(mat(1, 2, [1, 2]).data)).toEqual([1, 2]);
  });
});

describe("vector helpers refuse what is not a vector, and a non-numeric alpha", () => {
  it("null vectors are a ShapeError naming the argument (a TypeError from inside before)", () => {
    expect(() => dot(null as never, [1])).toThrow(/^dot: argument 'x' must be an array of numbers; found null/);
    expect(() => nrm2(null as never)).toThrow(/^nrm2: argument 'x'/);
    expect(() => nrm2(5 as never)).toThrow(/^nrm2: argument 'x' must be an array of numbers; found number/);
    expect(() => axpy(1, [1], null as never)).toThrow(/^axpy: argument 'y'/);
    expect(() => scal(2, null as never)).toThrow(/^scal: argument 'x'/);
  });
  it("alpha must be a finite number (a string was coerced, NaN spread through y)", () => {
    expect(() => axpy("2" as never, [1], new Float64Array(1))).toThrow(/^axpy: 'alpha' must be a finite number; found 2/);
    expect(() => axpy(NaN, [1], new Float64Array(1))).toThrow(ValueError);
    expect(() => scal(NaN, new Float64Array(1))).toThrow(/^scal: 'alpha'/);
    expect(Array.from(axpy(2, [1, 1], new Float64Array([1, 2])))).toEqual([3, 4]);
  });
});

describe("Krylov methods check their vectors and what matvec returns", () => {
  it("lanczos and minres name a null start vector", () => {
    expect(() => lanczos((v) => v, null as never, 2)).toThrow(/^lanczos: argument 'v0' must be an array of numbers; found null/);
    expect(() => minres((v) => v, null as never)).toThrow(/^minres: argument 'b' must be an array of numbers; found null/);
  });
  it("a matvec returning NaN or null is refused (NaN was returned as the tridiagonal)", () => {
    expect(() => lanczos((v) => v.map(() => NaN), [1, 1], 2)).toThrow(/^lanczos: 'matvec' must return finite values; found NaN at \[0\]/);
    expect(() => minres((v) => v.map(() => NaN), [1, 1])).toThrow(/^minres: 'matvec' must return finite values/);
    expect(() => lanczos(() => null as never, [1, 1], 2)).toThrow(/^lanczos: 'matvec' must return an array of 2 numbers; found null/);
    expect(Array.from(minres((v) => v.map((x) => 2 * x), [2, 4]).x).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([1, 2]);
  });
  it("ritzPairs names a malformed LanczosResult (it failed inside eigh or with a TypeError)", () => {
    expect(() => ritzPairs(null as never)).toThrow(/^ritzPairs: argument 'l' must be a LanczosResult/);
    expect(() => ritzPairs({ alpha: new Float64Array(0), beta: new Float64Array(0), basis: [] })).toThrow(ShapeError);
    expect(() => ritzPairs({ alpha: new Float64Array([1, 2]), beta: new Float64Array(0), basis: [new Float64Array([1, 0]), new Float64Array([0, 1])] })).toThrow(/^ritzPairs: argument 'l' must have k ≥ 1 alpha, k − 1 beta/);
    expect(() => ritzPairs({ alpha: new Float64Array([NaN]), beta: new Float64Array(0), basis: [new Float64Array([1])] })).toThrow(/^ritzPairs: argument 'l.alpha' must be finite/);
    expect(Array.from(ritzPairs(lanczos((v) => v.map((x, i) => (i + 1) * x), [1, 1], 2)).values).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([1, 2]);
  });
});

describe("residentBuffer", () => {
  it("refuses a negative, NaN or fractional length and an unknown element type", () => {
    expect(() => residentBuffer("myFn", "f64", -1)).toThrow(/^myFn: argument 'contents' must be a length \(an integer ≥ 0\)/);
    expect(() => residentBuffer("myFn", "f64", NaN)).toThrow(ShapeError);
    expect(() => residentBuffer("myFn", "x" as never, 2)).toThrow(/^myFn: argument 'type' must be "f64" or "i32"; found x/);
    const b = residentBuffer("myFn", "f64", [1, 2]);
    expect(b.length).toBe(2);
    b.dispose();
    stillRight();
  });
});
