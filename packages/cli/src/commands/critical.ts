import { isLosscapeError } from "@losscape/core";
import { DEFAULT_SPECTRUM_LIMIT, gradient, refineCriticalPoint, serializeModel, type CriticalOutcome, type RefineProgress } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, fmtInertia, keyValues } from "../format.js";
import { checkOutputDir, checkWritable, loadModelAndData, writeModel, npyRow, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { progress, type Progress } from "../progress.js";
import { counts, describeModel } from "../util.js";
import { criticalVerdict, notCriticalBecause, verdictLine } from "../verdict.js";

export interface CriticalOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  npy?: string;
  method: "newton" | "gradnorm";
  gtol: number;
  gtolRel: number;
  maxIter?: number;
  hessian?: "dense" | "matrix-free";
  tol: number;
  out?: string;
}

/**
 * `losscape critical`: refine the model's parameters to a critical point ∇R = 0 (Levenberg–Marquardt on ∇R = 0,
 * or first ½‖∇R‖² by L-BFGS with `--method gradnorm`), report loss, ‖∇R‖, the outcome (critical, escaping,
 * gradient-flat, stalled), the inertia three ways and, for critical points only, the kind.
 * @example
 * await criticalCommand({ model: "m.json", data: "d.json", method: "newton", gtol: 1e-12, gtolRel: 1e-14, tol: 1e-9 }, ctx);
 */
export async function criticalCommand(o: CriticalOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const { model, data } = loadModelAndData(o);
  // A bar over the iteration budget (all phases counted; refineCriticalPoint reports it with the first call), with the
  // phase, ‖∇R‖ and R of the current iterate: a run at 10⁴ parameters takes minutes. Nothing with --quiet or off a TTY.
  const label = `refining (${o.method})`;
  let bar: Progress | undefined;
  let cp: ReturnType<typeof refineCriticalPoint>;
  try {
    cp = refineCriticalPoint(model, data, {
      method: o.method,
      gtol: o.gtol,
      gtolRel: o.gtolRel,
      maxIter: o.maxIter,
      tol: o.tol,
      hessian: o.hessian,
      onProgress: (p) => {
        bar ??= progress(label, p.maxIter, ctx.quiet);
        bar.update(p.iteration, `${PHASE[p.phase]} ‖∇R‖ ${fmt(p.gradNorm, 3)} R ${fmt(p.loss, 4)}`);
      },
    });
  } catch (e) {
    // The dense path's M × M Hessian and its eigendecomposition, refused by core or mlp at the first iteration (before
    // any step): named by the flag that asked for it.
    if (o.hessian === "dense" && isLosscapeError(e) && (e.code === "E_OUT_OF_MEMORY" || e.code === "E_SHAPE")) {
      throw new InputError(`--hessian dense: the exact Hessian of ${o.model} (M = ${model.params.length} parameters) does not fit (${e.message}); use --hessian matrix-free`);
    }
    throw e;
  } finally {
    bar?.end();
  }
  if (o.out) writeModel(o.out, cp.model);
  const npyFiles = o.npy ? writeNpyDir(o.npy, { params: cp.model.params, gradient: gradient(cp.model, data), ...(cp.eigenvalues ? { eigenvalues: cp.eigenvalues } : {}) }) : [];
  const warnings: string[] = [];
  if (!cp.converged) warnings.push(`${cp.outcome} after ${cp.iterations} iterations: ${notCriticalBecause(cp)}; ${OUTCOME_HINT[cp.outcome]}`);
  if (cp.inertiaRange && !cp.inertiaStable) warnings.push(`the inertia differs between tol 1e-9 ${fmtInertia(cp.inertiaRange.tight)} and 1e-6 ${fmtInertia(cp.inertiaRange.loose)}`);
  if (!cp.inertia) warnings.push(`no Hessian spectrum above M = ${DEFAULT_SPECTRUM_LIMIT} parameters (matrix-free): inertia not computed`);
  const verdict = criticalVerdict(cp);
  const record = {
    model: serializeModel(cp.model),
    loss: cp.loss,
    gradNorm: cp.gradNorm,
    gtol: cp.gtol,
    iterations: cp.iterations,
    outcome: cp.outcome,
    converged: cp.converged,
    kind: cp.kind,
    flatness: cp.flatness,
    normGrowth: cp.normGrowth,
    hessian: cp.hessian,
    inertia: cp.inertia ? counts(cp.inertia) : null,
    tol: o.tol,
    inertiaAtGap: cp.inertiaAtGap ? { ...counts(cp.inertiaAtGap), tol: cp.inertiaAtGap.tol, gapRatio: cp.inertiaAtGap.gapRatio } : null,
    inertiaRange: cp.inertiaRange ? { tight: counts(cp.inertiaRange.tight), loose: counts(cp.inertiaRange.loose) } : null,
    inertiaStable: cp.inertiaStable,
    eigenvalues: cp.eigenvalues,
    verdict,
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  const human = () =>
    keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["method", `${o.method} (${cp.hessian} Hessian)`],
      ["loss", fmt(cp.loss)],
      ["‖∇R‖", `${fmt(cp.gradNorm)} (critical at ≤ ${fmt(cp.gtol)})`],
      ["outcome", cp.outcome],
      ["iterations", String(cp.iterations)],
      ["flatness ρ", `${fmt(cp.flatness)} = ‖H∇R‖/(‖H‖‖∇R‖)`],
      ["inertia", cp.inertia && cp.inertiaRange ? `${fmtInertia(cp.inertia)} = (negative, zero, positive), tol ${o.tol}${cp.inertiaStable ? "" : ` (1e-6: ${fmtInertia(cp.inertiaRange.loose)})`}` : "not computed (matrix-free)"],
      ...(cp.inertiaAtGap ? ([["at the gap", `${fmtInertia(cp.inertiaAtGap)}, gap ratio ${fmt(cp.inertiaAtGap.gapRatio)}`]] as [string, string][]) : []),
      ["kind", cp.kind ?? "none (not a critical point)"],
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ]) + verdictLine(verdict);
  emit(ctx, record, human);
}

/** The phases of refineCriticalPoint, short enough for the bar's note on an 80-column terminal. */
const PHASE: Record<RefineProgress["phase"], string> = {
  gradnorm: "L-BFGS on ½‖∇R‖²",
  "levenberg-marquardt": "LM",
  "newton-mr": "Newton-MR",
  classify: "spectrum",
};

/** One line on each non-critical outcome, for the warning. */
const OUTCOME_HINT: Record<CriticalOutcome, string> = {
  critical: "",
  escaping: "‖θ‖ grows while ‖∇R‖ falls: a critical point at infinity",
  "gradient-flat": "∇R lies in an approximate kernel of H: no Newton-type step lowers ‖∇R‖ here",
  stalled: "no step lowered ‖∇R‖ further, or the budget ran out",
};
