import { landscapeSlice } from "@losscape/manifold";
import { MAX_LISTED } from "../cli.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues } from "../format.js";
import { checkOutputDir, checkPlotPath, loadModelAndData, npyRow, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { describeModel } from "../util.js";

export interface SliceOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  npy?: string;
  dirs: "random" | "hessian" | "embedding";
  grid: number;
  range: number;
  seed: number;
  plot?: string;
}

const DIRS = {
  random: "two filter-normalised random directions (Li et al. 2018)",
  hessian: "the eigenvectors of the two largest Hessian eigenvalues",
  embedding: "the embedding line of a split of neuron 0 of layer 1 (α from 0.5), and a random direction",
};

/**
 * `losscape slice`: the loss on a 2-D plane through the model, grid[i][j] = R(θ + a_i·d₁ + b_j·d₂) with a, b on
 * `--grid` points of [−range, range] (axes = [a, b]).
 * @example
 * await sliceCommand({ model: "m.json", data: "d.json", dirs: "random", grid: 41, range: 1, seed: 0, plot: "slice.png" }, ctx);
 */
export async function sliceCommand(o: SliceOptions, ctx: Context): Promise<void> {
  if (o.plot) checkPlotPath(o.plot);
  if (o.npy) checkOutputDir(o.npy, "--npy");
  // --json prints every loss of the grid: like every list a record prints, at most 2^23 of them (one JSON string).
  if (ctx.json && o.grid * o.grid > MAX_LISTED) {
    throw new InputError(`--grid ${o.grid} with --json: the record would list ${o.grid}² = ${o.grid * o.grid} losses; at most ${MAX_LISTED} (2^23, --grid ≤ ${Math.floor(Math.sqrt(MAX_LISTED))}) — leave out --json and write the grid with --npy DIR`);
  }
  // The axes run over [−range, range]: their width 2·range must be a float64 (1e308 would make every point NaN).
  if (!Number.isFinite(2 * o.range)) throw new InputError(`--range ${o.range}: the slice's width 2·range overflows float64; expected at most ${Number.MAX_VALUE / 2}`);
  const { model, data } = loadModelAndData(o);
  // The plane of --dirs hessian is spanned by the two top eigenvectors: a net of one parameter has one.
  if (o.dirs === "hessian" && model.params.length < 2) {
    throw new InputError(`--dirs hessian: the slice's plane is spanned by the Hessian's two top eigenvectors; found ${o.model} with M = ${model.params.length} parameter (--dirs random slices it)`);
  }
  // The embedding line splits neuron 0 of hidden layer 1: a net without a hidden layer has none to split.
  if (o.dirs === "embedding" && model.widths.length < 3) {
    throw new InputError(`--dirs embedding: the embedding line splits neuron 0 of hidden layer 1; found ${o.model} with widths ${model.widths.join("-")}, no hidden layer (--dirs random or hessian slice any net)`);
  }
  const st = status(`slicing the loss around ${describeModel(model)} (${o.grid}×${o.grid})`, ctx.quiet);
  const s = landscapeSlice(model, data, { dirs: o.dirs, points: o.grid, range: o.range, seed: o.seed });
  st.end();
  if (o.plot) {
    const { sliceFigure, writeFigure } = await import("../plot.js");
    writeFigure(
      o.plot,
      sliceFigure({
        grid: s.grid,
        a: s.axes[0],
        b: s.axes[1],
        title: `Loss around ${o.model.split("/").pop()} (${o.dirs} directions)`,
        aLabel: o.dirs === "embedding" ? "a (along the embedding line)" : "a (first direction)",
        bLabel: "b (second direction)",
      }),
    );
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of s.grid) for (const v of row) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const c = Math.floor((o.grid - 1) / 2);
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, {
        loss: { shape: [s.axes[0].length, s.axes[1].length], data: s.grid.flat() },
        a: Float64Array.from(s.axes[0]),
        b: Float64Array.from(s.axes[1]),
        directions: { shape: [s.directions.length, s.model.params.length], data: s.directions.flatMap((d) => Array.from(d)) },
        params: s.model.params,
      })
    : [];
  const record = { grid: s.grid, axes: s.axes, dirs: s.dirs, widths: s.model.widths, evaluator: s.evaluator, ...(o.npy ? { npy: npyFiles } : {}), warnings: [] as string[] };
  emit(ctx, record, () =>
    keyValues([
      ["model", `${o.model} (${describeModel(model)})${o.dirs === "embedding" ? `, sliced at its embedding ${s.model.widths.join("-")}` : ""}`],
      ["directions", `${o.dirs}: ${DIRS[o.dirs]}`],
      ["grid", `${o.grid} × ${o.grid} on [−${o.range}, ${o.range}]²`],
      ["loss at centre", o.grid % 2 === 1 ? fmt(s.grid[c][c]) : "— (even grid)"],
      // The range of the finite losses (a loss that overflows float64 is +∞); none finite: no range, not "∞ … −∞".
      ["loss range", lo <= hi ? `${fmt(lo)} … ${fmt(hi)}` : "— (no finite loss on the grid: the network's outputs overflow float64)"],
      ...(o.plot ? ([["figure", o.plot]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
      ["", "(--json prints the grid)"],
    ]),
  );
}
