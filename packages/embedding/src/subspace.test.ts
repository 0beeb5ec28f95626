import { init } from "@losscape/core";
import { beforeAll, expect, it } from "vitest";
import { checkCriticalSubspace } from "./index.js";

beforeAll(async () => {
  await init();
});

it("checkCriticalSubspace takes its maxima over many samples without overflowing the call stack", () => {
  // A 1-1-1 tanh net on one row: each sample is cheap, so 2.5e5 samples (within the 2^23 `losscape subspace
  // --samples` allows) take a few seconds. Math.max(...samples) overflowed the stack beyond ≈ 1.2e5 arguments.
  const model = { widths: [1, 1, 1], activation: "tanh" as const, params: Float64Array.from([0.5, 0.1, 0.7, 0.2]) };
  const data = { x: { rows: 1, cols: 1, data: Float64Array.of(0.3) }, y: { rows: 1, cols: 1, data: Float64Array.of(0.1) } };
  const r = checkCriticalSubspace(model, data, [{ layer: 1, neuron: 0 }], { samples: 250_000 });
  expect(r.samples).toHaveLength(250_000);
  let g = 0;
  let d = 0;
  let l = 0;
  for (const s of r.samples) {
    g = Math.max(g, s.gradNorm);
    d = Math.max(d, s.maxOutputDiff);
    l = Math.max(l, Math.abs(s.loss - r.narrowLoss));
  }
  // Exactly the maxima of the listed samples (the same numbers, compared bit for bit).
  expect([r.maxGradNorm, r.maxOutputDiff, r.maxLossDiff]).toEqual([g, d, l]);
});
