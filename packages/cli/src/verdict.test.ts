import { describe, expect, it } from "vitest";
import { BARRIER_ATOL, BARRIER_RTOL, connectVerdict, criticalThreshold, embedVerdict, reduceVerdict, verdictLine } from "./verdict.js";

const inertia = (negative: number, zero: number, positive: number) => ({ negative, zero, positive });
const passing = {
  maxOutputDiff: 1e-16,
  outputScale: 1,
  alpha: 0.5,
  gradNormBefore: 1e-16,
  gradNormAfter: 1e-16,
  gtolBefore: 1e-12,
  gtolAfter: 1e-12,
  inertiaBefore: inertia(0, 0, 10),
  inertiaAfter: inertia(1, 1, 11),
  countsNeverDecrease: true,
  predictionMatches: true,
};

describe("verdicts", () => {
  it("criticalThreshold is max(1e-12, ε·max|λ|·‖max(1, |θ|)‖₂)", () => {
    expect(criticalThreshold([-1, 2], [0.5, 3])).toBe(1e-12);
    expect(criticalThreshold([-1, 1e6], [0.5, 3])).toBe(Number.EPSILON * 1e6 * Math.sqrt(10));
  });

  it("embed: each failing check is named; the output tolerance scales with max|f| and |α| + |1 − α|", () => {
    expect(embedVerdict(passing).ok).toBe(true);
    expect(embedVerdict({ ...passing, maxOutputDiff: 2e-10 }).summary).toMatch(/^not certified: the output changes \(max\|Δf\| = 2\.00e-10 > 1\.00e-10\)$/);
    // α = 3: |α| + |1 − α| = 5, and max|f| = 4: the tolerance is 2e-9.
    expect(embedVerdict({ ...passing, maxOutputDiff: 1.9e-9, alpha: 3, outputScale: 4 }).ok).toBe(true);
    expect(embedVerdict({ ...passing, maxOutputDiff: 2.1e-9, alpha: 3, outputScale: 4 }).ok).toBe(false);
    expect(embedVerdict({ ...passing, gradNormAfter: 1e-9 }).summary).toMatch(/the embedded point is not critical/);
    expect(embedVerdict({ ...passing, countsNeverDecrease: false, predictionMatches: false }).summary).toBe(
      "not certified: an inertia count decreases (0, 0, 10) → (1, 1, 11); the split-block prediction of the inertia does not match",
    );
    expect(embedVerdict({ ...passing, predictionMatches: null }).summary).toMatch(/\(no split-block prediction: the base Hessian is degenerate\)$/);
  });

  it("reduce and connect: the boundary is inclusive", () => {
    expect(reduceVerdict({ maxOutputDiff: 2e-8, outputScale: 2, tol: 1e-8, widthsBefore: [1, 4, 1], widthsAfter: [1, 3, 1] }).ok).toBe(true);
    expect(reduceVerdict({ maxOutputDiff: 2.1e-8, outputScale: 2, tol: 1e-8, widthsBefore: [1, 4, 1], widthsAfter: [1, 3, 1] }).ok).toBe(false);
    const tol = BARRIER_RTOL * 0.5 + BARRIER_ATOL;
    expect(connectVerdict({ barrier: tol, endLoss: 0.5, method: "neb" }).ok).toBe(true);
    expect(connectVerdict({ barrier: tol * 1.01, endLoss: 0.5, method: "neb" }).ok).toBe(false);
  });

  it("verdictLine prints the summary, nothing for null", () => {
    expect(verdictLine({ ok: true, summary: "agrees: x" })).toBe("verdict: agrees: x\n");
    expect(verdictLine(null)).toBe("");
  });
});
