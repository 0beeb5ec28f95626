import { eigvalsh, init, kernels, loadWasm, setBackend } from "@losscape/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { forward, gradient, hessian, hessianVectorProduct, hessianWithoutJacobian, jacobian, loss } from "./index.js";
import { ALL_ACTIVATIONS, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";
import { compileSpec } from "./spec.js";
import type { Activation, LossName } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

/** Every public computation on one backend. */
function all(backend: "simd" | "scalar" | "ts", model: Parameters<typeof loss>[0], data: Parameters<typeof loss>[1], v: Float64Array) {
  setBackend(backend);
  const split = hessian(model, data, { split: true });
  return {
    f: forward(model, data.x).data,
    loss: [loss(model, data)],
    g: gradient(model, data),
    J: jacobian(model, data.x).data,
    H: hessian(model, data).data,
    h: split.h.data,
    h0: split.h0.data,
    h1: split.h1.data,
    hv: hessianVectorProduct(model, data, v),
    h0v: hessianVectorProduct(model, data, v, { part: "gauss-newton" }),
    h1v: hessianVectorProduct(model, data, v, { part: "residual" }),
  };
}

describe("WASM (simd, scalar) against the TS oracle", () => {
  it("random architectures, activations, losses, bias on/off, l2 (fast-check, seeded)", () => {
    const act = fc.constantFrom<Activation>(...ALL_ACTIVATIONS);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }),
        fc.array(act, { minLength: 4, maxLength: 4 }),
        fc.constantFrom<LossName>("mse", "cross-entropy"),
        fc.boolean(),
        fc.constantFrom(0, 0.05),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom<"linear" | "tanh" | "softplus" | "sin">("linear", "linear", "tanh", "softplus", "sin"),
        (widths, acts, lossName, bias, l2, n, seed, output) => {
          const L = widths.length - 1;
          const activation = acts.slice(0, L - 1);
          const p = randomProblem({ widths, activation, loss: lossName, bias, l2, n, seed, std: 0.5 });
          const model = { ...p.model, output };
          const data = p.data;
          const v = new Float64Array(model.params.length).map((_, i) => Math.cos(i + seed));
          const ref = all("ts", model, data, v);
          for (const b of ["simd", "scalar"] as const) {
            const got = all(b, model, data, v);
            for (const k of Object.keys(ref) as (keyof typeof ref)[]) {
              // Same formulas, different summation order (blocked GEMM/SYRK): agreement to 1e-13 relative to
              // the largest entry (sums of ≤ 30 terms of O(1) magnitude, each rounding ≤ 1.1e-16).
              expect(maxAbsDiff(got[k], ref[k]), `${b} ${k}`).toBeLessThanOrEqual(1e-13 * (1 + maxAbs(ref[k])));
            }
            // the unsplit WASM Hessian (H₁ added in place onto H₀) equals the split one's h to rounding
            expect(maxAbsDiff(got.H, got.h)).toBeLessThanOrEqual(1e-14 * (1 + maxAbs(got.h)));
          }
        },
      ),
      { seed: 20261124, numRuns: 60 },
    );
    setBackend("simd");
  });

  it("a wider, deeper net (7→19→11→3, gelu and softplus, cross-entropy)", () => {
    const { model, data } = randomProblem({ widths: [7, 19, 11, 3], activation: ["gelu", "softplus"], loss: "cross-entropy", n: 23, seed: 3, std: 0.4 });
    const v = new Float64Array(model.params.length).map((_, i) => Math.sin(i));
    const ref = all("ts", model, data, v);
    for (const b of ["simd", "scalar"] as const) {
      const got = all(b, model, data, v);
      // 1e-12: sums over up to 23 samples × 19 units; still far below any modelling tolerance.
      for (const k of Object.keys(ref) as (keyof typeof ref)[]) expect(maxAbsDiff(got[k], ref[k]), `${b} ${k}`).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(ref[k])));
    }
    setBackend("simd");
  });

  it("a larger net (24→40→3, n = 50): larger GEMM shapes than the cases above", () => {
    const { model, data } = randomProblem({ widths: [24, 40, 3], activation: "tanh", loss: "cross-entropy", n: 50, seed: 12, std: 0.3 });
    const v = new Float64Array(model.params.length).map((_, i) => Math.cos(0.3 * i));
    const ref = all("ts", model, data, v);
    for (const b of ["simd", "scalar"] as const) {
      const got = all(b, model, data, v);
      // 1e-12: inner products of length ≤ 50 summed in blocked order vs plain order.
      for (const k of Object.keys(ref) as (keyof typeof ref)[]) expect(maxAbsDiff(got[k], ref[k]), `${b} ${k}`).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(ref[k])));
    }
    setBackend("simd");
  });

  it("one hidden layer with linear output on n = 300 > 256 samples (the GEMMs over X of several depth blocks; d_out = 4: H assembled without J), bias on and off", () => {
    for (const [bias, lossName] of [[true, "cross-entropy"], [false, "mse"]] as const) {
      const { model, data } = randomProblem({ widths: [30, 6, 4], activation: "tanh", loss: lossName, bias, n: 300, seed: 21, std: 0.3 });
      const v = new Float64Array(model.params.length).map((_, i) => Math.sin(0.7 * i));
      const ref = all("ts", model, data, v);
      for (const b of ["simd", "scalar"] as const) {
        const got = all(b, model, data, v);
        // 1e-12: inner products of length 300 summed in blocked order (two depth blocks) vs plain order.
        for (const k of Object.keys(ref) as (keyof typeof ref)[]) expect(maxAbsDiff(got[k], ref[k]), `${b} ${k} bias ${bias}`).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(ref[k])));
        const M = model.params.length;
        for (const k of ["H", "h0", "h1"] as const) expect(Array.from(got[k]).every((t, i) => t === got[k][(i % M) * M + Math.floor(i / M)]), `${k} exactly symmetric`).toBe(true);
      }
    }
    setBackend("simd");
  });

  it("d_out ≥ 2: no Jacobian on WASM, so n·d_out·M beyond 2^28 entries is not refused there (ts refuses it); H·v is the R-operator's", () => {
    // 40-2-50 (M = 232), n = 23,200: J would have 23,200·50·232 = 2.69e8 > 2^28 entries.
    const n = 23200;
    const { model, data } = randomProblem({ widths: [40, 2, 50], activation: "tanh", loss: "cross-entropy", n, seed: 5, std: 0.3 });
    expect(hessianWithoutJacobian(model)).toBe(true);
    setBackend("ts");
    expect(() => hessian(model, data)).toThrow(/^hessian: the Jacobian it is built from \(\(n·r\) × M\) would have 2\.691e\+8 entries/);
    for (const b of ["simd", "scalar"] as const) {
      setBackend(b);
      const H = hessian(model, data);
      const M = model.params.length;
      for (const seed of [1, 2]) {
        const v = new Float64Array(M).map((_, i) => Math.sin(seed * (i + 1)));
        const hv = hessianVectorProduct(model, data, v);
        const Hv = new Float64Array(M).map((_, i) => H.data.slice(i * M, (i + 1) * M).reduce((t, h, j) => t + h * v[j], 0));
        // 1e-12 of ‖H‖·‖v‖: sums over 23,200 samples in two orders (per-sample products vs the R-operator's GEMMs).
        expect(maxAbsDiff(Hv, hv), b).toBeLessThanOrEqual(1e-12 * maxAbs(H.data) * Math.sqrt(M));
      }
    }
    setBackend("simd");
  });

  it("the two assemblies of H₀ (SYRK of J; unit pairs without J) agree on random nets of any depth, both builds, split or not (fast-check, seeded)", () => {
    // Called at the kernel, where `factored` is chosen by the caller: hessianWithoutJacobian picks one by cost, so tiny
    // and deep nets reach the assembly by units only here.
    const act = fc.constantFrom<Activation>(...ALL_ACTIVATIONS);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(act, { minLength: 3, maxLength: 3 }),
        fc.constantFrom<LossName>("mse", "cross-entropy"),
        fc.boolean(),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom<"linear" | "tanh">("linear", "linear", "tanh"),
        (hidden, r, acts, lossName, bias, n, seed, output) => {
          const widths = [...hidden, r];
          const L = widths.length - 1;
          const p = randomProblem({ widths, activation: acts.slice(0, L - 1), loss: lossName, bias, n, seed, std: 0.6 });
          const net = compileSpec("test", { ...p.model, output });
          const codes = Int32Array.from(net.codes);
          const chunk = L === 2 && output === "linear" ? 0 : n;
          for (const b of ["simd", "scalar"] as const) {
            setBackend(b);
            for (const split of [0, 1]) {
              const args = { L, widths: Int32Array.from(widths), codes, cparams: Float64Array.from(net.cparams), bias: bias ? 1 : 0, lossCode: net.loss, n, p: p.model.params, x: p.data.x.data, y: p.data.y.data, chunk, split };
              const a = kernels.mlpHessian("test", { ...args, factored: 0 });
              const f = kernels.mlpHessian("test", { ...args, factored: 1 });
              for (const k of split ? (["h0", "h1"] as const) : (["h0"] as const)) {
                // sums of ≤ 7 samples × ≤ 4 outputs regrouped: 1e-13 relative to the largest entry
                expect(maxAbsDiff(f[k], a[k]), `${widths} ${lossName} ${b} split ${split} ${k}`).toBeLessThanOrEqual(1e-13 * (1 + maxAbs(a[k])));
              }
            }
          }
        },
      ),
      { seed: 20261207, numRuns: 60 },
    );
    setBackend("simd");
  });

  it("d_out ≥ 2, without J: H₀ is positive semidefinite of rank n·d_out (mse) or n·(d_out − 1) (cross-entropy), as JᵀΛJ/n is", () => {
    const cases = [[[30, 3, 4], 2, "mse"], [[30, 3, 4], 2, "cross-entropy"], [[30, 8, 10], 5, "cross-entropy"], [[20, 6, 3], 4, "mse"], [[40, 8, 6, 3], 2, "mse"], [[40, 8, 6, 3], 3, "cross-entropy"]] as const;
    for (const [widths, n, lossName] of cases) {
      const { model, data } = randomProblem({ widths: [...widths], activation: "tanh", loss: lossName, n, seed: 9, std: 0.8 });
      expect(hessianWithoutJacobian(model), `${widths}`).toBe(true);
      const r = widths[widths.length - 1];
      const rank = lossName === "mse" ? n * r : n * (r - 1); // Λᵢ = I, or sᵢ(diag pᵢ − pᵢpᵢᵀ) of rank r − 1; J of rank n·r at a generic θ
      for (const b of ["simd", "scalar"] as const) {
        setBackend(b);
        const values = eigvalsh(hessian(model, data, { split: true }).h0);
        const ev = Array.from(values).map(Math.abs).sort((x, y) => x - y);
        const big = ev[ev.length - 1];
        const M = ev.length;
        expect(values[0] / big, `${widths} ${lossName} ${b}: least eigenvalue`).toBeGreaterThanOrEqual(-1e-14);
        // The M − rank zero eigenvalues at rounding level (measured ≤ 4.5e-16·max λ for both assemblies), the rank-th
        // well above (measured ≥ 1.4e-3·max λ).
        expect(ev[M - rank - 1] / big, `${widths} ${lossName} ${b}`).toBeLessThanOrEqual(1e-14);
        expect(ev[M - rank] / big, `${widths} ${lossName} ${b}`).toBeGreaterThan(1e-6);
      }
    }
    setBackend("simd");
  });

  it("the SIMD build's small-layer products (≤ 64 wide, dgemm's small-product path) are bit-identical to the scalar build's", () => {
    // A·Wᵀ with W at most 64 × 64 goes through `gemmSmallNT` (assembly/gemm-small.ts) in the SIMD build: the same
    // sums in the same order as dgemm's blocked path, so the outputs must agree to the bit. Widths hit every panel
    // width (8, 4, 2, 1 and their remainders) and cross the 64 boundary (65 takes the blocked path); odd n exercises
    // the last single row.
    for (const bias of [true, false]) {
      for (const activation of ["linear", "relu", "tanh"] as const) {
        const { model, data } = randomProblem({ widths: [3, 2, 7, 13, 64, 65, 9, 1], activation, bias, seed: 11, n: 13 });
        setBackend("simd");
        const simd = forward(model, data.x).data;
        setBackend("scalar");
        const scalar = forward(model, data.x).data;
        expect(new Set(simd).size, "the outputs vary (no dead net)").toBeGreaterThan(1);
        expect(Array.from(simd), `${activation}, bias ${bias}`).toEqual(Array.from(scalar));
      }
    }
  });

  it("repeated calls keep results identical (scratch reuse does not leak state)", () => {
    setBackend("simd");
    const a = randomProblem({ widths: [3, 5, 2], activation: "tanh", loss: "cross-entropy", seed: 1 });
    const b = randomProblem({ widths: [2, 4, 4, 1], activation: "sin", seed: 2 });
    const h1 = hessian(a.model, a.data).data;
    hessian(b.model, b.data);
    gradient(b.model, b.data);
    expect(Array.from(hessian(a.model, a.data).data)).toEqual(Array.from(h1));
  });
});
