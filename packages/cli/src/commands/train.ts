import { isLosscapeError } from "@losscape/core";
import { activationEntry, paramCount, serializeModel, train, type Activation, type MlpSpec, type Model } from "@losscape/mlp";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { fmt, keyValues, table } from "../format.js";
import { checkFits, checkWritable, loadData, loadModel, writeModel } from "../io.js";
import { progress } from "../progress.js";
import { describeModel } from "../util.js";

export interface TrainCliOptions {
  data: string;
  inputs?: number;
  model?: string;
  widths?: number[];
  activation?: string;
  optimizer: "adam" | "lbfgs" | "gd";
  epochs: number;
  lr?: number;
  seed: number;
  init: "normal" | "xavier" | "he";
  out?: string;
}

/**
 * `losscape train`: full-batch training (adam, lbfgs or gd) from a model file or from a fresh seeded initialisation
 * of `--widths` with `--activation`; prints the final loss, ‖∇R‖ and the loss history.
 * @example
 * await trainCommand({ data: "d.json", widths: [1, 3, 1], activation: "tanh", optimizer: "lbfgs", epochs: 300, seed: 0, init: "xavier" }, ctx);
 */
export async function trainCommand(o: TrainCliOptions, ctx: Context): Promise<void> {
  if (o.out) checkWritable(o.out, "--out");
  if (o.model && o.widths) throw new InputError("give either --model or --widths (with --activation), not both");
  let start: Model | (MlpSpec & { params?: undefined });
  let origin: string;
  if (o.model) {
    start = loadModel(o.model);
    origin = o.model;
  } else if (o.widths) {
    const spec: MlpSpec = { widths: o.widths, activation: parseActivation(o.activation ?? "tanh") };
    try {
      paramCount(spec);
    } catch (e) {
      if (isLosscapeError(e)) throw new InputError(`--widths/--activation: ${e.message.replace(/^paramCount: /, "")}`);
      throw e;
    }
    start = spec;
    origin = `--widths ${o.widths.join(",")} (${o.init} init, seed ${o.seed})`;
  } else {
    throw new InputError("needs --model M, or --widths (e.g. 1,3,1) with --activation");
  }
  const data = loadData(o.data, { inputs: o.inputs });
  const probe = (start.params ? start : { ...start, params: new Float64Array(paramCount(start)) }) as Model;
  checkFits(probe, data, o.model ?? "--widths", o.data);
  const bar = progress(`training (${o.optimizer})`, o.epochs, ctx.quiet);
  const r = train(start, data, {
    optimizer: o.optimizer,
    epochs: o.epochs,
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    seed: o.seed,
    init: o.init,
    progressEvery: Math.max(1, Math.floor(o.epochs / 200)),
    onProgress: (p) => bar.update(p.epoch, `loss ${fmt(p.loss, 4)}`),
  });
  bar.end();
  if (o.out) writeModel(o.out, r.model);
  const warnings: string[] = [];
  if (r.diverged) warnings.push(`training diverged after epoch ${r.epochs} (a non-finite loss, gradient or parameter); the model is the last finite one`);
  const record = {
    model: serializeModel(r.model),
    loss: r.loss,
    gradNorm: r.gradNorm,
    epochs: r.epochs,
    history: r.history,
    diverged: r.diverged,
    warnings,
  };
  emit(ctx, record, () => {
    let s = keyValues([
      ["start", origin],
      ["model", describeModel(r.model)],
      ["optimizer", `${o.optimizer}${o.lr !== undefined ? `, lr ${o.lr}` : ""}`],
      ["epochs", String(r.epochs)],
      ["loss", `${fmt(r.history[0].loss)} → ${fmt(r.loss)}`],
      ["‖∇R‖", fmt(r.gradNorm)],
      ...(o.out ? ([["written", o.out]] as [string, string][]) : []),
    ]);
    const h = r.history;
    const picks = new Set<number>();
    const k = Math.min(h.length, 11);
    for (let i = 0; i < k; i++) picks.add(Math.round((i * (h.length - 1)) / Math.max(1, k - 1)));
    s += "\n" + table(["epoch", "loss"], [...picks].sort((a, b) => a - b).map((i) => [String(h[i].epoch), fmt(h[i].loss)]));
    return s;
  });
}

/**
 * An activation of mlp's table by name, "name:value" for one with a parameter ("leaky-relu:0.2" is
 * { name: "leaky-relu", slope: 0.2 }), or one per hidden layer, comma-separated "tanh,relu". Unknown names are left
 * for the spec's validation to report.
 * @example
 * parseActivation("tanh,leaky-relu:0.2"); // ["tanh", { name: "leaky-relu", slope: 0.2 }]
 */
export function parseActivation(s: string): Activation | Activation[] {
  const one = (x: string): Activation => {
    const colon = x.indexOf(":");
    const entry = colon >= 0 ? activationEntry(x.slice(0, colon) as Activation) : undefined;
    if (entry?.param) {
      const text = x.slice(colon + 1);
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new InputError(`--activation: ${entry.name} ${entry.param.name} must be a finite number; found '${text}'`);
      }
      return { name: entry.name, [entry.param.name]: value } as Activation;
    }
    return x as Activation;
  };
  const parts = s.split(",").map((x) => x.trim());
  return parts.length === 1 ? one(parts[0]) : parts.map(one);
}
