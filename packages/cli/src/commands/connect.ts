import { isLosscapeError } from "@losscape/core";
import { connectMinima } from "@losscape/manifold";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError, reasonOf } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { checkOutputDir, checkPlotPath, loadData, loadModel, notFiniteAtModelFile, npyRow, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { connectVerdict, verdictLine } from "../verdict.js";

export interface ConnectOptions extends ModelFlags, DataFlags {
  model: string[];
  data: string;
  npy?: string;
  method: "linear" | "chain" | "bezier" | "neb";
  points: number;
  iterations?: number;
  plot?: string;
}

/**
 * `losscape connect`: the loss along a path θ(t), t ∈ [0, 1], between two models A and B (straight line, a
 * polygonal chain or quadratic Bézier curve trained to low loss, or a nudged elastic band), and the barrier
 * max_t R(θ(t)) − max(R(θ_A), R(θ_B)).
 * @example
 * await connectCommand({ model: ["a.json", "b.json"], data: "d.json", method: "neb", points: 51 }, ctx);
 */
export async function connectCommand(o: ConnectOptions, ctx: Context): Promise<void> {
  if (o.model.length !== 2) throw new InputError(`--model must be given exactly twice (A and B); found ${o.model.length}`);
  if (o.plot) checkPlotPath(o.plot);
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const [pa, pb] = o.model;
  const a = loadModel(pa, "--model", o);
  const b = loadModel(pb, "--model (second)", o);
  if (a.widths.length !== b.widths.length || a.widths.some((w, i) => w !== b.widths[i])) {
    throw new InputError(`${pb}: must have the widths of ${pa} ([${a.widths.join(", ")}]); found [${b.widths.join(", ")}]`);
  }
  if (a.params.length !== b.params.length) {
    // The same widths, another parameter count: one net has biases and the other none.
    const biases = (m: typeof a) => (m.bias === false ? "no biases" : "biases");
    throw new InputError(`${pb}: must have the parameters of ${pa} (widths [${a.widths.join(", ")}] with ${biases(a)}, M = ${a.params.length}); found ${biases(b)}, M = ${b.params.length}`);
  }
  const data = loadData(o.data, { ...o, fit: { model: a, path: pa } });
  const st = status(`connecting the two models (${o.method})`, ctx.quiet);
  let r: ReturnType<typeof connectMinima>;
  let straight: ReturnType<typeof connectMinima> | null;
  try {
    r = connectMinima(a, b, data, { method: o.method, points: o.points, ...(o.iterations !== undefined ? { iterations: o.iterations } : {}) });
    straight = o.plot && o.method !== "linear" ? connectMinima(a, b, data, { method: "linear", points: o.points }) : null;
  } catch (e) {
    // Two models that differ in more than their parameters (biases, activation, output, loss, l2): named by their files.
    if (isLosscapeError(e) && /^'a' and 'b' /.test(reasonOf(e))) {
      throw new InputError(
        `${pb}: ${reasonOf(e)
          .replace(/^'a' and 'b' /, `the two --model files (A = ${pa}, B = ${pb}) `)
          .replace("(b's loss is measured with a's)", "(B's loss is measured with A's)")
          .replace(/\ba\.(\w+) = /, "A's $1 = ")
          .replace(/\bb\.(\w+) = /, "B's $1 = ")}`,
      );
    }
    throw e;
  } finally {
    st.end();
  }
  const endLoss = Math.max(r.path[0].loss, r.path[r.path.length - 1].loss);
  // An end whose loss overflows float64 (R = +∞ at finite parameters) leaves the barrier max R − max(R_A, R_B) = ∞ − ∞
  // undefined: bad input naming that model file, not a NaN barrier.
  if (!Number.isFinite(endLoss)) {
    for (const [m, path, option] of [[a, pa, "--model"], [b, pb, "--model (second)"]] as const) {
      const bad = notFiniteAtModelFile(m, data, { model: path, option, data: o.data });
      if (bad) throw bad;
    }
  }
  if (o.plot) {
    const { pathFigure, writeFigure } = await import("../plot.js");
    const paths = [{ label: o.method, path: r.path }, ...(straight ? [{ label: "linear", path: straight.path }] : [])];
    writeFigure(o.plot, pathFigure(paths, { title: `Loss along the ${o.method} path from A to B: barrier ${fmt(r.barrier, 4)}` }));
  }
  const npyFiles = o.npy ? writeNpyDir(o.npy, { t: Float64Array.from(r.path, (p) => p.t), loss: Float64Array.from(r.path, (p) => p.loss) }) : [];
  const verdict = connectVerdict({ barrier: r.barrier, endLoss, method: r.method });
  const record = { barrier: r.barrier, path: r.path, method: r.method, maxLoss: r.maxLoss, iterations: r.iterations, verdict, ...(o.npy ? { npy: npyFiles } : {}), warnings: [] as string[] };
  emit(ctx, record, () => {
    const step = Math.max(1, Math.round((r.path.length - 1) / 10));
    const rows = r.path.filter((_, i) => i % step === 0 || i === r.path.length - 1).map((p) => [fmt(p.t, 4), fmt(p.loss)]);
    return (
      keyValues([
        ["A", pa],
        ["B", pb],
        ["method", `${r.method}${r.iterations ? ` (${r.iterations} optimisation steps)` : ""}`],
        ["barrier", `${fmt(r.barrier)} = max loss ${fmt(r.maxLoss)} − max(R(A), R(B))`],
        ...(o.plot ? ([["figure", o.plot]] as [string, string][]) : []),
        ...npyRow(o.npy, npyFiles),
      ]) +
      "\n" +
      table(["t", "loss"], rows) +
      (rows.length < r.path.length ? `(${rows.length} of ${r.path.length} points; --json prints all)\n` : "") +
      verdictLine(verdict)
    );
  });
}
