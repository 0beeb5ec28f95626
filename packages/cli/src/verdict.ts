import type { EmbeddingCertificate, LiftCertificate, StrictSaddleLift } from "@losscape/embedding";
import { fmt, fmtInertia } from "./format.js";

/**
 * One overall verdict of a command that checks something (docs/cli.md#output-rules): `ok` is true when the property
 * the command checks holds, and `summary` says so in one sentence with the numbers behind it. It starts with the
 * outcome in plain words ("certified", "not certified", "agrees", …). The human output prints it as its last
 * line, `verdict: <summary>`; the `--json` record carries it as the `verdict` field.
 */
export interface Verdict {
  ok: boolean;
  summary: string;
}

/**
 * The human output's last line.
 * @example
 * verdictLine({ ok: true, summary: "agrees: …" }); // "verdict: agrees: …\n"
 */
export function verdictLine(v: Verdict | null): string {
  return v ? `verdict: ${v.summary}\n` : "";
}

/**
 * `embed --data` and `widen --data`: the verdict of @losscape/embedding's `certifyEmbedding` (`certified`, with its
 * `reasons` when false): the model is a critical point and stays one, the output is preserved, the inertia counts
 * never decrease (zeros at each spectrum's gap), and the split-block prediction matches where it applies.
 * @example
 * certificateVerdict(certifyEmbedding(cp, wide, data, { step })); // { ok: true, summary: "certified: …" }
 */
export function certificateVerdict(c: EmbeddingCertificate): Verdict {
  if (!c.certified) return { ok: false, summary: `not certified: ${c.reasons.join("; ")}` };
  const g = c.inertiaAtGap;
  const prediction = c.predictionMatchesAtGap === null ? (c.splitSubspaceEigenvalues ? " (no split-block prediction: the base Hessian is degenerate)" : "") : ", and the split-block prediction matches";
  return {
    ok: true,
    summary:
      `certified: the embedding preserves the output (max|Δf| = ${fmt(c.maxOutputDiff, 3)} ≤ ${fmt(c.outputTol, 3)}), stays critical ` +
      `(‖∇R‖ = ${fmt(c.gradNormAfter, 3)} ≤ ${fmt(c.gtolAfter, 3)}), the inertia counts never decrease ${fmtInertia(g.before)} → ${fmtInertia(g.after)}${prediction}`,
  };
}

/**
 * `lift`: the verdict of @losscape/embedding's `certifyLift`: the model is a critical point and stays one, the
 * output on the data is preserved, and the inertia is (n₋, n₀ + ΔN, n₊) when the new layer is linear near the data
 * (no row on a kink when it is not: the split and extra-neuron liftings).
 * @example
 * liftVerdict(certifyLift(cp, deep, data, { layer: 2 })); // { ok: true, summary: "certified: …" }
 */
export function liftVerdict(c: LiftCertificate): Verdict {
  if (!c.certified) return { ok: false, summary: `not certified: ${c.reasons.join("; ")}` };
  const inertia = c.linearNearData
    ? `the inertia ${fmtInertia(c.inertiaBefore)} → ${fmtInertia(c.inertiaAfter)} gains exactly ΔN = ${c.manifoldDimension} zeros`
    : `no row sits on a kink of the new layer; the inertia ${fmtInertia(c.inertiaBefore)} → ${fmtInertia(c.inertiaAfter)} (a kinked layer: no prediction)`;
  return {
    ok: true,
    summary:
      `certified: the lifting preserves the output on the data (max|Δf| = ${fmt(c.maxOutputDiffData, 3)} ≤ ${fmt(c.outputTol, 3)}), stays critical ` +
      `(‖∇R‖ = ${fmt(c.gradNormAfter, 3)} ≤ ${fmt(c.gtolAfter, 3)}), and ${inertia}`,
  };
}

/**
 * `lift --kind strict-saddle`: the verdict of @losscape/embedding's `strictSaddleLift` — "strict saddle" when the
 * lifted point is critical with λ_min < −tol·max|λ|, vᵀHv < 0 and an evaluated descent R(θ + t·v) < R(θ).
 * @example
 * liftSaddleVerdict(strictSaddleLift(localMin, data, { layer: 1 }), 32); // { ok: true, summary: "strict saddle: …" }
 */
export function liftSaddleVerdict(s: StrictSaddleLift | null, starts: number): Verdict {
  if (s === null) return { ok: false, summary: `not verified: no extra neuron with G_S w = 0, G_S ≠ 0 and no row on its kink was found in ${starts} starts` };
  const numbers = `λ_min = ${fmt(s.minEigenvalue, 3)} (max|λ| = ${fmt(s.hessianNorm, 3)}), vᵀHv = ${fmt(s.curvature, 3)}, R(θ + ${s.step}·v) − R(θ) = ${fmt(s.lossDrop, 3)}, ‖∇R‖ = ${fmt(s.gradNorm, 3)}`;
  return s.verified ? { ok: true, summary: `strict saddle: the lifted minimum descends along v: ${numbers}` } : { ok: false, summary: `not verified: ${numbers}` };
}

/**
 * `dimension`: agrees when rank J = n·r and corank H = M − n·r, i.e. the local dimension of the zero-loss set is
 * Cooper's M − n·r and the Hessian sees all of it.
 * @example
 * dimensionVerdict({ agrees: true, jacobianRank: 10, nr: 10, paramCount: 31, hessianCorank: 21, localDimension: 21, cooperDimension: 21 });
 */
export function dimensionVerdict(d: { agrees: boolean; jacobianRank: number; nr: number; paramCount: number; hessianCorank: number; localDimension: number; cooperDimension: number }): Verdict {
  if (d.agrees) {
    return { ok: true, summary: `agrees: rank J = n·r = ${d.nr}, so the minima set has Cooper's dimension M − n·r = ${d.cooperDimension} here, and corank H = ${d.hessianCorank} sees all of it` };
  }
  const why: string[] = [];
  if (d.jacobianRank !== d.nr) why.push(`rank J = ${d.jacobianRank} ≠ n·r = ${d.nr} (local dimension ${d.localDimension}, Cooper's ${d.cooperDimension})`);
  if (d.hessianCorank !== d.paramCount - d.nr) why.push(`corank H = ${d.hessianCorank} ≠ M − n·r = ${d.paramCount - d.nr}`);
  return { ok: false, summary: `does not agree: ${why.join("; ")}` };
}

/**
 * Why a run that is not `critical` is not, with the numbers: "‖∇R‖ = a > gtol", or, when ‖∇R‖ met the threshold
 * (mlp's order of outcomes: `escaping` first; a loss or threshold beyond float64 decides nothing), "‖∇R‖ = a ≤ gtol,
 * but …" with the reason. `digits` significant digits (all of them when omitted, for the warnings).
 * @example
 * notCriticalBecause({ outcome: "escaping", gradNorm: 9e-13, gtol: 1e-12, loss: 1e-11, normGrowth: 3.1 }, 3); // "‖∇R‖ = 9.00e-13 ≤ 1.00e-12, but ‖θ‖ still grows (×3.1 from the start)"
 */
export function notCriticalBecause(c: { outcome: string; gradNorm: number; gtol: number; loss: number; normGrowth: number }, digits?: number): string {
  const f = (x: number) => (digits === undefined ? String(x) : fmt(x, digits));
  if (!(c.gradNorm <= c.gtol)) return `‖∇R‖ = ${f(c.gradNorm)} > ${f(c.gtol)}`;
  const but =
    c.outcome === "escaping"
      ? `‖θ‖ still grows (×${f(c.normGrowth)} from the start)`
      : !Number.isFinite(c.loss)
        ? `the loss is ${c.loss}, beyond float64`
        : `the threshold is ${c.gtol}, beyond float64`;
  return `‖∇R‖ = ${f(c.gradNorm)} ≤ ${f(c.gtol)}, but ${but}`;
}

/**
 * `critical`: ok when the run ends at a critical point (outcome `critical`), with its kind and inertia; otherwise
 * the outcome and why (`notCriticalBecause`).
 * @example
 * criticalVerdict({ outcome: "critical", kind: "saddle", gradNorm: 1e-17, gtol: 1e-12, loss: 0.1, normGrowth: 1, iterations: 3, inertia: { negative: 2, zero: 1, positive: 7 }, inertiaStable: true });
 */
export function criticalVerdict(c: {
  outcome: string;
  kind: string | null;
  gradNorm: number;
  gtol: number;
  loss: number;
  normGrowth: number;
  iterations: number;
  inertia: { negative: number; zero: number; positive: number } | null;
  inertiaStable: boolean | null;
}): Verdict {
  if (c.outcome !== "critical") {
    return { ok: false, summary: `not critical: the run ended ${c.outcome} after ${c.iterations} iterations with ${notCriticalBecause(c, 3)}` };
  }
  const inertia = c.inertia ? `, inertia ${fmtInertia(c.inertia)}${c.inertiaStable === false ? " (not stable between tol 1e-9 and 1e-6)" : ""}` : "";
  return { ok: true, summary: `critical point (${c.kind ?? "kind unknown"}${inertia}): ‖∇R‖ = ${fmt(c.gradNorm, 3)} ≤ ${fmt(c.gtol, 3)} after ${c.iterations} iterations` };
}

/**
 * `reduce`: ok when the reduced network has the same output within the tolerance, max|f_reduced − f| ≤
 * tol·max(1, max|f|) (max|f| on the data when given, else 1). A reduction on the data (`onData`: constant-on-data
 * neurons, an output budget τ) is judged on the data only: max|f_reduced − f| over the data ≤ τ, or ≤ tol·max(1, max|f|)
 * without a budget; other inputs are not covered, and the summary says so.
 * @example
 * reduceVerdict({ maxOutputDiff: 1e-16, outputScale: 1, tol: 1e-8, widthsBefore: [1, 4, 1], widthsAfter: [1, 3, 1] });
 */
export function reduceVerdict(r: {
  maxOutputDiff: number;
  outputScale: number;
  tol: number;
  widthsBefore: number[];
  widthsAfter: number[];
  onData?: { maxOutputDiffData: number; outputTol: number | null };
}): Verdict {
  const widths = `${r.widthsBefore.join("-")} → ${r.widthsAfter.join("-")}`;
  if (r.onData) {
    const budget = r.onData.outputTol ?? r.tol * Math.max(1, r.outputScale);
    const diff = r.onData.maxOutputDiffData;
    return diff <= budget
      ? { ok: true, summary: `output preserved on the data: ${widths} with max|f_reduced − f| = ${fmt(diff, 3)} ≤ ${fmt(budget, 3)} over the data (other inputs may differ: up to ${fmt(r.maxOutputDiff, 3)} on the probes)` }
      : { ok: false, summary: `output NOT preserved on the data: ${widths} changes it by max|f_reduced − f| = ${fmt(diff, 3)} > ${fmt(budget, 3)}` };
  }
  const outTol = r.tol * Math.max(1, r.outputScale);
  return r.maxOutputDiff <= outTol
    ? { ok: true, summary: `output preserved: ${widths} with max|f_reduced − f| = ${fmt(r.maxOutputDiff, 3)} ≤ ${fmt(outTol, 3)}` }
    : { ok: false, summary: `output NOT preserved: ${widths} changes the output by max|f_reduced − f| = ${fmt(r.maxOutputDiff, 3)} > ${fmt(outTol, 3)} (a smaller --tol merges less)` };
}

/** The relative and absolute tolerance of "no barrier" (as numpy's isclose): barrier ≤ rtol·max(R_A, R_B) + atol. */
export const BARRIER_RTOL = 1e-3;
export const BARRIER_ATOL = 1e-12;

/**
 * `connect`: ok when the path has no barrier: max_t R(θ(t)) − max(R_A, R_B) ≤ 1e-3·max(R_A, R_B) + 1e-12.
 * @example
 * connectVerdict({ barrier: 0, endLoss: 1e-6, method: "linear" }); // { ok: true, … }
 */
export function connectVerdict(c: { barrier: number; endLoss: number; method: string }): Verdict {
  const tol = BARRIER_RTOL * Math.max(0, c.endLoss) + BARRIER_ATOL;
  return c.barrier <= tol
    ? { ok: true, summary: `no barrier: along the ${c.method} path the loss rises at most ${fmt(c.barrier, 3)} ≤ ${fmt(tol, 3)} above max(R(A), R(B)) = ${fmt(c.endLoss, 3)}` }
    : { ok: false, summary: `barrier: along the ${c.method} path the loss rises ${fmt(c.barrier, 3)} above max(R(A), R(B)) = ${fmt(c.endLoss, 3)} (> ${fmt(tol, 3)})` };
}
