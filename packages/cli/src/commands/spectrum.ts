import { eigvalsh } from "@losscape/core";
import { histogram, penningtonBahri, samplePenningtonBahri, type PBModel, type PenningtonBahriResult } from "@losscape/spectra";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { checkOutputDir, checkPlotPath, npyRow, writeNpyDir } from "../io.js";
import { status } from "../progress.js";

export interface SpectrumOptions {
  /** The Pennington–Bahri model (`--law`). */
  law?: PBModel;
  /** Same as `law` (`--model`, its earlier name). */
  model?: PBModel;
  phi: number;
  eps: number;
  lambda?: number[];
  grid: number;
  from?: number;
  to?: number;
  plot?: string;
  npy?: string;
  sample: number;
  seed: number;
  /** The options given on the command line (not defaults). */
  explicit?: string[];
}

/**
 * `losscape spectrum`: the Pennington–Bahri model H = H₀ + H₁ at (φ, ε) (docs/conventions.md#spectral-models): support, atom at 0, index
 * α = ∫_{λ<0}ρ, ε_c numerically and by the closed form (null for φ ≥ 1), the regime, and ρ on a grid or at given λ.
 * `--plot` draws ρ against the eigenvalue histogram of one sampled N × N matrix of the model (N = `--sample`).
 * @example
 * await spectrumCommand({ law: "wigner", phi: 0.25, eps: 0.1, grid: 200, sample: 600, seed: 1 }, ctx);
 */
export async function spectrumCommand(options: SpectrumOptions, ctx: Context): Promise<void> {
  if (options.law === undefined && options.model === undefined) throw new InputError("--law is required: wigner or relu");
  if (options.law !== undefined && options.model !== undefined && options.law !== options.model) {
    throw new InputError(`--law ${options.law} and --model ${options.model} disagree (--model is the earlier name of --law); give --law alone`);
  }
  const o = { ...options, model: (options.law ?? options.model)! };
  if (o.plot) checkPlotPath(o.plot);
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const unused = o.plot ? [] : (["sample", "seed"] as const).filter((k) => o.explicit?.includes(k));
  if (unused.length > 0) throw new InputError(`${unused.map((k) => `--${k}`).join(" and ")} ${unused.length > 1 ? "set" : "sets"} the sampled matrix of --plot; found no --plot`);
  if (o.from !== undefined && o.to !== undefined && !(o.to > o.from)) {
    throw new InputError(`--to must be greater than --from; found --from ${o.from} --to ${o.to}`);
  }
  // The grid's step (to − from)/(N − 1) must be a float64: --from −1e308 --to 1e308 would make every λ NaN.
  if (o.from !== undefined && o.to !== undefined && !Number.isFinite(o.to - o.from)) {
    throw new InputError(`--from ${o.from} --to ${o.to}: the grid's width --to − --from overflows float64; expected a narrower range`);
  }
  const st = status(`Pennington–Bahri ${o.model} spectrum at φ = ${o.phi}, ε = ${o.eps}`, ctx.quiet);
  const r = penningtonBahri({ model: o.model, phi: o.phi, eps: o.eps });
  let density: [number, number][];
  if (o.lambda) {
    const rho = r.densityOn(o.lambda);
    density = o.lambda.map((l, i) => [l, rho[i]]);
  } else density = r.densityGrid(o.grid, o.from, o.to);
  st.end();
  const warnings: string[] = [];
  if (o.plot) {
    const s2 = status(`sampling a ${o.sample} × ${o.sample} matrix for the histogram`, ctx.quiet);
    const curve = plotCurve(r, o.from, o.to);
    let hist: { edges: Float64Array; density: Float64Array } | undefined;
    if (o.sample > 0) {
      const eig = eigvalsh(samplePenningtonBahri({ model: o.model, n: o.sample, phi: o.phi, eps: o.eps, seed: o.seed }));
      const lo = Math.min(curve[0][0], eig[0]);
      const hi = Math.max(curve[curve.length - 1][0], eig[eig.length - 1]);
      hist = histogram(eig, { bins: 60, from: lo, to: hi });
    }
    s2.end();
    const { spectrumFigure, writeFigure } = await import("../plot.js");
    writeFigure(
      o.plot,
      spectrumFigure({
        density: curve,
        histogram: hist,
        title: `Pennington–Bahri ${o.model}: φ = ${o.phi}, ε = ${o.eps}, index α = ${fmt(r.index, 4)}, ε_c = ${fmt(r.epsC, 4)}`,
        atoms: r.measure.support().atoms,
        histogramLabel: `eigenvalues of one sampled ${o.sample}×${o.sample} H (seed ${o.seed})`,
      }),
    );
  }
  const npyFiles = o.npy ? writeNpyDir(o.npy, { lambda: Float64Array.from(density, (p) => p[0]), density: Float64Array.from(density, (p) => p[1]) }) : [];
  const record = {
    ...(o.npy ? { npy: npyFiles } : {}),
    model: o.model,
    phi: o.phi,
    eps: o.eps,
    support: r.support,
    atom: r.atom,
    index: r.index,
    epsC: r.epsC,
    epsCClosedForm: r.epsCClosedForm,
    regime: r.regime,
    alpha0: r.alpha0,
    density,
    warnings,
  };
  emit(ctx, record, () => {
    let s = keyValues([
      ["model", `${o.model} (H₀ Marchenko–Pastur + H₁ ${o.model === "wigner" ? "semicircle of variance 2ε" : "ReLU law"})`],
      ["φ, ε", `${o.phi}, ${o.eps}`],
      ["support", r.support.map(([a, b]) => `[${fmt(a)}, ${fmt(b)}]`).join(" ∪ ") || "—"],
      ["atom at 0", fmt(r.atom)],
      ["index α", fmt(r.index)],
      ["ε_c", `${fmt(r.epsC)} (numerical)`],
      ["ε_c closed form", r.epsCClosedForm === null ? "— (does not apply for φ ≥ 1)" : fmt(r.epsCClosedForm)],
      ["regime", r.regime],
      ...(o.plot ? ([["figure", o.plot]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ]);
    const rows = o.lambda ? density : thin(density, 21);
    s += "\n" + table(["λ", "ρ(λ)"], rows.map(([l, d]) => [fmt(l), fmt(d)]));
    if (rows.length < density.length) s += `(${rows.length} of ${density.length} grid points; --json prints all)\n`;
    return s;
  });
}

/**
 * ρ on a fine grid with the support edges added, so the curve shows its square-root edges sharply.
 * @example
 * plotCurve(penningtonBahri({ model: "relu", phi: 0.5, eps: 0.1 })); // [[λ, ρ], …]
 */
export function plotCurve(r: PenningtonBahriResult, from?: number, to?: number): [number, number][] {
  const grid = r.densityGrid(600, from, to);
  const a = grid[0][0];
  const b = grid[grid.length - 1][0];
  const edges = r.support.flat().filter((x) => x > a && x < b);
  const xs = [...grid.map(([x]) => x), ...edges].sort((p, q) => p - q);
  const ys = r.densityOn(xs);
  return xs.map((x, i) => [x, ys[i]]);
}

function thin<T>(xs: T[], k: number): T[] {
  if (xs.length <= k) return xs;
  const out: T[] = [];
  for (let i = 0; i < k; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (k - 1))]);
  return out;
}
