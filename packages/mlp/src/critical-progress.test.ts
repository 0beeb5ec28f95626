import { init, isLosscapeError } from "@losscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RefineProgress } from "./critical.js";
import { findCriticalPoints, gradient, loss, refineCriticalPoint } from "./index.js";
import { data, fx } from "./__tests__/tanh131.js";

// refineCriticalPoint's `onProgress`: one call at the start of each phase, one after every accepted iteration and one
// at the end point ('classify'), with the iterations done (all phases counted), R and ‖∇R‖ at the iterate.
const spec = { widths: fx.widths, activation: fx.activation };
const cp = fx.critical_points[1];
const start = () => ({ ...spec, params: Float64Array.from(cp.theta, (v, i) => v + 1e-3 * Math.cos(2.1 * i)) });

beforeAll(async () => {
  await init();
});

describe("refineCriticalPoint — onProgress", () => {
  it.each([
    ["newton", "dense", ["levenberg-marquardt"]],
    ["newton", "matrix-free", ["newton-mr"]],
    ["gradnorm", "dense", ["gradnorm", "levenberg-marquardt"]],
  ] as const)("%s with the %s Hessian: phases in order, iterations counted on, R and ‖∇R‖ of the iterate", (method, hessian, phases) => {
    const calls: RefineProgress[] = [];
    const m = start();
    const r = refineCriticalPoint(m, data, { method, hessian, onProgress: (p) => calls.push({ ...p }) });
    expect(r.outcome).toBe("critical");
    // The phases, each started once, then 'classify' once, last.
    const seen = calls.map((c) => c.phase).filter((p, i, a) => i === 0 || a[i - 1] !== p);
    expect(seen).toEqual([...phases, "classify"]);
    // The first call is at the start: R and ‖∇R‖ of the starting parameters, 0 iterations.
    expect(calls[0]).toEqual({ phase: phases[0], iteration: 0, maxIter: method === "gradnorm" ? 5000 : 200, loss: loss(m, data), gradNorm: expect.closeTo(Math.hypot(...gradient(m, data)), 12) });
    // One call per accepted iteration: the count goes up by one between calls of a phase, up to the result's.
    for (let i = 1; i < calls.length - 1; i++) {
      const step = calls[i].iteration - calls[i - 1].iteration;
      expect(step).toBe(calls[i].phase === calls[i - 1].phase ? 1 : 0);
    }
    const last = calls[calls.length - 1];
    expect(last).toEqual({ phase: "classify", iteration: r.iterations, maxIter: calls[0].maxIter, loss: r.loss, gradNorm: r.gradNorm });
    // The second-order phase's last call is its last accepted iterate: ‖∇R‖ went down to the end point's.
    expect(calls[calls.length - 2].gradNorm).toBeLessThanOrEqual(calls[0].gradNorm);
    for (const c of calls) expect(Number.isFinite(c.loss) && Number.isFinite(c.gradNorm)).toBe(true);
  });

  it("the result is the same with and without onProgress (bit for bit)", () => {
    const a = refineCriticalPoint(start(), data, { method: "gradnorm" });
    const b = refineCriticalPoint(start(), data, { method: "gradnorm", onProgress: () => {} });
    expect(b.model.params).toEqual(a.model.params);
    expect([b.loss, b.gradNorm, b.iterations, b.outcome]).toEqual([a.loss, a.gradNorm, a.iterations, a.outcome]);
  });

  it("an error thrown by onProgress ends the run and propagates", () => {
    expect(() => refineCriticalPoint(start(), data, { onProgress: () => { throw new Error("stop here"); } })).toThrow("stop here");
  });

  it.each([
    [42, "42"],
    ["yes", '"yes"'],
    [null, "null"],
    [{}, "an object"],
  ])("a non-function onProgress (%s) is a ValueError naming the function and the option, before any work", (bad, shown) => {
    let err: unknown;
    try {
      refineCriticalPoint(start(), data, { onProgress: bad as never });
    } catch (e) {
      err = e;
    }
    expect(isLosscapeError(err) && err.code).toBe("E_VALUE");
    expect((err as Error).message).toBe(`refineCriticalPoint: 'onProgress' must be a function; found ${shown}`);
    // findCriticalPoints' onProgress (starts, not iterations) is checked the same way, by its own name.
    expect(() => findCriticalPoints(spec, data, { starts: 1, onProgress: bad as never })).toThrow(`findCriticalPoints: 'onProgress' must be a function; found ${shown}`);
  });
});
