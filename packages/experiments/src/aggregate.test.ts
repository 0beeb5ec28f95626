import { ValueError } from "@losscape/core";
import type { IndexEnergyRun } from "@losscape/spectra";
import { describe, expect, it } from "vitest";
import { DEFAULT_END_POINT_GRAD_TOL, endPointFit, figure6Aggregate, isEndPoint } from "./index.js";
import type { ResultRow } from "./results.js";

// The end-point fit on synthetic runs whose (ε, α) follow α = (s·(ε − ε_c))^{3/2} exactly: the weighted line through
// (ε, α^{2/3}) is then exact, so ε_c comes back to rounding; runs that are critical, too steep (‖∇R‖ > τ) or with a
// non-finite ‖∇R‖ follow another law and must be left out.

const S = 2;
const EPS_C = 0.1;
const alphaAt = (eps: number) => Math.pow(S * (eps - EPS_C), 1.5);

function runOf(phi: number, run: number, eps: number, alpha: number, outcome: IndexEnergyRun["outcome"], gradNorm: number): IndexEnergyRun {
  return {
    phi, run, seed: run, descentSteps: 0, eps, alpha, gradNorm, outcome, kind: outcome === "critical" ? "saddle" : null,
    inertia: { negative: 0, zero: 0, positive: 1 }, inertiaStable: true, flatness: 0.5, normGrowth: 1, iterations: 1, seconds: 0.1,
  };
}

/** Per φ: 8 end points on the law (‖∇R‖ = 1e-5 … 5e-4), 2 of index 0, 3 critical runs, 2 steep runs and 1 with ‖∇R‖ NaN off it. */
function synthetic(phi: number): IndexEnergyRun[] {
  const runs: IndexEnergyRun[] = [];
  let r = 0;
  for (let i = 0; i < 8; i++) {
    const eps = EPS_C + 0.005 * (i + 1);
    runs.push(runOf(phi, r++, eps, alphaAt(eps), i % 2 === 0 ? "escaping" : "gradient-flat", 1e-5 * (i + 1) ** 2));
  }
  runs.push(runOf(phi, r++, 0.08, 0, "stalled", 1e-4), runOf(phi, r++, 0.09, 0, "escaping", 1e-4));
  for (const eps of [0.3, 0.31, 0.32]) runs.push(runOf(phi, r++, eps, 0.05, "critical", 1e-13));
  for (const eps of [0.4, 0.41]) runs.push(runOf(phi, r++, eps, 0.02, "escaping", 0.5));
  runs.push(runOf(phi, r++, 0.5, 0.03, "stalled", NaN));
  return runs;
}

const rowOf = (run: IndexEnergyRun): ResultRow => {
  const { seconds, ...result } = run;
  const params = { widths: [3, 3, 3], activation: "tanh", bias: false, phi: run.phi, run: run.run };
  return {
    key: JSON.stringify(params), params, seed: 0, outcome: "ok", started: "2026-01-01T00:00:00Z", seconds, host: "h", worker: "w", version: "0",
    // As stored in a results file: non-finite numbers are null.
    result: { ...result, gradNorm: Number.isFinite(result.gradNorm) ? result.gradNorm : null },
    error: null,
  };
};

describe("endPointFit", () => {
  it("fits α^{2/3} = s(ε − ε_c) on the non-critical end points with ‖∇R‖ ≤ τ only", () => {
    const e = endPointFit(synthetic(0.5), { phi: 0.5, gradTol: 1e-3, fit: { maxIndex: 0.1, bootstrap: { resamples: 50 } } });
    expect(e.phi).toBe(0.5);
    expect(e.gradTol).toBe(1e-3);
    expect(e.points).toBe(10); // 8 on the law and 2 of index 0; not the critical, steep or NaN runs
    expect(e.indexZero).toBe(2);
    expect(e.indexZeroMedianEps).toBeCloseTo(0.085, 15);
    expect(e.fit!.used).toBe(8);
    expect(e.fit!.epsC).toBeCloseTo(EPS_C, 12);
    expect(e.fit!.slope).toBeCloseTo(S, 12);
    // Every resample of exact points gives ε_c back.
    expect(e.fit!.epsCInterval![0]).toBeCloseTo(EPS_C, 10);
    expect(e.fit!.epsCInterval![1]).toBeCloseTo(EPS_C, 10);
  });

  it("a smaller τ keeps fewer points; too few in the window: no fit", () => {
    const runs = synthetic(0.5);
    expect(endPointFit(runs, { phi: 0.5, gradTol: 2e-4 }).fit!.used).toBe(4); // ‖∇R‖ = 1e-5·(i + 1)² ≤ 2e-4: i ≤ 3
    const few = endPointFit(runs, { phi: 0.5, gradTol: 5e-5 });
    expect(few.points).toBe(2);
    expect(few.fit).toBeNull();
    expect(few.indexZero).toBe(0);
    expect(few.indexZeroMedianEps).toBeNull();
  });

  it("isEndPoint: never a critical run, never a non-finite ‖∇R‖", () => {
    expect(isEndPoint({ outcome: "critical", gradNorm: 1e-13 }, 1e-3)).toBe(false);
    expect(isEndPoint({ outcome: "gradient-flat", gradNorm: 1e-3 }, 1e-3)).toBe(true);
    expect(isEndPoint({ outcome: "escaping", gradNorm: NaN }, 1e-3)).toBe(false);
    expect(isEndPoint({ outcome: "stalled", gradNorm: null as unknown as number }, 1e-3)).toBe(false);
  });

  it("a bad τ is a ValueError naming endPointFit and gradTol", () => {
    for (const gradTol of [0, -1, NaN]) {
      expect(() => endPointFit([], { phi: 0.5, gradTol })).toThrow(ValueError);
      expect(() => endPointFit([], { phi: 0.5, gradTol })).toThrow(/endPointFit.*gradTol/);
    }
  });
});

describe("figure6Aggregate's end points", () => {
  const rows = [...synthetic(0.5), ...synthetic(0.75)].map(rowOf);

  it("beside the fit on the critical points (unchanged), one end-point fit per φ at the default τ", () => {
    const fig = figure6Aggregate(rows, { maxIndex: 0.1, bootstrap: { resamples: 20 } })!;
    expect(DEFAULT_END_POINT_GRAD_TOL).toBe(1e-3);
    expect(fig.phis.map((p) => p.phi)).toEqual([0.5, 0.75]);
    // The critical runs' fit: 3 critical runs with α = 0.05 at three ε: slope 0, no ε_c.
    for (const p of fig.phis) expect(p.fit!.epsC).toBeNull();
    expect(fig.endPoints!.map((e) => [e.phi, e.gradTol, e.points, e.fit!.used])).toEqual([[0.5, 1e-3, 10, 8], [0.75, 1e-3, 10, 8]]);
    for (const e of fig.endPoints!) expect(e.fit!.epsC).toBeCloseTo(EPS_C, 12);
    // A null ‖∇R‖ in a stored row is not an end point (null ≤ τ would be true in JavaScript).
    expect(figure6Aggregate(rows, {}, 1)!.endPoints![0].points).toBe(12);
  });

  it("τ = 0 turns it off; a negative or NaN τ is a ValueError", () => {
    expect(figure6Aggregate(rows, {}, 0)!.endPoints).toBeNull();
    expect(() => figure6Aggregate(rows, {}, -1e-3)).toThrow(/figure6Aggregate.*endPointGradTol/);
    expect(() => figure6Aggregate(rows, {}, NaN)).toThrow(ValueError);
  });
});
