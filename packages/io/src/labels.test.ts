import { describe, expect, it } from "vitest";
import { errorOf } from "./__tests__/helpers.js";
import { oneHot } from "./labels.js";

describe("oneHot", () => {
  it("puts a 1 in each row's class column", () => {
    const m = oneHot(Float64Array.from([2, 0, 1, 2]), 3);
    expect({ rows: m.rows, cols: m.cols }).toEqual({ rows: 4, cols: 3 });
    expect(Array.from(m.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(oneHot([], 2).rows).toBe(0);
  });

  it("names the first label that is not an integer in 0..classes−1, with its row", () => {
    const cases: [number[], string][] = [
      [[0, 3, 5], "'labels[1]' (row 1) must be an integer in 0..2; found 3"],
      [[0, 1.5], "'labels[1]' (row 1) must be an integer in 0..2; found 1.5"],
      [[-1], "'labels[0]' (row 0) must be an integer in 0..2; found -1"],
      [[0, 1, 2, NaN], "'labels[3]' (row 3) must be an integer in 0..2; found NaN"],
    ];
    for (const [labels, message] of cases) {
      const e = errorOf(() => oneHot(labels, 3));
      expect(e.code).toBe("E_VALUE");
      expect(e.message).toBe(`oneHot: ${message}`);
    }
    expect(errorOf(() => oneHot([0], 0)).message).toMatch(/'classes' must be an integer ≥ 1; found 0/);
  });
});
