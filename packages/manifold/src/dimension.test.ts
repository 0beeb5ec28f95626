import { BACKENDS, init, loadWasm, setBackend, ValueError } from "@losscape/core";
import { withParams } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { cooperShowcase, embeddingLine, globalMinimumDimension, NotAMinimumError, ToleranceError } from "./index.js";
import { exactFit, randomData, REFERENCE, refProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("globalMinimumDimension (%s)", (backend) => {
  it("Cooper: exact fits of overparameterised tanh nets have rank J = n·r and Hessian corank M − n·r", () => {
    setBackend(backend);
    // Several architectures (one and two outputs, one and two hidden layers), n·r < M, seeded data and inits.
    const cases = [
      { widths: [1, 4, 1], n: 8 },
      { widths: [2, 5, 2], n: 6 },
      { widths: [1, 3, 3, 1], n: 8 },
    ];
    for (const [i, c] of cases.entries()) {
      const r = c.widths[c.widths.length - 1];
      const data = randomData(c.n, c.widths[0], r, 40 + i);
      const model = exactFit({ widths: c.widths, activation: "tanh" }, data, 7 + i);
      expect(model, `fit ${c.widths}`).not.toBeNull();
      const d = globalMinimumDimension(model!, data);
      expect(d.jacobianRank).toBe(c.n * r);
      expect(d.cooperDimension).toBe(d.paramCount - c.n * r);
      expect(d.localDimension).toBe(d.cooperDimension);
      expect(d.hessianCorank).toBe(d.cooperDimension);
      expect(d.agrees).toBe(true);
      expect(d.embedding.bound).toBe(0);
    }
  });

  it("a neuron split adds at least one zero direction: corank grows by ≥ 1 and agrees turns false", () => {
    setBackend(backend);
    const c = REFERENCE.cases.find((k) => k.agrees_with_generic_formula)!;
    const { model, data } = refProblem(c);
    const base = globalMinimumDimension(model, data);
    for (const neuron of [0, 4, 9]) {
      const wide = embeddingLine(model, { layer: 1, neuron, alpha: 0.3 }).model;
      const d = globalMinimumDimension(wide, data);
      // Widening by one neuron adds d_in + 1 + r = 3 parameters; the output map is unchanged, rank J stays n·r
      // (generic), so the local dimension grows by 3 and the Hessian corank follows it.
      expect(d.paramCount).toBe(base.paramCount + 3);
      expect(d.jacobianRank).toBe(base.jacobianRank);
      expect(d.hessianCorank).toBe(base.hessianCorank + 3);
      expect(d.embedding.bound).toBe(1);
      expect(d.embedding.removed[0]).toMatchObject({ layer: 1, reason: "duplicate" });
    }
  });
});

describe("errors", () => {
  it("a point far from a minimum: NotAMinimumError stating the loss and the gradient norm", () => {
    setBackend("simd");
    const { model, data } = refProblem(REFERENCE.cases[0]);
    const far = withParams(model, model.params.map((v, i) => v + 0.1 * Math.sin(i)));
    let err: unknown;
    try {
      globalMinimumDimension(far, data);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotAMinimumError);
    const e = err as NotAMinimumError;
    expect(e.loss).toBeGreaterThan(1e-10);
    expect(e.gradNorm).toBeGreaterThan(0);
    expect(e.message).toContain(`loss R = ${e.loss}`);
    expect(e.message).toContain(`gradient norm ‖∇R‖ = ${e.gradNorm}`);
    expect(e.code).toBe("E_VALUE");
    // A looser lossTol accepts it.
    expect(globalMinimumDimension(far, data, { lossTol: 1 }).paramCount).toBe(31);
  });
  it("ill-posed tolerances", () => {
    const { model, data } = refProblem(REFERENCE.cases[0]);
    expect(() => globalMinimumDimension(model, data, { lossTol: 0 })).toThrow(ToleranceError);
    expect(() => globalMinimumDimension(model, data, { lossTol: -1 })).toThrow(/'lossTol'/);
    expect(() => globalMinimumDimension(model, data, { rankTol: 1.5 })).toThrow(/'rankTol'/);
    expect(() => globalMinimumDimension(model, data, { tol: NaN })).toThrow(ToleranceError);
  });
  it("models whose loss does not vanish on the zero-loss set (cross-entropy, l2 > 0): ValueError naming 'loss' or 'l2'", () => {
    // Cooper's count is the dimension of {θ : f(xᵢ; θ) = yᵢ}, where only the mse loss without l2 is 0. With l2 the
    // exact fit below has R = (l2/2)·‖θ‖² > 0, and a large lossTol would otherwise let it through.
    const { model, data } = refProblem(REFERENCE.cases[0]);
    expect(() => globalMinimumDimension({ ...model, l2: 1e-3 }, data, { lossTol: 10 })).toThrow(ValueError);
    expect(() => globalMinimumDimension({ ...model, l2: 1e-3 }, data, { lossTol: 10 })).toThrow(/^globalMinimumDimension: 'l2' must be 0/);
    expect(() => globalMinimumDimension({ ...model, loss: "cross-entropy" }, data, { lossTol: 10 })).toThrow(/^globalMinimumDimension: 'loss' must be "mse"/);
  });
});

describe("cooperShowcase", () => {
  it("generic fit agrees with Cooper; the split teacher shows extra degeneracy", () => {
    setBackend("simd");
    for (const seed of [0, 1]) {
      const { generic, split } = cooperShowcase({ seed });
      expect(generic.dimension.loss).toBeLessThanOrEqual(1e-25);
      expect(generic.dimension.agrees).toBe(true);
      expect(generic.dimension.localDimension).toBe(21);
      expect(split.dimension.cooperDimension).toBe(0);
      expect(split.dimension.jacobianRank).toBeLessThan(10);
      expect(split.dimension.hessianCorank).toBeGreaterThan(0);
      expect(split.dimension.hessianCorank).toBe(split.dimension.localDimension);
      expect(split.dimension.agrees).toBe(false);
      expect(split.dimension.embedding.bound).toBe(1);
    }
  });
});
