import { certifyLift, liftDepth, pruneLayer, strictSaddleLift, type LiftCertificate, type LiftResult, type StrictSaddleLift } from "@losscape/embedding";
import { isLosscapeError } from "@losscape/core";
import { activationEntry, paramCount, serializeModel, type Activation } from "@losscape/mlp";
import { ACTIVATION_TABLE } from "@losscape/mlp/activation-table";
import { checkDenseHessian } from "../cli.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError, overflowedFloat64, reasonOf } from "../errors.js";
import { fmt, fmtInertia, keyValues } from "../format.js";
import { checkOutputDir, checkWritable, loadData, loadModel, notFiniteAtModelFile, npyRow, parseActivation, writeModel, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { counts, describeModel } from "../util.js";
import { liftSaddleVerdict, liftVerdict, verdictLine } from "../verdict.js";

export interface LiftCliOptions extends ModelFlags, DataFlags {
  model: string;
  data: string;
  layer: number;
  newActivation?: string;
  scale: number;
  margin: number;
  kind: "affine" | "split" | "strict-saddle";
  starts: number;
  seed: number;
  prune?: boolean;
  tol: number;
  out?: string;
  npy?: string;
  /** The options given on the command line (not defaults). */
  explicit?: string[];
}

/**
 * `losscape lift`: the Embedding Principle in depth (Bai, Luo, Xu & Zhang, arXiv:2205.13283). Insert after layer
 * `--layer` q a layer z = α·hᵠ + c that is linear on the data (`liftDepth` of @losscape/embedding: linear, relu or
 * leaky-relu), with `certifyLift`'s certificate: outputs preserved on the data, still critical, and the Hessian
 * inertia (n₋, n₀ + ΔN, n₊), ΔN the dimension of the lifted critical manifold. `--kind split` inserts the kinked
 * layer hᵠ = (σ(αhᵠ) − σ(−αhᵠ))/(α(1 + s)) instead (critical only when partial gradient sums vanish); `--kind
 * strict-saddle` adds to the affine lift one neuron with zero outgoing weight found by `strictSaddleLift`, and
 * verifies the strict saddle (λ_min < 0, vᵀHv < 0, an evaluated descent). With `--prune`, the reverse:
 * remove hidden layer `--layer` when it is affine on the data (`pruneLayer`).
 * @example
 * await liftCommand({ model: "cp.json", data: "d.json", layer: 1, scale: 1, margin: 1, kind: "strict-saddle", starts: 32, seed: 0, tol: 1e-9 }, ctx);
 */
export async function liftCommand(o: LiftCliOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const model = loadModel(o.model, "--model", o);
  const data = loadData(o.data, { ...o, fit: { model, path: o.model } });
  const L = model.widths.length - 1;
  if (o.prune) {
    if (o.layer < 1 || o.layer > L - 1) throw new InputError(`--layer ${o.layer}: --prune removes a hidden layer 1..${L - 1} of ${model.widths.join("-")}`);
    let r: ReturnType<typeof pruneLayer>;
    try {
      r = pruneLayer(model, data, { layer: o.layer });
    } catch (e) {
      // The layer is not affine on the data (or constant with no biases to absorb it): named by the flags that chose it.
      if (isLosscapeError(e) && e.code === "E_VALUE" && !overflowedFloat64(e)) {
        throw new InputError(`--prune --layer ${o.layer} (data ${o.data}): only a layer that is affine on the data is removed exactly; ${reasonOf(e)}`);
      }
      throw e;
    }
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
  if (o.kind !== "strict-saddle") {
    const unused = (["starts", "seed"] as const).filter((k) => o.explicit?.includes(k));
    if (unused.length > 0) throw new InputError(`${unused.map((k) => `--${k}`).join(" and ")} ${unused.length > 1 ? "set" : "sets"} the search of --kind strict-saddle; found --kind ${o.kind}`);
  }
  const activation = o.newActivation === undefined ? undefined : parseActivation(o.newActivation, "--new-activation");
  if (Array.isArray(activation)) throw new InputError(`--new-activation ${o.newActivation}: one activation, for the new layer`);
  if (activation !== undefined && activationEntry(activation) === undefined) {
    throw new InputError(`--new-activation ${o.newActivation}: expected linear, relu or leaky-relu:<slope> (or another activation of mlp's table: ${ACTIVATION_TABLE.map((e) => e.name).join(", ")}); found '${typeof activation === "string" ? activation : activation.name}'`);
  }
  // The library's objections to the new layer's activation ("activation 'tanh' is affine on no interval …") name the flag.
  const which =
    o.kind === "strict-saddle" ? "--kind strict-saddle (the new layer takes the model's activation)" : o.newActivation === undefined ? "--new-activation (not given: the model's activation)" : `--new-activation ${o.newActivation}`;
  const named = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (isLosscapeError(e) && (e.code === "E_VALUE" || e.code === "E_SHAPE") && /activation/.test(e.message)) throw new InputError(`${which}: ${e.message.replace(/^\w+: /, "")}`);
      // A row on the kink of a split pair (hᵠ = 0 there): named by the flags that chose the split and the data file.
      if (isLosscapeError(e) && e.code === "E_VALUE" && /^the split lifting /.test(reasonOf(e))) {
        throw new InputError(`--kind split --layer ${o.layer} (data ${o.data}): ${reasonOf(e).replace(/kind "affine"/, "--kind affine")}`);
      }
      throw e;
    }
  };
  if (o.kind === "strict-saddle" && activation) throw new InputError(`--new-activation ${o.newActivation}: --kind strict-saddle uses the model's activation for the new layer`);
  // The certificate takes the dense Hessians of the model and of the lifted net (and the strict-saddle search that of
  // each candidate): the lifted net's size, known from the widths, is checked before any of that work, naming what
  // can be changed (before, a net too large failed inside the certificate, minutes in, without naming a flag).
  const deep = liftedWidths(model.widths, o.layer, o.kind);
  const mq = model.widths[o.layer];
  checkDenseHessian(
    `--model ${o.model} --layer ${o.layer}${o.kind === "affine" ? "" : ` --kind ${o.kind}`}: the certificate takes the lifted net's (${deep.join("-")}) dense Hessian,`,
    paramCount({ widths: deep, activation: "linear", bias: model.bias }), // M depends on widths and biases only
    ` — insert the layer after a narrower one (--layer: the new layer has ${o.kind === "split" ? `2 × ${mq}` : o.kind === "strict-saddle" ? `${mq} + 1` : mq} neurons, layer ${o.layer}'s width${o.kind === "split" ? " doubled" : ""})${o.kind === "split" ? `, or --kind affine (${mq} neurons)` : ""}, or lift a smaller model`,
    o.kind === "strict-saddle", // its escape direction is an eigenvector of the lifted net's Hessian
  );
  let saddle: StrictSaddleLift | null = null;
  let lift: LiftResult;
  if (o.kind === "strict-saddle") {
    const st = status(`searching an extra neuron that makes the lift a strict saddle (${o.starts} starts)`, ctx.quiet);
    try {
      saddle = named(() => strictSaddleLift(model, data, { layer: o.layer, scale: o.scale, margin: o.margin, starts: o.starts, seed: o.seed }));
    } finally {
      st.end();
    }
    lift = saddle?.lift ?? named(() => liftDepth(model, data, { layer: o.layer, scale: o.scale, margin: o.margin }));
  } else {
    lift = named(() => liftDepth(model, data, { layer: o.layer, kind: o.kind as "affine" | "split", scale: o.scale, margin: o.margin, ...(activation ? { activation: activation as Activation } : {}) }));
  }
  // --scale or --margin near the largest double: the new layer's weights or shift overflow (bad input, named).
  const sizes = `--scale ${o.scale} --margin ${o.margin}`;
  // (Unless the model's own values overflow already: its hidden values 1e200·x make any shift c overflow.)
  if (!lift.model.params.every(Number.isFinite)) {
    throw notFiniteAtModelFile(model, data, { model: o.model, data: o.data }) ?? new InputError(`${sizes}: the lifted network's weights α·W, the shift c or the rescaled next layer overflow float64`);
  }
  const st = status(`certifying the lifting ${model.widths.join("-")} → ${lift.model.widths.join("-")}`, ctx.quiet);
  let cert: LiftCertificate;
  try {
    cert = certifyLift(model, lift.model, data, { layer: lift.layer, tol: o.tol });
  } catch (e) {
    // Finite weights whose loss, gradient or Hessian overflow: the model file's own values when they do (whatever
    // the flags), else the lifted network's, named by its flags (as embed's --alpha).
    if (overflowedFloat64(e)) {
      throw notFiniteAtModelFile(model, data, { model: o.model, data: o.data }) ?? new InputError(`${sizes}: the lifted network's loss, gradient or Hessian overflows float64 (${reasonOf(e)})`);
    }
    throw e;
  } finally {
    st.end();
  }
  if (o.out) writeModel(o.out, lift.model);
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, { params: lift.model.params, "eigenvalues-before": Float64Array.from(cert.eigenvaluesBefore), "eigenvalues-after": Float64Array.from(cert.eigenvaluesAfter) })
    : [];
  const verdict = o.kind === "strict-saddle" ? liftSaddleVerdict(saddle, o.starts) : liftVerdict(cert);
  const warnings: string[] = [];
  if (!(cert.gradNormBefore <= cert.gtolBefore)) warnings.push(`the model is not a critical point (‖∇R‖ = ${fmt(cert.gradNormBefore)}): the lifting's guarantees (still critical, the inertia) are about critical points`);
  const record = {
    model: serializeModel(lift.model),
    widthsBefore: model.widths,
    widthsAfter: lift.model.widths,
    layer: lift.layer,
    kind: o.kind,
    width: lift.width,
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
      linearNearData: cert.linearNearData,
      kinkDistance: cert.kinkDistance,
    },
    ...(o.kind === "strict-saddle" ? { saddle: saddle && saddleRecord(saddle) } : {}),
    verdict,
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  emit(ctx, record, () => {
    const s = keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["lifted", `${model.widths.join("-")} → ${lift.model.widths.join("-")}: new layer ${lift.layer} = ${describeLift(lift, saddle)} after layer ${o.layer}`],
      ["max |f_deep − f| (data)", `${fmt(cert.maxOutputDiffData)} (tolerance ${fmt(cert.outputTol, 3)})`],
      ["loss", `${fmt(cert.lossBefore)} → ${fmt(cert.lossAfter)}`],
      ["‖∇R‖", `${fmt(cert.gradNormBefore)} → ${fmt(cert.gradNormAfter)}`],
      ["inertia", `${fmtInertia(cert.inertiaBefore)} → ${fmtInertia(cert.inertiaAfter)} (negative, zero, positive; zeros at the spectral gap)`],
      cert.linearNearData
        ? ["predicted", `${fmtInertia(cert.predictedInertia)} = before + ΔN = ${cert.manifoldDimension} zeros (the lifted manifold's dimension): ${cert.predictionMatches ? "matches" : "DOES NOT MATCH"}`]
        : ["predicted", "none: the new layer is kinked on the data (rows on both sides of a kink), so negative eigenvalues can appear"],
      cert.linearNearData
        ? ["linearity margin", `${fmt(cert.linearityMargin)} (distance of the new layer's pre-activations on the data to a kink)`]
        : ["kink distance", `${fmt(cert.kinkDistance)} (the nearest pre-activation of the new layer to a kink; > 0: the Hessian is the true one)`],
      ...(saddle
        ? ([
            ["extra neuron", `active on ${saddle.activeRows.length} of ${data.x.rows} rows, ‖G_S‖ = ${fmt(saddle.partialSumNorm, 3)}, ‖G_S w‖/‖G_S‖‖w‖ = ${fmt(saddle.residual, 3)}`],
            ["λ_min", `${fmt(saddle.minEigenvalue)} (max|λ| ${fmt(saddle.hessianNorm, 3)}); vᵀHv = ${fmt(saddle.curvature)}; R(θ + ${saddle.step}·v) − R(θ) = ${fmt(saddle.lossDrop)}`],
          ] as [string, string][])
        : []),
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
      ...npyRow(o.npy, npyFiles),
    ]);
    return s + verdictLine(verdict);
  });
}

/** The widths after inserting the new layer after layer q: m_q neurons (affine), 2·m_q (split), m_q + 1 (strict-saddle). */
function liftedWidths(widths: readonly number[], q: number, kind: LiftCliOptions["kind"]): number[] {
  const mq = widths[q];
  const width = kind === "split" ? 2 * mq : kind === "strict-saddle" ? mq + 1 : mq;
  return [...widths.slice(0, q + 1), width, ...widths.slice(q + 1)];
}

function describeLift(lift: LiftResult, saddle: StrictSaddleLift | null): string {
  const a = typeof lift.activation === "string" ? lift.activation : lift.activation.name;
  if (lift.kind === "split") return `[${a}(${lift.scale}·h), ${a}(−${lift.scale}·h)] (split, width ${lift.width})`;
  return `${a}(${lift.scale}·h + c)${saddle ? ` and one neuron ${a}(wᵀh̃) with zero outgoing weight (width ${lift.width})` : ""}`;
}

function saddleRecord(s: StrictSaddleLift) {
  return {
    neuron: s.neuron,
    activeRows: s.activeRows,
    residual: s.residual,
    partialSumNorm: s.partialSumNorm,
    kinkDistance: s.kinkDistance,
    gradNorm: s.gradNorm,
    minEigenvalue: s.minEigenvalue,
    hessianNorm: s.hessianNorm,
    curvature: s.curvature,
    step: s.step,
    lossDrop: s.lossDrop,
    direction: Array.from(s.direction),
    verified: s.verified,
  };
}
