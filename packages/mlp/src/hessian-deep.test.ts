// The exact Hessian of deep nets (L ≥ 3, or a non-linear output layer) on WASM: H₁ assembled with GEMMs over chunks
// of samples (assembly/mlp.ts `addResidualDeep`) against the TS oracle (column by column with the R-operator), the
// R-operator columns of the WASM kernels themselves, and central differences of the gradient.
import { init, loadWasm, setBackend } from "@losscape/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradient, hessian, hessianVectorProduct } from "./index.js";
import { centralDiff, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";
import type { Activation, LossName } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});
afterAll(() => setBackend("simd"));

interface DeepCase {
  widths: number[];
  activation: Activation | Activation[];
  loss: LossName;
  bias: boolean;
  output?: "linear" | "tanh" | "softplus";
}

// n = 300 samples: two chunks of the assembly (256 + 44), so the sum over chunks is exercised.
const N = 300;
const CASES: DeepCase[] = [
  { widths: [3, 6, 5, 1], activation: "tanh", loss: "mse", bias: true },
  { widths: [3, 6, 5, 2], activation: "relu", loss: "mse", bias: false },
  { widths: [7, 2, 3, 2], activation: "softplus", loss: "mse", bias: true }, // inputs wider than every layer
  { widths: [2, 5, 4, 3], activation: ["sigmoid", "softplus"], loss: "cross-entropy", bias: true },
  { widths: [4, 5, 3, 4, 2], activation: ["softplus", "tanh", "gelu"], loss: "mse", bias: true },
  { widths: [2, 4, 6, 3, 3], activation: ["tanh", "sin", "sigmoid"], loss: "cross-entropy", bias: false },
  { widths: [3, 7, 2], activation: "tanh", loss: "mse", bias: true, output: "tanh" },
  { widths: [3, 4, 5, 2], activation: { name: "leaky-relu", slope: 0.2 }, loss: "mse", bias: true, output: "softplus" },
];

const label = (c: DeepCase) => `${c.widths.join("-")} ${JSON.stringify(c.activation)} ${c.loss} bias ${c.bias} output ${c.output ?? "linear"}`;

function problem(c: DeepCase, seed: number, n = N) {
  const p = randomProblem({ widths: c.widths, activation: c.activation, loss: c.loss, bias: c.bias, n, seed, std: 0.5 });
  return { model: c.output ? { ...p.model, output: c.output } : p.model, data: p.data };
}

/** A is exactly symmetric (M × M). */
function expectSymmetric(a: Float64Array, M: number, what: string): void {
  let asym = 0;
  for (let i = 0; i < M; i++) for (let j = 0; j < i; j++) asym = Math.max(asym, Math.abs(a[i * M + j] - a[j * M + i]));
  expect(asym, `${what} is symmetric to the bit`).toBe(0);
}

describe("deep exact Hessian assembled with GEMMs", () => {
  it.each(CASES.map((c, i) => [label(c), c, i] as const))("%s: H, H₀, H₁ as the TS oracle and the R-operator columns, exactly symmetric", (_, c, i) => {
    const { model, data } = problem(c, 40 + i);
    const M = model.params.length;
    setBackend("ts");
    const ref = hessian(model, data, { split: true });
    expect(maxAbs(ref.h1.data), "the residual part is not trivially zero").toBeGreaterThan(1e-3 * maxAbs(ref.h.data));
    for (const backend of ["simd", "scalar"] as const) {
      setBackend(backend);
      const split = hessian(model, data, { split: true });
      const H = hessian(model, data).data;
      // The WASM R-operator, column by column (the assembly this one replaced): H₁eⱼ, symmetrised.
      const cols = new Float64Array(M * M);
      const e = new Float64Array(M);
      for (let j = 0; j < M; j++) {
        e[j] = 1;
        const col = hessianVectorProduct(model, data, e, { part: "residual" });
        e[j] = 0;
        for (let r = 0; r < M; r++) cols[r * M + j] = col[r];
      }
      for (let r = 0; r < M; r++) for (let j = 0; j < r; j++) cols[r * M + j] = cols[j * M + r] = 0.5 * (cols[r * M + j] + cols[j * M + r]);
      // Same sums in another order (per-sample stacks, blocked GEMMs over 300 samples): 1e-13 of the largest entry
      // leaves three decades above the rounding of these sums (each term ≤ 1.1e-16 relative).
      const tol = 1e-13 * maxAbs(ref.h.data);
      expect(maxAbsDiff(split.h1.data, ref.h1.data), `${backend} h1 vs TS`).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(split.h1.data, cols), `${backend} h1 vs R-operator columns`).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(split.h0.data, ref.h0.data), `${backend} h0 vs TS`).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(split.h.data, ref.h.data), `${backend} h vs TS`).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(H, ref.h.data), `${backend} unsplit H vs TS`).toBeLessThanOrEqual(tol);
      expectSymmetric(H, M, `${backend} H`);
      expectSymmetric(split.h1.data, M, `${backend} H₁`);
    }
  });

  it("one sample, and fewer samples than the widest layer", () => {
    for (const n of [1, 3]) {
      const c = CASES[3];
      const { model, data } = problem(c, 7, n);
      setBackend("ts");
      const ref = hessian(model, data, { split: true });
      setBackend("simd");
      const got = hessian(model, data, { split: true });
      expect(maxAbsDiff(got.h1.data, ref.h1.data), `n = ${n}`).toBeLessThanOrEqual(1e-13 * maxAbs(ref.h.data));
    }
  });

  it("H agrees with central differences of the gradient (3-6-5-2 tanh, mse)", () => {
    setBackend("simd");
    const { model, data } = problem({ widths: [3, 6, 5, 2], activation: "tanh", loss: "mse", bias: true }, 5, 40);
    const H = hessian(model, data);
    const fd = centralDiff((p) => gradient({ ...model, params: p }, data), Float64Array.from(model.params), 1e-5);
    // central differences: truncation h²·|∇⁴R|/6 ≈ 1e-10 plus rounding ε·|∇R|/h ≈ 1e-11, far below 1e-7
    expect(maxAbsDiff(H.data, fd.data)).toBeLessThanOrEqual(1e-7 * maxAbs(H.data));
  });
});
