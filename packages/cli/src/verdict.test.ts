import { describe, expect, it } from "vitest";
import type { EmbeddingCertificate } from "@losscape/embedding";
import { BARRIER_ATOL, BARRIER_RTOL, certificateVerdict, connectVerdict, reduceVerdict, verdictLine } from "./verdict.js";

const inertia = (negative: number, zero: number, positive: number) => ({ negative, zero, positive, tol: 1e-9 });
/** The fields of certifyEmbedding's result that certificateVerdict reads. */
const passing = {
  certified: true,
  reasons: [] as string[],
  maxOutputDiff: 1e-16,
  outputTol: 1e-10,
  gradNormAfter: 1e-16,
  gtolAfter: 1e-12,
  inertiaAtGap: { before: inertia(0, 0, 10), after: inertia(1, 1, 11), beforeRule: "tol", afterRule: "gap" },
  predictionMatchesAtGap: true as boolean | null,
  splitSubspaceEigenvalues: [1] as number[] | null,
} as unknown as EmbeddingCertificate;

describe("verdicts", () => {
  it("embed and widen: certifyEmbedding's verdict, its reasons when it is false", () => {
    expect(certificateVerdict(passing)).toEqual({
      ok: true,
      summary: "certified: the embedding preserves the output (max|Δf| = 1.00e-16 ≤ 1.00e-10), stays critical (‖∇R‖ = 1.00e-16 ≤ 1.00e-12), the inertia counts never decrease (0, 0, 10) → (1, 1, 11), and the split-block prediction matches",
    });
    const failing = { ...passing, certified: false, reasons: ["the output changes (max|Δf| = 2.00e-10 > 1.00e-10)", "an inertia count decreases (0, 0, 10) → (0, 4, 9)"] } as EmbeddingCertificate;
    expect(certificateVerdict(failing)).toEqual({ ok: false, summary: "not certified: the output changes (max|Δf| = 2.00e-10 > 1.00e-10); an inertia count decreases (0, 0, 10) → (0, 4, 9)" });
    expect(certificateVerdict({ ...passing, predictionMatchesAtGap: null } as EmbeddingCertificate).summary).toMatch(/\(no split-block prediction: the base Hessian is degenerate\)$/);
    expect(certificateVerdict({ ...passing, predictionMatchesAtGap: null, splitSubspaceEigenvalues: null } as EmbeddingCertificate).summary).toMatch(/never decrease \(0, 0, 10\) → \(1, 1, 11\)$/);
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
