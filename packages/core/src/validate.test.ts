import { describe, expect, it } from "vitest";
import { ValueError } from "./errors.js";
import { checkSymmetric } from "./validate.js";

/** A symmetric n×n matrix with entries i + j + 1 (largest 2n − 1, on the last diagonal entry). */
function symmetric(n: number): { rows: number; cols: number; data: Float64Array } {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = i + j + 1;
  return { rows: n, cols: n, data };
}

describe("checkSymmetric", () => {
  it("accepts asymmetry up to relTol·max|a| and refuses more, across tile edges (n = 70: tiles of 32, 32, 6)", () => {
    const n = 70;
    const maxAbs = 2 * n - 1;
    for (const [i, j] of [[0, 1], [31, 32], [5, 69], [64, 69], [33, 40]]) {
      const a = symmetric(n);
      a.data[j * n + i] += 1e-13 * maxAbs; // below the default 1e-12 relative tolerance
      expect(checkSymmetric("f", "a", a)).toBe(a);
      a.data[j * n + i] += 1e-10 * maxAbs;
      expect(() => checkSymmetric("f", "a", a)).toThrowError(ValueError);
      expect(() => checkSymmetric("f", "a", a)).toThrowError(new RegExp(`^f: argument 'a' must be symmetric .* found \\|a${i}${j} − a${j}${i}\\| = `));
    }
  });

  it("names the first pair in row-major order among equal largest asymmetries, and the largest one otherwise", () => {
    const n = 70;
    const a = symmetric(n);
    a.data[60 * n + 40] += 0.5; // pair (40, 60), tile (1, 1)
    a.data[50 * n + 3] -= 0.5; // pair (3, 50), tile (0, 1): met later in the tiled pass, first in row-major order
    a.data[69 * n + 68] += 0.25; // smaller
    expect(() => checkSymmetric("f", "a", a)).toThrowError(/found \|a350 − a503\| = 0\.5$/);
    a.data[69 * n + 68] += 0.5; // now the largest
    expect(() => checkSymmetric("f", "a", a)).toThrowError(/found \|a6869 − a6968\| = 0\.75$/);
  });

  it("compares with max|a| over every entry, the diagonal included", () => {
    const a = symmetric(3);
    a.data[1] += 1e-11; // asymmetry 1e-11 against max|a| = 5: refused at 1e-12 …
    expect(() => checkSymmetric("f", "a", a)).toThrowError(/≤ 1e-12·max\|a\| = 5e-12\)/);
    a.data[8] = 1e5; // … accepted once the diagonal's 1e5 sets the scale
    expect(checkSymmetric("f", "a", a)).toBe(a);
  });
});
