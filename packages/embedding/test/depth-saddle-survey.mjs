// The survey quoted in apps/docs/guide/examples-depth.md ("A local minimum lifted to a strict saddle"): for seeds
// 1–30 of 2-4-1, 3-5-2 and 1-3-3-1 nets (relu, leaky-relu 0.2) on 16 points of yₒ = sin(2x₁ + o) + x_last²/2, the
// local minima (L-BFGS, refineCriticalPoint to ‖∇R‖ ≤ 1e-12, no negative eigenvalue at 1e-9 relative), how many
// strictSaddleLift after the last hidden layer verifies, how many it returns null for, and how many split lifts at
// the input are critical (‖∇R‖ ≤ 1e-10). The problems are those of src/__tests__/helpers.ts's randomProblem.
// Run after `npm run build`: node packages/embedding/test/depth-saddle-survey.mjs (≈ 2 min).
import { eigvalsh, init } from "@losscape/core";
import { createRng, hessian, initParams, refineCriticalPoint, train } from "@losscape/mlp";
import { certifyLift, liftDepth, strictSaddleLift } from "@losscape/embedding";

await init();
const n = 16;
for (const widths of [[2, 4, 1], [3, 5, 2], [1, 3, 3, 1]]) {
  for (const activation of ["relu", { name: "leaky-relu", slope: 0.2 }]) {
    let minima = 0, verified = 0, none = 0, notVerified = 0, splitCritical = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const spec = { widths, activation, bias: true };
      const params = initParams(spec, { scheme: "normal", std: 0.7, seed });
      const rng = createRng(seed + 1000);
      const [dIn, dOut] = [widths[0], widths[widths.length - 1]];
      const x = new Float64Array(n * dIn).map(() => rng.normal());
      const y = new Float64Array(n * dOut);
      for (let i = 0; i < n; i++) for (let o = 0; o < dOut; o++) y[i * dOut + o] = Math.sin(2 * x[i * dIn] + o) + 0.5 * x[i * dIn + dIn - 1] ** 2;
      const data = { x: { rows: n, cols: dIn, data: x }, y: { rows: n, cols: dOut, data: y } };
      const tr = train({ ...spec, params }, data, { optimizer: "lbfgs", epochs: 3000, gtol: 1e-11 });
      const r = refineCriticalPoint(tr.model, data, { gtol: 1e-12, gtolRel: 0, maxIter: 200 });
      if (!r.converged) continue;
      const ev = eigvalsh(hessian(r.model, data));
      if (!(ev[0] > -1e-9 * Math.max(1, ev[ev.length - 1]))) continue;
      minima++;
      const s = strictSaddleLift(r.model, data, { layer: widths.length - 2 });
      if (s === null) none++;
      else if (s.verified) verified++;
      else notVerified++;
      const split = liftDepth(r.model, data, { layer: 0, kind: "split" });
      if (certifyLift(r.model, split.model, data, { layer: 1 }).gradNormAfter <= 1e-10) splitCritical++;
    }
    const name = typeof activation === "string" ? activation : activation.name;
    console.log(`${widths.join("-")} ${name}: ${minima} minima; strict saddle verified ${verified}, null ${none}, not verified ${notVerified}; split at the input critical ${splitCritical}`);
  }
}
