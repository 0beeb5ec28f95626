import { BACKENDS, init, loadWasm, setBackend, type BackendName } from "@losscape/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { forward, gradient, hessianVectorProduct, loss, packParams, unpackParams, withParams } from "./index.js";
import { ALL_ACTIVATIONS, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";
import type { Activation, LossName } from "./types.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

const problem = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 4 }),
  activation: fc.constantFrom<Activation>(...ALL_ACTIVATIONS),
  loss: fc.constantFrom<LossName>("mse", "cross-entropy"),
  seed: fc.integer({ min: 0, max: 10_000 }),
});

describe.each(BACKENDS)("invariants — backend %s", (backend: BackendName) => {
  beforeAll(() => setBackend(backend));

  it("vᵀ(Hw) = wᵀ(Hv) and H(αv + w) = αHv + Hw for the R-operator (fast-check)", () => {
    setBackend(backend);
    fc.assert(
      fc.property(problem, fc.double({ min: -2, max: 2, noNaN: true }), (c, alpha) => {
        const { model, data } = randomProblem({ ...c, std: 0.5 });
        const M = model.params.length;
        const v = new Float64Array(M).map((_, i) => Math.sin(i + c.seed));
        const w = new Float64Array(M).map((_, i) => Math.cos(2 * i - c.seed));
        const hv = hessianVectorProduct(model, data, v);
        const hw = hessianVectorProduct(model, data, w);
        let a = 0;
        let b = 0;
        for (let i = 0; i < M; i++) {
          a += v[i] * hw[i];
          b += w[i] * hv[i];
        }
        // both sides are the same bilinear form summed in different orders: 1e-12 relative to its magnitude
        const scale = 1 + maxAbs(hv) * maxAbs(w) * M;
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * scale);
        const comb = hessianVectorProduct(model, data, v.map((x, i) => alpha * x + w[i]));
        const lin = hv.map((x, i) => alpha * x + hw[i]);
        expect(maxAbsDiff(comb, lin)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(lin)));
      }),
      { seed: 7, numRuns: 40 },
    );
  });

  it("permuting the neurons of a hidden layer permutes θ and ∇R the same way and leaves f and R unchanged", () => {
    setBackend(backend);
    fc.assert(
      fc.property(problem, (c) => {
        const { model, data } = randomProblem({ ...c, std: 0.5 });
        const layers = unpackParams(model, model.params);
        const m = layers[0].W.rows;
        const perm = Array.from({ length: m }, (_, i) => (i + 1) % m); // a cyclic shift
        const permute = (theta: Float64Array) => {
          const L = unpackParams(model, theta);
          const k = L[0].W.cols;
          const W1 = new Float64Array(m * k);
          const b1 = new Float64Array(L[0].b.length);
          const W2 = new Float64Array(L[1].W.data.length);
          const n2 = L[1].W.rows;
          for (let j = 0; j < m; j++) {
            for (let a = 0; a < k; a++) W1[j * k + a] = L[0].W.data[perm[j] * k + a];
            if (b1.length) b1[j] = L[0].b[perm[j]];
            for (let r = 0; r < n2; r++) W2[r * m + j] = L[1].W.data[r * m + perm[j]];
          }
          const out = L.map((x) => ({ W: { ...x.W, data: Float64Array.from(x.W.data) }, b: Float64Array.from(x.b) }));
          out[0] = { W: { rows: m, cols: k, data: W1 }, b: b1 };
          out[1] = { W: { rows: n2, cols: m, data: W2 }, b: Float64Array.from(L[1].b) };
          return packParams(model, out);
        };
        const pm = withParams(model, permute(model.params));
        // f and R: the same sums in another order (hidden units summed permuted): 1e-13 relative
        const f0 = forward(model, data.x).data;
        expect(maxAbsDiff(forward(pm, data.x).data, f0)).toBeLessThanOrEqual(1e-13 * (1 + maxAbs(f0)));
        expect(Math.abs(loss(pm, data) - loss(model, data))).toBeLessThanOrEqual(1e-13 * (1 + loss(model, data)));
        const g = gradient(model, data);
        expect(maxAbsDiff(gradient(pm, data), permute(g))).toBeLessThanOrEqual(1e-13 * (1 + maxAbs(g)));
      }),
      { seed: 8, numRuns: 40 },
    );
  });
});
