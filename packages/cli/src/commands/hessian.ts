import { eigvalsh, inertiaFromEigenvalues, inertiaThreshold, nrm2, type Mat } from "@losscape/core";
import { createProblem, hessian } from "@losscape/mlp";
import { checkDenseHessian } from "../cli.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { fmt, fmtInertia, keyValues, table } from "../format.js";
import { checkOutputDir, checkPlotPath, loadModelAndData, npyRow, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { counts, describeModel } from "../util.js";

export interface HessianOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  tol: number;
  split?: boolean;
  plot?: string;
  npy?: string;
}

/**
 * `losscape hessian`: the exact Hessian H = ∇²R at the model's parameters, its eigenvalues (ascending) and inertia
 * (|λ| ≤ tol·max(1, max|λ|) counts as zero; docs/conventions.md#inertia); with `--split` also the spectra of H₀ = JᵀJ/n and H₁.
 * @example
 * await hessianCommand({ model: "m.json", data: "d.json", tol: 1e-9, split: true }, ctx);
 */
export async function hessianCommand(o: HessianOptions, ctx: Context): Promise<void> {
  if (o.plot) checkPlotPath(o.plot);
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const { model, data } = loadModelAndData(o);
  // The dense M × M Hessian, sized before the work (docs/cli.md#exit-status: at most 2^28 entries): the message names
  // the model file and M, and the matrix-free command, rather than the WASM arena's "needs … GiB of WASM memory".
  checkDenseHessian(`--model ${o.model}: the exact Hessian is`, model.params.length, " — use `losscape curvature` (matrix-free) for larger networks");
  const st = status(`hessian of ${describeModel(model)}`, ctx.quiet);
  // Model and data validated once (by the file readers and createProblem) and uploaded once; without --split the
  // Hessian's eigenvalues are taken where the kernel left H, without copying it out and back.
  using problem = createProblem(model, data);
  const { loss, gradient } = problem.lossAndGradient();
  let eigenvalues: Float64Array;
  let gn: Float64Array | undefined;
  let res: Float64Array | undefined;
  const arrays: Record<string, Mat | Float64Array> = {};
  if (o.split) {
    const s = hessian(model, data, { split: true });
    eigenvalues = eigvalsh(s.h);
    gn = eigvalsh(s.h0);
    res = eigvalsh(s.h1);
    Object.assign(arrays, { hessian: s.h, "gauss-newton": s.h0, residual: s.h1, "gauss-newton-eigenvalues": gn, "residual-eigenvalues": res });
  } else if (o.npy) {
    const h = problem.hessian();
    eigenvalues = eigvalsh(h);
    arrays.hessian = h;
  } else {
    eigenvalues = problem.hessianEigenvalues();
  }
  st.end();
  const npyFiles = o.npy ? writeNpyDir(o.npy, { ...arrays, eigenvalues, gradient, params: model.params }) : [];
  const inertia = inertiaFromEigenvalues(eigenvalues, { tol: o.tol });
  if (o.plot) {
    const { eigenvalueStripFigure, writeFigure } = await import("../plot.js");
    // One zero threshold for all rows: the full Hessian's, tol·max(1, max|λ(H)|).
    const threshold = inertiaThreshold(eigenvalues, o.tol);
    const rows = [{ label: `H ${fmtInertia(inertia)}`, values: eigenvalues, threshold }];
    if (o.split) rows.push({ label: "H₀ = JᵀJ/n", values: gn!, threshold }, { label: "H₁ (residual part)", values: res!, threshold });
    writeFigure(o.plot, eigenvalueStripFigure(rows, { title: `Hessian eigenvalues of ${o.model.split("/").pop()} (${describeModel(model)})` }));
  }
  const record: Record<string, unknown> = {
    paramCount: eigenvalues.length,
    loss,
    gradNorm: nrm2(gradient),
    eigenvalues,
    inertia: counts(inertia),
    tol: o.tol,
  };
  if (o.split) {
    record.gaussNewtonEigenvalues = gn;
    record.residualEigenvalues = res;
  }
  if (o.npy) record.npy = npyFiles;
  emit(ctx, record, () => {
    let s = keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["data", `${o.data} (n = ${data.x.rows})`],
      ["loss", fmt(loss)],
      ["‖∇R‖", fmt(nrm2(gradient))],
      ["inertia", `${fmtInertia(inertia)} = (negative, zero, positive), zero when |λ| ≤ ${o.tol}·max(1, max|λ|)`],
      ...(o.plot ? ([["figure", o.plot]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ]);
    s += "\n";
    const header = o.split ? ["k", "λ(H)", "λ(H₀ = JᵀJ/n)", "λ(H₁)"] : ["k", "λ(H)"];
    const row = (k: number) => {
      const r = [String(k + 1), fmt(eigenvalues[k])];
      if (o.split) r.push(fmt(gn![k]), fmt(res![k]));
      return r;
    };
    const M = eigenvalues.length;
    // Long spectra: the 10 smallest and the 10 largest (--json prints all).
    const shown = M <= 30 ? [...Array(M).keys()] : [...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => M - 10 + i)];
    const rows = shown.map(row);
    if (M > 30) rows.splice(10, 0, header.map(() => "⋮"));
    s += table(header, rows);
    if (M > 30) s += `(${M - 20} eigenvalues not shown; --json prints all)\n`;
    if (o.split) s += "(each column sorted ascending on its own; H = H₀ + H₁ as matrices, not eigenvalue by eigenvalue)\n";
    return s;
  });
}
