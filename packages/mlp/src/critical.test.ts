import { BACKENDS, init, loadWasm, setBackend, type BackendName } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { findCriticalPoints, gradient, refineCriticalPoint, train, withParams } from "./index.js";
import { randomProblem } from "./__tests__/helpers.js";
import { data, fx } from "./__tests__/tanh131.js";
import type { Model } from "./types.js";

const spec = { widths: fx.widths, activation: fx.activation };

beforeAll(async () => {
  await init();
  await loadWasm("scalar");
});

describe.each(BACKENDS)("critical points — backend %s", (backend: BackendName) => {
  beforeAll(() => setBackend(backend));

  it("refines perturbed reference points back to ‖∇R‖ ≤ 1e-12 with the reference loss and inertia (newton)", () => {
    setBackend(backend);
    for (const cp of fx.critical_points) {
      const p = Float64Array.from(cp.theta, (v, i) => v + 1e-4 * Math.sin(3.7 * i + 1));
      const r = refineCriticalPoint({ ...spec, params: p }, data, { method: "newton" });
      expect(r.converged).toBe(true);
      expect(r.gradNorm).toBeLessThanOrEqual(1e-12);
      // Loss to 1e-9 relative: the refined point is the reference point or (degenerate cases) a point of the
      // same critical set, on which R is constant.
      expect(Math.abs(r.loss - cp.loss)).toBeLessThanOrEqual(1e-9 * cp.loss);
      expect([r.inertia!.negative, r.inertia!.zero, r.inertia!.positive]).toEqual(cp.counts_neg_zero_pos);
    }
  });

  it("copes with singular Hessians: refines a perturbed embedded (degenerate) critical point of a 1-4-1 net", () => {
    setBackend(backend);
    // T^α_{1,0} of cp0 (docs/conventions.md#one-step-embedding): neuron 0 copied as the last neuron, outgoing weight split α : (1 − α).
    const t = fx.critical_points[0].theta;
    const alpha = 0.3;
    const embedded = [t[0], t[1], t[2], t[0], t[3], t[4], t[5], t[3], alpha * t[6], t[7], t[8], (1 - alpha) * t[6], t[9]];
    const wide = { widths: [1, 4, 1], activation: "tanh" as const };
    // the embedded point is critical already (output-preserving embedding), its Hessian singular
    expect(Math.hypot(...gradient({ ...wide, params: Float64Array.from(embedded) }, data))).toBeLessThan(1e-14);
    const p = Float64Array.from(embedded, (v, i) => v + 1e-4 * Math.sin(1.7 * i + 0.3));
    const r = refineCriticalPoint({ ...wide, params: p }, data);
    expect(r.converged).toBe(true);
    expect(r.gradNorm).toBeLessThanOrEqual(1e-12);
    // it lands on the critical line through the embedded point: same loss (the line has constant R), a zero mode
    expect(Math.abs(r.loss - fx.critical_points[0].loss)).toBeLessThanOrEqual(1e-9 * fx.critical_points[0].loss);
    expect(r.inertia!.zero).toBeGreaterThanOrEqual(1);
  });

  it("gradnorm (minimising ½‖∇R‖²) lands on the saddle cp1 from a perturbed start", () => {
    setBackend(backend);
    const cp = fx.critical_points[1];
    const p = Float64Array.from(cp.theta, (v, i) => v + 1e-3 * Math.cos(2.1 * i));
    const r = refineCriticalPoint({ ...spec, params: p }, data, { method: "gradnorm" });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.loss - cp.loss)).toBeLessThanOrEqual(1e-9 * cp.loss);
    expect([r.inertia!.negative, r.inertia!.zero, r.inertia!.positive]).toEqual(cp.counts_neg_zero_pos);
  });

  it("the multi-start search finds the four critical points of the tanh 1-3-1 net from random starts", () => {
    setBackend(backend);
    const found = findCriticalPoints(spec, data, { starts: 30, seed: 1 });
    for (let i = 1; i < found.length; i++) expect(found[i].loss).toBeGreaterThanOrEqual(found[i - 1].loss);
    for (const f of found) expect(f.gradNorm).toBeLessThanOrEqual(1e-12);
    for (const cp of fx.critical_points) {
      const match = found.filter(
        (f) =>
          Math.abs(f.loss - cp.loss) <= 1e-9 * cp.loss &&
          f.inertia.negative === cp.counts_neg_zero_pos[0] &&
          f.inertia.zero === cp.counts_neg_zero_pos[1] &&
          f.inertia.positive === cp.counts_neg_zero_pos[2],
      );
      expect(match.length, `${cp.id} (loss ${cp.loss}, inertia ${cp.counts_neg_zero_pos})`).toBeGreaterThan(0);
    }
    // The isolated minimum cp0 is non-degenerate: its whole spectrum must match the 50-digit reference
    // (1e-9 relative + 1e-14 absolute, as in reference.test.ts).
    const ref = fx.critical_points[0];
    const min = found[0];
    for (let i = 0; i < ref.hessian_eigenvalues.length; i++) {
      expect(Math.abs(min.eigenvalues[i] - ref.hessian_eigenvalues[i])).toBeLessThanOrEqual(1e-9 * Math.abs(ref.hessian_eigenvalues[i]) + 1e-14);
    }
  });

  it("train: every optimizer lowers the loss; history, progress and gradNorm are consistent", () => {
    setBackend(backend);
    for (const optimizer of ["gd", "adam", "lbfgs"] as const) {
      const calls: number[] = [];
      const r = train({ ...spec }, data, { optimizer, epochs: 200, seed: 4, lr: optimizer === "gd" ? 0.3 : 0.02, onProgress: (p) => calls.push(p.epoch) });
      expect(r.diverged).toBe(false);
      expect(r.epochs).toBe(200);
      expect(r.history.length).toBe(201);
      expect(r.history[200].loss).toBe(r.loss);
      expect(r.loss).toBeLessThan(0.5 * r.history[0].loss);
      expect(calls).toEqual(Array.from({ length: 200 }, (_, i) => i + 1)); // once per epoch, in order
      // gradNorm is the norm of the gradient at the returned model (recomputed: same arithmetic, 1e-14 relative)
      expect(Math.abs(r.gradNorm - Math.hypot(...gradient(r.model as Model, data)))).toBeLessThanOrEqual(1e-14 * r.gradNorm + 1e-300);
    }
  });

  it("train: divergence is reported, never NaN parameters", () => {
    setBackend(backend);
    const r = train({ ...spec }, data, { optimizer: "gd", epochs: 500, lr: 80, seed: 4 });
    expect(r.diverged).toBe(true);
    expect(r.model.params.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.loss)).toBe(true);
  });

  it("train: an aborted signal stops at once with aborted: true", () => {
    setBackend(backend);
    const ac = new AbortController();
    const r = train({ ...spec }, data, {
      optimizer: "adam",
      epochs: 1000,
      seed: 1,
      onProgress: (p) => {
        if (p.epoch === 10) ac.abort();
      },
      signal: ac.signal,
    });
    expect(r.aborted).toBe(true);
    expect(r.epochs).toBe(10);
  });

  it("train and refine on a cross-entropy net: the refined point is a critical point", () => {
    setBackend(backend);
    const { model, data: d } = randomProblem({ widths: [2, 3, 3], activation: "tanh", loss: "cross-entropy", l2: 0.01, n: 12, seed: 8 });
    const t = train(model, d, { optimizer: "lbfgs", epochs: 100 });
    const r = refineCriticalPoint(withParams(model, t.model.params), d);
    expect(r.converged).toBe(true);
    // with l2 > 0 the minimum is strict: all eigenvalues ≥ … positive
    expect(r.inertia!.negative).toBe(0);
  });
});
