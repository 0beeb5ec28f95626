import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKENDS,
  checkMat,
  cholesky,
  column,
  eigh,
  eigvalsh,
  gemv,
  inertia,
  init,
  loadWasm,
  lu,
  matFromRows,
  matmul,
  matToRows,
  nullspace,
  qr,
  rank,
  rankDetails,
  setBackend,
  solve,
  svd,
  syrk,
  transpose,
  triangularSolve,
} from "./index.js";
import { refuses } from "./__tests__/errors.js";

// Every function that takes a matrix takes its rows as plain arrays too, with results identical (bit for bit: the
// rows are copied into the same Float64Array a Mat would hold) to those for the Mat.
const A = [
  [4, 1, 0.5],
  [1, 3, -0.25],
  [0.5, -0.25, 2],
];
const B = [
  [1, 2],
  [3, 4],
  [5, 6],
];
const L = [
  [2, 0, 0],
  [1, 3, 0],
  [0.5, -1, 4],
];

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});
afterAll(() => setBackend("simd"));

describe.each(BACKENDS)("plain arrays where a matrix is expected (%s backend)", (backend) => {
  beforeAll(() => setBackend(backend));

  it("give the same results as Mats, bit for bit", () => {
    const a = matFromRows(A);
    const b = matFromRows(B);
    const l = matFromRows(L);
    expect(matmul(A, B)).toEqual(matmul(a, b));
    expect(matmul(B, A, { transA: true })).toEqual(matmul(b, a, { transA: true }));
    expect(syrk(B)).toEqual(syrk(b));
    expect(gemv(A, [1, 2, 3])).toEqual(gemv(a, [1, 2, 3]));
    expect(eigh(A)).toEqual(eigh(a));
    expect(eigvalsh(A)).toEqual(eigvalsh(a));
    expect(inertia(A)).toEqual(inertia(a));
    expect(cholesky(A)).toEqual(cholesky(a));
    expect(lu(A)).toEqual(lu(a));
    expect(qr(B)).toEqual(qr(b));
    expect(svd(B)).toEqual(svd(b));
    expect(rank(B)).toBe(rank(b));
    expect(rankDetails(B)).toEqual(rankDetails(b));
    expect(nullspace(B)).toEqual(nullspace(b));
    expect(transpose(B)).toEqual(transpose(b));
    expect(matToRows(B)).toEqual(B);
    expect(column(B, 1)).toEqual(Float64Array.from([2, 4, 6]));
  });

  it("take a right-hand side as a plain vector (a column) or as rows (a matrix)", () => {
    const a = matFromRows(A);
    const x = solve(A, [1, 2, 3]);
    expect(x).toBeInstanceOf(Float64Array);
    expect(x).toEqual(solve(a, Float64Array.from([1, 2, 3])));
    expect(solve(A, B)).toEqual(solve(a, matFromRows(B)));
    expect(triangularSolve(L, [2, 4, 8])).toEqual(triangularSolve(matFromRows(L), Float64Array.from([2, 4, 8])));
    expect(triangularSolve(L, B)).toEqual(triangularSolve(matFromRows(L), matFromRows(B)));
  });
});

describe("malformed plain matrices are refused by name", () => {
  it("ragged rows, non-numbers, NaN, a vector where a matrix is expected", () => {
    refuses(() => matmul([[1, 2], [3]], B), /^matmul: argument 'a' row 1 must have length 2 like row 0; found 1$/);
    refuses(() => eigh([[1, "2"], [2, 1]] as unknown as number[][]), /^eigh: argument 'a' entry \(0, 1\) must be a number; found string$/);
    refuses(() => svd([[1, NaN]]), /^svd: argument 'a' must be finite; found NaN at \(0, 1\)$/);
    refuses(() => syrk([1, 2, 3] as unknown as number[][]), /^syrk: argument 'a' row 0 must be an array of numbers; found number$/);
    refuses(() => qr(Float64Array.from([1, 2]) as unknown as number[][]), /^qr: argument 'a' must be a Mat \{rows, cols, data: Float64Array\} or an array of rows of numbers; found Float64Array$/);
    refuses(() => solve(A, [1, 2]), /^solve: 'b' must have 3 rows to match 'a' \(3×3\); found 2×1$/);
    refuses(() => rank([]), /^rank: argument 'a' must have integer dimensions ≥ 1; found 0×0$/);
  });

  it("checkMat returns a Mat as it is, and copies rows into a new one", () => {
    const a = matFromRows(A);
    expect(checkMat("f", "a", a)).toBe(a);
    const c = checkMat("f", "a", A);
    expect(c).toEqual(a);
    A[0][0] = 40;
    expect(c.data[0]).toBe(4); // a copy, not a view of the caller's rows
    A[0][0] = 4;
  });
});
