import { init, setBackend } from "@losscape/core";
import { forward, withParams, type Model } from "@losscape/mlp";
import { beforeAll, describe, expect, it } from "vitest";
import { embeddingLine, embeddingLowerBound } from "./index.js";
import { randomData } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
  setBackend("simd");
});

describe("embeddingLowerBound (through embedding's reduceNetwork)", () => {
  // 1 → 4 → 1 tanh, θ = [W¹ (4), b¹ (4), W² (4), b² (1)].
  const base = (p: number[]): Model => ({ widths: [1, 4, 1], activation: "tanh", params: Float64Array.from(p) });
  it("finds each kind of redundancy", () => {
    // generic: nothing to remove
    expect(embeddingLowerBound(base([1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4, 1, 1, 1, 1, 0])).bound).toBe(0);
    // neuron 3 has zero outgoing weights
    expect(embeddingLowerBound(base([1, 2, 3, 4, 0.1, 0.2, 0.3, 0.4, 1, 1, 1, 0, 0])).removed).toEqual([{ layer: 1, neuron: 3, reason: "zero-outgoing" }]);
    // neuron 2 has zero incoming weight: a constant tanh(b) absorbed into b²
    expect(embeddingLowerBound(base([1, 2, 0, 4, 0.1, 0.2, 0.3, 0.4, 1, 1, 1, 1, 0])).removed).toEqual([{ layer: 1, neuron: 2, reason: "constant" }]);
    // neuron 3 = −neuron 1 (tanh is odd): merges, as does an exact duplicate
    const neg = embeddingLowerBound(base([1, 2, 3, -2, 0.1, 0.2, 0.3, -0.2, 1, 1, 1, 1, 0]));
    // with equal outgoing weights the merged neuron's outgoing weight is 1 + (−1)·1 = 0: the pair cancels exactly
    // (tanh(2x + 0.2) + tanh(−2x − 0.2) = 0), so the reduction also drops neuron 1 and the bound is 2
    expect(neg.removed).toEqual([
      { layer: 1, neuron: 3, reason: "duplicate-up-to-sign", into: 1 },
      { layer: 1, neuron: 1, reason: "zero-outgoing" },
    ]);
    expect(neg).toMatchObject({ mTotal: 4, mMin: 2, bound: 2 });
    const dup = embeddingLowerBound(base([1, 2, 1, 4, 0.1, 0.2, 0.1, 0.4, 1, 1, 1, 1, 0]));
    expect(dup).toMatchObject({ mTotal: 4, mMin: 3, bound: 1 });
    // relu is not odd: a negated copy (neuron 3 = −2·neuron 0) is a different function, not removed; it is positively
    // homogeneous, so the positive multiples (neurons 1, 2 = 2·, 3·neuron 0) merge up to scale
    const relu = embeddingLowerBound({ ...base([1, 2, 3, -2, 0.1, 0.2, 0.3, -0.2, 1, 1, 1, 1, 0]), activation: "relu" });
    expect(relu.removed).toEqual([
      { layer: 1, neuron: 1, reason: "duplicate-up-to-scale", into: 0 },
      { layer: 1, neuron: 2, reason: "duplicate-up-to-scale", into: 0 },
    ]);
    expect(relu).toMatchObject({ mTotal: 4, mMin: 2, bound: 2 });
  });
  it("every removal is lossless: repeated splits of a generic net are all found, and the split keeps the function", () => {
    const data = randomData(6, 2, 1, 3);
    const spec = { widths: [2, 3, 1], activation: "tanh" as const };
    let m: Model = { ...spec, params: Float64Array.from({ length: 13 }, (_, i) => Math.sin(3 * i + 1)) };
    const f0 = forward(m, data.x).data;
    for (let k = 1; k <= 3; k++) {
      m = embeddingLine(m, { layer: 1, neuron: k - 1, alpha: 0.4 }).model;
      expect(embeddingLowerBound(m).bound).toBe(k);
      const f = forward(m, data.x).data;
      for (let i = 0; i < f.length; i++) expect(Math.abs(f[i] - f0[i])).toBeLessThanOrEqual(1e-14);
    }
    expect(() => embeddingLowerBound(withParams(m, m.params), { tol: -1 })).toThrow(/'tol'/);
  });
});
