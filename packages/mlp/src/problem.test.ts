import { BACKENDS, eigvalsh, init, loadWasm, setBackend, StaleHandleError, ValueError, type BackendName } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createProblem, gradient, hessian, hessianVectorProduct, loss, lossAndGradient, withParams, type Problem } from "./index.js";
import { randomProblem } from "./__tests__/helpers.js";

// The resident problem against the functional API: the same numbers bit for bit on every backend, bounded memory,
// typed errors for stale handles.

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

const cases = [
  { widths: [2, 5, 1], activation: "tanh" as const, seed: 1 },
  { widths: [3, 4, 3, 2], activation: "softplus" as const, loss: "cross-entropy" as const, l2: 0.01, seed: 2 },
  { widths: [2, 3, 3, 1], activation: "sin" as const, bias: false, l2: 0.1, seed: 3 },
];

/** Every direction of `problem.hvpBlock(V, k)` equals `problem.hvp` of it to 1e-13 relative to its largest entry, every part. */
function expectBlockIsHvp(problem: Problem, V: Float64Array, k: number): void {
  const M = problem.M;
  for (const part of ["full", "gauss-newton", "residual"] as const) {
    const HV = problem.hvpBlock(V, k, { part });
    expect(HV.length).toBe(k * M);
    for (let j = 0; j < k; j++) {
      const hv = problem.hvp(V.subarray(j * M, (j + 1) * M), { part });
      const scale = Math.max(...hv.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      let worst = 0;
      for (let i = 0; i < M; i++) worst = Math.max(worst, Math.abs(HV[j * M + i] - hv[i]));
      expect(worst).toBeLessThanOrEqual(1e-13 * scale);
    }
  }
}

describe.each(BACKENDS)("createProblem on the %s backend", (backend: BackendName) => {
  it.each(cases)("equals the functional API bit for bit at several θ (%o)", (c) => {
    setBackend(backend);
    const { model, data } = randomProblem({ ...c, n: 9 });
    using problem = createProblem(model, data);
    const v = Float64Array.from({ length: problem.M }, (_, i) => Math.cos(i + 1));
    for (let step = 0; step < 3; step++) {
      const theta = model.params.map((t, i) => t + 0.1 * step * Math.sin(i + step));
      problem.setParams(theta);
      const m = withParams(model, theta);
      expect(problem.params).toEqual(theta);
      expect(problem.loss()).toBe(loss(m, data));
      expect(problem.gradient()).toEqual(gradient(m, data));
      expect(problem.lossAndGradient()).toEqual(lossAndGradient(m, data));
      expect(problem.hvp(v)).toEqual(hessianVectorProduct(m, data, v));
      expect(problem.hvp(v, { part: "residual" })).toEqual(hessianVectorProduct(m, data, v, { part: "residual" }));
      const H = hessian(m, data);
      expect(problem.hessian()).toEqual(H);
      expect(problem.hessianEigenvalues()).toEqual(eigvalsh(H));
    }
  });

  it.each(cases)("hvpBlock: every direction of the block equals hvp to 1e-13 relative, every part (%o)", (c) => {
    setBackend(backend);
    const { model, data } = randomProblem({ ...c, n: 9 });
    using problem = createProblem(model, data);
    const M = problem.M;
    const k = 3;
    const V = Float64Array.from({ length: k * M }, (_, i) => Math.sin(0.7 * i + 1));
    expectBlockIsHvp(problem, V, k);
    expect(() => problem.hvpBlock(V, 0)).toThrowError(/^Problem.hvpBlock: 'k' must be ≥ 1/);
    expect(() => problem.hvpBlock(V.subarray(1), k)).toThrowError(/^Problem.hvpBlock: .*'V'/);
    expect(() => problem.hvpBlock(V, k, { part: "half" as "full" })).toThrowError(/^Problem.hvpBlock: 'part' must be/);
  });

  it.skipIf(backend === "ts")("hvpBlock on products of several GEMM blocks (d_in = 300, n = 270, k = 5) equals hvp to 1e-13 relative", () => {
    // Past 256 in d_in and n the block's GEMMs (over n·k rows, and per direction over strided blocks) span several of
    // dgemm's kc blocks, and past 64 columns its packed path. The order of the sums differs from hvp's, so the bound
    // is relative (1e-13: a few hundred rounding steps). The ts backend's block is hvp's loop over the directions, so
    // only the WASM kernels are tested here.
    setBackend(backend);
    for (const c of [
      { widths: [300, 40, 30, 3], activation: "tanh" as const, loss: "cross-entropy" as const, seed: 7 },
      { widths: [300, 17, 2], activation: "softplus" as const, bias: false, seed: 8 },
    ]) {
      const { model, data } = randomProblem({ ...c, n: 270, std: 0.2 });
      using problem = createProblem(model, data);
      const M = problem.M;
      const k = 5;
      const V = Float64Array.from({ length: k * M }, (_, i) => Math.sin(0.37 * i + 1));
      expectBlockIsHvp(problem, V, k);
    }
  });

  it("a NaN result is refused by name as the functional API refuses it; R = +∞ is returned", () => {
    setBackend(backend);
    // Finite parameters whose outputs overflow float64: the logits ±∞ meet ∞ − ∞ in the softmax (cross-entropy), and
    // a linear hidden layer of ±1e200 weights gives 1e200·1e200 − 1e200·1e200 = ∞ − ∞ in the output (mse).
    const x = { rows: 2, cols: 1, data: Float64Array.from([1, -1]) };
    const nets = [
      { model: { widths: [1, 2, 2], activation: "linear" as const, loss: "cross-entropy" as const, params: new Float64Array(10).fill(1e200) }, y: [1, 0, 0, 1] },
      { model: { widths: [1, 2, 1], activation: "linear" as const, params: Float64Array.from([1e200, 1e200, 0, 0, 1e200, -1e200, 0]) }, y: [0, 0] },
    ];
    const messageOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return null;
    };
    for (const { model, y } of nets) {
      const data = { x, y: { rows: 2, cols: y.length / 2, data: Float64Array.from(y) } };
      using problem = createProblem(model, data);
      const v = new Float64Array(problem.M).fill(1);
      const pairs: [string, () => unknown, string, () => unknown][] = [
        ["Problem.loss", () => problem.loss(), "loss", () => loss(model, data)],
        ["Problem.lossAndGradient", () => problem.lossAndGradient(), "lossAndGradient", () => lossAndGradient(model, data)],
        ["Problem.gradient", () => problem.gradient(), "gradient", () => gradient(model, data)],
        ["Problem.hvp", () => problem.hvp(v), "hessianVectorProduct", () => hessianVectorProduct(model, data, v)],
        ["Problem.hessian", () => problem.hessian(), "hessian", () => hessian(model, data)],
      ];
      for (const [name, method, fnName, functional] of pairs) {
        const expected = messageOf(functional);
        expect(expected, fnName).toMatch(new RegExp(`^${fnName}: the .* is NaN at these parameters`));
        let err: unknown;
        try {
          method();
        } catch (e) {
          err = e;
        }
        expect(err, name).toBeInstanceOf(ValueError);
        expect((err as Error).message).toBe(expected!.replace(`${fnName}:`, `${name}:`));
      }
      expect(() => problem.hessianEigenvalues()).toThrowError(/^Problem\.hessianEigenvalues: the Hessian is NaN at these parameters/);
      // The hvpBlock of one direction is the hvp's.
      expect(() => problem.hvpBlock(v, 1)).toThrowError(/^Problem\.hvpBlock: the Hessian-vector product is NaN at these parameters/);
    }
    // An overflow to +∞ without ∞ − ∞ is an honest R = +∞, from both.
    const big = { widths: [1, 1, 1], activation: "linear" as const, params: Float64Array.from([1e200, 0, 1e200, 0]) };
    const data = { x, y: { rows: 2, cols: 1, data: new Float64Array(2) } };
    using problem = createProblem(big, data);
    expect(loss(big, data)).toBe(Infinity);
    expect(problem.loss()).toBe(Infinity);
  });

  it("use after dispose, or after setBackend switched the backend, is a StaleHandleError", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ ...cases[0], n: 5 });
    const problem = createProblem(model, data);
    setBackend(backend === "ts" ? "simd" : "ts");
    expect(() => problem.loss()).toThrowError(StaleHandleError);
    expect(() => problem.gradient()).toThrowError(/^Problem.gradient: the problem was created on the '\w+' backend, but the active backend is '\w+'/);
    setBackend(backend);
    expect(problem.loss()).toBe(loss(model, data));
    problem.dispose();
    problem.dispose(); // idempotent
    expect(() => problem.loss()).toThrowError(/^Problem.loss: the problem was used after dispose\(\)/);
    expect(() => problem.setParams(model.params)).toThrowError(StaleHandleError);
  });
});

describe.each(["simd", "scalar"] as const)("createProblem memory on the %s build", (build) => {
  it("stays bounded over 1000 create/dispose cycles", async () => {
    setBackend(build);
    const inst = await loadWasm(build);
    const { model, data } = randomProblem({ widths: [3, 8, 2], activation: "tanh", n: 40, seed: 4 });
    createProblem(model, data).dispose();
    loss(model, data);
    const bytes = inst.memoryBytes;
    const region = inst.residentBytes;
    let last = 0;
    for (let r = 0; r < 1000; r++) {
      using problem = createProblem(model, data);
      last = problem.loss();
    }
    expect(last).toBe(loss(model, data));
    expect(inst.memoryBytes).toBe(bytes);
    expect(inst.residentBytes).toBe(region);
  });
});
