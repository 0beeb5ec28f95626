import { isLosscapeError } from "@losscape/core";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { loss as lossOf, paramCount, serializeModel, train, type Dataset, type EpochMetrics, type MlpSpec, type Model, type TrainState } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { checkWritable, loadData, loadModel, maxAbs, parseActivation, specParamCount, parseJsonFile, readText, writeFileAtomic, writeModel, type DataFlags } from "../io.js";
import { progress } from "../progress.js";
import { describeModel } from "../util.js";

export interface TrainCliOptions extends DataFlags {
  data: string;
  model?: string;
  widths?: number[];
  activation?: string;
  loss?: "mse" | "cross-entropy";
  optimizer?: "adam" | "sgd" | "lbfgs" | "gd";
  epochs: number;
  lr?: number;
  batch?: number;
  momentum?: number;
  nesterov?: boolean;
  val?: string;
  snapshotEvery?: number;
  snapshots?: string;
  state?: string;
  resume?: string;
  seed?: number;
  init: "normal" | "xavier" | "he";
  out?: string;
  /** The options given on the command line (not defaults). */
  explicit?: string[];
}

/** The library's option names in its messages, as the flags that set them. */
const FLAGS: Record<string, string> = { optimizer: "--optimizer", lr: "--lr", momentum: "--momentum", nesterov: "--nesterov", batchSize: "--batch", shuffle: "--batch", seed: "--seed" };

/**
 * `losscape train`: training from a model file or from a fresh seeded initialisation of `--widths` with
 * `--activation` (and `--loss`): full batch (adam, sgd, gd, lbfgs) or in minibatches of `--batch` rows (adam, sgd,
 * gd) with a seeded shuffle; prints the final loss, ‖∇R‖ and the per-epoch table (loss, accuracy, validation loss
 * and accuracy with `--val`). `--snapshot-every K --snapshots DIR` writes DIR/epoch-000K.json every K epochs,
 * `--state F` the optimiser state at the end, which `--resume F` continues bit for bit.
 * @example
 * await trainCommand({ data: "d.json", widths: [1, 3, 1], activation: "tanh", optimizer: "lbfgs", epochs: 300, seed: 0, init: "xavier" }, ctx);
 */
export async function trainCommand(o: TrainCliOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.state) checkWritable(o.state, "--state");
  if ((o.snapshotEvery === undefined) !== (o.snapshots === undefined)) throw new InputError("--snapshot-every K and --snapshots DIR go together");
  if (o.snapshots) {
    if (existsSync(o.snapshots) && !statSync(o.snapshots).isDirectory()) throw new InputError(`${o.snapshots}: is a file, expected a directory (--snapshots)`);
    checkWritable(snapshotPath(o.snapshots, 1), "--snapshots");
  }
  if (o.model && o.widths) throw new InputError("give either --model or --widths (with --activation), not both");
  if (o.model && o.explicit?.includes("init")) throw new InputError(`--init ${o.init} initialises a fresh --widths network; with --model the start is the model file's parameters`);
  let resume: TrainState | undefined;
  if (o.resume) {
    if (!o.model) throw new InputError("--resume needs --model: the model the interrupted run wrote (--out) with its --state");
    resume = parseJsonFile(o.resume, readText(o.resume, "--resume")) as TrainState;
  }
  const optimizer = o.optimizer ?? resume?.optimizer ?? "adam";
  if (optimizer !== "sgd" && (o.momentum !== undefined || o.nesterov)) throw new InputError(`--momentum and --nesterov apply to --optimizer sgd; found --optimizer ${optimizer}`);
  if (optimizer === "lbfgs" && o.batch !== undefined) throw new InputError("--batch: lbfgs trains on the full batch (use --optimizer sgd or adam for minibatches)");
  let start: Model | (MlpSpec & { params?: undefined });
  let origin: string;
  if (o.model) {
    // With --model, --activation and --loss describe an imported file (a safetensors layout, the loss ONNX lacks).
    start = loadModel(o.model, "--model", { ...(o.activation !== undefined ? { activation: o.activation } : {}), ...(o.loss ? { loss: o.loss } : {}) });
    origin = o.resume ? `${o.model}, resumed from ${o.resume}` : o.model;
  } else if (o.widths) {
    const spec: MlpSpec = { widths: o.widths, activation: parseActivation(o.activation ?? "tanh"), ...(o.loss ? { loss: o.loss } : {}) };
    specParamCount(spec);
    start = spec;
    origin = `--widths ${o.widths.join(",")} (${o.init} init, seed ${o.seed ?? 0})`;
  } else {
    throw new InputError("needs --model M, or --widths (e.g. 1,3,1) with --activation");
  }
  const probe = (start.params ? start : { ...start, params: new Float64Array(paramCount(start)) }) as Model;
  const fit = { model: probe, path: o.model ?? "--widths" };
  const data = loadData(o.data, { ...o, fit });
  let validation: Dataset | undefined;
  if (o.val) {
    // --labels FILE and --targets F belong to --data; a held-out file holds its own y. With --labels in either form
    // the classes are integer labels, so the held-out file's y column is one-hot encoded as the training labels are.
    validation = loadData(o.val, { inputs: o.inputs, quiet: o.quiet, labels: o.labels !== undefined ? true : undefined, fit, option: "--val" });
  }
  const minibatch = (o.batch ?? resume?.batchSize ?? data.x.rows) < data.x.rows;
  if (o.model && !minibatch && o.seed !== undefined) {
    throw new InputError(`--seed ${o.seed} seeds the initialisation of --widths and the minibatch shuffle; with --model on the full batch it does nothing`);
  }
  // A held-out file on which the network's outputs overflow float64 and meet ∞ − ∞ at the start (its loss is NaN) is
  // bad input naming --val: refused before the first step when the start is a model file, and after the run when train
  // initialises --widths itself (the epoch-0 row of its history).
  const valNotFinite = () =>
    new InputError(`${o.val} (--val) with ${o.model ? `${o.model} (--model)` : `the --widths ${o.widths!.join(",")} network`}: the validation loss is not finite at the ${o.model ? "model's" : "initial"} parameters: the network's outputs on it overflow float64 and meet ∞ − ∞ (R = NaN); expected a finite loss — max|x| = ${Number(maxAbs(validation!.x.data).toPrecision(3))} is finite but too large: scale the held-out data down`);
  if (validation && start.params) {
    try {
      lossOf(start, validation);
    } catch (e) {
      if (isLosscapeError(e) && e.code === "E_VALUE" && /NaN/.test(e.message)) throw valNotFinite();
      throw e;
    }
  }
  const bar = progress(`training (${optimizer})`, o.epochs, ctx.quiet);
  const firstEpoch = resume?.epoch ?? 0;
  const snapshots: string[] = [];
  let r;
  try {
    r = train(start, data, {
      ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}),
      epochs: o.epochs,
      ...(o.lr !== undefined ? { lr: o.lr } : {}),
      ...(o.batch !== undefined ? { batchSize: o.batch } : {}),
      ...(o.momentum !== undefined ? { momentum: o.momentum } : {}),
      ...(o.nesterov ? { nesterov: true } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(validation ? { validation } : {}),
      ...(resume ? { resume } : {}),
      init: o.init,
      progressEvery: o.snapshotEvery ? 1 : Math.max(1, Math.floor(o.epochs / 200)),
      onBatch: (b) => bar.update(b.epoch - firstEpoch - 1 + b.batch / b.batches, `epoch ${b.epoch} batch ${b.batch}/${b.batches} loss ${fmt(b.loss, 4)}`),
      onProgress: (p) => {
        if (!minibatch) bar.update(p.epoch - firstEpoch, `loss ${fmt(p.loss, 4)}`);
        if (o.snapshots && o.snapshotEvery && p.epoch % o.snapshotEvery === 0 && p.epoch > firstEpoch) {
          const file = snapshotPath(o.snapshots, p.epoch);
          writeModel(file, p.model);
          snapshots.push(file);
        }
      },
    });
  } catch (e) {
    // The library names its options ('batchSize'); the user gave flags (--batch).
    if (isLosscapeError(e)) e.message = e.message.replace(/'(\w+)' is (.*) but the resumed state has/, (m, k: string, v: string) => (FLAGS[k] ? `${FLAGS[k]} is ${v} but the resumed state (--resume ${o.resume}) has` : m));
    if (isLosscapeError(e) && resume && /^train: '(resume|state)|^train: the resumed/.test(e.message)) throw new InputError(`${o.resume}: ${e.message.replace(/^train: /, "")}`);
    throw e;
  }
  bar.end();
  // NaN held-out losses: at the start (--widths), bad input; later, a warning naming the first such epoch.
  const nanVal = o.val ? r.history.find((row) => Number.isNaN(row.valLoss)) : undefined;
  if (nanVal && nanVal.epoch === firstEpoch) throw valNotFinite();
  if (o.out) writeModel(o.out, r.model);
  const warnings: string[] = [];
  if (nanVal) warnings.push(`the validation loss is NaN from epoch ${nanVal.epoch}: the trained network's outputs on ${o.val} overflow float64 and meet ∞ − ∞`);
  if (r.diverged) warnings.push(`training diverged after epoch ${firstEpoch + r.epochs} (a non-finite loss, gradient or parameter); the model is the last finite one`);
  if (o.state) {
    if (r.state) writeFileAtomic(o.state, JSON.stringify(r.state) + "\n");
    else warnings.push(r.diverged ? "--state not written: the run diverged" : "--state not written: lbfgs keeps no resumable state");
  }
  const record = {
    model: serializeModel(r.model),
    loss: r.loss,
    gradNorm: r.gradNorm,
    epochs: r.epochs,
    history: r.history,
    diverged: r.diverged,
    snapshots,
    warnings,
  };
  emit(ctx, record, () => {
    const lr = r.state?.hyper.lr ?? o.lr;
    const momentum = r.state && "momentum" in r.state.hyper && r.state.optimizer === "sgd" ? r.state.hyper.momentum : undefined;
    let s = keyValues([
      ["start", origin],
      ["model", describeModel(r.model)],
      ["optimizer", `${optimizer}${lr !== undefined ? `, lr ${lr}` : ""}${momentum ? `, momentum ${momentum}${o.nesterov || (r.state?.hyper as { nesterov?: boolean }).nesterov ? " (nesterov)" : ""}` : ""}`],
      ["batches", minibatch ? `${r.state?.batchSize ?? o.batch} rows, shuffled (seed ${r.state?.seed ?? o.seed ?? 0})` : "full batch"],
      ["epochs", resume ? `${r.epochs} (${firstEpoch + 1}–${firstEpoch + r.epochs})` : String(r.epochs)],
      ["loss", `${fmt(r.history[0].loss)} → ${fmt(r.loss)}`],
      [minibatch ? "‖∇R_B‖ (last batch)" : "‖∇R‖", fmt(r.gradNorm)],
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
      ...(o.state && r.state ? ([["state", o.state]] as [string, string][]) : []),
      ...(snapshots.length ? ([["snapshots", `${snapshots.length} in ${o.snapshots}`]] as [string, string][]) : []),
    ]);
    const h = r.history;
    const picks = new Set<number>();
    const k = Math.min(h.length, 11);
    for (let i = 0; i < k; i++) picks.add(Math.round((i * (h.length - 1)) / Math.max(1, k - 1)));
    const columns: [string, (row: EpochMetrics) => number | undefined][] = [
      ["loss", (row) => row.loss],
      ["batch loss", (row) => row.batchLoss],
      ["accuracy", (row) => row.accuracy],
      ["val loss", (row) => row.valLoss],
      ["val acc", (row) => row.valAccuracy],
    ];
    const shown = columns.filter(([, get]) => h.some((row) => get(row) !== undefined));
    const rows = [...picks].sort((a, b) => a - b).map((i) => [String(h[i].epoch), ...shown.map(([, get]) => (get(h[i]) === undefined ? "" : fmt(get(h[i]))))]);
    s += "\n" + table(["epoch", ...shown.map(([name]) => name)], rows);
    return s;
  });
}

/** The snapshot file of an epoch: DIR/epoch-0001.json (four digits, more when needed). */
function snapshotPath(dir: string, epoch: number): string {
  return join(dir, `epoch-${String(epoch).padStart(4, "0")}.json`);
}
