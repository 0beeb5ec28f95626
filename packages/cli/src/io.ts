import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { isLosscapeError } from "@losscape/core";
import { parseData, parseModel, serializeModel, validateData, type Dataset, type Model } from "@losscape/mlp";
import { InputError } from "./errors.js";

/** Strip the "parseModel: " / "parseData: " prefix of a package message: the CLI names the file instead. */
function stripFn(message: string): string {
  return message.replace(/^(parseModel|parseData|validateData|validateModel|checkModel|paramCount): /, "");
}

/**
 * Read a text file named by option `option`; a missing or unreadable file is bad input (exit 2).
 * @example
 * readText("m.json", "--model");
 */
export function readText(path: string, option: string): string {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a file (${option})`);
    const text = readFileSync(path, "utf8");
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte-order mark is not part of the content
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${path}: no such file (${option})`);
    if (code === "EACCES" || code === "EPERM") throw new InputError(`${path}: permission denied (${option})`);
    throw new InputError(`${path}: cannot be read (${option}): ${(e as Error).message}`);
  }
}

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

/**
 * Load and validate a `losscape.mlp/1` model file (docs/formats.md#models); every problem is an InputError naming the file.
 * @example
 * const model = loadModel("m.json");
 */
export function loadModel(path: string, option = "--model"): Model {
  const obj = parseJsonFile(path, readText(path, option));
  try {
    return parseModel(obj as object);
  } catch (e) {
    if (isLosscapeError(e)) throw new InputError(`${path}: ${stripFn(e.message)}`);
    throw e;
  }
}

/**
 * Load a data set: `losscape.data/1` JSON, or CSV (by the `.csv` ending, or when the text does not start with "{")
 * with `inputs` input columns (default: all but the last).
 * @example
 * const data = loadData("d.csv", { inputs: 1 });
 */
export function loadData(path: string, options: { inputs?: number; option?: string } = {}): Dataset {
  const option = options.option ?? "--data";
  const text = readText(path, option);
  const csv = extname(path).toLowerCase() === ".csv" || !/^\s*\{/.test(text);
  try {
    if (csv) return parseData(text, { format: "csv", ...(options.inputs !== undefined ? { inputs: options.inputs } : {}) });
    return parseData(parseJsonFile(path, text) as object, { format: "json" });
  } catch (e) {
    if (isLosscapeError(e)) throw new InputError(`${path}: ${stripFn(e.message)}`);
    throw e;
  }
}

/**
 * Check that data fits a model (d_in, d_out, finite entries); a mismatch names both files.
 * @example
 * checkFits(model, data, "m.json", "d.json");
 */
export function checkFits(model: Model, data: Dataset, modelPath: string, dataPath: string): void {
  try {
    validateData(model, data);
  } catch (e) {
    if (isLosscapeError(e)) {
      const msg = stripFn(e.message);
      const csvHint = extname(dataPath).toLowerCase() === ".csv" && /d_in|d_out/.test(msg) ? ` (CSV: --inputs says how many leading columns are inputs, here ${model.widths[0]})` : "";
      throw new InputError(`${dataPath} does not fit ${modelPath}: ${msg}${csvHint}`);
    }
    throw e;
  }
}

/**
 * Load the model (`--model`) and the data (`--data`, CSV with `--inputs` input columns) of a command, and check
 * that the data fits the model (loadModel, loadData, checkFits).
 * @example
 * const { model, data } = loadModelAndData({ model: "m.json", data: "d.json" });
 */
export function loadModelAndData(o: { model: string; data: string; inputs?: number }): { model: Model; data: Dataset } {
  const model = loadModel(o.model);
  const data = loadData(o.data, { inputs: o.inputs });
  checkFits(model, data, o.model, o.data);
  return { model, data };
}

/**
 * Check early that a file can be written at `path` (its directory exists and is a directory), so that a long run
 * does not fail at the end. Bad input (exit 2) otherwise.
 * @example
 * checkWritable("out/cp.json", "--out");
 */
export function checkWritable(path: string, option: string): void {
  const dir = dirname(resolve(path));
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new InputError(`${path}: directory ${dirname(path)} does not exist (${option})`);
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
 * Write a model as `losscape.mlp/1` JSON (atomically).
 * @example
 * writeModel("cp.json", model);
 */
export function writeModel(path: string, model: Model): void {
  writeFileAtomic(path, JSON.stringify(serializeModel(model), null, 2) + "\n");
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
