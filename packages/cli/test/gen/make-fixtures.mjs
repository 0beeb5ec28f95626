// Generates the CLI test fixtures in ../fixtures from the built packages (run from packages/cli after a build):
//   node test/gen/make-fixtures.mjs
// The data set is the demo's example (x = linspace(−2, 2, 20), y = sin 2x); the models are critical points of the
// tanh 1-3-1 net on it found by @losscape/mlp's multi-start search (seeded, so the run is reproducible).
import { writeFileSync } from "node:fs";
import { init } from "@losscape/core";
import { findCriticalPoints, serializeModel, serializeData } from "@losscape/mlp";

await init();
const dir = new URL("../fixtures/", import.meta.url);
const n = 20;
const xs = Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
const data = {
  x: { rows: n, cols: 1, data: Float64Array.from(xs) },
  y: { rows: n, cols: 1, data: Float64Array.from(xs, (x) => Math.sin(2 * x)) },
};
writeFileSync(new URL("sin20.json", dir), JSON.stringify(serializeData(data)) + "\n");
writeFileSync(new URL("sin20.csv", dir), serializeData(data, { format: "csv" }));

const spec = { widths: [1, 3, 1], activation: "tanh" };
const points = findCriticalPoints(spec, data, { starts: 20, seed: 0 });
const min = points[0];
const saddle = points.find((p) => p.inertia.negative > 0 && p.inertia.zero === 0) ?? points.find((p) => p.inertia.negative > 0);
const save = (name, cp, note) =>
  writeFileSync(new URL(name, dir), JSON.stringify(serializeModel({ ...cp.model, meta: { note, loss: cp.loss, gradNorm: cp.gradNorm } }), null, 1) + "\n");
save("tanh131-min.json", min, "global minimum of the tanh 1-3-1 net on sin20 (findCriticalPoints, 20 starts, seed 0)");
save("tanh131-saddle.json", saddle, "a saddle of the tanh 1-3-1 net on sin20 (findCriticalPoints, 20 starts, seed 0)");
console.log(points.map((p) => `${p.loss.toExponential(4)} (${p.inertia.negative}, ${p.inertia.zero}, ${p.inertia.positive})`).join("\n"));

// A start near the saddle (every parameter moved by 1e-3·(−1)^k) for `losscape critical` to refine back.
const near = Float64Array.from(saddle.model.params, (v, k) => v + (k % 2 ? -1e-3 : 1e-3));
writeFileSync(
  new URL("tanh131-near-saddle.json", dir),
  JSON.stringify(serializeModel({ ...saddle.model, params: near, meta: { note: "tanh131-saddle.json with every parameter moved by ±1e-3" } }), null, 1) + "\n",
);
// Overflowing parameters: the loss is +Infinity, which --json must write as null with a warning.
writeFileSync(
  new URL("overflow.json", dir),
  JSON.stringify({ format: "losscape.mlp/1", widths: [1, 1], activation: "tanh", params: [1e200, 0] }) + "\n",
);

// An exact fit of an overparameterised net (Cooper): 1-10-1 tanh on 10 points, loss ≤ 1e-25, from
// @losscape/manifold's cooperShowcase (seed 0); and the same model with its hidden neurons permuted (another
// global minimum with the same loss), for `losscape connect`.
const { cooperShowcase } = await import("@losscape/manifold");
const cooper = cooperShowcase({ seed: 0 });
writeFileSync(new URL("cooper10.json", dir), JSON.stringify(serializeData(cooper.generic.data)) + "\n");
writeFileSync(new URL("tanh1-10-1-fit.json", dir), JSON.stringify(serializeModel({ ...cooper.generic.model, meta: { note: "exact fit of cooper10.json (cooperShowcase seed 0)" } }), null, 1) + "\n");
const permuted = (m) => {
  // widths [1, h, 1]: θ = [W¹ (h), b¹ (h), W² (h), b²]; reverse the order of the hidden neurons.
  const h = m.widths[1];
  const p = m.params;
  const q = Float64Array.from(p);
  for (let j = 0; j < h; j++) {
    q[j] = p[h - 1 - j];
    q[h + j] = p[2 * h - 1 - j];
    q[2 * h + j] = p[3 * h - 1 - j];
  }
  return { ...m, params: q };
};
writeFileSync(new URL("tanh131-min-permuted.json", dir), JSON.stringify(serializeModel({ ...permuted(min.model), meta: { note: "tanh131-min.json with its hidden neurons in reverse order" } }), null, 1) + "\n");
