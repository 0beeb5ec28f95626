import { availableParallelism } from "node:os";
import { curvature, eigenpairsBasisSize, MAX_BASIS_VALUES, type CurvatureReport, type HessianPart } from "@losscape/curvature";
import { EIGH_MAX_ORDER, type Mat } from "@losscape/core";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { checkOutputDir, checkPlotPath, loadModelAndData, npyRow, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { progress } from "../progress.js";
import { describeModel } from "../util.js";

export interface CurvatureCommandOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  part: HessianPart;
  top?: number;
  bottom?: number;
  trace?: boolean;
  density?: boolean;
  probes: number;
  steps: number;
  bins: number;
  tol: number;
  seed: number;
  threads?: number;
  exactLimit: number;
  plot?: string;
  npy?: string;
  /** The options given on the command line (not defaults). */
  explicit?: string[];
}

/**
 * `losscape curvature`: the curvature of the loss at the model without forming the Hessian (@losscape/curvature):
 * top and bottom eigenpairs with their residuals ‖Hv − λv‖, the trace (Hutch++) with its standard error, the SLQ
 * spectral density (PyHessian's Gaussian-broadened form) and the index estimate with a 95% interval; exact from the
 * dense Hessian up to `--exact-limit` parameters. Data chunks spread over `--threads` worker threads.
 * @example
 * await curvatureCommand({ model: "m.json", data: "d.json", part: "full", top: 5, trace: true, probes: 10, steps: 80, bins: 1000, tol: 1e-8, seed: 0, threads: 1, exactLimit: 2048 }, ctx);
 */
export async function curvatureCommand(o: CurvatureCommandOptions, ctx: Context): Promise<void> {
  if (o.plot) checkPlotPath(o.plot);
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const { model, data } = loadModelAndData(o);
  const density = o.density || o.plot !== undefined;
  if (!density && o.explicit?.includes("bins")) throw new InputError(`--bins ${o.bins} sets the grid of the density; found --bins without --density or --plot`);
  const M = model.params.length;
  // by default the 5 largest eigenpairs (all M of a smaller net)
  const top = o.top ?? (o.bottom === undefined && !o.trace && !density ? Math.min(5, M) : undefined);
  for (const [flag, k] of [["--top", top], ["--bottom", o.bottom]] as const) {
    if (k !== undefined && k > M) throw new InputError(`${flag} must be at most the parameter count M = ${M}; found ${k}`);
  }
  // Sizes before the work (docs/cli.md#exit-status), by the flag that sets them: the dense Hessian of the exact
  // path (M ≤ EIGH_MAX_ORDER = 10329: eigh's WASM memory holds five M × M matrices within 4 GiB), else the Lanczos bases of @losscape/curvature (≤ 2^28 values: eigenpairsBasisSize
  // vectors of M for --top/--bottom k, at least max(2k + 2b, k + 3b), b = min(k, 16); --steps vectors of M per probe).
  const GiB = (values: number) => `${((values * 8) / 2 ** 30).toFixed(1)} GiB`;
  if (M <= o.exactLimit) {
    if (M > EIGH_MAX_ORDER) throw new InputError(`--exact-limit ${o.exactLimit} asks for the eigendecomposition of the dense Hessian of M = ${M} parameters (${o.model}), whose WASM memory holds five M × M matrices, ${GiB(5 * M * M)}; at most M = ${EIGH_MAX_ORDER} (4 GiB): use an --exact-limit below ${M} for the matrix-free estimate`);
  } else {
    for (const [flag, k] of [["--top", top], ["--bottom", o.bottom]] as const) {
      if (k === undefined) continue;
      const vectors = eigenpairsBasisSize(M, k);
      if (vectors * M > MAX_BASIS_VALUES) throw new InputError(`${flag} ${k} needs a Lanczos basis of ${vectors} vectors of M = ${M} parameters (${GiB(vectors * M)}); at most 2^28 values (2 GiB): expected ${flag} of at most ${maxPairs(M)}; found ${k}`);
    }
    const steps = Math.min(o.steps, M);
    if (density && steps * M > MAX_BASIS_VALUES) throw new InputError(`--steps ${o.steps} needs a Lanczos basis of ${steps} vectors of M = ${M} parameters per probe (${GiB(steps * M)}); at most 2^28 values (2 GiB): expected --steps of at most ${Math.floor(MAX_BASIS_VALUES / M)}; found ${o.steps}`);
  }
  let bar: ReturnType<typeof progress> | undefined;
  let stage = "";
  const r = await curvature(model, data, {
    part: o.part,
    top,
    bottom: o.bottom,
    trace: o.trace,
    density,
    probes: o.probes,
    steps: o.steps,
    bins: o.bins,
    tol: o.tol,
    seed: o.seed,
    threads: o.threads ?? availableParallelism(),
    exactLimit: o.exactLimit,
    onProgress: (s, f) => {
      if (s !== stage) {
        bar?.end();
        stage = s;
        bar = progress(s, 100, ctx.quiet);
      }
      bar!.update(Math.round(100 * Math.max(0, Math.min(1, f))));
    },
  });
  bar?.end();
  if (o.plot) {
    const { spectrumFigure, writeFigure } = await import("../plot.js");
    const d = r.density!;
    writeFigure(
      o.plot,
      spectrumFigure({
        density: Array.from(d.grid, (x, i) => [x, d.density[i]] as [number, number]),
        title: `${r.method === "exact" ? "exact" : "SLQ"} spectral density of ${partName(r.part)} for ${describeModel(model)} (M = ${M}); index ${fmt(r.index!.fraction, 4)}`,
      }),
    );
  }
  const arrays: Record<string, Float64Array | Mat> = {};
  if (r.top) Object.assign(arrays, { "top-values": Float64Array.from(r.top.values), "top-vectors": vectorsOf(r.top.vectors) });
  if (r.bottom) Object.assign(arrays, { "bottom-values": Float64Array.from(r.bottom.values), "bottom-vectors": vectorsOf(r.bottom.vectors) });
  if (r.density) Object.assign(arrays, { "density-grid": r.density.grid, density: r.density.density });
  const npyFiles = o.npy ? writeNpyDir(o.npy, arrays) : [];
  const pairs = (p: CurvatureReport["top"]) => p && { values: p.values, residuals: p.residuals, relativeResiduals: p.residuals.map((x) => x / scaleOf(r)), converged: p.converged };
  const warnings: string[] = [];
  for (const [name, p] of [["top", r.top], ["bottom", r.bottom]] as const) if (p && !p.converged) warnings.push(`the ${name} eigenpairs did not reach --tol ${o.tol}; their residuals are reported`);
  const record: Record<string, unknown> = {
    method: r.method,
    part: r.part,
    paramCount: M,
    samples: r.n,
    threads: r.threads,
    products: r.products,
    ...(r.top ? { top: pairs(r.top) } : {}),
    ...(r.bottom ? { bottom: pairs(r.bottom) } : {}),
    ...(r.trace ? { trace: r.trace } : {}),
    ...(r.density ? { density: { grid: r.density.grid, density: r.density.density, variance: r.density.variance } } : {}),
    ...(r.index ? { index: { fraction: r.index.fraction, count: r.index.count, interval: r.index.interval, standardError: r.index.standardError, threshold: r.index.threshold } } : {}),
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  emit(ctx, record, () => {
    let s = keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["data", `${o.data} (n = ${data.x.rows})`],
      ["matrix", partName(r.part)],
      ["method", r.method === "exact" ? "exact (dense Hessian, M ≤ --exact-limit)" : `estimate (matrix-free, ${r.products} Hessian-vector products on ${r.threads} thread${r.threads > 1 ? "s" : ""})`],
      ...(r.trace ? ([["trace", r.trace.method === "exact" ? `${fmt(r.trace.value)} (exact)` : `${fmt(r.trace.value)} ± ${fmt(r.trace.standardError)} (${r.trace.method}, ± one standard error)`]] as [string, string][]) : []),
      ...(r.index ? ([["index", r.method === "exact" ? `${r.index.count} of ${M} (${fmt(r.index.fraction, 4)})` : `${fmt(r.index.fraction, 4)} of M, 95% interval [${fmt(r.index.interval[0], 4)}, ${fmt(r.index.interval[1], 4)}] (≈ ${Math.round(r.index.count)} eigenvalues)`]] as [string, string][]) : []),
      ...(o.plot ? ([["figure", o.plot]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ]);
    for (const [name, p] of [["largest", r.top], ["smallest", r.bottom]] as const) {
      if (!p) continue;
      s += `\n${p.values.length} ${name} eigenvalues\n`;
      s += table(["k", "λ", "‖Hv − λv‖"], p.values.map((v, i) => [String(i + 1), fmt(v), fmt(p.residuals[i])]));
    }
    return s;
  });
}

function partName(part: HessianPart): string {
  return part === "full" ? "H = ∇²R" : part === "gauss-newton" ? "H₀ (Gauss–Newton)" : "H₁ = H − H₀";
}

/** The largest k whose eigenpairs basis (`eigenpairsBasisSize`) fits 2^28 values at dimension M. */
function maxPairs(M: number): number {
  let k = Math.floor(MAX_BASIS_VALUES / M / 2);
  while (k > 1 && eigenpairsBasisSize(M, k) * M > MAX_BASIS_VALUES) k--;
  return k;
}

/** The scale relative residuals are measured against: the largest |λ| reported. */
function scaleOf(r: CurvatureReport): number {
  let s = 0;
  for (const p of [r.top, r.bottom]) if (p) for (const v of p.values) s = Math.max(s, Math.abs(v));
  return s || 1;
}

/** The eigenvectors as the rows of one k × M matrix. */
function vectorsOf(vectors: Float64Array[]): Mat {
  const M = vectors[0]?.length ?? 0;
  const data = new Float64Array(vectors.length * M);
  vectors.forEach((v, i) => data.set(v, i * M));
  return { rows: vectors.length, cols: M, data };
}
