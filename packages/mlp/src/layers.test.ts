import { BACKENDS, init, loadWasm, matFromRows, setBackend } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { forward, hiddenActivations, preActivations, train, unpackParams } from "./index.js";
import { maxAbsDiff, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("layer outputs — backend %s", (backend) => {
  beforeAll(() => setBackend(backend));

  it("hiddenActivations and preActivations follow hˡ = σ(Wˡhˡ⁻¹ + bˡ) (recomputed by hand from unpackParams)", () => {
    setBackend(backend);
    const { model, data } = randomProblem({ widths: [2, 3, 4, 2], activation: ["sin", "softplus"], seed: 6 });
    const layers = unpackParams(model, model.params);
    const hs = hiddenActivations(model, data.x);
    const zs = preActivations(model, data.x);
    expect(hs.map((h) => [h.rows, h.cols])).toEqual([[5, 3], [5, 4]]);
    expect(zs.map((z) => [z.rows, z.cols])).toEqual([[5, 3], [5, 4], [5, 2]]);
    const sigma = [Math.sin, (z: number) => Math.log1p(Math.exp(z))];
    let prev = data.x;
    for (let l = 0; l < 3; l++) {
      const { W, b } = layers[l];
      const z = new Float64Array(prev.rows * W.rows);
      for (let i = 0; i < prev.rows; i++) {
        for (let j = 0; j < W.rows; j++) {
          let s = b[j];
          for (let a = 0; a < W.cols; a++) s += W.data[j * W.cols + a] * prev.data[i * prev.cols + a];
          z[i * W.rows + j] = s;
        }
      }
      // 1e-15: the same dot products, possibly summed in another order by the blocked GEMM.
      expect(maxAbsDiff(zs[l].data, z)).toBeLessThan(1e-15 * 10);
      if (l < 2) {
        const h = z.map(sigma[l]);
        expect(maxAbsDiff(hs[l].data, h)).toBeLessThan(1e-14);
        prev = hs[l];
      } else {
        expect(maxAbsDiff(forward(model, data.x).data, z)).toBeLessThan(1e-14);
      }
    }
  });

  it("a depth-1 net (no hidden layer) is the linear model f = Wx + b", () => {
    setBackend(backend);
    const model = { widths: [2, 1], activation: "tanh" as const, params: Float64Array.from([2, -1, 0.5]) };
    expect(Array.from(forward(model, matFromRows([[1, 1], [0, 2]])).data)).toEqual([1.5, -1.5]);
    expect(hiddenActivations(model, matFromRows([[1, 1]]))).toEqual([]);
  });

  it("train initialises a model without params from its seed (deterministic)", () => {
    setBackend(backend);
    const { data } = randomProblem({ widths: [1, 3, 1], activation: "tanh", seed: 2 });
    const spec = { widths: [1, 3, 1], activation: "tanh" as const };
    const a = train(spec, data, { epochs: 5, seed: 11 });
    const b = train(spec, data, { epochs: 5, seed: 11 });
    const c = train(spec, data, { epochs: 5, seed: 12 });
    expect(Array.from(a.model.params)).toEqual(Array.from(b.model.params));
    expect(Array.from(a.model.params)).not.toEqual(Array.from(c.model.params));
  });
});
