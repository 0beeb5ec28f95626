import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, truncateSync, writeSync } from "node:fs";
import type { CriticalOutcome, Dataset, MlpSpec } from "@losscape/mlp";
import { CRITICAL_OUTCOMES, indexEnergyExperiment, indexEnergySummary, type IndexEnergyPhi, type IndexEnergyRun } from "@losscape/spectra";
import { MAX_F64_VALUES } from "@losscape/core";
import { VERSION } from "../cli.js";
import type { Context } from "../context.js";
import { emit } from "../context.js";
import { InputError } from "../errors.js";
import { DEFAULT_SPECTRUM_LIMIT } from "@losscape/mlp/defaults";
import { fmt } from "../format.js";
import { endPointFit } from "@losscape/experiments";
import { figure6Summary, figure6Text, figure6Warnings, writeFigure6 } from "../figure6-report.js";
import { checkPlotPath, checkWritable, loadData, parseActivation, specParamCount, parseJsonFile } from "../io.js";
import { toJsonSafe } from "../json.js";
import { progress } from "../progress.js";

export interface IndexEnergyCliOptions {
  widths: number[];
  activation: string;
  bias: boolean;
  phi?: number[];
  runs: number;
  steps: number[];
  optimizer: "lbfgs" | "adam" | "gd";
  method: "newton" | "gradnorm";
  maxIter?: number;
  seed: number;
  maxIndex: number;
  /** τ of the end-point fit (`--end-point-gtol`; 0: off). */
  endPointGtol: number;
  data?: string;
  inputs?: number;
  plot?: string;
  out?: string;
}

/** The tag of the first line of an `--out` file (docs/formats.md#index-energy-runs-jsonl). */
export const INDEX_ENERGY_FORMAT = "losscape.index-energy/1";

/** What makes two runs with the same (φ, r) the same computation: compared on resume. */
interface Settings {
  widths: number[];
  activation: string;
  bias: boolean;
  data: "gaussian" | { sha256: string; inputs: number | null };
  optimizer: string;
  steps: number[];
  method: string;
  maxIter: number | null;
  seed: number;
}

/** The option that sets each field of `Settings`, for the mismatch message. */
const SETTING_OPTION: Record<keyof Settings, string> = {
  widths: "--widths",
  activation: "--activation",
  bias: "--no-bias",
  data: "--data",
  optimizer: "--optimizer",
  steps: "--steps",
  method: "--method",
  maxIter: "--max-iter",
  seed: "--seed",
};

/**
 * `losscape index-energy`: Pennington & Bahri's Figure 6 (spectra's `indexEnergyExperiment`): per φ, `--runs`
 * descents refined to critical points, each appended to `--out` as one JSON line as it finishes (resumable), the
 * fit α ≈ α₀|(ε − ε_c)/ε_c|^{3/2} on the critical runs with bootstrap intervals, the references ½(1 − φ)² and the
 * Wigner model's ε_c, separately the same fit on the non-critical end points with ‖∇R‖ ≤ `--end-point-gtol`
 * (experiments' `endPointFit`), and with `--plot` Figure 6a (α against ε) beside 6b (ε_c against φ).
 * @example
 * await indexEnergyCommand({ widths: [8, 8, 8], activation: "tanh", bias: false, phi: [0.5], runs: 20, steps: [0, 16],
 *   optimizer: "lbfgs", method: "newton", seed: 0, maxIndex: 0.1, endPointGtol: 1e-3, out: "runs.jsonl" }, ctx);
 */
export async function indexEnergyCommand(o: IndexEnergyCliOptions, ctx: Context): Promise<void> {
  const t0 = performance.now();
  if (!(o.maxIndex < 1)) throw new InputError(`--max-index must be < 1 (the fit's small-index window 0 < α ≤ a); found ${o.maxIndex}`);
  if (o.plot) checkPlotPath(o.plot);
  if (o.out) checkWritable(o.out, "--out");
  const spec: MlpSpec = { widths: o.widths, activation: parseActivation(o.activation), bias: o.bias };
  const M = specParamCount(spec);
  // Sized before any run: the index needs every end point's dense Hessian spectrum.
  if (M > DEFAULT_SPECTRUM_LIMIT) {
    throw new InputError(`--widths ${o.widths.join(",")}: the index needs each end point's Hessian spectrum, computed for M ≤ ${DEFAULT_SPECTRUM_LIMIT} parameters; found M = ${M}`);
  }
  const dIn = o.widths[0];
  const dOut = o.widths[o.widths.length - 1];
  // Gaussian data: m = round(M/(φ·d_out)) samples of d_in + d_out values for each φ, at least one, at most what
  // the wasm32 address space holds (2^29 float64 values).
  if (!o.data) {
    for (const phi of o.phi ?? []) {
      const m = Math.round(M / (phi * dOut));
      if (m < 1) throw new InputError(`--phi ${phi}: gives m = round(M/(φ·d_out)) = round(${M}/(${phi}·${dOut})) = 0 samples; expected φ ≤ ${(2 * M) / dOut}`);
      if (m * (dIn + dOut) > MAX_F64_VALUES) {
        throw new InputError(`--phi ${phi}: gives m = round(M/(φ·d_out)) = ${m.toExponential(3)} Gaussian samples of ${dIn + dOut} values (${((m * (dIn + dOut) * 8) / 2 ** 30).toExponential(2)} GiB); at most 2^29 float64 values fit: expected φ ≥ ${((M * (dIn + dOut)) / (MAX_F64_VALUES * dOut)).toExponential(3)}`);
      }
    }
  }
  let data: "gaussian" | Dataset = "gaussian";
  let dataSetting: Settings["data"] = "gaussian";
  if (o.data) {
    data = loadData(o.data, { inputs: o.inputs });
    if (data.x.cols !== dIn || data.y.cols !== dOut) {
      throw new InputError(`${o.data} does not fit --widths ${o.widths.join(",")}: expected d_in = ${dIn} input and d_out = ${dOut} output columns; found ${data.x.cols} and ${data.y.cols}`);
    }
    const m = data.x.rows;
    if (o.phi && o.phi.length !== 1) throw new InputError(`--phi ${o.phi.join(",")}: ${o.data} fixes φ = M/(m·d_out) = ${M / (m * dOut)} (m = ${m} samples); omit --phi or give that one value`);
    if (o.phi && Math.round(M / (o.phi[0] * dOut)) !== m) {
      throw new InputError(`--phi ${o.phi[0]} (--data ${o.data}): 'phi[0]' = ${o.phi[0]} does not match the data set: m = ${m} samples give φ = M/(m·d_out) = ${M / (m * dOut)}; omit --phi or give that value`);
    }
    dataSetting = { sha256: createHash("sha256").update(readFileSync(o.data)).digest("hex"), inputs: o.inputs ?? null };
  } else if (!o.phi) {
    throw new InputError("--phi is required with Gaussian data (without --data): e.g. --phi 0.25,0.5,0.75");
  }
  const settings: Settings = {
    widths: o.widths,
    activation: o.activation,
    bias: o.bias,
    data: dataSetting,
    optimizer: o.optimizer,
    steps: o.steps,
    method: o.method,
    maxIter: o.maxIter ?? null,
    seed: o.seed,
  };

  const stored = o.out ? readRuns(o.out, settings) : { runs: [], fresh: true, warnings: [] };
  const warnings: string[] = [...stored.warnings];
  const done = new Set(stored.runs.map(keyOf));
  // A data set fixes φ = M/(m·d_out) (the experiment checks a given --phi against it).
  const phiList = o.phi ?? [M / ((data as Dataset).x.rows * o.widths[o.widths.length - 1])];
  const inRequest = (r: { phi: number; run: number }) => r.run < o.runs && phiList.includes(r.phi);
  const todo = phiList.length * o.runs - stored.runs.filter(inRequest).length;

  // Every finished run goes to --out at once, as one line (the header first when the file is new).
  let fd: number | undefined;
  let needsHeader = stored.fresh;
  const append = (record: IndexEnergyRun) => {
    if (!o.out) return;
    fd ??= openSync(o.out, "a");
    let text = "";
    if (needsHeader) {
      text += JSON.stringify({ format: INDEX_ENERGY_FORMAT, settings, version: VERSION }) + "\n";
      needsHeader = false;
    }
    text += JSON.stringify(toJsonSafe(record).value) + "\n";
    const buf = Buffer.from(text, "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  };

  let critical = stored.runs.filter((r) => r.outcome === "critical" && inRequest(r)).length;
  let seen = stored.runs.filter(inRequest).length;
  let computed = 0;
  const bar = progress("index-energy", Math.max(todo, 0), ctx.quiet);
  let result: Awaited<ReturnType<typeof indexEnergyExperiment>>;
  try {
    // Its own checks (a --phi that does not match the data set, …) are ValueErrors: bad input, exit 2.
    result = await indexEnergyExperiment({
      widths: o.widths,
      activation: spec.activation,
      bias: o.bias,
      data,
      ...(o.phi ? { phi: o.phi } : {}),
      runs: o.runs,
      descent: { optimizer: o.optimizer, steps: o.steps },
      refine: { method: o.method, ...(o.maxIter !== undefined ? { maxIter: o.maxIter } : {}) },
      fit: { maxIndex: o.maxIndex },
      seed: o.seed,
      skip: (key) => done.has(keyOf(key)),
      onRun: (record) => {
        append(record);
        computed++;
        seen++;
        if (record.outcome === "critical") critical++;
        bar.update(computed, `critical ${Math.round((100 * critical) / seen)}% · φ ${record.phi} run ${record.run}`);
      },
    });
  } finally {
    bar.end();
    if (fd !== undefined) closeSync(fd);
  }
  // Each φ from all its runs, stored and new.
  const fit = { maxIndex: o.maxIndex, bootstrap: { seed: o.seed } };
  const phis: IndexEnergyPhi[] = result.phis.map((p) => {
    const runs = [...stored.runs.filter((r) => r.phi === p.phi && r.run < o.runs), ...p.runs].sort((a, b) => a.run - b.run);
    return indexEnergySummary(runs, { phi: p.phi, samples: p.samples, paramCount: M, outputDim: result.outputDim, fit });
  });
  const endPoints = o.endPointGtol > 0 ? phis.map((p) => endPointFit(p.runs, { phi: p.phi, gradTol: o.endPointGtol, fit })) : null;
  warnings.push(...figure6Warnings(phis, o.maxIndex, endPoints));
  if (o.plot) await writeFigure6(o.plot, phis, { maxIndex: o.maxIndex, title: `${o.widths.join("-")} ${o.activation}${o.bias ? "" : ", no bias"}, M = ${M}`, endPoints });

  const record = {
    settings,
    paramCount: M,
    outputDim: result.outputDim,
    maxIndex: o.maxIndex,
    endPointGtol: o.endPointGtol,
    out: o.out ?? null,
    runsComputed: computed,
    runsStored: phis.reduce((s, p) => s + p.runs.length, 0) - computed,
    seconds: (performance.now() - t0) / 1000,
    phis: phis.map((p, k) => figure6Summary(p, endPoints?.[k] ?? null)),
    runs: phis.flatMap((p) => p.runs),
    warnings,
  };
  emit(ctx, record, () => {
    const head =
      `net     ${o.widths.join("-")} ${o.activation}${o.bias ? "" : ", no bias"}, M = ${M}; data ${o.data ?? "x, y ~ N(0, 1)"}; ` +
      `descent ${o.optimizer} ${o.steps.join(",")} steps; refinement ${o.method}\n` +
      `runs    ${computed} computed${o.out && computed > 0 ? ` (appended to ${o.out})` : ""}${record.runsStored > 0 ? `, ${record.runsStored} read from ${o.out}` : ""}; ${fmt(record.seconds, 3)} s\n`;
    let s = head + figure6Text(record.phis, o.maxIndex);
    if (o.plot) s += `\nfigure  ${o.plot}\n`;
    return s;
  });
}

/** "φ:r", the key of a run. */
const keyOf = (r: { phi: number; run: number }) => `${r.phi}:${r.run}`;

/**
 * The runs stored in an `--out` file: its header must carry the same settings (else bad input naming the options
 * that differ); every line must be a run record (else bad input naming the line). An incomplete last line (a write
 * cut short) is dropped and cut off the file, so the next line is appended after a complete one.
 */
function readRuns(path: string, settings: Settings): { runs: IndexEnergyRun[]; fresh: boolean; warnings: string[] } {
  if (!existsSync(path) || statSync(path).size === 0) return { runs: [], fresh: true, warnings: [] };
  let text = readFileSync(path, "utf8");
  const warnings: string[] = [];
  const complete = text.lastIndexOf("\n") + 1;
  if (complete < text.length) {
    const lineNo = text.slice(0, complete).split("\n").length;
    warnings.push(`${path}: line ${lineNo} was incomplete (an interrupted write) and was removed; its run is computed again`);
    truncateSync(path, Buffer.byteLength(text.slice(0, complete), "utf8"));
    text = text.slice(0, complete);
  }
  if (text === "") return { runs: [], fresh: true, warnings };
  const lines = text.slice(0, -1).split("\n");
  const parse = (k: number): unknown => {
    try {
      return JSON.parse(lines[k]);
    } catch {
      // parseJsonFile says where in the line, and recognises NaN/Infinity written by other tools.
      parseJsonFile(`${path} line ${k + 1}`, lines[k]);
      throw new InputError(`${path} line ${k + 1}: not valid JSON`);
    }
  };
  const header = parse(0) as { format?: unknown; settings?: unknown };
  if (typeof header !== "object" || header === null || header.format !== INDEX_ENERGY_FORMAT) {
    throw new InputError(`${path} line 1: expected the header {"format": "${INDEX_ENERGY_FORMAT}", "settings": …} of an index-energy output; found ${lines[0].slice(0, 60)} (give another --out)`);
  }
  const theirs = header.settings as Record<string, unknown>;
  const differ = (Object.keys(SETTING_OPTION) as (keyof Settings)[]).filter((k) => JSON.stringify(theirs?.[k]) !== JSON.stringify(settings[k]));
  if (differ.length > 0) {
    const show = (v: unknown) => (Array.isArray(v) ? v.join(",") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
    const list = differ.map((k) => `${SETTING_OPTION[k]} ${show(theirs?.[k])} there, ${show(settings[k])} here`).join("; ");
    throw new InputError(`${path} holds runs of other settings (${list}): resume with the same settings (only --phi, --runs and --max-index may change), or give another --out`);
  }
  const runs: IndexEnergyRun[] = [];
  const seen = new Set<string>();
  for (let k = 1; k < lines.length; k++) {
    const r = checkRunLine(parse(k), `${path} line ${k + 1}`);
    if (seen.has(keyOf(r))) throw new InputError(`${path} line ${k + 1}: run ${r.run} of φ = ${r.phi} is already on an earlier line`);
    seen.add(keyOf(r));
    runs.push(r);
  }
  return { runs, fresh: false, warnings };
}

/** A stored run line, checked field by field (null stands for a non-finite number: ∞ for normGrowth, NaN otherwise). */
function checkRunLine(v: unknown, where: string): IndexEnergyRun {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InputError(`${where}: expected a run record {phi, run, eps, alpha, outcome, …}; found ${JSON.stringify(v)?.slice(0, 60)}`);
  const o = v as Record<string, unknown>;
  const bad = (field: string, expected: string) => new InputError(`${where}: field '${field}' must be ${expected}; found ${JSON.stringify(o[field]) ?? "nothing"}`);
  const int = (f: string, min: number) => {
    if (!Number.isInteger(o[f]) || (o[f] as number) < min) throw bad(f, `an integer ≥ ${min}`);
    return o[f] as number;
  };
  const numOrNull = (f: string, ifNull: number) => {
    if (o[f] === null) return ifNull;
    if (typeof o[f] !== "number") throw bad(f, "a number or null");
    return o[f] as number;
  };
  if (typeof o.phi !== "number" || !(o.phi > 0)) throw bad("phi", "a number > 0");
  if (typeof o.eps !== "number" || !Number.isFinite(o.eps)) throw bad("eps", "a finite number");
  if (typeof o.alpha !== "number" || !(o.alpha >= 0 && o.alpha <= 1)) throw bad("alpha", "a number in [0, 1]");
  if (!CRITICAL_OUTCOMES.includes(o.outcome as CriticalOutcome)) throw bad("outcome", CRITICAL_OUTCOMES.join(", "));
  if (!(o.kind === null || o.kind === "minimum" || o.kind === "saddle" || o.kind === "degenerate")) throw bad("kind", "minimum, saddle, degenerate or null");
  const inertia = o.inertia as Record<string, unknown> | null;
  if (typeof inertia !== "object" || inertia === null || !["negative", "zero", "positive"].every((f) => Number.isInteger(inertia[f]))) throw bad("inertia", "{negative, zero, positive} of integers");
  if (typeof o.inertiaStable !== "boolean") throw bad("inertiaStable", "true or false");
  if (typeof o.seconds !== "number") throw bad("seconds", "a number");
  return {
    phi: o.phi,
    run: int("run", 0),
    seed: int("seed", 0),
    descentSteps: int("descentSteps", 0),
    eps: o.eps,
    alpha: o.alpha,
    gradNorm: numOrNull("gradNorm", NaN),
    outcome: o.outcome as CriticalOutcome,
    kind: o.kind as IndexEnergyRun["kind"],
    inertia: { negative: inertia.negative as number, zero: inertia.zero as number, positive: inertia.positive as number },
    inertiaStable: o.inertiaStable,
    flatness: numOrNull("flatness", NaN),
    normGrowth: numOrNull("normGrowth", Infinity),
    iterations: int("iterations", 0),
    seconds: o.seconds,
  };
}
