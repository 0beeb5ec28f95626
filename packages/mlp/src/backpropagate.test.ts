import { init, loadWasm, setBackend, ShapeError } from "@losscape/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activationDerivatives, backpropagate, forward, gradient, loss, type Activation, type LossName } from "./index.js";
import { ALL_ACTIVATIONS, maxAbs, maxAbsDiff, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});
afterAll(() => setBackend("simd"));

const problemArb = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }),
  acts: fc.array(fc.constantFrom<Activation>(...ALL_ACTIVATIONS), { minLength: 4, maxLength: 4 }),
  loss: fc.constantFrom<LossName>("mse", "cross-entropy"),
  bias: fc.boolean(),
  l2: fc.constantFrom(0, 0.05),
  n: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  output: fc.constantFrom<"linear" | "tanh" | "sigmoid">("linear", "linear", "tanh", "sigmoid"),
});

interface Spec {
  widths: number[];
  acts: Activation[];
  loss: LossName;
  bias: boolean;
  l2: number;
  n: number;
  seed: number;
  output: "linear" | "tanh" | "sigmoid";
}

function problemOf(s: Spec) {
  const L = s.widths.length - 1;
  const p = randomProblem({ widths: s.widths, activation: s.acts.slice(0, L - 1), loss: s.loss, bias: s.bias, l2: s.l2, n: s.n, seed: s.seed, std: 0.5 });
  return { model: { ...p.model, output: s.output }, data: p.data };
}

describe("backpropagate", () => {
  for (const backend of ["simd", "scalar", "ts"] as const) {
    it(`${backend}: Σᵢ δˡᵢ[hˡ⁻¹ᵢ; 1] is ∇R, δˡ = ∂R/∂hˡ ⊙ σ′(Zˡ), ∂R/∂f is the loss derivative (property)`, () => {
      setBackend(backend);
      fc.assert(
        fc.property(problemArb, (s) => {
          const { model, data } = problemOf(s);
          const bp = backpropagate(model, data);
          const L = model.widths.length - 1;
          const n = data.x.rows;
          const bias = model.bias ?? true;
          // The forward pass of the active backend (another kernel than loss's and forward's on WASM): to rounding.
          const r = loss(model, data);
          expect(Math.abs(bp.loss - r)).toBeLessThanOrEqual(1e-13 * (1 + r));
          const f0 = forward(model, data.x).data;
          expect(maxAbsDiff(bp.activations[L - 1].data, f0)).toBeLessThanOrEqual(1e-13 * (1 + maxAbs(f0)));
          expect(bp.deltas.length).toBe(L);
          // ∇R without the L2 term from the deltas, in the flat order (W¹, b¹, W², b², …).
          const g = gradient(model, data);
          let off = 0;
          for (let l = 1; l <= L; l++) {
            const m = model.widths[l];
            const k = model.widths[l - 1];
            const hPrev = l === 1 ? data.x.data : bp.activations[l - 2].data;
            const d = bp.deltas[l - 1].data;
            const a: Activation = l === L ? s.output : (Array.isArray(model.activation) ? model.activation[l - 1] : model.activation);
            for (let q = 0; q < n * m; q++) {
              expect(d[q]).toBe(bp.activationGradients[l - 1].data[q] * activationDerivatives(a, bp.preActivations[l - 1].data[q]).first);
            }
            for (let j = 0; j < m; j++) {
              for (let c = 0; c <= k; c++) {
                if (c === k && !bias) continue;
                let acc = 0;
                let scale = 0;
                for (let i = 0; i < n; i++) {
                  const t = d[i * m + j] * (c < k ? hPrev[i * k + c] : 1);
                  acc += t;
                  scale += Math.abs(t);
                }
                const idx = c < k ? off + j * k + c : off + m * k + j;
                const l2 = model.l2 ?? 0;
                // Same sums as the engine's gradient in another order: 1e-12 of the magnitudes.
                expect(Math.abs(acc + l2 * model.params[idx] - g[idx])).toBeLessThanOrEqual(1e-12 * (scale + Math.abs(l2 * model.params[idx])) + 1e-300);
              }
            }
            off += m * k + (bias ? m : 0);
          }
          if ((model.loss ?? "mse") === "mse") {
            const f = bp.activations[L - 1].data;
            const y = data.y.data;
            for (let q = 0; q < f.length; q++) expect(bp.activationGradients[L - 1].data[q]).toBe((f[q] - y[q]) / n);
          }
        }),
        { seed: 20261205, numRuns: 40 },
      );
    });
  }

  it("WASM forward passes agree with the TS oracle to rounding", () => {
    fc.assert(
      fc.property(problemArb, (s) => {
        const { model, data } = problemOf(s);
        setBackend("ts");
        const ref = backpropagate(model, data);
        for (const b of ["simd", "scalar"] as const) {
          setBackend(b);
          const got = backpropagate(model, data);
          for (const key of ["preActivations", "activations", "activationGradients", "deltas"] as const) {
            ref[key].forEach((r, l) => {
              expect(maxAbsDiff(got[key][l].data, r.data), `${b} ${key}[${l}]`).toBeLessThanOrEqual(1e-13 * (1 + maxAbs(r.data)));
            });
          }
        }
      }),
      { seed: 7, numRuns: 30 },
    );
    setBackend("simd");
  });

  it("returns fresh arrays: a linear layer's δ does not alias its ∂R/∂h", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "linear", seed: 1 });
    const bp = backpropagate(model, data);
    expect(bp.deltas[1].data).not.toBe(bp.activationGradients[1].data);
    expect(Array.from(bp.deltas[1].data)).toEqual(Array.from(bp.activationGradients[1].data));
  });

  it("refuses data of the wrong shape with a ShapeError naming backpropagate", () => {
    const { model, data } = randomProblem({ widths: [2, 3, 1], activation: "tanh", seed: 1 });
    const bad = { x: { rows: data.x.rows, cols: 3, data: new Float64Array(data.x.rows * 3) }, y: data.y };
    expect(() => backpropagate(model, bad)).toThrow(ShapeError);
    expect(() => backpropagate(model, bad)).toThrow(/^backpropagate: /);
  });
});
