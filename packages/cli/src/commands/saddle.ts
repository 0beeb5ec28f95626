import { strictSaddleEmbedding } from "@losscape/embedding";
import { serializeModel } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { fmt, fmtInertia, keyValues, table } from "../format.js";
import { checkOutputDir, checkWritable, loadModelAndData, npyRow, writeModel, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { counts, describeModel } from "../util.js";

export interface SaddleOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  tol: number;
  out?: string;
  npy?: string;
}

/**
 * `losscape saddle`: does some one-step embedding turn the critical point into a strict saddle of the wider net?
 * For every hidden neuron the split block Γ_s = Σᵢ gᵢσ″(z_{s,i})[hᵢ; 1][hᵢ; 1]ᵀ (and its coupling B); where one does
 * not vanish, the embedding T^α_{l,s} (α ∈ {1/2, −1}) with the most negative split-subspace curvature, verified on the
 * wide exact Hessian (smallest eigenvalue, and vᵀHv by the R-operator). Where all vanish, the necessary condition of
 * a "truly bad" critical point holds (Zhang et al., arXiv:2111.15527 §5).
 * @example
 * await saddleCommand({ model: "min.json", data: "d.json", tol: 1e-9, out: "saddle.json" }, ctx);
 */
export async function saddleCommand(o: SaddleOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const { model, data } = loadModelAndData(o);
  const st = status(`split blocks of every hidden neuron of ${describeModel(model)}`, ctx.quiet);
  const r = strictSaddleEmbedding(model, data, { tol: o.tol });
  st.end();
  const e = r.escape;
  if (o.out && e) writeModel(o.out, e.model);
  const npyFiles = o.npy && e ? writeNpyDir(o.npy, { params: e.model.params, direction: e.direction }) : [];
  const warnings: string[] = [];
  if (r.gradNorm > 1e-8) warnings.push(`the model is not a critical point (‖∇R‖ = ${fmt(r.gradNorm)}): refine it first (losscape critical); the split blocks describe embeddings of critical points`);
  if (o.out && !e) warnings.push(`no escape: ${o.out} not written`);
  const verdict = e
    ? e.verified
      ? `a strict saddle of the ${e.model.widths.join("-")} net: T^α_{${e.layer},${e.neuron}} with α = ${e.alpha} gives λ_min = ${fmt(e.minEigenvalue)} < 0 (vᵀHv = ${fmt(e.curvature)})`
      : `an escape was predicted (T^α_{${e.layer},${e.neuron}}, α = ${e.alpha}) but not verified on the wide Hessian`
    : "no one-step embedding creates negative curvature: the necessary condition of a truly bad critical point holds";
  const record = {
    loss: r.loss,
    gradNorm: r.gradNorm,
    inertia: counts(r.inertia),
    threshold: r.threshold,
    trulyBadNecessaryCondition: r.trulyBadNecessaryCondition,
    blocks: r.blocks,
    escape: e
      ? { layer: e.layer, neuron: e.neuron, alpha: e.alpha, widths: e.model.widths, predictedNegativeBlockEigenvalue: e.predictedNegativeBlockEigenvalue, minEigenvalue: e.minEigenvalue, curvature: e.curvature, gradNorm: e.gradNorm, inertia: counts(e.inertia), verified: e.verified, model: serializeModel(e.model) }
      : null,
    verdict,
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  emit(ctx, record, () => {
    const pairs: [string, string][] = [
      ["model", `${o.model} (${describeModel(model)})`],
      ["loss, ‖∇R‖", `${fmt(r.loss)}, ${fmt(r.gradNorm)}`],
      ["inertia", `${fmtInertia(r.inertia)} (negative, zero, positive; zero when |λ| ≤ ${fmt(r.threshold)})`],
      ["verdict", verdict],
    ];
    if (e) pairs.push(["wide inertia", `${fmtInertia(e.inertia)} at ${e.model.widths.join("-")}, ‖∇R‖ ${fmt(e.gradNorm)}`]);
    if (o.out && e) pairs.push(["written", `${o.out} (the embedded point)`]);
    pairs.push(...npyRow(o.npy, npyFiles));
    let s = keyValues(pairs);
    s += "\n" + table(["layer", "neuron", "min eig Γ_s", "max eig Γ_s", "max|B|", "vanishes"], r.blocks.map((b) => [String(b.layer), String(b.neuron), fmt(b.eigenvalues[0]), fmt(b.eigenvalues[b.eigenvalues.length - 1]), fmt(b.coupling), b.vanishes ? "yes" : "no"]));
    return s;
  });
}
