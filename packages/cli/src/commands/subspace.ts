import { checkCriticalSubspace, criticalEmbeddingSubspace, type NeuronCopy } from "@losscape/embedding";
import { serializeModel, type Model } from "@losscape/mlp";
import { MAX_DENSE_SIDE } from "../cli.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { checkOutputDir, checkWritable, loadData, loadModel, npyRow, writeModel, writeNpyDir, type DataFlags, type ModelFlags } from "../io.js";
import { status } from "../progress.js";
import { describeModel } from "../util.js";

export interface SubspaceOptions extends ModelFlags, DataFlags {
  model: string;
  copies: string;
  data?: string;
  samples: number;
  scale: number;
  seed: number;
  out?: string;
  npy?: string;
}

/**
 * The copies of `--copies`: "l:s,l:s,…" (hidden layer l, 1-based; neuron s, 0-based), e.g. "1:0,1:2".
 * @example
 * parseCopies("1:0,1:2"); // [{ layer: 1, neuron: 0 }, { layer: 1, neuron: 2 }]
 */
export function parseCopies(s: string): NeuronCopy[] {
  return s.split(",").map((part) => {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(part);
    if (!m) throw new InputError(`--copies: each copy must be layer:neuron (e.g. 1:0, layer 1-based, neuron 0-based); found '${part}'`);
    return { layer: Number(m[1]), neuron: Number(m[2]) };
  });
}

/**
 * `losscape subspace`: the K-dimensional critical affine subspace θ_B + Σᵢ αᵢvᵢ of a K-neuron-wider net
 * (Zhang et al., Embedding Principle: general compatible critical embeddings, arXiv:2111.15527 §4): copy i
 * duplicates neuron sᵢ of layer lᵢ with zero outgoing weights at θ_B, and vᵢ moves outgoing weight from the original
 * to the copy. Every point of it has the narrow net's output; at a critical point every point is critical. With
 * `--data`, `--samples` points αᵢ ~ scale·N(0, 1) are checked: ‖∇R‖, loss, max|f_wide − f|.
 * @example
 * await subspaceCommand({ model: "cp.json", copies: "1:0,1:2", data: "d.json", samples: 8, scale: 1, seed: 0 }, ctx);
 */
export async function subspaceCommand(o: SubspaceOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.npy) checkOutputDir(o.npy, "--npy");
  const copies = parseCopies(o.copies);
  const model = loadModel(o.model, "--model", o);
  if (o.npy) checkDirectionsSize(model, copies, o.copies);
  let S: ReturnType<typeof criticalEmbeddingSubspace>;
  try {
    S = criticalEmbeddingSubspace(model, copies);
  } catch (e) {
    throw new InputError(`--copies ${o.copies}: ${(e as Error).message.replace(/^criticalEmbeddingSubspace: /, "")}`);
  }
  let check: ReturnType<typeof checkCriticalSubspace> | null = null;
  if (o.data) {
    const data = loadData(o.data, { ...o, fit: { model, path: o.model } });
    const st = status(`checking ${o.samples} points of the ${S.directions.length}-dimensional critical subspace`, ctx.quiet);
    check = checkCriticalSubspace(model, data, copies, { samples: o.samples, scale: o.scale, seed: o.seed });
    st.end();
  }
  if (o.out) writeModel(o.out, S.base);
  const npyFiles = o.npy
    ? writeNpyDir(o.npy, { base: S.base.params, directions: { shape: [S.directions.length, S.base.params.length], data: stackRows(S.directions) } })
    : [];
  const warnings = [...S.warnings];
  if (check && check.narrowGradNorm > 1e-8) warnings.push(`the model is not a critical point (‖∇R‖ = ${fmt(check.narrowGradNorm)}): the subspace keeps the output, but "every point is critical" holds only at critical points`);
  const record = {
    base: serializeModel(S.base),
    dimension: S.directions.length,
    widths: S.base.widths,
    copies: S.copies,
    check: check
      ? { narrowLoss: check.narrowLoss, narrowGradNorm: check.narrowGradNorm, maxGradNorm: check.maxGradNorm, maxOutputDiff: check.maxOutputDiff, maxLossDiff: check.maxLossDiff, samples: check.samples }
      : null,
    ...(o.npy ? { npy: npyFiles } : {}),
    warnings,
  };
  emit(ctx, record, () => {
    const pairs: [string, string][] = [
      ["model", `${o.model} (${describeModel(model)})`],
      ["subspace", `θ_B + Σᵢ αᵢvᵢ, K = ${S.directions.length}, in the ${S.base.widths.join("-")} net`],
    ];
    if (check) {
      pairs.push(
        ["narrow point", `loss ${fmt(check.narrowLoss)}, ‖∇R‖ ${fmt(check.narrowGradNorm)}`],
        ["sampled", `${check.samples.length} points, αᵢ ~ ${o.scale}·N(0, 1), seed ${o.seed}`],
        ["max ‖∇R‖", fmt(check.maxGradNorm)],
        ["max |f_wide − f|", `${fmt(check.maxOutputDiff)} (data and random probe inputs)`],
        ["max |ΔR|", fmt(check.maxLossDiff)],
      );
    } else pairs.push(["check", "— (give --data to sample and check the subspace)"]);
    if (o.out) pairs.push(["written", `${o.out} (θ_B)`]);
    pairs.push(...npyRow(o.npy, npyFiles));
    let s = keyValues(pairs);
    s += "\n" + table(["copy", "layer", "index", "copies neuron"], S.copies.map((c, i) => [String(i + 1), String(c.layer), String(c.index), String(c.root)]));
    return s;
  });
}

/**
 * `--npy` writes the K × M matrix of directions (K copies, M the wide net's parameters): sized before the work, at
 * most 2^28 entries like every dense matrix of the CLI (docs/cli.md#exit-status). Layers or neurons out of range are
 * left to criticalEmbeddingSubspace, which names them.
 */
function checkDirectionsSize(model: Model, copies: readonly NeuronCopy[], spec: string): void {
  const widths = [...model.widths];
  for (const c of copies) if (c.layer >= 1 && c.layer < widths.length - 1) widths[c.layer]++;
  let M = 0;
  for (let l = 1; l < widths.length; l++) M += widths[l] * widths[l - 1] + (model.bias === false ? 0 : widths[l]);
  const entries = copies.length * M;
  if (entries > MAX_DENSE_SIDE ** 2) {
    throw new InputError(
      `--copies ${spec.length > 60 ? `${spec.slice(0, 60)}…` : spec}: --npy writes the K × M directions, K = ${copies.length} copies of the ${widths.join("-")} net's M = ${M} parameters: ${entries.toExponential(3)} entries (${((entries * 8) / 2 ** 30).toFixed(1)} GiB); at most 2^28 are supported — fewer copies, or no --npy`,
    );
  }
}

/** The directions as the rows of one K × M array (row-major), without an intermediate JavaScript array. */
function stackRows(rows: readonly Float64Array[]): Float64Array {
  const M = rows.length > 0 ? rows[0].length : 0;
  const out = new Float64Array(rows.length * M);
  rows.forEach((v, i) => out.set(v, i * M));
  return out;
}
