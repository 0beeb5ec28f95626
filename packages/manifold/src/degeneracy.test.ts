import { BACKENDS, init, isLosscapeError, loadWasm, matFromRows, setBackend } from "@losscape/core";
import { createRng } from "@losscape/mlp";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { degeneracyOfSpectrum, matrixRank, ToleranceError } from "./index.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe("degeneracyOfSpectrum", () => {
  it("automatic tolerance finds the planted gap (fast-check, seeded)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 10_000 }),
        (zeros, nonzeros, seed) => {
          const rng = createRng(seed);
          // "Zeros" at the rounding level of a float64 Hessian (|λ| ≤ 1e-15·scale), the rest in ±[1e-4, 1e2]:
          // a gap of ≥ 1e11, far above the 1e3 the rule asks for.
          const big = Array.from({ length: nonzeros }, () => (rng.next() < 0.5 ? -1 : 1) * 10 ** (-4 + 6 * rng.next()));
          const scale = Math.max(1, ...big.map(Math.abs));
          const small = Array.from({ length: zeros }, () => (rng.next() - 0.5) * 2e-15 * scale);
          const d = degeneracyOfSpectrum([...big, ...small]);
          expect(d.corank).toBe(zeros);
          expect(d.inertia.negative + d.inertia.zero + d.inertia.positive).toBe(zeros + nonzeros);
          if (zeros > 0) {
            expect(d.tolSource).toBe("gap");
            expect(d.largestZero).toBe(Math.max(...small.map(Math.abs)));
            expect(d.smallestNonzero).toBe(Math.min(...big.map(Math.abs)));
            expect(d.gapRatio).toBe(d.smallestNonzero! / d.largestZero!);
            expect(d.largestZero!).toBeLessThanOrEqual(d.threshold);
            expect(d.smallestNonzero!).toBeGreaterThan(d.threshold);
          }
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it("no gap: falls back to the default tol 1e-9; a given tol is used as is", () => {
    const d = degeneracyOfSpectrum([1, 2, 3, 4]);
    expect(d.tolSource).toBe("default");
    expect(d.tol).toBe(1e-9);
    expect(d.corank).toBe(0);
    expect(d.largestZero).toBeNull();
    expect(d.gapRatio).toBeNull();
    const g = degeneracyOfSpectrum([-1e-10, 1e-7, 1], { tol: 1e-8 });
    expect(g.tolSource).toBe("given");
    expect(g.corank).toBe(1); // 1e-10 ≤ 1e-8·1 < 1e-7
    expect(g.largestZero).toBe(1e-10);
    expect(g.smallestNonzero).toBe(1e-7);
    // exact zeros: gap ratio Infinity
    expect(degeneracyOfSpectrum([0, 0, 1]).gapRatio).toBe(Infinity);
    expect(degeneracyOfSpectrum([0, 0, 1]).corank).toBe(2);
  });

  it("ill-posed tolerances are ToleranceErrors naming the function and the option", () => {
    for (const tol of [-1, 1, 2, NaN, Infinity]) {
      let err: unknown;
      try {
        degeneracyOfSpectrum([1, 2], { tol });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ToleranceError);
      expect(isLosscapeError(err)).toBe(true);
      expect((err as Error).message).toMatch(/degeneracyOfSpectrum: 'tol'/);
    }
    expect(() => degeneracyOfSpectrum([1], { tol: "gap" as unknown as number })).toThrow(ToleranceError);
    expect(() => degeneracyOfSpectrum([1, NaN])).toThrow(/degeneracyOfSpectrum/);
  });
});

describe.each(BACKENDS)("matrixRank (%s)", (backend) => {
  it("rank, singular values and an orthonormal null space of random low-rank products (fast-check)", () => {
    setBackend(backend);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 999 }), (k, m, n, seed) => {
        const rng = createRng(seed);
        const r = Math.min(k, m, n);
        // A = B·C with B m×r, C r×n Gaussian: rank r with probability 1, σ_r/σ_1 ≫ 1e-10 for these sizes.
        const B = Array.from({ length: m }, () => Array.from({ length: r }, () => rng.normal()));
        const C = Array.from({ length: r }, () => Array.from({ length: n }, () => rng.normal()));
        const A = B.map((row) => Array.from({ length: n }, (_, j) => row.reduce((s, b, q) => s + b * C[q][j], 0)));
        const res = matrixRank(matFromRows(A));
        expect(res.rank).toBe(r);
        expect(res.singularValues.length).toBe(Math.min(m, n));
        const N = res.nullspace!;
        expect(N.cols).toBe(n - r);
        const amax = Math.max(...A.flat().map(Math.abs));
        for (let c = 0; c < N.cols; c++) {
          // A·N = 0 and NᵀN = I to O(n·ε) (backward-stable SVD): 1e-12 relative to max|A|.
          for (let i = 0; i < m; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += A[i][j] * N.data[j * N.cols + c];
            expect(Math.abs(s)).toBeLessThanOrEqual(1e-12 * amax * n);
          }
          for (let c2 = 0; c2 < N.cols; c2++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += N.data[j * N.cols + c] * N.data[j * N.cols + c2];
            expect(Math.abs(s - (c === c2 ? 1 : 0))).toBeLessThanOrEqual(1e-12);
          }
        }
      }),
      { seed: 3, numRuns: 40 },
    );
  });
  it("rejects a bad rankTol", () => {
    setBackend(backend);
    expect(() => matrixRank(matFromRows([[1, 2]]), { rankTol: -0.1 })).toThrow(/matrixRank: 'rankTol'/);
  });
});
