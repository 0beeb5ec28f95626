import { checkNumber } from "@losscape/core";
import { paramCount, type MlpSpec } from "@losscape/mlp";
import { fitCriticalEnergy, indexEnergySummary, type CriticalEnergyFit, type CriticalEnergyFitOptions, type IndexEnergyPhi, type IndexEnergyRun } from "@losscape/spectra";
import { DEFAULT_END_POINT_GRAD_TOL } from "./defaults.js";
import type { ResultRow } from "./results.js";
import { canonicalJson } from "./spec.js";

/** Pennington & Bahri's Figure 6 from a critical-search sweep: the net, and per φ its runs, fit and references. */
export interface Figure6Aggregate {
  spec: MlpSpec;
  paramCount: number;
  outputDim: number;
  phis: IndexEnergyPhi[];
  /** Per φ (in the order of `phis`), the fit on the end points with ‖∇R‖ ≤ `endPointGradTol`; null when that is 0. */
  endPoints: EndPointFit[] | null;
  /** Error rows (tasks that threw), left out of the fit. */
  errors: number;
}

/**
 * Pennington & Bahri's fit on the end points that are NOT certified critical points (outcome other than `critical`)
 * and have ‖∇R‖ ≤ `gradTol`: near-critical points met on the way to the minima at infinity
 * (docs/conventions.md#critical-outcomes, gradient-flat / escaping; Frye et al. 2021 discuss such points). Their
 * index α is the exact Hessian's there. The law fitted is the same as on critical points (`fitCriticalEnergy`,
 * α^{2/3} = s·(ε − ε_c) over 0 < α ≤ maxIndex); it is a separate analysis and never a fit of critical points.
 */
export interface EndPointFit {
  phi: number;
  /** τ: the end points kept have ‖∇R‖ ≤ τ. */
  gradTol: number;
  /** Non-critical end points with ‖∇R‖ ≤ τ (every α); `fit.used` of them are in the window. */
  points: number;
  /** Of them, those of index 0 (α = 0), and their median ε (null with none). */
  indexZero: number;
  indexZeroMedianEps: number | null;
  fit: CriticalEnergyFit | null;
}

/** The end-point rule of `endPointFit`: outcome not `critical` and a finite ‖∇R‖ ≤ gradTol. */
export const isEndPoint = (r: Pick<IndexEnergyRun, "outcome" | "gradNorm">, gradTol: number): boolean =>
  r.outcome !== "critical" && Number.isFinite(r.gradNorm) && r.gradNorm <= gradTol;

/**
 * The end-point fit of one φ's runs (see `EndPointFit`): `fitCriticalEnergy(points, fit)` over the runs that
 * `isEndPoint` keeps (gradTol > 0; a NaN or null ‖∇R‖, as stored for a non-finite one, is never kept). A bad gradTol
 * throws ValueError.
 * @example
 * endPointFit(phi.runs, { phi: 0.5, gradTol: 1e-3, fit: { maxIndex: 0.1, bootstrap: { seed: 0 } } });
 */
export function endPointFit(runs: readonly IndexEnergyRun[], o: { phi: number; gradTol: number; fit?: CriticalEnergyFitOptions }): EndPointFit {
  checkNumber("endPointFit", "gradTol", o.gradTol, { min: 0, exclusiveMin: true });
  const kept = runs.filter((r) => isEndPoint(r, o.gradTol));
  const zero = kept.filter((r) => r.alpha === 0).map((r) => r.eps).sort((a, b) => a - b);
  const h = (zero.length - 1) / 2;
  return {
    phi: o.phi,
    gradTol: o.gradTol,
    points: kept.length,
    indexZero: zero.length,
    indexZeroMedianEps: zero.length === 0 ? null : (zero[Math.floor(h)] + zero[Math.ceil(h)]) / 2,
    fit: fitCriticalEnergy(kept.map((r) => ({ eps: r.eps, alpha: r.alpha })), o.fit),
  };
}

/**
 * How many parameter sets `critical-search` rows are of, but φ and run (`activation` and `bias` at their defaults
 * when not given): one Figure 6 is of one set, a net with one descent and refinement. More than one is a file that
 * holds several versions of a spec (its descent changed between runs), whose runs must not be pooled.
 * @example
 * figure6ParamSets(rows); // 1
 */
export function figure6ParamSets(rows: readonly ResultRow[]): number {
  const setOf = (r: ResultRow) => {
    const { phi: _, run: __, ...rest } = r.params;
    return canonicalJson({ ...rest, activation: rest.activation ?? "tanh", bias: rest.bias ?? true });
  };
  return new Set(rows.map(setOf)).size;
}

/**
 * The Figure 6 aggregate of `critical-search` rows (all of one net, descent and refinement: `figure6ParamSets`): per
 * φ, spectra's `indexEnergySummary` of its runs (sorted by run; the row's wall time as `seconds`), so the fit and
 * references are those of `indexEnergyExperiment` on the same runs; beside it, unless `endPointGradTol` is 0,
 * `endPointFit` on the runs' non-critical end points with ‖∇R‖ ≤ endPointGradTol (default
 * `DEFAULT_END_POINT_GRAD_TOL`). Rows of several nets, or of several descents or refinements (a spec changed between
 * runs), or not from critical-search, are a ValueError-free null: nothing to draw. A bad endPointGradTol throws
 * ValueError.
 * @example
 * const fig = figure6Aggregate(rows, { maxIndex: 0.1, bootstrap: { seed: 0 } }, 1e-3);
 */
export function figure6Aggregate(rows: readonly ResultRow[], fit: CriticalEnergyFitOptions = {}, endPointGradTol = DEFAULT_END_POINT_GRAD_TOL): Figure6Aggregate | null {
  checkNumber("figure6Aggregate", "endPointGradTol", endPointGradTol, { min: 0 });
  const ok = rows.filter((r) => r.outcome === "ok");
  if (ok.length === 0) return null;
  if (figure6ParamSets(ok) !== 1) return null;
  const p0 = ok[0].params;
  const spec: MlpSpec = { widths: p0.widths as number[], activation: (p0.activation ?? "tanh") as MlpSpec["activation"], bias: (p0.bias ?? true) as boolean };
  const M = paramCount(spec);
  const dOut = spec.widths[spec.widths.length - 1];
  const byPhi = new Map<number, IndexEnergyRun[]>();
  for (const r of ok) {
    const run = { ...(r.result as Omit<IndexEnergyRun, "seconds">), seconds: r.seconds } as IndexEnergyRun;
    if (typeof run.phi !== "number" || typeof run.eps !== "number") return null;
    if (run.normGrowth === null) run.normGrowth = Infinity;
    if (!byPhi.has(run.phi)) byPhi.set(run.phi, []);
    byPhi.get(run.phi)!.push(run);
  }
  const phis = [...byPhi.keys()].sort((a, b) => a - b).map((phi) =>
    indexEnergySummary(byPhi.get(phi)!.sort((a, b) => a.run - b.run), { phi, samples: Math.round(M / (phi * dOut)), paramCount: M, outputDim: dOut, fit }),
  );
  const endPoints = endPointGradTol > 0 ? phis.map((p) => endPointFit(p.runs, { phi: p.phi, gradTol: endPointGradTol, fit })) : null;
  return { spec, paramCount: M, outputDim: dOut, phis, endPoints, errors: rows.length - ok.length };
}

/** Per parameter set (the parameters but `run`): tasks, ok, errors and the median wall time. */
export interface GroupSummary {
  params: Record<string, unknown>;
  tasks: number;
  ok: number;
  errors: number;
  medianSeconds: number | null;
}

/**
 * The rows grouped by their parameters without `run` (the repetitions of one point), in first-seen order.
 * @example
 * summarizeGroups(rows).map((g) => [g.params, g.ok, g.errors]);
 */
export function summarizeGroups(rows: readonly ResultRow[]): GroupSummary[] {
  const groups = new Map<string, { params: Record<string, unknown>; rows: ResultRow[] }>();
  for (const r of rows) {
    const { run: _, ...params } = r.params;
    const k = canonicalJson(params);
    if (!groups.has(k)) groups.set(k, { params, rows: [] });
    groups.get(k)!.rows.push(r);
  }
  return [...groups.values()].map(({ params, rows: rs }) => {
    const secs = rs.map((r) => r.seconds).sort((a, b) => a - b);
    const h = (secs.length - 1) / 2;
    return {
      params,
      tasks: rs.length,
      ok: rs.filter((r) => r.outcome === "ok").length,
      errors: rs.filter((r) => r.outcome === "error").length,
      medianSeconds: secs.length === 0 ? null : (secs[Math.floor(h)] + secs[Math.ceil(h)]) / 2,
    };
  });
}
