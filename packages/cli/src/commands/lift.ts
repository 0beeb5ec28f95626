import { certifyLift, liftDepth, pruneLayer, type LiftCertificate } from "@losscape/embedding";
import { serializeModel, type Activation } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, fmtInertia, keyValues } from "../format.js";
import { checkOutputDir, checkWritable, loadData, loadModel, npyRow, parseActivation, writeModel, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { counts, describeModel } from "../util.js";
import { liftVerdict, verdictLine } from "../verdict.js";

export interface LiftCliOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  layer: number;
  newActivation?: string;
  scale: number;
  margin: number;
  prune?: boolean;
  tol: number;
  out?: string;
  npy?: string;
}

/**
 * `losscape lift`: the Embedding Principle in depth (Bai, Luo, Xu & Zhang, arXiv:2205.13283). Insert after layer
 * `--layer` q a layer z = α·hᵠ + c that is linear on the data (`liftDepth` of @losscape/embedding: linear, relu or
 * leaky-relu), with `certifyLift`'s certificate: outputs preserved on the data, still critical, and the Hessian
 * inertia (n₋, n₀ + ΔN, n₊), ΔN the dimension of the lifted critical manifold. With `--prune`, the reverse:
 * remove hidden layer `--layer` when it is affine on the data (`pruneLayer`).
 * @example
 * await liftCommand({ model: "cp.json", data: "d.json", layer: 1, scale: 1, margin: 1, tol: 1e-9 }, ctx);
 */
export async function liftCommand(o: LiftCliOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const model = loadModel(o.model, "--model", o);
  const data = loadData(o.data, { ...o, fit: { model, path: o.model } });
  const L = model.widths.length - 1;
  if (o.prune) {
    if (o.layer < 1 || o.layer > L - 1) throw new InputError(`--layer ${o.layer}: --prune removes a hidden layer 1..${L - 1} of ${model.widths.join("-")}`);
    const r = pruneLayer(model, data, { layer: o.layer });
    if (o.out) writeModel(o.out, r.model);
    const npyFiles = o.npy ? writeNpyDir(o.npy, { params: r.model.params }) : [];
    const record = { model: serializeModel(r.model), widthsBefore: model.widths, widthsAfter: r.model.widths, layer: o.layer, slopes: r.slopes, intercepts: r.intercepts, maxOutputDiffData: r.maxOutputDiffData, ...(o.npy ? { npy: npyFiles } : {}), warnings: [] as string[] };
    emit(ctx, record, () =>
      keyValues([
        ["model", `${o.model} (${describeModel(model)})`],
        ["pruned", `layer ${o.layer}: ${model.widths.join("-")} → ${r.model.widths.join("-")} (the layer is affine on the data, composed into the next)`],
        ["slopes", r.slopes.join(", ")],
        ["max |f_pruned − f| (data)", fmt(r.maxOutputDiffData)],
        ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
        ...npyRow(o.npy, npyFiles),
      ]),
    );
    return;
  }
  if (o.layer > L - 1) throw new InputError(`--layer ${o.layer}: the new layer reads layer q = 0..${L - 1} of ${model.widths.join("-")}`);
  const activation = o.newActivation === undefined ? undefined : parseActivation(o.newActivation);
  if (Array.isArray(activation)) throw new InputError(`--new-activation ${o.newActivation}: one activation, for the new layer`);
  const lift = liftDepth(model, data, { layer: o.layer, scale: o.scale, margin: o.margin, ...(activation ? { activation: activation as Activation } : {}) });
  const st = status(`certifying the lifting ${model.widths.join("-")} → ${lift.model.widths.join("-")}`, ctx.quiet);
  let cert: LiftCertificate;
  try {
    cert = certifyLift(model, lift.model, data, { layer: lift.layer, tol: o.tol });
  } finally {
    st.end();
  }
  if (o.out) writeModel(o.out, lift.model);
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, { params: lift.model.params, "eigenvalues-before": Float64Array.from(cert.eigenvaluesBefore), "eigenvalues-after": Float64Array.from(cert.eigenvaluesAfter) })
    : [];
  const verdict = liftVerdict(cert);
  const warnings: string[] = [];
  if (!(cert.gradNormBefore <= cert.gtolBefore)) warnings.push(`the model is not a critical point (‖∇R‖ = ${fmt(cert.gradNormBefore)}): the lifting's guarantees (still critical, the inertia) are about critical points`);
  const record = {
    model: serializeModel(lift.model),
    widthsBefore: model.widths,
    widthsAfter: lift.model.widths,
    layer: lift.layer,
    activation: lift.activation,
    scale: lift.scale,
    shift: lift.shift,
    manifoldDimension: lift.manifoldDimension,
    check: {
      maxOutputDiffData: cert.maxOutputDiffData,
      outputTol: cert.outputTol,
      lossBefore: cert.lossBefore,
      lossAfter: cert.lossAfter,
      gradNormBefore: cert.gradNormBefore,
      gradNormAfter: cert.gradNormAfter,
      inertiaBefore: counts(cert.inertiaBefore),
      inertiaAfter: counts(cert.inertiaAfter),
      predictedInertia: counts(cert.predictedInertia),
      predictionMatches: cert.predictionMatches,
      linearityMargin: cert.linearityMargin,
    },
    verdict,
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  emit(ctx, record, () => {
    const s = keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["lifted", `${model.widths.join("-")} → ${lift.model.widths.join("-")}: new layer ${lift.layer} = ${typeof lift.activation === "string" ? lift.activation : lift.activation.name}(${lift.scale}·h + c) after layer ${o.layer}`],
      ["max |f_deep − f| (data)", `${fmt(cert.maxOutputDiffData)} (tolerance ${fmt(cert.outputTol, 3)})`],
      ["loss", `${fmt(cert.lossBefore)} → ${fmt(cert.lossAfter)}`],
      ["‖∇R‖", `${fmt(cert.gradNormBefore)} → ${fmt(cert.gradNormAfter)}`],
      ["inertia", `${fmtInertia(cert.inertiaBefore)} → ${fmtInertia(cert.inertiaAfter)} (negative, zero, positive; zeros at the spectral gap)`],
      ["predicted", `${fmtInertia(cert.predictedInertia)} = before + ΔN = ${cert.manifoldDimension} zeros (the lifted manifold's dimension): ${cert.predictionMatches ? "matches" : "DOES NOT MATCH"}`],
      ["linearity margin", `${fmt(cert.linearityMargin)} (distance of the new layer's pre-activations on the data to a kink)`],
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ]);
    return s + verdictLine(verdict);
  });
}
