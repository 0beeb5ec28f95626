import { refineCriticalPoint, serializeModel } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { fmt, fmtInertia, keyValues } from "../format.js";
import { checkWritable, loadModelAndData, writeModel } from "../io.js";
import { status } from "../progress.js";
import { counts, describeModel } from "../util.js";

export interface CriticalOptions {
  model: string;
  data: string;
  inputs?: number;
  method: "newton" | "gradnorm";
  gtol: number;
  maxIter: number;
  tol: number;
  out?: string;
}

/**
 * `losscape critical`: refine the model's parameters to a critical point ∇R = 0 (Levenberg–Marquardt on ∇R = 0,
 * or first ½‖∇R‖² by L-BFGS with `--method gradnorm`), report loss, ‖∇R‖, iterations, convergence and inertia.
 * @example
 * await criticalCommand({ model: "m.json", data: "d.json", method: "newton", gtol: 1e-12, maxIter: 200, tol: 1e-9 }, ctx);
 */
export async function criticalCommand(o: CriticalOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  const { model, data } = loadModelAndData(o);
  const st = status(`refining ${describeModel(model)} to a critical point (${o.method})`, ctx.quiet);
  const cp = refineCriticalPoint(model, data, { method: o.method, gtol: o.gtol, maxIter: o.maxIter, tol: o.tol });
  st.end();
  if (o.out) writeModel(o.out, cp.model);
  const warnings: string[] = [];
  if (!cp.converged) warnings.push(`not converged: ‖∇R‖ = ${cp.gradNorm} > gtol = ${o.gtol} after ${cp.iterations} iterations`);
  const record = {
    model: serializeModel(cp.model),
    loss: cp.loss,
    gradNorm: cp.gradNorm,
    iterations: cp.iterations,
    converged: cp.converged,
    inertia: counts(cp.inertia),
    tol: o.tol,
    eigenvalues: cp.eigenvalues,
    warnings,
  };
  emit(ctx, record, () =>
    keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["method", o.method],
      ["loss", fmt(cp.loss)],
      ["‖∇R‖", `${fmt(cp.gradNorm)} (gtol ${o.gtol})`],
      ["converged", cp.converged ? "yes" : "no"],
      ["iterations", String(cp.iterations)],
      ["inertia", `${fmtInertia(cp.inertia)} = (negative, zero, positive), tol ${o.tol}`],
      ["kind", kindOf(cp.inertia)],
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
    ]),
  );
}

/**
 * "minimum", "strict saddle", … from the inertia.
 * @example
 * kindOf({ negative: 1, zero: 0, positive: 9 }); // "strict saddle"
 */
export function kindOf(i: { negative: number; zero: number; positive: number }): string {
  if (i.negative > 0) return i.zero > 0 ? "saddle (degenerate)" : "strict saddle";
  if (i.zero > 0) return "degenerate: minimum or saddle (zero eigenvalues)";
  return "strict local minimum";
}
