import { isLosscapeError } from "@losscape/core";
import { certifyEmbedding, splitNeuron } from "@losscape/embedding";
import { serializeModel, type Model } from "@losscape/mlp";
import { checkDenseHessian } from "../cli.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError, overflowedFloat64, reasonOf } from "../errors.js";
import { keyValues } from "../format.js";
import { loadData, loadModel, notFiniteAtModelFile, npyRow, writeModel, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { describeModel } from "../util.js";
import { certificateArrays, certificateCheck, checkCertificateOutputs, certificateRows, writeCertificateFigure } from "../certificate-report.js";
import { certificateVerdict, verdictLine, type Verdict } from "../verdict.js";

export interface EmbedOptions extends ModelFlags, DataFlags {
  model: string;
  layer: number;
  neuron: number;
  alpha: number;
  data?: string;
  tol: number;
  out?: string;
  plot?: string;
  npy?: string;
}

/**
 * `losscape embed`: the one-step critical embedding T^α_{l,s} (docs/conventions.md#one-step-embedding; Zhang et al. 2021): neuron s of hidden
 * layer l is split, the copy appended last in layer l, outgoing weights α·w and (1−α)·w. With `--data`, the
 * certificate: output preserved (max|f_wide − f| on the data and random probes), loss and ‖∇R‖ before and after,
 * Hessian inertias, whether every count never decreases, and the split-block prediction
 * inertia(H) + inertia(α(1−α)Γ_s) + (0, 1, 0) (null when the base Hessian is degenerate).
 * @example
 * await embedCommand({ model: "m.json", layer: 1, neuron: 0, alpha: 0.5, data: "d.json", tol: 1e-9 }, ctx);
 */
export async function embedCommand(o: EmbedOptions, ctx: Context): Promise<void> {
  checkCertificateOutputs(o);
  const model = loadModel(o.model, "--model", o);
  const step = { layer: o.layer, neuron: o.neuron, alpha: o.alpha };
  let wide: Model;
  try {
    wide = splitNeuron(model, step);
  } catch (e) {
    // α near the largest double: the split's weights would overflow (splitNeuron refuses them), named by the flag
    if (isLosscapeError(e) && /^splitNeuron: 'alpha'/.test(e.message)) {
      throw new InputError(`--alpha ${o.alpha}: the split's outgoing weights α·w and (1 − α)·w overflow float64 (${reasonOf(e)})`);
    }
    if (isLosscapeError(e)) throw new InputError(`${o.model}: ${e.message.replace(/^splitNeuron: /, "")}`);
    throw e;
  }
  // The certificate's dense M × M Hessian of the wide net, sized before the data are read (docs/cli.md#exit-status:
  // at most 2^28 entries), named by the model file like `hessian` does.
  if (o.data) checkDenseHessian(`--model ${o.model}: the certificate (--data) takes the embedded net's dense Hessian,`, wide.params.length);
  let check: Record<string, unknown> | null = null;
  let cert: ReturnType<typeof certifyEmbedding> | null = null;
  let verdict: Verdict | null = null;
  if (o.data) {
    const data = loadData(o.data, { ...o, fit: { model, path: o.model } });
    const st = status(`certifying the embedding ${model.widths.join("-")} → ${wide.widths.join("-")}`, ctx.quiet);
    try {
      cert = certifyEmbedding(model, wide, data, { step, tol: o.tol });
    } catch (e) {
      // Finite weights whose loss, gradient or Hessian overflow: the model file's own values when they do (whatever α),
      // else the embedded network's (α near the largest double), named by its flag.
      if (overflowedFloat64(e)) {
        throw notFiniteAtModelFile(model, data, { model: o.model, data: o.data }) ?? new InputError(`--alpha ${o.alpha}: the embedded network's loss, gradient or Hessian overflows float64 (${reasonOf(e)})`);
      }
      throw e;
    } finally {
      st.end();
    }
    check = certificateCheck(cert, true);
    verdict = certificateVerdict(cert);
    if (o.plot) await writeCertificateFigure(o.plot, model, wide, cert, `Hessian eigenvalues before and after T^α_{${o.layer},${o.neuron}}, α = ${o.alpha}`);
  }
  if (o.out) writeModel(o.out, wide);
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, certificateArrays(wide, cert))
    : [];
  const record = { model: serializeModel(wide), check, verdict, ...(o.npy ? { npy: npyFiles } : {}), warnings: [] as string[] };
  emit(ctx, record, () => {
    const pairs: [string, string][] = [
      ["model", `${o.model} (${describeModel(model)})`],
      ["embedding", `T^α_{l,s} with l = ${o.layer}, s = ${o.neuron}, α = ${o.alpha}: widths ${model.widths.join("-")} → ${wide.widths.join("-")}`],
    ];
    if (cert) {
      pairs.push(...certificateRows(cert, true));
    } else pairs.push(["check", "— (give --data for the certificate)"]);
    if (o.out) pairs.push(["written", o.out]);
    if (o.plot) pairs.push(["figure", o.plot]);
    pairs.push(...npyRow(o.npy, npyFiles));
    return keyValues(pairs) + verdictLine(verdict);
  });
}
