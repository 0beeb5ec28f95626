import { BACKENDS, init, isLosscapeError, loadWasm, matFromRows, setBackend, ShapeError } from "@losscape/core";
import { createRng } from "@losscape/mlp";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { degeneracyOfSpectrum, hessianDegeneracy, jacobianRank, matrixRank, ToleranceError } from "./index.js";

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

describe("jacobianRank and hessianDegeneracy name themselves and the argument in their errors", () => {
  // The Jacobian and Hessian come from mlp's `jacobian` and `hessian`, whose sizes (2²⁸ entries) and NaN checks were
  // reported in those inner names; the user called jacobianRank or hessianDegeneracy.
  const wide = (w: number) => ({ widths: [1, w, 1], activation: "tanh" as const, params: new Float64Array(3 * w + 1).fill(1e-3) });
  const rows = (n: number) => ({ rows: n, cols: 1, data: Float64Array.from({ length: n }, (_, i) => Math.sin(i)) });
  const errorOf = (f: () => unknown): Error => {
    try {
      f();
    } catch (e) {
      return e as Error;
    }
    throw new Error("no error");
  };

  it("jacobianRank: a Jacobian beyond 2²⁸ entries is a ShapeError naming jacobianRank and 'x', found and allowed", () => {
    // M = 49153, n = 6000: (n·r)·M = 2.949e8 > 2²⁸ = 2.684e8.
    const e = errorOf(() => jacobianRank(wide(16384), rows(6000)));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe(
      "jacobianRank: 'x' has n = 6000 rows: the Jacobian ((n·r) × M = 6000 × 49153) would have 2.949e+8 entries (2.2 GiB); at most 2^28 = 268435456 entries (2 GiB) are supported — use at most 5461 rows",
    );
  });

  it("hessianDegeneracy: an M × M Hessian beyond 2²⁸ entries names 'model'; its Jacobian beyond 2²⁸ names 'data'", () => {
    const y = (n: number) => ({ rows: n, cols: 1, data: new Float64Array(n) });
    const big = errorOf(() => hessianDegeneracy(wide(16384), { x: rows(2), y: y(2) }));
    expect(big).toBeInstanceOf(ShapeError);
    expect(big.message).toMatch(/^hessianDegeneracy: 'model' has M = 49153 parameters: its dense Hessian \(M × M\) would have 2\.416e\+9 entries \(18\.0 GiB\); at most 2\^28 = 268435456 entries \(2 GiB, M ≤ 16384\) are supported/);
    // M = 6001 (a Hessian of 3.6e7 entries is fine), n = 45000: the Jacobian (n·r) × M = 2.7e8 > 2²⁸.
    const many = errorOf(() => hessianDegeneracy(wide(2000), { x: rows(45000), y: y(45000) }));
    expect(many).toBeInstanceOf(ShapeError);
    expect(many.message).toMatch(/^hessianDegeneracy: 'data' has n = 45000 samples: the Jacobian the Hessian is built from \(\(n·r\) × M = 45000 × 6001\) would have 2\.700e\+8 entries \(2\.0 GiB\); at most 2\^28 = 268435456 entries \(2 GiB\) are supported — use at most 44731 samples/);
  });

  it("hessianDegeneracy: d_out ≥ 2 builds no Jacobian on WASM, so more samples than J's 2²⁸ entries are not refused", () => {
    // 40-2-50 (M = 232), n = 23,200: (n·r)·M = 2.69e8 > 2²⁸, but mlp's hessian assembles H without J here.
    setBackend("simd");
    const n = 23200;
    const rng = createRng(7);
    const model = { widths: [40, 2, 50], activation: "tanh" as const, loss: "cross-entropy" as const, params: Float64Array.from({ length: 232 }, () => 0.3 * rng.normal()) };
    const y = new Float64Array(n * 50);
    for (let i = 0; i < n; i++) y[i * 50 + (i % 50)] = 1;
    const data = { x: { rows: n, cols: 40, data: Float64Array.from({ length: n * 40 }, () => rng.normal()) }, y: { rows: n, cols: 50, data: y } };
    // cross-entropy's Hessian is invariant under θ's shift of the output biases (and of W²'s columns alike): corank ≥ 1 + 2.
    expect(hessianDegeneracy(model, data).corank).toBe(3);
  });

  it("bad options are refused before the Jacobian or the Hessian is built", () => {
    // Beyond the size limits: only a check made before the work can answer with the option's error.
    expect(() => jacobianRank(wide(16384), rows(6000), { rankTol: 2 })).toThrow(/^jacobianRank: 'rankTol' must be a relative tolerance in \[0, 1\); found 2/);
    expect(() => jacobianRank(wide(16384), rows(6000), { nullspace: 1 as never })).toThrow(/^jacobianRank: 'nullspace' must be true or false/);
    expect(() => hessianDegeneracy(wide(16384), { x: rows(2), y: { rows: 2, cols: 1, data: new Float64Array(2) } }, { tol: -1 })).toThrow(/^hessianDegeneracy: 'tol' must be a relative tolerance/);
  });

  it("a NaN Jacobian or Hessian (outputs overflowing float64) is refused in the public function's name", () => {
    // A linear hidden layer of ±1e200 weights: 1e200·1e200 − 1e200·1e200 = ∞ − ∞ in the output.
    const model = { widths: [1, 2, 1], activation: "linear" as const, params: Float64Array.from([1e200, 1e200, 0, 0, 1e200, -1e200, 0]) };
    const x = { rows: 2, cols: 1, data: Float64Array.from([1, -1]) };
    const h = errorOf(() => hessianDegeneracy(model, { x, y: { rows: 2, cols: 1, data: new Float64Array(2) } }));
    expect(isLosscapeError(h) && h.code).toBe("E_VALUE");
    expect(h.message).toMatch(/^hessianDegeneracy: the Hessian is NaN at these parameters/);
  });
});
