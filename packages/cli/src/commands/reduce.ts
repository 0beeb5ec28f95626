import { reduceNetwork } from "@losscape/embedding";
import { forward, serializeModel } from "@losscape/mlp";
import type { Context } from "../context.js";
import { InputError } from "../errors.js";
import { emit } from "../context.js";
import { fmt, keyValues, table } from "../format.js";
import { checkWritable, loadData, loadModel, maxAbs, notFiniteAtModelFile, writeModel, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { describeModel } from "../util.js";
import { reduceVerdict, verdictLine } from "../verdict.js";

export interface ReduceCliOptions extends ModelFlags, DataFlags {
  model: string;
  data?: string;
  tol?: number;
  constantOnData?: boolean;
  outputTol?: number;
  out?: string;
}

/**
 * `losscape reduce`: the narrowest network with the same output (the inverse of critical embeddings; Zhang, Zhang &
 * Luo 2024; for odd activations with Farrugia-Roberts' sign symmetry, and up to a positive scale for positively
 * homogeneous ones): duplicate neurons merged, neurons with zero outgoing weights dropped, constant neurons folded into the next bias; max|f_reduced − f| reported.
 * With `--constant-on-data` or `--output-tol τ` the reduction is on the data: neurons constant on the data are folded,
 * and (τ) neurons merged while max|f_reduced − f| over the data stays ≤ τ; the verdict is then about the data only.
 * @example
 * await reduceCommand({ model: "wide.json", data: "d.json" }, ctx);
 */
export async function reduceCommand(o: ReduceCliOptions, ctx: Context): Promise<void> {
  const onData = o.constantOnData === true || o.outputTol !== undefined;
  if (onData && !o.data) {
    throw new InputError(`${o.outputTol !== undefined ? "--output-tol" : "--constant-on-data"} needs --data (the reduction is exact on the data only)`);
  }
  if (o.out) checkWritable(o.out, "--out");
  const model = loadModel(o.model, "--model", o);
  const data = o.data ? loadData(o.data, { ...o, fit: { model, path: o.model } }) : undefined;
  const st = status(`reducing ${describeModel(model)}`, ctx.quiet);
  const r = reduceNetwork(model, {
    ...(o.tol !== undefined ? { tol: o.tol } : {}),
    ...(data ? { data } : {}),
    ...(o.constantOnData ? { constantOnData: true } : {}),
    ...(o.outputTol !== undefined ? { outputTol: o.outputTol } : {}),
  });
  st.end();
  let outputScale = 0;
  if (data) outputScale = maxAbs(forward(model, data.x).data);
  // Outputs that overflow float64 (finite parameters too large for them) make max|f_reduced − f| NaN (∞ − ∞) or ∞
  // (the relaxed build's fused sums reach +∞ instead) and the tolerance tol·max|f| infinite: bad input naming the model
  // (and data) file, not a NaN or ∞ printed as the result.
  if (![r.maxOutputDiff, r.maxOutputDiffProbes, r.maxOutputDiffData ?? 0].every(Number.isFinite) || !Number.isFinite(outputScale)) {
    const bad = data && o.data ? notFiniteAtModelFile(model, data, { model: o.model, data: o.data }) : undefined;
    if (bad) throw bad;
    const maxParam = maxAbs(model.params);
    throw new InputError(
      `${o.model} (--model): the network's outputs overflow float64 ${data ? "on the data or " : ""}at the random probe inputs, so max|f_reduced − f| is not finite (∞ − ∞ or ∞); expected finite outputs — max|θ| = ${Number(maxParam.toPrecision(3))} is finite but too large: scale the parameters down`,
    );
  }
  if (o.out) writeModel(o.out, r.model);
  const verdict = reduceVerdict({ ...r, outputScale, ...(onData ? { onData: { maxOutputDiffData: r.maxOutputDiffData ?? NaN, outputTol: r.outputTol } } : {}) });
  const record = {
    model: serializeModel(r.model),
    widthsBefore: r.widthsBefore,
    widthsAfter: r.widthsAfter,
    removed: r.removed.map((x) => ({ layer: x.layer, neuron: x.neuron, reason: x.reason, ...(x.into !== undefined ? { into: x.into } : {}) })),
    maxOutputDiff: r.maxOutputDiff,
    maxOutputDiffData: r.maxOutputDiffData,
    outputTol: r.outputTol,
    lossBefore: r.lossBefore,
    lossAfter: r.lossAfter,
    tol: r.tol,
    verdict,
    warnings: [] as string[],
  };
  emit(ctx, record, () => {
    let s = keyValues([
      ["model", `${o.model} (${describeModel(model)})`],
      ["widths", `${r.widthsBefore.join("-")} → ${r.widthsAfter.join("-")}`],
      ...(onData
        ? ([
            ["max |f_reduced − f|", `${fmt(r.maxOutputDiffData ?? NaN)} on the data, ${fmt(r.maxOutputDiffProbes)} on random probe inputs`],
            ...(r.outputTol !== null ? ([["output budget τ", String(r.outputTol)]] as [string, string][]) : []),
          ] as [string, string][])
        : ([["max |f_reduced − f|", `${fmt(r.maxOutputDiff)} (${data ? "data and " : ""}random probe inputs)`]] as [string, string][])),
      ...(data ? ([["loss", `${fmt(r.lossBefore)} → ${fmt(r.lossAfter)}`]] as [string, string][]) : []),
      ["tolerance", String(r.tol)],
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
    ]);
    if (r.removed.length > 0) {
      s += "\n" + table(["layer", "neuron", "reason", "merged into"], r.removed.map((x) => [String(x.layer), String(x.neuron), x.reason, x.into === undefined ? "" : String(x.into)]));
    } else s += "\nnothing to remove: the network is already the narrowest (at this tolerance)\n";
    return s + verdictLine(verdict);
  });
}
