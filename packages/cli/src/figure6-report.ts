import { isEndPoint, type EndPointFit } from "@losscape/experiments";
import { ValueError } from "@losscape/core";
import { CRITICAL_OUTCOMES, criticalEnergy, penningtonBahriMeasure, type IndexEnergyPhi } from "@losscape/spectra";
import { fmt, table } from "./format.js";

/**
 * Pennington & Bahri's Figure 6 as `losscape index-energy` and `losscape experiment` report it: per φ the outcome
 * shares, the fit on the certified critical points with its intervals and the references, then, separately, the
 * same fit on the non-critical end points with ‖∇R‖ ≤ τ (`figure6Summary`, `figure6Text`, `figure6Warnings`), and
 * the figure (`writeFigure6`).
 */

/** The record of one φ in `--json`: its runs counted, not listed; `endPoints` is the end-point fit (null when off). */
export function figure6Summary(p: IndexEnergyPhi, endPoints: EndPointFit | null = null) {
  return {
    phi: p.phi,
    samples: p.samples,
    phiEffective: p.phiEffective,
    runs: p.runs.length,
    outcomes: p.outcomes,
    medianSeconds: median(p.runs.filter((r) => r.outcome === "critical").map((r) => r.seconds)),
    fit: p.fit,
    theoryEpsC: p.theoryEpsC,
    empiricalEpsC: p.empiricalEpsC,
    endPoints,
  };
}

/**
 * Why a φ has no fit, and the fit's own warnings, one line each ("φ = 0.5: …"); the same for the end-point fits
 * ("φ = 0.5, end points with ‖∇R‖ ≤ 0.001: …").
 */
export function figure6Warnings(phis: readonly IndexEnergyPhi[], maxIndex: number, endPoints: readonly EndPointFit[] | null = null): string[] {
  const warnings: string[] = [];
  for (const p of phis) {
    const nCritical = p.runs.filter((r) => r.outcome === "critical").length;
    if (p.fit === null) {
      const inWindow = p.runs.filter((r) => r.outcome === "critical" && r.alpha > 0 && r.alpha <= maxIndex).length;
      warnings.push(`φ = ${p.phi}: no fit: ${inWindow} of ${nCritical} critical runs have 0 < α ≤ ${maxIndex} (the fit needs 3 at distinct ε)`);
    } else for (const w of p.fit.warnings) warnings.push(`φ = ${p.phi}: ${w}`);
  }
  for (const e of endPoints ?? []) {
    const where = `φ = ${e.phi}, end points with ‖∇R‖ ≤ ${e.gradTol}`;
    if (e.fit === null) warnings.push(`${where}: no fit: fewer than 3 of the ${e.points} end points have 0 < α ≤ ${maxIndex} at distinct ε`);
    else for (const w of e.fit.warnings) warnings.push(`${where}: ${w}`);
  }
  return warnings;
}

/**
 * The printed report: the fit on the certified critical points and its table (`figure6Table`), then, when the
 * summaries carry end-point fits, the end-point section under its own heading (`figure6EndPointTable`).
 */
export function figure6Text(summaries: readonly ReturnType<typeof figure6Summary>[], maxIndex: number): string {
  let s = `fit     α ≈ α₀·|(ε − ε_c)/ε_c|^{3/2} on the critical runs with 0 < α ≤ ${maxIndex}; 95 % bootstrap intervals\n\n${figure6Table(summaries)}`;
  const tau = summaries.find((p) => p.endPoints)?.endPoints?.gradTol;
  if (tau !== undefined) {
    s +=
      `\nend points with ‖∇R‖ ≤ ${tau} (not certified critical: gradient-flat, escaping or stalled runs): the same fit, a separate analysis\n\n` +
      figure6EndPointTable(summaries);
  }
  return s;
}

const interval = (v: [number, number] | null | undefined) => (v ? `[${fmt(v[0], 3)}, ${fmt(v[1], 3)}]` : "—");

/** The table of the end-point fits: points kept, those of index 0 and their median ε, ε_c and α₀ with intervals. */
export function figure6EndPointTable(summaries: readonly ReturnType<typeof figure6Summary>[]): string {
  const rows = summaries.map((p) => {
    const e = p.endPoints;
    const f = e?.fit;
    return [
      fmt(p.phi),
      String(p.runs),
      String(e?.points ?? 0),
      String(e?.indexZero ?? 0),
      e?.indexZeroMedianEps == null ? "—" : fmt(e.indexZeroMedianEps, 4),
      f?.epsC == null ? "—" : fmt(f.epsC, 4),
      interval(f?.epsCInterval),
      f?.alpha0 == null ? "—" : fmt(f.alpha0, 4),
      interval(f?.alpha0Interval),
      f ? String(f.used) : "0",
      fmt(p.empiricalEpsC, 4),
      fmt(p.theoryEpsC, 4),
    ];
  });
  return table(["φ", "runs", "end points", "α = 0", "median ε (α = 0)", "ε_c end-point fit", "interval", "α₀ fit", "interval", "fitted", "½(1−φ)²", "Wigner ε_c"], rows);
}

/** The table of the φ summaries: outcome shares, median time, ε_c and α₀ with intervals, the references. */
export function figure6Table(summaries: readonly ReturnType<typeof figure6Summary>[]): string {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const rows = summaries.map((p) => [
    fmt(p.phi),
    String(p.samples),
    String(p.runs),
    ...CRITICAL_OUTCOMES.map((c) => pct(p.outcomes[c])),
    p.medianSeconds === null ? "—" : fmt(p.medianSeconds, 3),
    p.fit?.epsC == null ? "—" : fmt(p.fit.epsC, 4),
    interval(p.fit?.epsCInterval),
    p.fit?.alpha0 == null ? "—" : fmt(p.fit.alpha0, 4),
    interval(p.fit?.alpha0Interval),
    p.fit ? String(p.fit.used) : "0",
    fmt(p.empiricalEpsC, 4),
    fmt(p.theoryEpsC, 4),
  ]);
  return table(["φ", "m", "runs", "critical", "grad-flat", "escaping", "stalled", "median s", "ε_c fit", "interval", "α₀ fit", "interval", "fitted", "½(1−φ)²", "Wigner ε_c"], rows);
}

/**
 * Figure 6a (α against ε, with the Wigner model's α(ε) per φ) beside 6b (ε_c against φ with the references); with
 * `endPoints`, the end points kept and their fit are drawn apart from the critical points (hollow markers, dashed).
 */
export async function writeFigure6(path: string, phis: readonly IndexEnergyPhi[], o: { maxIndex: number; title: string; endPoints?: readonly EndPointFit[] | null }): Promise<void> {
  const { figure6, writeFigure } = await import("./plot.js");
  const grid = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
  const references = [
    { label: "½(1 − φ)² (Pennington & Bahri, empirical)", points: grid.map((f) => [f, 0.5 * (1 - f) ** 2] as [number, number]) },
    { label: "½(1 − φ) (linear network)", points: grid.map((f) => [f, 0.5 * (1 - f)] as [number, number]), dash: "6,4" },
    { label: "Wigner model ε_c(φ)", points: grid.map((f) => [f, criticalEnergy("wigner", f)] as [number, number]), dash: "1,3" },
  ];
  const figPhis = phis.map((p, k) => {
    const e = o.endPoints?.[k] ?? null;
    const runs = p.runs.map((r) => ({ eps: r.eps, alpha: r.alpha, outcome: r.outcome, endPoint: e !== null && isEndPoint(r, e.gradTol) }));
    return { ...p, runs, endPointFit: e?.fit ?? null, theory: wignerIndexCurve(p) };
  });
  const tau = o.endPoints?.[0]?.gradTol ?? null;
  writeFigure(path, figure6(figPhis, { maxIndex: o.maxIndex, title: o.title, references, endPointGradTol: tau }));
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const h = (v.length - 1) / 2;
  return (v[Math.floor(h)] + v[Math.ceil(h)]) / 2;
}

/**
 * The Wigner model's α(ε, φ) at φ_effective on a grid of ε from 0 to just past the runs' largest energy. The curve
 * stops before the first ε where float64 cannot resolve the model (penningtonBahriMeasure's ValueError, beyond
 * ε ≈ 1e229 at φ = 0.5): a run whose descent diverged there is still drawn, without the curve out to it.
 */
function wignerIndexCurve(p: IndexEnergyPhi): [number, number][] {
  const top = Math.max(criticalEnergy("wigner", p.phiEffective) * 2, ...p.runs.map((r) => r.eps)) * 1.05;
  const n = 80;
  const curve: [number, number][] = [];
  for (let i = 0; i <= n; i++) {
    const eps = (top * i) / n;
    let alpha: number;
    try {
      alpha = penningtonBahriMeasure("wigner", p.phiEffective, eps).massBelow(0);
    } catch (e) {
      if (e instanceof ValueError) break;
      throw e;
    }
    curve.push([eps, alpha]);
  }
  return curve;
}
