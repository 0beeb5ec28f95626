import { paramCount, type MlpSpec } from "@losscape/mlp";
import { indexEnergySummary, type CriticalEnergyFitOptions, type IndexEnergyPhi, type IndexEnergyRun } from "@losscape/spectra";
import type { ResultRow } from "./results.js";
import { canonicalJson } from "./spec.js";

/** Pennington & Bahri's Figure 6 from a critical-search sweep: the net, and per φ its runs, fit and references. */
export interface Figure6Aggregate {
  spec: MlpSpec;
  paramCount: number;
  outputDim: number;
  phis: IndexEnergyPhi[];
  /** Error rows (tasks that threw), left out of the fit. */
  errors: number;
}

/**
 * The Figure 6 aggregate of `critical-search` rows (all of one net): per φ, spectra's `indexEnergySummary` of its
 * runs (sorted by run; the row's wall time as `seconds`), so the fit and references are those of
 * `indexEnergyExperiment` on the same runs. Rows of several nets, or not from critical-search, are a ValueError-free
 * null: nothing to draw.
 * @example
 * const fig = figure6Aggregate(rows, { maxIndex: 0.1, bootstrap: { seed: 0 } });
 */
export function figure6Aggregate(rows: readonly ResultRow[], fit: CriticalEnergyFitOptions = {}): Figure6Aggregate | null {
  const ok = rows.filter((r) => r.outcome === "ok");
  if (ok.length === 0) return null;
  const netOf = (r: ResultRow) => canonicalJson({ widths: r.params.widths, activation: r.params.activation ?? "tanh", bias: r.params.bias ?? true });
  if (new Set(ok.map(netOf)).size !== 1) return null;
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
  return { spec, paramCount: M, outputDim: dOut, phis, errors: rows.length - ok.length };
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
