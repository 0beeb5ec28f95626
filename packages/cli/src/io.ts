import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { isLosscapeError, type Mat } from "@losscape/core";
import { oneHot, readIdx, readNpy, readNpz, readOnnx, readSafetensors, writeNpy, writeOnnx, writeSafetensors, type NdArray } from "@losscape/io";
import {
  activationEntry,
  createProblem,
  parseCsvData,
  parseData,
  paramCount,
  parseModel,
  serializeModel,
  validateData,
  type Activation,
  type CsvData,
  type Dataset,
  type MlpSpec,
  type Model,
} from "@losscape/mlp";
import { InputError, notFiniteAtModel, reasonOf, withoutFunctionName } from "./errors.js";


const NONFINITE = "\u0000losscape-nonfinite:";

/**
 * Parse JSON text from `path`. Invalid JSON is bad input with the line and column. Python's json writes NaN and
 * ±Infinity as bare words, which are not JSON: they are recognised and reported at their field (so a model with
 * NaN in `params` gets "field 'params[3]' must be a finite number; found NaN", not a syntax error).
 * @example
 * parseJsonFile("m.json", '{"params": [1, NaN]}'); // InputError: field 'params[1]' must be a finite number; found NaN
 */
export function parseJsonFile(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const lenient = tryParseWithNonFinite(text);
    if (lenient !== undefined) {
      const where = findNonFinite(lenient, "");
      if (where) throw new InputError(`${path}: field '${where.path}' must be a finite number; found ${where.value}`);
    }
    throw new InputError(`${path}: not valid JSON (${describeJsonError(text, e as Error)})`);
  }
}

function tryParseWithNonFinite(text: string): unknown {
  // Replace bare NaN / Infinity / -Infinity tokens outside strings with marker strings. One native regex pass (strings
  // are matched whole and kept): a 120 MB model with one NaN is refused in seconds, not half a minute.
  let replaced = false;
  const out = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => {
    if (m[0] === '"') return m;
    replaced = true;
    return JSON.stringify(NONFINITE + m);
  });
  if (!replaced) return undefined;
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}

function findNonFinite(v: unknown, path: string): { path: string; value: string } | null {
  if (typeof v === "string" && v.startsWith(NONFINITE)) return { path: path || "(top level)", value: v.slice(NONFINITE.length) };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findNonFinite(v[i], `${path}[${i}]`);
      if (r) return r;
    }
  } else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const r = findNonFinite(x, path ? `${path}.${k}` : k);
      if (r) return r;
    }
  }
  return null;
}

function describeJsonError(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  const msg = e.message.replace(/^JSON\.parse: /, "").replace(/ in JSON at position \d+.*$/, "");
  if (!m) {
    if (text.trim() === "") return "the file is empty";
    if (/end of JSON input/.test(msg)) return `the text ends too early, at line ${text.trimEnd().split("\n").length} (truncated file?)`;
    return msg;
  }
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - before.lastIndexOf("\n");
  return `${msg} at line ${line}, column ${col}`;
}

/** Read a whole file as bytes (a model or data file in a binary format); missing or unreadable is bad input (exit 2). */
export function readBytes(path: string, option: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${path}: is a directory, expected a file (${option})`);
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${path}: no such file (${option})`);
    if (code === "EACCES" || code === "EPERM") throw new InputError(`${path}: permission denied (${option})`);
    throw new InputError(`${path}: cannot be read (${option}): ${(e as Error).message}`);
  }
}

/** Read a whole text file (UTF-8, a byte-order mark dropped); missing or unreadable is bad input (exit 2). */
export function readText(path: string, option: string): string {
  return new TextDecoder().decode(readBytes(path, option));
}

/**
 * A package error raised while reading `path` becomes bad input naming the file once; anything else is rethrown. A
 * reader that names the file itself ("net.onnx: …", @losscape/io's "file 'x.npy': …") is not named twice, and an .npz
 * member ("file 'd.npz/x.npy': …") is named as one ("d.npz: member 'x.npy': …").
 */
function asInputError(path: string, e: unknown): never {
  if (isLosscapeError(e)) {
    let msg = withoutFunctionName(e.message);
    if (msg.startsWith(`${path}: `)) msg = msg.slice(path.length + 2);
    else if (msg.startsWith(`file '${path}': `)) msg = msg.slice(path.length + 9);
    else if (msg.startsWith(`file '${path}/`)) msg = msg.replace(/^file '[^]*?\/([^/']*)': /, "member '$1': ");
    throw new InputError(`${path}: ${msg}`);
  }
  throw e;
}

/**
 * Check that an input file exists and is a file (not a directory) before it is read by a package function that
 * reads it itself; bad input (exit 2) naming `what` otherwise.
 * @example
 * checkInputFile("runs.jsonl", "the results file");
 */
export function checkInputFile(path: string, what: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file (${what})`);
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a file (${what})`);
}

/** How a model file is read (docs/formats.md#model-files). */
export type ModelFileFormat = "json" | "onnx" | "safetensors";

/**
 * The format of a model file: by its ending (.json, .onnx, .safetensors), else by its content (JSON text starts
 * with "{"; safetensors with an 8-byte header length followed by "{"; anything else is tried as ONNX).
 * @example
 * modelFileFormat("net.onnx", bytes); // "onnx"
 */
export function modelFileFormat(path: string, bytes: Uint8Array): ModelFileFormat {
  const e = extname(path).toLowerCase();
  if (e === ".json") return "json";
  if (e === ".onnx") return "onnx";
  if (e === ".safetensors") return "safetensors";
  if (startsWithBrace(bytes)) return "json";
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[7] === 0 && bytes[6] === 0) return "safetensors";
  return "onnx";
}

/** What a model file does not say and the command line may: the layout of a safetensors file, the loss. */
export interface ModelFlags {
  /** Widths for a .safetensors file without a `losscape` entry in its metadata (default: from the tensor shapes). */
  widths?: number[];
  /** Hidden activation(s) for a .safetensors file without metadata ("tanh", "leaky-relu:0.2", "tanh,relu"). */
  activation?: string;
  /** The loss to use (ONNX and safetensors files carry none: default mse); overrides a JSON model's. */
  loss?: "mse" | "cross-entropy";
}

/**
 * Load and validate a model file: `losscape.mlp/1` JSON, ONNX or safetensors (docs/formats.md#model-files), by its
 * ending or its content. `flags.widths`/`flags.activation` give a safetensors file's layout, `flags.loss` the loss.
 * Every problem is an InputError naming the file (and the flag).
 * @example
 * const model = loadModel("net.safetensors", "--model", { activation: "relu", loss: "cross-entropy" });
 */
export function loadModel(path: string, option = "--model", flags: ModelFlags = {}): Model {
  const bytes = readBytes(path, option);
  const format = modelFileFormat(path, bytes);
  let model: Model;
  if (format === "json") {
    const obj = parseJsonFile(path, new TextDecoder().decode(bytes)); // the decoder drops a UTF-8 byte-order mark
    try {
      model = parseModel(obj as object);
    } catch (e) {
      asInputError(path, e);
    }
  } else if (format === "onnx") {
    try {
      model = readOnnx(bytes, { file: path });
    } catch (e) {
      asInputError(path, e);
    }
  } else {
    const spec: Partial<MlpSpec> = {
      ...(flags.widths ? { widths: flags.widths } : {}),
      ...(flags.activation !== undefined ? { activation: parseActivation(flags.activation) as MlpSpec["activation"] } : {}),
    };
    try {
      model = readSafetensors(bytes, { file: path, spec });
    } catch (e) {
      asInputError(path, e);
    }
  }
  if (format !== "safetensors" && (flags.widths || flags.activation !== undefined)) {
    throw new InputError(`${path}: --widths and --activation describe a .safetensors file; this ${format === "json" ? "losscape.mlp/1" : "ONNX"} file states its own layout`);
  }
  return flags.loss !== undefined && flags.loss !== (model.loss ?? "mse") ? { ...model, loss: flags.loss } : model;
}

/**
 * An activation of mlp's table by name, "name:value" for one with a parameter ("leaky-relu:0.2" is
 * { name: "leaky-relu", slope: 0.2 }), or one per hidden layer, comma-separated "tanh,relu". Unknown names are left
 * for the spec's validation to report.
 * @example
 * parseActivation("tanh,leaky-relu:0.2"); // ["tanh", { name: "leaky-relu", slope: 0.2 }]
 */
export function parseActivation(s: string, flag = "--activation"): Activation | Activation[] {
  const one = (x: string): Activation => {
    const colon = x.indexOf(":");
    const entry = colon >= 0 ? activationEntry(x.slice(0, colon) as Activation) : undefined;
    if (entry?.param) {
      const text = x.slice(colon + 1);
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new InputError(`${flag}: ${entry.name} ${entry.param.name} must be a finite number; found '${text}'`);
      }
      return { name: entry.name, [entry.param.name]: value } as Activation;
    }
    return x as Activation;
  };
  const parts = s.split(",").map((x) => x.trim());
  return parts.length === 1 ? one(parts[0]) : parts.map(one);
}

/**
 * The parameter count of a network given on the command line (`--widths`, `--activation`, …), its spec checked:
 * a bad spec is bad input naming those flags.
 * @example
 * specParamCount({ widths: [1, 3, 1], activation: "tanh" }); // 10
 */
export function specParamCount(spec: MlpSpec): number {
  try {
    return paramCount(spec);
  } catch (e) {
    if (isLosscapeError(e)) throw new InputError(`--widths/--activation: ${e.message.replace(/^paramCount: /, "")}`);
    throw e;
  }
}

/** How the samples of a command are read besides the data file itself (docs/formats.md#data-files). */
export interface DataFlags {
  /** CSV: how many leading columns are x (default: all but the last). */
  inputs?: number;
  /** y holds integer class labels, one-hot encoded: `true` for the data file's own y column, or a file of labels. */
  labels?: string | true;
  /** y from this file (x from the data file): .npy, .npz (one array, or 'y'), IDX or CSV. */
  targets?: string;
  /** No note on stderr about how the file was read. */
  quiet?: boolean;
}

/** How a data file is read. */
type DataFileFormat = "json" | "csv" | "npy" | "npz" | "idx";

/** The format of a data file by its ending, else by its magic bytes; text that is not JSON is CSV. */
function dataFileFormat(path: string, bytes: Uint8Array): DataFileFormat {
  const name = basename(path).toLowerCase();
  const e = extname(name);
  if (e === ".json") return "json";
  if (e === ".csv" || e === ".tsv" || e === ".txt") return "csv";
  if (e === ".npy") return "npy";
  if (e === ".npz") return "npz";
  if (/idx\d-ubyte(\.gz)?$|\.idx\d?(\.gz)?$/.test(name)) return "idx";
  if (bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55) return "npy"; // \x93NUMPY
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return "npz"; // PK: a zip archive
  if ((bytes[0] === 0x1f && bytes[1] === 0x8b) || (bytes[0] === 0 && bytes[1] === 0 && bytes.length > 3)) return "idx";
  return startsWithBrace(bytes) ? "json" : "csv";
}

/** The content starts with "{" after white space and a UTF-8 byte-order mark: JSON text. */
function startsWithBrace(bytes: Uint8Array): boolean {
  let k = 0;
  while (k < bytes.length && k < 64 && (bytes[k] <= 0x20 || bytes[k] === 0xef || bytes[k] === 0xbb || bytes[k] === 0xbf)) k++;
  return bytes[k] === 0x7b;
}

/** An n-d array as an n × (product of the other dimensions) matrix; a 1-d array is one column. */
function asRows(a: NdArray): Mat {
  const n = a.shape.length === 0 ? 1 : a.shape[0];
  const cols = a.shape.length <= 1 ? 1 : a.shape.slice(1).reduce((p, d) => p * d, 1);
  return { rows: n, cols, data: a.data };
}

/** The one array of an .npy or IDX file. */
function readTensor(bytes: Uint8Array, format: "npy" | "idx", path: string): NdArray {
  return format === "npy" ? readNpy(bytes, { file: path }) : readIdx(bytes, { file: path });
}

/** How an .npy or IDX array was read: ".npy x f8 [150, 4]". */
function tensorNote(format: "npy" | "idx", a: NdArray, role = ""): string {
  return `${format === "npy" ? ".npy" : "IDX"} ${role}${a.dtype} [${a.shape.join(", ")}]`;
}

/** One array from an .npy, an IDX or a CSV file (all columns), or an .npz holding one array or one named `key`. */
function readArrayFile(path: string, option: string, key: string): { array: Mat; note: string } {
  const bytes = readBytes(path, option);
  const format = dataFileFormat(path, bytes);
  try {
    if (format === "npy" || format === "idx") {
      const a = readTensor(bytes, format, path);
      return { array: asRows(a), note: tensorNote(format, a) };
    }
    if (format === "npz") {
      const arrays = readNpz(bytes, { file: path });
      const names = Object.keys(arrays);
      const pick = names.length === 1 ? names[0] : names.includes(key) ? key : undefined;
      if (pick === undefined) throw new InputError(`${path}: an .npz for ${option} must hold one array or one named '${key}'; found ${names.map((k) => `'${k}'`).join(", ") || "none"}`);
      const a = arrays[pick];
      return { array: asRows(a), note: `.npz '${pick}' ${a.dtype} [${a.shape.join(", ")}]` };
    }
    if (format === "csv") {
      return parseCsvDataAllColumns(new TextDecoder().decode(bytes));
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    asInputError(path, e);
  }
  throw new InputError(`${path}: ${option} takes an .npy, .npz, IDX or CSV file; found a JSON file`);
}

/** All columns of a CSV file as one matrix (labels or targets files), with how it was read. */
function parseCsvDataAllColumns(text: string): { array: Mat; note: string } {
  const csv = parseCsvData(text);
  const { x, y } = csv.data;
  const cols = x.cols + y.cols;
  const data = new Float64Array(x.rows * cols);
  for (let i = 0; i < x.rows; i++) {
    data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * cols);
    data.set(y.data.subarray(i * y.cols, (i + 1) * y.cols), i * cols + x.cols);
  }
  return { array: { rows: x.rows, cols, data }, note: csvNote(csv) };
}

function csvNote(csv: CsvData): string {
  const sep = csv.separator === "\t" ? "tab" : `'${csv.separator}'`;
  return `CSV, ${sep}-separated, ${csv.header ? `header row ${csv.header.join(csv.separator === "\t" ? " " : csv.separator)}` : "no header row (every line is a sample)"}`;
}

/**
 * Load a data set (docs/formats.md#data-files): `losscape.data/1` JSON, CSV (`,` `;` or tab separated, header row
 * detected), an .npz holding x and y, or x alone from an .npy or IDX file (MNIST images: u8 pixels scaled to [0, 1])
 * with y from `flags.targets` or `flags.labels`; integer class labels one-hot encoded (`flags.labels`: as many
 * classes as the model's d_out, else the largest label + 1). With `fit`, the data must fit that model (checkFits).
 * How a non-JSON file was read is noted on stderr (unless quiet) once it loaded and fits. Every problem is an
 * InputError naming the file.
 * @example
 * const data = loadData("train-images-idx3-ubyte.gz", { labels: "train-labels-idx1-ubyte.gz", fit: { model, path: "net.onnx" } });
 */
export function loadData(path: string, flags: DataFlags & { option?: string; fit?: { model: Model; path: string } } = {}): Dataset {
  const option = flags.option ?? "--data";
  const bytes = readBytes(path, option);
  const format = dataFileFormat(path, bytes);
  if (flags.inputs !== undefined && format !== "csv") {
    const kind = { json: "a losscape.data/1 JSON", npz: "an .npz", npy: "an .npy", idx: "an IDX" }[format];
    throw new InputError(`${path}: --inputs ${flags.inputs} is for CSV data (which columns are inputs); this is ${kind} file, whose x and y are apart already`);
  }
  const notes: string[] = [];
  let x: Mat;
  let y: Mat | undefined;
  try {
    if (format === "json" || format === "csv") {
      const text = new TextDecoder().decode(bytes); // drops a UTF-8 byte-order mark
      if (format === "json") {
        const d = parseData(parseJsonFile(path, text) as object, { format: "json" });
        ({ x, y } = d);
      } else {
        const csv = parseCsvData(text, flags.inputs !== undefined ? { inputs: flags.inputs } : {});
        ({ x, y } = csv.data);
        notes.push(csvNote(csv));
      }
    } else if (format === "npz") {
      const arrays = readNpz(bytes, { file: path });
      const names = Object.keys(arrays);
      if (!arrays.x) throw new InputError(`${path}: an .npz data file must hold arrays named 'x' and 'y' (numpy: np.savez(f, x=X, y=Y)); found ${names.map((k) => `'${k}'`).join(", ") || "none"}`);
      x = asRows(arrays.x);
      if (arrays.y) y = asRows(arrays.y);
      else if (!flags.targets && typeof flags.labels !== "string") throw new InputError(`${path}: an .npz data file must hold an array named 'y' (or give --targets or --labels FILE); found ${names.map((k) => `'${k}'`).join(", ")}`);
      notes.push(`.npz: x ${arrays.x.dtype} [${arrays.x.shape.join(", ")}]${arrays.y ? `, y ${arrays.y.dtype} [${arrays.y.shape.join(", ")}]` : ""}`);
    } else {
      const a = readTensor(bytes, format, path);
      x = asRows(a);
      // MNIST-style images (IDX unsigned bytes) are pixel intensities 0..255: scaled to [0, 1], as torchvision's ToTensor.
      const pixels = format === "idx" && a.dtype === "u1";
      if (pixels) x = { ...x, data: x.data.map((v) => v / 255) };
      notes.push(`${tensorNote(format, a, "x ")}${pixels ? ", pixels scaled to [0, 1] (÷255)" : ""}`);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    asInputError(path, e);
  }
  if (flags.targets !== undefined && typeof flags.labels === "string") throw new InputError("give either --targets FILE or --labels FILE, not both");
  const yFile = flags.targets ?? (typeof flags.labels === "string" ? flags.labels : undefined);
  if (yFile !== undefined) {
    if (y !== undefined && format !== "npz") throw new InputError(`${path}: already holds y (${format === "csv" ? "its last columns" : "field 'y'"}); ${flags.targets ? "--targets" : "--labels FILE"} is for x-only files (.npy, IDX, an .npz without 'y')`);
    const r = readArrayFile(yFile, flags.targets ? "--targets" : "--labels", "y");
    y = r.array;
    notes.push(`y from ${yFile}: ${r.note}`);
  }
  if (y === undefined) throw new InputError(`${path}: holds x only (${format === "idx" ? "IDX" : ".npy"}); give y with --targets FILE, or class labels with --labels FILE`);
  if (flags.labels !== undefined) {
    const yFileName = yFile ?? path;
    if (y.cols !== 1) throw new InputError(`${yFileName}: --labels needs one column of integer class labels; found ${y.cols} columns`);
    let max = -1;
    for (let i = 0; i < y.data.length; i++) max = Math.max(max, y.data[i]);
    const classes = flags.fit ? flags.fit.model.widths[flags.fit.model.widths.length - 1] : max + 1;
    try {
      y = oneHot(y.data, classes);
    } catch (e) {
      asInputError(yFileName, e);
    }
    notes.push(`labels one-hot encoded: ${classes} classes`);
  }
  if (x.rows !== y.rows) throw new InputError(`${yFile ?? path}: y must have as many rows as x (${x.rows}); found ${y.rows}`);
  if (x.rows === 0) throw new InputError(`${path}: x must have at least one row (n ≥ 1); found n = 0`);
  if (flags.fit) checkFits(flags.fit.model, { x, y }, flags.fit.path, path);
  if (notes.length && !flags.quiet) process.stderr.write(`losscape: ${path}: ${notes.join("; ")}\n`);
  return { x, y };
}

/** Check that data fits a model (d_in, d_out, finite entries); a mismatch names both files. */
function checkFits(model: Model, data: Dataset, modelPath: string, dataPath: string): void {
  try {
    validateData(model, data);
  } catch (e) {
    if (isLosscapeError(e)) {
      const msg = withoutFunctionName(e.message);
      const csvHint = extname(dataPath).toLowerCase() === ".csv" && /d_in|d_out/.test(msg) ? ` (CSV: --inputs says how many leading columns are inputs, here ${model.widths[0]})` : "";
      const labelHint = data.y.cols === 1 && model.widths[model.widths.length - 1] > 1 && /d_out/.test(msg) ? " (integer class labels? --labels one-hot encodes them)" : "";
      throw new InputError(`${dataPath} does not fit ${modelPath}: ${msg}${csvHint}${labelHint}`);
    }
    throw e;
  }
}

/**
 * Load the model (`--model`, with `--widths`/`--activation`/`--loss`) and the data (`--data`, with `--inputs`,
 * `--labels`, `--targets`) of a command; the data must fit the model, class labels get its d_out classes.
 * @example
 * const { model, data } = loadModelAndData({ model: "net.onnx", data: "x.npy", labels: "y.npy" });
 */
export function loadModelAndData(o: { model: string; data: string } & ModelFlags & DataFlags): { model: Model; data: Dataset } {
  const model = loadModel(o.model, "--model", o);
  return { model, data: loadData(o.data, { ...o, fit: { model, path: o.model } }) };
}

/** The largest Hessian formed to look for a non-finite entry, after a refusal only (M ≤ 2048: 32 MiB). */
const HESSIAN_CHECK_LIMIT = 2048;

/** max|v| (0 for no values). */
export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/**
 * Bad input (exit 2) when the loss of `model` on `data`, its gradient, (M ≤ 2048) its Hessian or H∇R is not finite at
 * the model's own parameters (errors.ts' notFiniteAtModel: outputs that overflow float64), naming the model file (as
 * `option`) and the data file; undefined when all of it is finite. The commands call it after a package refused a
 * non-finite value (`overflowedFloat64`) or a result came out non-finite, so a run that succeeds pays nothing for it.
 * @example
 * const bad = notFiniteAtModelFile(model, data, { model: "m.json", data: "d.json" });
 * if (bad) throw bad; // m.json (--model) on d.json (--data): the loss is not finite at the model's parameters: …
 */
export function notFiniteAtModelFile(model: Model, data: Dataset, files: { model: string; option?: string; data: string }): InputError | undefined {
  using problem = createProblem(model, data);
  // Unchecked: the values as they are (NaN, ±∞), to say which is not finite, instead of the package's refusal.
  problem.setParamsUnchecked(Float64Array.from(model.params));
  const { loss, gradient } = problem.lossAndGradient();
  let hessian: ArrayLike<number> | null | undefined;
  if (model.params.length <= HESSIAN_CHECK_LIMIT && Number.isFinite(loss) && gradient.every(Number.isFinite)) {
    try {
      hessian = problem.hessian().data;
    } catch (e) {
      // A kernel that refuses a non-finite intermediate itself (core checks its operands): the Hessian is not finite.
      if (!(isLosscapeError(e) && e.code === "E_VALUE")) throw e;
      hessian = null;
    }
  }
  const finite = Number.isFinite(loss) && gradient.every(Number.isFinite) && hessian !== null && (hessian === undefined || Array.prototype.every.call(hessian, Number.isFinite));
  const hessianGradient = finite ? problem.hvpUnchecked(gradient) : undefined;
  const where = `${files.model} (${files.option ?? "--model"}) on ${files.data} (--data)`;
  return notFiniteAtModel(where, { loss, gradient, hessian, hessianGradient, maxParam: maxAbs(model.params), maxInput: maxAbs(data.x.data), maxTarget: maxAbs(data.y.data) });
}

/**
 * A package's refusal of a non-finite value (errors.ts' `overflowedFloat64`: a loss, gradient or Hessian that overflows
 * float64) that the command did not name by a flag of its own, in the user's terms: the command's model file(s)
 * (`o.model`, one or two) and data file (`o.data`) are read again as the command read them, and a loss, gradient or
 * Hessian that is not finite at a model's own parameters is bad input naming the files (`notFiniteAtModelFile`).
 * Otherwise the refusal arose at a point the command derived from the model: the package's reason, without the
 * name of its function, naming the files it was computed from. A command without a model file names its data file
 * and `--widths` (fresh networks on data too large for float64); without either it gets `e` back.
 * @example
 * throw overflowAtInputs(e, { model: "m.json", data: "d.json" }); // m.json (--model) on d.json (--data): the loss is not finite …
 */
export function overflowAtInputs(e: Error, o: Record<string, unknown> & ModelFlags & DataFlags): Error {
  const paths = typeof o.model === "string" ? [o.model] : Array.isArray(o.model) ? o.model.filter((p): p is string => typeof p === "string") : [];
  const dataPath = typeof o.data === "string" ? o.data : undefined;
  // eigh/eigvalsh's 'a' is the Hessian the command formed.
  const reason = /^eig(h|valsh): argument 'a' /.test(e.message) ? reasonOf(e).replace(/^argument 'a' must be finite; found (\S+) at/, "the Hessian is not finite: $1 at") : reasonOf(e);
  if (paths.length === 0) {
    // Fresh networks of --widths (train, search, index-energy) on a data file: the data's scale is what the command
    // line gave (the initialisations are standard).
    if (dataPath === undefined || !Array.isArray(o.widths)) return e;
    let scale = "";
    try {
      const d = loadData(dataPath, { ...o, quiet: true });
      scale = ` (max|x| = ${Number(maxAbs(d.x.data).toPrecision(3))}, max|y| = ${Number(maxAbs(d.y.data).toPrecision(3))}: scale the data down)`;
    } catch {
      // the file changed since the command read it: no scale
    }
    return new InputError(`${dataPath} (--data) for the --widths ${o.widths.join(",")} network${scale}: a value computed from the data overflows float64: ${reason}`);
  }
  const options = paths.map((_, k) => (k === 0 ? "--model" : "--model (second)"));
  if (dataPath !== undefined) {
    const flags = { ...o, quiet: true };
    for (let k = 0; k < paths.length; k++) {
      let bad: InputError | undefined;
      try {
        const model = loadModel(paths[k], options[k], flags);
        bad = notFiniteAtModelFile(model, loadData(dataPath, { ...flags, fit: { model, path: paths[k] } }), { model: paths[k], option: options[k], data: dataPath });
      } catch {
        return e; // the files changed since the command read them: the refusal as it was
      }
      if (bad) return bad;
    }
  }
  const files = paths.map((p, k) => `${p} (${options[k]})`).join(", ") + (dataPath !== undefined ? ` on ${dataPath} (--data)` : "");
  return new InputError(`${files}: a value computed from the model overflows float64: ${reason}`);
}

/**
 * Check early that a file can be written at `path` (its directory exists and is a directory), so that a long run
 * does not fail at the end. Bad input (exit 2) otherwise.
 * @example
 * checkWritable("out/cp.json", "--out");
 */
export function checkWritable(path: string, option: string): void {
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st) throw new InputError(`${path}: directory ${dirname(path)} does not exist (${option})`);
  if (!st.isDirectory()) throw new InputError(`${path}: ${dirname(path)} is a file, not a directory (${option})`);
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${path}: is a directory, expected a file name (${option})`);
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
  // Create (and remove) the temporary file writeFileAtomic will use, so a read-only directory or file system is
  // found before the computation, not after it.
  const probe = temporaryPathFor(path);
  try {
    closeSync(openSync(probe, "wx", 0o644));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system" : `the file system refused to create a file there (${code ?? (e as Error).message})`;
    throw new InputError(`${path}: cannot be written (${option}): ${why}`);
  }
  unlinkSync(probe);
}

/** The temporary file beside `path` that `writeFileAtomic` writes first (and `checkWritable` probes): hidden, unique. */
function temporaryPathFor(path: string): string {
  return join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Write a file atomically: the content goes to a temporary file in the same directory, is flushed, then renamed
 * over `path`, so the file is never left half-written; the temporary file is removed on failure.
 * @example
 * writeFileAtomic("cp.json", JSON.stringify(obj));
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = temporaryPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o644);
    const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Write a model file (atomically), in the format F's ending names: `.onnx` (writeOnnx: float64 Gemm layers, valid for
 * onnx.checker; Netron draws it), `.safetensors` (writeSafetensors: F64, PyTorch's names, the spec in its metadata), else
 * `losscape.mlp/1` JSON.
 * @example
 * writeModel("cp.json", model);
 * writeModel("cp.onnx", model);
 */
export function writeModel(path: string, model: Model): void {
  const e = extname(path).toLowerCase();
  writeFileAtomic(path, e === ".onnx" ? writeOnnx(model) : e === ".safetensors" ? writeSafetensors(model) : JSON.stringify(serializeModel(model), null, 2) + "\n");
}

/**
 * Check a report directory that is created with its missing parents (`demo --out DIR`) before the work starts: the
 * nearest existing ancestor is a directory where files can be created (so /proc/x or a read-only place is refused
 * at once, not after the run). Bad input (exit 2) otherwise.
 * @example
 * checkCreatableDir("reports/today", "--out");
 */
export function checkCreatableDir(dir: string, option: string): void {
  let at = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch {
      st = undefined;
    }
    if (st) {
      if (!st.isDirectory()) throw new InputError(`${dir}: ${at === resolve(dir) ? "exists and is" : `${at} is`} not a directory (${option})`);
      break;
    }
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  try {
    checkWritable(join(at, "probe"), option);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${dir}: cannot be created (${option}): ${e.message.replace(/^.*?\((?:--\S+)\): /, "")}`);
    throw e;
  }
}

/**
 * Check an output directory (`--npy DIR`, `search --out DIR`) before the work starts: DIR is an existing directory,
 * or a new one whose parent exists, and files can be created there. Bad input (exit 2) otherwise.
 * @example
 * checkOutputDir("out/arrays", "--npy");
 */
export function checkOutputDir(dir: string, option: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new InputError(`${dir}: is a file, expected a directory (${option})`);
  checkWritable(st ? join(dir, "probe") : dir, option);
}

/**
 * Write arrays as `DIR/<name>.npy` (numpy's format: little-endian float64, C order; `np.load` reads them), each
 * atomically; DIR is created when missing. Returns the paths written.
 * @example
 * writeNpyDir("out", { eigenvalues: Float64Array.from([1, 2]), hessian: h }); // out/eigenvalues.npy, out/hessian.npy
 */
export function writeNpyDir(dir: string, arrays: Record<string, Parameters<typeof writeNpy>[0]>): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(arrays).map(([name, a]) => {
    const path = join(dir, `${name}.npy`);
    writeFileAtomic(path, writeNpy(a));
    return path;
  });
}

/**
 * The line of a command's report that lists the `.npy` files written (none without `--npy`).
 * @example
 * keyValues([["loss", "0.1"], ...npyRow("out", ["out/eigenvalues.npy"])]);
 */
export function npyRow(dir: string | undefined, files: readonly string[]): [string, string][] {
  return dir ? [["arrays", `${files.length} .npy files in ${dir}: ${files.map((f) => basename(f)).join(", ")}`]] : [];
}

/**
 * The figure kind of a `--plot` path, by its ending; anything else is bad input.
 * @example
 * plotKind("rho.png"); // "png"
 */
export function plotKind(path: string, option = "--plot"): "svg" | "png" {
  const e = extname(path).toLowerCase();
  if (e === ".svg") return "svg";
  if (e === ".png") return "png";
  throw new InputError(`${path}: ${option} must end in .svg or .png; found '${e || "(no extension)"}'`);
}

/**
 * Check a `--plot` path before the work starts: a figure kind by its ending (plotKind) and a writable place
 * (checkWritable); bad input otherwise.
 * @example
 * checkPlotPath("out/rho.png");
 */
export function checkPlotPath(path: string): void {
  plotKind(path);
  checkWritable(path, "--plot");
}
