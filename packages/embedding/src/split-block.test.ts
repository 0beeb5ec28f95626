import { init, matFromRows } from "@losscape/core";
import { activationDerivatives, createRng, gradient, hessianVectorProduct, type Activation, type Model } from "@losscape/mlp";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { splitBlock, splitNeuron, splitSubspaceHessian } from "./index.js";
import { hiddenGradients } from "./split-block.js";
import { ALL_ACTIVATIONS, alphaArb, maxAbs, netArb, netProblem, pickStep, randomProblem } from "./__tests__/helpers.js";

beforeAll(async () => {
  await init();
});

const probOf = (s: Parameters<typeof netProblem>[0]) => netProblem(s, 7);

describe("gᵢ = ∂R/∂(activation of neuron s at sample i), the weights of Γ_s", () => {
  it("reproduce @losscape/mlp's gradient: Σᵢ gᵢσ′(z_{s,i})[h^{l−1}_i; 1] = ∂R/∂[W^l_s; b^l_s] (property)", () => {
    fc.assert(
      fc.property(netArb, fc.nat(), (s, li) => {
        const { model, data } = probOf(s);
        const L = model.widths.length - 1;
        const l = 1 + (li % (L - 1));
        const { G, Z, H } = hiddenGradients(model, data);
        const g = gradient(model, data);
        const n = data.x.rows;
        const m = model.widths[l];
        const p = model.widths[l - 1];
        let off = 0;
        for (let k = 1; k < l; k++) off += model.widths[k] * model.widths[k - 1] + (s.bias ? model.widths[k] : 0);
        const act = ALL_ACTIVATIONS[s.act];
        for (let sIdx = 0; sIdx < m; sIdx++) {
          for (let j = 0; j <= p; j++) {
            if (j === p && !s.bias) continue;
            let acc = 0;
            let scale = 0;
            for (let i = 0; i < n; i++) {
              const z = Z[l - 1].data[i * m + sIdx];
              const sp = sigmaPrime(act, z);
              const hv = j < p ? H[l - 1][i * p + j] : 1;
              acc += G[l][i * m + sIdx] * sp * hv;
              scale += Math.abs(G[l][i * m + sIdx] * sp * hv);
            }
            const idx = j < p ? off + sIdx * p + j : off + m * p + sIdx;
            // Same sums in a different order: rounding ≈ 1e-15 of the sum of magnitudes.
            expect(Math.abs(acc - g[idx])).toBeLessThanOrEqual(1e-12 * Math.max(scale, 1e-300) + 1e-300);
          }
        }
      }),
      { seed: 99, numRuns: 80 },
    );
  });
});

function sigmaPrime(a: Activation, z: number): number {
  return activationDerivatives(a, z).first;
}

describe("Γ_s is the wide Hessian on the antisymmetric split direction: dᵀH_wide d = α(1−α)·uᵀΓ_s u", () => {
  // Along d (δv_s = (1−α)u on the original's incoming row and bias, δv_c = −αu on the copy's), the first-order
  // change of the output vanishes and the second-order one is ½·a·σ″·α(1−α)(u·h̃)², so d²R/dt² = α(1−α)uᵀΓ_s u
  // at any θ. The left side uses mlp's exact R-operator HVP, the right side this package's Γ_s: independent code.
  it("property over random nets (every activation, depth 1–4, random α and u)", () => {
    fc.assert(
      fc.property(netArb, fc.nat(), fc.nat(), alphaArb, (s, li, ni, alpha) => {
        const { model, data } = probOf(s);
        const { layer, neuron } = pickStep(model, li, ni, alpha);
        const wide = splitNeuron(model, { layer, neuron, alpha });
        const gamma = splitBlock(model, data, { layer, neuron });
        const p = model.widths[layer - 1];
        const k = gamma.rows;
        expect(k).toBe(p + (s.bias ? 1 : 0));
        const rng = createRng(s.seed + 5);
        const u = Array.from({ length: k }, () => rng.normal());
        const d = new Float64Array(wide.params.length);
        let off = 0;
        for (let q = 1; q < layer; q++) off += wide.widths[q] * wide.widths[q - 1] + (s.bias ? wide.widths[q] : 0);
        const mW = wide.widths[layer];
        const c = mW - 1;
        for (let j = 0; j < p; j++) {
          d[off + neuron * p + j] = (1 - alpha) * u[j];
          d[off + c * p + j] = -alpha * u[j];
        }
        if (s.bias) {
          d[off + mW * p + neuron] = (1 - alpha) * u[p];
          d[off + mW * p + c] = -alpha * u[p];
        }
        const hd = hessianVectorProduct(wide, data, d);
        let lhs = 0;
        for (let i = 0; i < d.length; i++) lhs += d[i] * hd[i];
        let rhs = 0;
        let mag = 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
          rhs += u[a] * gamma.data[a * k + b] * u[b];
          mag += Math.abs(u[a] * gamma.data[a * k + b] * u[b]);
        }
        rhs *= alpha * (1 - alpha);
        mag *= Math.abs(alpha * (1 - alpha));
        // The HVP also carries the cancelling first-order (Gauss–Newton) terms, whose size is ≈ ‖d‖²·max|H|;
        // both sides are sums of O(n·M) rounded terms: 1e-10 of those magnitudes.
        const hScale = maxAbs(hd) * Math.sqrt(d.reduce((t, v) => t + v * v, 0));
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * Math.max(mag, hScale, 1e-12));
      }),
      { seed: 31337, numRuns: 120 },
    );
  });
});

describe("splitBlock", () => {
  it("is symmetric, (m_{l−1} + 1)² with biases, and zero for relu (σ″ = 0)", () => {
    const { model, data } = randomProblem({ widths: [3, 2, 1], activation: "tanh", seed: 1 });
    const g = splitBlock(model, data, { layer: 1, neuron: 1 });
    expect([g.rows, g.cols]).toEqual([4, 4]);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(g.data[a * 4 + b]).toBe(g.data[b * 4 + a]);
    const r = randomProblem({ widths: [3, 2, 1], activation: "relu", seed: 1 });
    expect(maxAbs(splitBlock(r.model, r.data, { layer: 1, neuron: 0 }).data)).toBe(0);
  });
  it("cross-entropy nets: Γ_s from the softmax residuals (checked by the HVP identity)", () => {
    const model: Model = { widths: [2, 2, 3], activation: "tanh", loss: "cross-entropy", params: Float64Array.from([0.3, -0.7, 1.1, 0.4, 0.2, -0.1, 0.5, -1, 0.8, 0.3, -0.6, 1.2, 0.1, 0, -0.2]) };
    const data = { x: matFromRows([[1, 0], [0.5, -1], [-1, 2], [0.3, 0.3]]), y: matFromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.3, 0.5]]) };
    const alpha = 0.3;
    const wide = splitNeuron(model, { layer: 1, neuron: 0, alpha });
    const gamma = splitBlock(model, data, { layer: 1, neuron: 0 });
    const u = [0.7, -0.4, 1.3];
    const d = new Float64Array(wide.params.length);
    // wide θ = [W¹ (3×2), b¹ (3), …]: original row 0, copy row 2
    d[0] = (1 - alpha) * u[0];
    d[1] = (1 - alpha) * u[1];
    d[6] = (1 - alpha) * u[2];
    d[4] = -alpha * u[0];
    d[5] = -alpha * u[1];
    d[8] = -alpha * u[2];
    const hd = hessianVectorProduct(wide, data, d);
    const lhs = d.reduce((t, v, i) => t + v * hd[i], 0);
    let rhs = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) rhs += u[a] * gamma.data[a * 3 + b] * u[b];
    // O(1) numbers, a few dozen terms: 1e-13 absolute.
    expect(Math.abs(lhs - alpha * (1 - alpha) * rhs)).toBeLessThanOrEqual(1e-13);
  });
  it("errors: hidden layer only, data must fit", () => {
    const { model, data } = randomProblem({ widths: [1, 2, 1], activation: "tanh", seed: 1 });
    expect(() => splitBlock(model, data, { layer: 2, neuron: 0 })).toThrow(/splitBlock: 'layer'/);
    expect(() => splitBlock(model, { x: matFromRows([[1, 2]]), y: matFromRows([[1]]) }, { layer: 1, neuron: 0 })).toThrow(/splitBlock/);
  });
});

describe("splitSubspaceHessian K = PᵀH_wide P on the split directions (row moves, antisymmetric incoming)", () => {
  // P's columns: εⱼ moves W^{l+1}_{j,s} → W^{l+1}_{j,c} (c the copy); tₖ = (1−α)eₖ on s's incoming, −αeₖ on c's.
  // K's formula holds at any θ (first-order output changes vanish along all of them); mlp's exact HVP is the oracle.
  it("property over random nets (every activation, depth 1–4, d_out 1–2, random α)", () => {
    fc.assert(
      fc.property(netArb, fc.nat(), fc.nat(), alphaArb, (s, li, ni, alpha) => {
        const { model, data } = probOf(s);
        const L = model.widths.length - 1;
        const step = pickStep(model, li, ni, alpha);
        const { layer, neuron } = step;
        const wide = splitNeuron(model, step);
        const K = splitSubspaceHessian(model, data, step);
        const r = model.widths[layer + 1];
        const p = model.widths[layer - 1];
        const k = p + (s.bias ? 1 : 0);
        expect(K.rows).toBe(r + k);
        const offs: number[] = [];
        let off = 0;
        for (let q = 1; q <= L; q++) {
          offs.push(off);
          off += wide.widths[q] * wide.widths[q - 1] + (s.bias ? wide.widths[q] : 0);
        }
        const mW = wide.widths[layer];
        const c = mW - 1;
        const cols: Float64Array[] = [];
        for (let j = 0; j < r; j++) {
          const d = new Float64Array(wide.params.length);
          d[offs[layer] + j * mW + neuron] = -1;
          d[offs[layer] + j * mW + c] = 1;
          cols.push(d);
        }
        for (let q = 0; q < k; q++) {
          const d = new Float64Array(wide.params.length);
          const o = offs[layer - 1];
          if (q < p) {
            d[o + neuron * p + q] = 1 - alpha;
            d[o + c * p + q] = -alpha;
          } else {
            d[o + mW * p + neuron] = 1 - alpha;
            d[o + mW * p + c] = -alpha;
          }
          cols.push(d);
        }
        const N = r + k;
        for (let a = 0; a < N; a++) {
          const hd = hessianVectorProduct(wide, data, cols[a]);
          const scale = maxAbs(hd) * (1 + Math.abs(alpha)) + 1e-300;
          for (let b = 0; b < N; b++) {
            let v = 0;
            for (let i = 0; i < hd.length; i++) v += cols[b][i] * hd[i];
            // Rounding of O(n·M) sums whose terms are ≤ max|H·d|·‖d‖: 1e-10 of that scale.
            expect(Math.abs(v - K.data[a * N + b])).toBeLessThanOrEqual(1e-10 * Math.max(scale, 1e-12));
          }
        }
      }),
      { seed: 5150, numRuns: 80 },
    );
  });
});

describe("non-linear output activation", () => {
  it("gᵢ include σ_out′: the gradient identity holds for output 'tanh' and 'sigmoid'", () => {
    for (const output of ["tanh", "sigmoid"] as const) {
      const { model: m0, data } = randomProblem({ widths: [2, 3, 2], activation: "softplus", seed: 44 });
      const model: Model = { ...m0, output };
      const { G, Z, H } = hiddenGradients(model, data);
      const g = gradient(model, data);
      const n = data.x.rows;
      for (let s = 0; s < 3; s++) {
        let acc = 0;
        let scale = 0;
        for (let i = 0; i < n; i++) {
          const t = G[1][i * 3 + s] * sigmaPrime("softplus", Z[0].data[i * 3 + s]) * H[0][i * 2];
          acc += t;
          scale += Math.abs(t);
        }
        // ∂R/∂W¹_{s,0} is entry s·2 of θ; same sums in another order: 1e-12 of the magnitudes.
        expect(Math.abs(acc - g[s * 2])).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
      }
    }
  });
});
