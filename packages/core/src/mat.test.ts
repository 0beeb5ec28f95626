import { describe, expect, it } from "vitest";
import { column, identity, mat, matFromRows, matToRows, transpose } from "./index.js";
import { refuses } from "./__tests__/errors.js";

// Every matrix helper refuses bad input with a LosscapeError that names itself and the argument (never a TypeError
// from inside, never a silent NaN).

describe("matrix helpers at the boundary", () => {
  it("matFromRows: not an array, a row that is not an array, a non-number entry, ragged rows", () => {
    refuses(() => matFromRows(null as never), /^matFromRows: argument 'rows'.*found null/);
    refuses(() => matFromRows(5 as never), /^matFromRows: argument 'rows'.*found number/);
    refuses(() => matFromRows([[1], null] as never), /^matFromRows: row 1 must be an array/);
    refuses(() => matFromRows([[1, "2"]] as never), /^matFromRows: entry \(0, 1\) must be a number; found string/);
    refuses(() => matFromRows([[1, 2], [3]]), /^matFromRows: every row must have length 2; row 1 has 1/);
    expect(matFromRows([])).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
  });

  it("transpose, matToRows, column: a Mat is required; column's index must be a column", () => {
    refuses(() => transpose(null as never), /^transpose: argument 'a' must be a Mat/);
    refuses(() => matToRows({ rows: 2, cols: 2, data: new Float64Array(3) }), /^matToRows: argument 'a' \(2×2\) needs data of length 4/);
    const a = matFromRows([[1, 2], [3, 4]]);
    refuses(() => column(a, 5), /^column: 'j' must be ≤ 1; found 5/);
    refuses(() => column(a, -1), /^column: 'j' must be ≥ 0/);
    refuses(() => column(a, 0.5), /^column: 'j' must be an integer/);
    expect(Array.from(column(a, 1))).toEqual([2, 4]);
    // structural operations keep non-finite entries as they are (the numerical functions refuse them)
    expect(Array.from(transpose(matFromRows([[Number.NaN, 1]])).data)).toEqual([Number.NaN, 1]);
  });

  it("identity and mat name themselves", () => {
    refuses(() => identity(-1), /^identity: dimensions must be non-negative integers; found -1×-1/);
    refuses(() => mat(2, 2, null as never), /^mat: argument 'data'/);
    refuses(() => mat(2, 2, [1, 2, 3]), /^mat: data length must be rows·cols = 4; found 3/);
  });
});
