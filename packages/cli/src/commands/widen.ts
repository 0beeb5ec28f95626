import { certifyEmbedding, widenTo } from "@losscape/embedding";
import { isLosscapeError } from "@losscape/core";
import { paramCount, serializeModel, type Model } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { loadData, loadModel, npyRow, writeModel, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { describeModel } from "../util.js";
import { checkDenseHessian } from "../cli.js";
import { certificateArrays, certificateCheck, checkCertificateOutputs, certificateRows, writeCertificateFigure } from "../certificate-report.js";
import { certificateVerdict, verdictLine } from "../verdict.js";

export interface WidenOptions extends ModelFlags, DataFlags {
  model: string;
  to: number[];
  alpha: number;
  data?: string;
  tol: number;
  out?: string;
  plot?: string;
  npy?: string;
}

/**
 * `losscape widen`: widen the model to `--to` widths by one-step embeddings T^α_{l,s} (mlp layer by layer, the k-th
 * added neuron of a layer splitting original neuron k mod mₗ; `widenTo` of @losscape/embedding), with the steps
 * taken; with `--data` the certificate of the whole widening: output preserved, loss and ‖∇R‖ before and after,
 * inertia counts that never decrease (Zhang et al., Embedding Principle, NeurIPS 2021, Theorem 4.6).
 * @example
 * await widenCommand({ model: "cp.json", to: [1, 5, 1], alpha: 0.5, data: "d.json", tol: 1e-9 }, ctx);
 */
export async function widenCommand(o: WidenOptions, ctx: Context): Promise<void> {
  checkCertificateOutputs(o);
  const model = loadModel(o.model, "--model", o);
  checkWideSize(model, o.to, o.data !== undefined);
  let wide: Model;
  let steps: { layer: number; neuron: number; alpha: number }[];
  try {
    ({ model: wide, steps } = widenTo(model, o.to, { alpha: o.alpha }));
  } catch (e) {
    throw new InputError(`--to ${o.to.join(",")}: ${(e as Error).message.replace(/^widenTo: /, "")}`);
  }
  let cert: ReturnType<typeof certifyEmbedding> | null = null;
  if (o.data) {
    const data = loadData(o.data, { ...o, fit: { model, path: o.model } });
    const st = status(`certifying the widening ${model.widths.join("-")} → ${wide.widths.join("-")}`, ctx.quiet);
    try {
      cert = certifyEmbedding(model, wide, data, { tol: o.tol });
    } finally {
      st.end();
    }
    if (o.plot) await writeCertificateFigure(o.plot, model, wide, cert, `Hessian eigenvalues before and after widening to ${wide.widths.join("-")} (α = ${o.alpha})`);
  }
  if (o.out) writeModel(o.out, wide);
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, certificateArrays(wide, cert))
    : [];
  const warnings: string[] = [];
  if (cert && cert.gradNormBefore > cert.gtolBefore) warnings.push(`the model is not a critical point (‖∇R‖ = ${fmt(cert.gradNormBefore)}): the Embedding Principle's guarantees (still critical, counts never decrease) are about critical points`);
  const check = cert ? certificateCheck(cert, false) : null;
  const verdict = cert ? certificateVerdict(cert) : null;
  const record = { model: serializeModel(wide), widthsBefore: model.widths, widthsAfter: wide.widths, steps, check, verdict, ...(o.npy ? { npy: npyFiles } : {}), warnings };
  emit(ctx, record, () => {
    const pairs: [string, string][] = [
      ["model", `${o.model} (${describeModel(model)})`],
      ["widened", `${model.widths.join("-")} → ${wide.widths.join("-")} by ${steps.length} one-step embedding${steps.length === 1 ? "" : "s"} T^α_{l,s}, α = ${o.alpha}`],
    ];
    pairs.push(...(cert ? certificateRows(cert, false) : ([["check", "— (give --data for the certificate)"]] as [string, string][])));
    if (o.out) pairs.push(["written", o.out]);
    if (o.plot) pairs.push(["figure", o.plot]);
    pairs.push(...npyRow(o.npy, npyFiles));
    let s = keyValues(pairs);
    s += "\n" + table(["step", "layer l", "neuron s", "α"], steps.map((st, i) => [String(i + 1), String(st.layer), String(st.neuron), String(st.alpha)]));
    return s + verdictLine(verdict);
  });
}

/**
 * The wide network sized before it is built: at most 2^28 parameters (mlp's bound), and with --data, whose
 * certificate takes the wide net's dense Hessian (M × M), M ≤ 2^14. Bad input naming --to otherwise.
 */
function checkWideSize(model: Model, to: number[], certify: boolean): void {
  if (to.length !== model.widths.length) return; // widenTo names the mismatch
  let M: number;
  try {
    M = paramCount({ ...model, widths: to });
  } catch (e) {
    if (isLosscapeError(e)) throw new InputError(`--to ${to.join(",")}: ${e.message.replace(/^paramCount: /, "")}`);
    throw e;
  }
  if (certify) checkDenseHessian(`--to ${to.join(",")}: the certificate (--data) takes the wide net's dense Hessian,`, M);
}
