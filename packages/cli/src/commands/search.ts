import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SPECTRUM_LIMIT, findCriticalPoints, serializeModel, type CriticalOutcome, type MlpSpec } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, fmtInertia, keyValues, table } from "../format.js";
import { checkOutputDir, checkPlotPath, loadData, npyRow, parseActivation, specParamCount, writeModel, writeNpyDir, type DataFlags } from "../io.js";
import { CRITICAL_OUTCOMES } from "@losscape/spectra";
import { progress } from "../progress.js";
import { counts } from "../util.js";

export interface SearchOptions extends DataFlags {
  widths: number[];
  activation: string;
  bias: boolean;
  loss?: "mse" | "cross-entropy";
  data: string;
  starts: number;
  seed: number;
  init: "normal" | "xavier" | "he";
  descend: boolean;
  deflate: boolean;
  distinctTol?: number;
  method: "newton" | "gradnorm";
  tol: number;
  out?: string;
  plot?: string;
  npy?: string;
}

/**
 * `losscape search`: the multi-start search for the critical points of a network on the data (`findCriticalPoints`
 * of @losscape/mlp): `--starts` seeded initialisations, each refined to ∇R = 0 directly (drawn to saddles) and after
 * an L-BFGS descent (drawn to minima), every point found deflated from the later refinements; the distinct critical
 * points sorted by loss, with ‖∇R‖, inertia, kind and how many starts reached each.
 * @example
 * await searchCommand({ widths: [1, 3, 1], activation: "tanh", bias: true, data: "d.json", starts: 20, seed: 0, init: "normal", descend: true, deflate: true, method: "newton", tol: 1e-9 }, ctx);
 */
export async function searchCommand(o: SearchOptions, ctx: Context): Promise<void> {
  if (o.out) checkOutputDir(o.out, "--out");
  if (o.plot) checkPlotPath(o.plot);
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const spec: MlpSpec = { widths: o.widths, activation: parseActivation(o.activation) as MlpSpec["activation"], bias: o.bias, ...(o.loss ? { loss: o.loss } : {}) };
  const M = specParamCount(spec);
  // Checked before the data is read: the search tells points apart by their dense Hessian spectra.
  if (M > DEFAULT_SPECTRUM_LIMIT) throw new InputError(`--widths ${o.widths.join(",")}: telling critical points apart needs their Hessian spectra, computed for M ≤ ${DEFAULT_SPECTRUM_LIMIT} parameters; found M = ${M}`);
  const probe = { ...spec, params: new Float64Array(M) };
  const data = loadData(o.data, { ...o, fit: { model: probe, path: "--widths" } });
  const bar = progress(`searching (${o.starts} starts)`, o.starts, ctx.quiet);
  let points: ReturnType<typeof findCriticalPoints>;
  let outcomes = Object.fromEntries(CRITICAL_OUTCOMES.map((k) => [k, 0])) as Record<CriticalOutcome, number>;
  try {
    points = findCriticalPoints(spec, data, {
      starts: o.starts,
      seed: o.seed,
      init: o.init,
      descend: o.descend,
      deflate: o.deflate,
      method: o.method,
      tol: o.tol,
      ...(o.distinctTol !== undefined ? { distinctTol: o.distinctTol } : {}),
      onProgress: (p) => {
        outcomes = p.outcomes;
        bar.update(p.start, `${p.found} found`);
      },
    });
  } finally {
    bar.end();
  }
  const written: string[] = [];
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    points.forEach((p, k) => {
      const path = join(o.out!, `cp-${String(k + 1).padStart(2, "0")}.json`);
      writeModel(path, p.model);
      written.push(path);
    });
  }
  const P = points.length;
  const npyFiles = o.npy && P > 0
    ? writeNpyDir(o.npy, {
        losses: Float64Array.from(points, (p) => p.loss),
        params: { shape: [P, M], data: points.flatMap((p) => Array.from(p.model.params)) },
        eigenvalues: { shape: [P, M], data: points.flatMap((p) => Array.from(p.eigenvalues)) },
      })
    : [];
  if (o.plot && P > 0) {
    const { eigenvalueStripFigure, writeFigure } = await import("../plot.js");
    const shown = points.slice(0, 12);
    writeFigure(
      o.plot,
      eigenvalueStripFigure(
        shown.map((p, k) => ({ label: `#${k + 1} R = ${fmt(p.loss, 4)} ${fmtInertia(p.inertia)}`, values: p.eigenvalues })),
        { title: `Hessian spectra of the critical points of ${o.widths.join("-")} ${o.activation} (${P} found${P > shown.length ? `, ${shown.length} shown` : ""})` },
      ),
    );
  }
  const runs = Object.values(outcomes).reduce((a, b) => a + b, 0);
  const warnings: string[] = [];
  if (P === 0) warnings.push(`no critical point found from ${o.starts} starts: ${runs} refinements ended ${tally(outcomes)} (more --starts, or --method gradnorm)`);
  const record = {
    spec: { widths: o.widths, activation: spec.activation, bias: o.bias, loss: spec.loss ?? "mse" },
    paramCount: M,
    starts: o.starts,
    refinements: runs,
    outcomes,
    points: points.map((p) => ({
      loss: p.loss,
      gradNorm: p.gradNorm,
      inertia: counts(p.inertia),
      inertiaStable: p.inertiaStable,
      kind: p.kind,
      hits: p.hits,
      model: serializeModel(p.model),
      eigenvalues: p.eigenvalues,
    })),
    ...(o.out ? { written } : {}),
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  emit(ctx, record, () => {
    const pairs: [string, string][] = [
      ["network", `${o.widths.join("-")} ${o.activation}${o.bias ? "" : ", no bias"}${o.loss === "cross-entropy" ? ", cross-entropy" : ""}, M = ${M}`],
      ["data", `${o.data} (n = ${data.x.rows})`],
      ["search", `${o.starts} starts (seed ${o.seed}, ${o.init} init), ${o.descend ? "direct and after descent" : "direct only"}, ${o.deflate ? "with" : "without"} deflation, ${o.method}`],
      ["refinements", `${runs}: ${tally(outcomes)}`],
      ["found", `${P} distinct critical point${P === 1 ? "" : "s"}`],
      ...(o.out ? ([["written", `${written.length} model files in ${o.out}`]] as [string, string][]) : []),
      ...(o.plot ? ([["figure", o.plot]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ];
    let s = keyValues(pairs);
    if (P > 0) {
      s += "\n" + table(["#", "loss", "‖∇R‖", "inertia", "kind", "hits"], points.map((p, k) => [String(k + 1), fmt(p.loss), fmt(p.gradNorm), fmtInertia(p.inertia), p.kind ?? "—", String(p.hits)]));
    }
    return s;
  });
}

/**
 * How the refinements ended, the outcomes that occurred in spectra's CRITICAL_OUTCOMES order: "3 critical, 7 escaping".
 * @example
 * tally({ critical: 3, "gradient-flat": 0, escaping: 7, stalled: 30 }); // "3 critical, 7 escaping, 30 stalled"
 */
function tally(outcomes: Record<CriticalOutcome, number>): string {
  const parts = CRITICAL_OUTCOMES.filter((k) => outcomes[k] > 0).map((k) => `${outcomes[k]} ${k}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}
